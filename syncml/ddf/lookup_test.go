package ddf

import (
	"errors"
	"strings"
	"testing"
)

// testTree has a named and a dynamic child side by side, to exercise the
// preference for named nodes and the fallback to the dynamic one.
const testTree = `<MgmtTree><VerDTD>1.2</VerDTD>
<Node><NodeName>Root</NodeName><Path>./Device/Vendor/MSFT</Path>
 <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><Scope><Permanent/></Scope></DFProperties>
 <Node><NodeName>Fixed</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName>Leaf</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node>
 </Node>
 <Node><NodeName></NodeName>
  <DFProperties><AccessType><Add/><Delete/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>
  <Node><NodeName>Other</NodeName><DFProperties><AccessType><Get/><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node>
 </Node>
</Node></MgmtTree>`

func TestLookup(t *testing.T) {
	tr, err := Parse([]byte(testTree))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uri  string
		want string // node Path, or "" for an error
		err  error
	}{
		{"./Device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Device/Vendor/MSFT/Root/", "", ErrURI},
		{"./device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"Device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Device/Vendor/MSFT/Root/Fixed/Leaf", "./Device/Vendor/MSFT/Root/Fixed/Leaf", nil},
		// "Fixed" is also a valid instance name: the named path fails at
		// "Other", so the dynamic node takes over.
		{"./Device/Vendor/MSFT/Root/Fixed/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/MS%20DM%20SERVER/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/a%2Fb/Other", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%E2%82%AC/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/x/Leaf", "", ErrNoSuchNode},
		{"./User/Vendor/MSFT/Root", "", ErrNoSuchNode},
		{"./Device/Vendor/MSFT/root", "", ErrNoSuchNode},
		{"./Device/Vendor/MSFT", "", ErrNoSuchNode},
		{"", "", ErrURI},
		{"/Device/Vendor/MSFT/Root", "", ErrURI},
		{"./Device//Vendor", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%zz", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%2", "", ErrURI},
		{"./Device/Vendor/../Root", "", ErrURI},
		{"./" + strings.Repeat("a/", maxURISegments+1) + "a", "", ErrURI},
	}
	for _, tt := range tests {
		n, err := tr.Lookup(tt.uri)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Lookup(%q) error = %v, want %v", tt.uri, err, tt.err)
			}
			continue
		}
		if err != nil || n.Path != tt.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.uri, n, err, tt.want)
		}
	}
}

// TestLookupBacktrackingIsBounded builds a chain where every level has a
// named and a dynamic child; a failing lookup must not explore 2^depth paths.
func TestLookupBacktrackingIsBounded(t *testing.T) {
	const depth = 60
	props := `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	var b strings.Builder
	b.WriteString(`<MgmtTree><Node><NodeName>R</NodeName>` + props)
	for i := 0; i < depth; i++ {
		b.WriteString(`<Node><NodeName>a</NodeName>` + props + `</Node><Node><NodeName></NodeName>` + props)
	}
	b.WriteString(strings.Repeat(`</Node>`, depth) + `</Node></MgmtTree>`)
	tr, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	uri := "./R/" + strings.Repeat("a/", depth) + "zz"
	if _, err := tr.Lookup(uri); !errors.Is(err, ErrNoSuchNode) {
		t.Errorf("Lookup = %v, want ErrNoSuchNode", err)
	}
}
