package ddf

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestLookupEnumNamesIndexed: Parse indexes the ENUM names of a dynamic
// node that holds no value when there are more than enumScan of them,
// and Lookup answers through the index as it did by comparing the names
// one by one: each value as written (spaces around it in the DDF
// dropped), a name with spaces or another spelling refused. Enums set
// anew after Parse are read one by one.
func TestLookupEnumNamesIndexed(t *testing.T) {
	tr, err := Parse(enumNamesDDF(1000))
	if err != nil {
		t.Fatal(err)
	}
	mode := tr.Roots[0].Children[0]
	a := mode.Allowed
	if a.names.of(a.Enums) == nil {
		t.Fatal("Parse made no index of the 1,000 ENUM names")
	}
	names := []string{"m0", "m1", "m999", "m1000", "m01", " m5", "m5 ", "M5", "", "0x1", "m", "m9999"}
	for i := range 1000 {
		names = append(names, "m"+strconv.Itoa(i))
	}
	for _, name := range names {
		uri := "./Vendor/MSFT/E/" + url.PathEscape(name) + "/V"
		_, err := tr.Lookup(uri)
		indexed := a.allowsName(name)
		saved := a.names
		a.names = nameIndex{}
		scanned := a.allowsName(name)
		a.names = saved
		if (indexed == nil) != (scanned == nil) {
			t.Errorf("allowsName(%q): indexed %v, scanned %v", name, indexed, scanned)
		}
		if name == "" {
			continue // an empty segment is no LocURI
		}
		var ne *NameError
		switch {
		case indexed == nil && err != nil:
			t.Errorf("Lookup(%q): %v; want the node", uri, err)
		case indexed != nil && !errors.As(err, &ne):
			t.Errorf("Lookup(%q): %v; want a *NameError", uri, err)
		}
	}
	// an index made for other Enums is not used
	a.Enums = append([]Enum{{Value: "x"}}, a.Enums[:999]...)
	if _, err := tr.Lookup("./Vendor/MSFT/E/x/V"); err != nil {
		t.Errorf("Lookup of a name in Enums set after Parse: %v", err)
	}
	if _, err := tr.Lookup("./Vendor/MSFT/E/m999/V"); err == nil {
		t.Error("Lookup of a name no longer in Enums found a node")
	}
}

// TestEnumNamesIndexOnlyNames: the index is made only where Lookup reads
// the ENUM as names and where it has more than enumScan values.
func TestEnumNamesIndexOnlyNames(t *testing.T) {
	tr, err := Parse(enumNamesDDF(enumScan))
	if err != nil {
		t.Fatal(err)
	}
	if a := tr.Roots[0].Children[0].Allowed; a.names.set != nil {
		t.Errorf("an index of %d names, want none", len(a.Enums))
	}
	tr, err = Parse([]byte(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>
<Node><NodeName></NodeName><Path>./Device/Vendor/MSFT</Path><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat>
<MSFT:AllowedValues ValueType="ENUM">` + string(enumValues(100)) + `</MSFT:AllowedValues></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	if a := tr.Roots[0].Allowed; a.names.set != nil {
		t.Error("an index of the values of a chr node")
	}
}

// TestNodeNameAllocatesNothing: Parse's check of a NodeName it takes
// allocates nothing (it escaped the name and read it back as a LocURI,
// one allocation or more per node), and a refused name's error still
// quotes the LocURI that would name it.
func TestNodeNameAllocatesNothing(t *testing.T) {
	var p parser
	for _, name := range []string{"DMClient", "MS DM SERVER", "a%b", "é", "..."} {
		if n := testing.AllocsPerRun(100, func() { _ = p.nodeName(name) }); n != 0 {
			t.Errorf("nodeName(%q): %v allocations", name, n)
		}
	}
	_, err := Parse([]byte(`<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>a%2Fb/c</NodeName><DFProperties/></Node></MgmtTree>`))
	if want := `NodeName "a%2Fb/c" is not a node name: syncml: invalid LocURI "./a%252Fb%2Fc": '/' inside a node name`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse: %v; want an error with %s", err, want)
	}
}
