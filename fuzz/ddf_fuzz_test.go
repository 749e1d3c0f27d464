package fuzz

import (
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
)

// ddfSeed is a small DDF in Microsoft's style: BOM, DOCTYPE with an
// internal subset, MSFT extensions, a dynamic node and every kind of
// allowed values Check enforces, and a dynamic node whose RegEx
// constrains its instances' names.
const ddfSeed = "\uFEFF" + `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE MgmtTree PUBLIC " -//OMA//DTD-DM-DDF 1.2//EN" "http://www.openmobilealliance.org/tech/DTD/DM_DDF-V1_2.dtd" [<?oma-dm-ddf-ver supported-versions="1.2"?>]>
<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM">
  <VerDTD>1.2</VerDTD>
  <Node><NodeName>Fz</NodeName><Path>./Device/Vendor/MSFT</Path>
    <DFProperties><AccessType><Get /></AccessType><DFFormat><node /></DFFormat><Occurrence><One /></Occurrence><Scope><Permanent /></Scope><DFType><DDFName /></DFType>
      <MSFT:Applicability><MSFT:OsBuildVersion>10.0.22621, 10.0.19044.2193</MSFT:OsBuildVersion><MSFT:CspVersion>1.6</MSFT:CspVersion></MSFT:Applicability></DFProperties>
    <Node><NodeName></NodeName>
      <DFProperties><AccessType><Add /><Delete /><Get /></AccessType><DFFormat><node /></DFFormat><Occurrence><ZeroOrMore /></Occurrence><Scope><Dynamic /></Scope><DFTitle>Id</DFTitle>
        <MSFT:DynamicNodeNaming><MSFT:ServerGeneratedUniqueIdentifier /></MSFT:DynamicNodeNaming></DFProperties>
      <Node><NodeName>Mode</NodeName>
        <DFProperties><AccessType><Get /><Replace /></AccessType><DefaultValue>0</DefaultValue><Description><![CDATA[a <b> c]]></Description><DFFormat><int /></DFFormat><Scope><Dynamic /></Scope>
          <MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>0</MSFT:Value><MSFT:ValueDescription>Off</MSFT:ValueDescription></MSFT:Enum><MSFT:Enum><MSFT:Value>1</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node>
      <Node><NodeName>Minutes</NodeName>
        <DFProperties><AccessType><Add /><Get /><Replace /></AccessType><DFFormat><int /></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[30-1440]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node>
      <Node><NodeName>Version</NodeName>
        <DFProperties><AccessType><Replace /></AccessType><DFFormat><chr /></DFFormat><MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>^(\d\.)?(\d)$</MSFT:Value></MSFT:AllowedValues></DFProperties></Node>
      <Node><NodeName>Flags</NodeName>
        <DFProperties><AccessType><Replace /></AccessType><DFFormat><int /></DFFormat><MSFT:AllowedValues ValueType="Flag"><MSFT:Enum><MSFT:Value>0x1</MSFT:Value></MSFT:Enum><MSFT:Enum><MSFT:Value>0x4</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node>
      <Node><NodeName>List</NodeName>
        <DFProperties><AccessType><Replace /></AccessType><DFFormat><chr /></DFFormat><MSFT:AllowedValues ValueType="None"><MSFT:List Delimiter=";" /></MSFT:AllowedValues></DFProperties></Node>
      <Node><NodeName>Go</NodeName>
        <DFProperties><AccessType><Exec /></AccessType><DFFormat><null /></DFFormat></DFProperties></Node>
    </Node>
    <Node><NodeName>Docs</NodeName>
      <DFProperties><AccessType><Get /></AccessType><DFFormat><node /></DFFormat></DFProperties>
      <Node><NodeName></NodeName>
        <DFProperties><AccessType><Add /><Delete /><Get /></AccessType><DFFormat><node /></DFFormat><Occurrence><ZeroOrMore /></Occurrence><Scope><Dynamic /></Scope><DFTitle>DocID</DFTitle>
          <MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>[0-9A-F]{4}-[0-9A-F]{2}</MSFT:Value></MSFT:AllowedValues></DFProperties>
        <Node><NodeName>Doc</NodeName>
          <DFProperties><AccessType><Add /><Get /><Replace /></AccessType><DFFormat><chr /></DFFormat></DFProperties></Node>
      </Node>
    </Node>
  </Node>
</MgmtTree>`

var fuzzLimits = ddf.Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNodes: 2000}

// FuzzDDFParse feeds arbitrary bytes to ddf.ParseLimits. It checks: no
// panic; every failure is a *ddf.ParseError (with a sentinel cause and an
// offset inside the input) or a *ddf.LimitError; and for accepted input,
// it is all UTF-8 of characters XML allows (comments, processing
// instructions and the DOCTYPE included), the limits held, NodeCount
// matches a walk, parents and paths agree, and
// every node's path, with its placeholders filled in, resolves with Lookup
// (no error at all: a node the tree holds can be named; to that very node
// when no dynamic node is on its path) and passes through Check without
// panicking; the input with its first named Node repeated as its own
// next sibling is refused with ErrStructure (see checkDuplicated); and
// no two nodes share a path, no two named siblings differ only in letter
// case where CaseSense CIS applies, and Lookup of the path of each node
// with no dynamic node on its path finds that node (see checkPaths).
func FuzzDDFParse(f *testing.F) {
	f.Add([]byte(ddfSeed))
	f.Add([]byte(`<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node></MgmtTree>`))
	f.Add([]byte("\uFEFF<MgmtTree><Node><NodeName>A</NodeName>"))
	f.Add([]byte(`<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><int/></DFFormat><MSFT:AllowedValues xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM" ValueType="Range"><MSFT:Value>[-5--1]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`))
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-16"?><MgmtTree/>`))
	// the DOCTYPE forms the parser steps over, CR line ends, a root in a
	// namespace
	f.Add([]byte("<!DOCTYPE MgmtTree PUBLIC 'p' \"s]>\" [<!ENTITY e \"]>\"><!-- ]> --><?pi ]>?>%pe;]><MgmtTree>\r<VerDTD>&#x31;.2</VerDTD>\r</MgmtTree>"))
	f.Add([]byte(`<!DOCTYPE MgmtTree [<!ELEMENT MgmtTree (VerDTD, Node*)><!ELEMENT VerDTD (#PCDATA|a)*><!ATTLIST Node x CDATA #IMPLIED y (a|b) "a" z NOTATION (n) #FIXED 'q&amp;'><!ENTITY % p 'x'><!ENTITY u SYSTEM "u" NDATA n><!NOTATION n PUBLIC "-//N//EN">]><MgmtTree><VerDTD>1.2</VerDTD></MgmtTree>`))
	f.Add([]byte(`<MgmtTree xmlns="urn:x"><Node/></MgmtTree>`))
	// a property given twice, which Parse refuses rather than keep the last
	f.Add([]byte(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><Node><NodeName>A</NodeName><DFProperties><DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-5]</MSFT:Value></MSFT:AllowedValues><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-9]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`))
	// dynamic nodes whose AllowedValues describe their names
	f.Add([]byte(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><Node><NodeName></NodeName><Path>./Vendor</Path><DFProperties><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle><MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>id [A-Za-z]+</MSFT:Value></MSFT:AllowedValues></DFProperties><Node><NodeName></NodeName><DFProperties><DFFormat><null/></DFFormat><MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>a</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node></Node></MgmtTree>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := ddf.ParseLimits(data, fuzzLimits)
		if err != nil {
			var pe *ddf.ParseError
			var le *ddf.LimitError
			switch {
			case errors.As(err, &pe):
				if !errors.Is(err, ddf.ErrSyntax) && !errors.Is(err, ddf.ErrStructure) && !errors.Is(err, ddf.ErrEncoding) {
					t.Fatalf("ParseError without a sentinel cause: %v", err)
				}
				if pe.Offset < 0 || pe.Offset > int64(len(data)) || pe.Line < 1 || pe.Column < 1 {
					t.Fatalf("ParseError position out of range: %v (input %d bytes)", err, len(data))
				}
			case errors.As(err, &le):
			default:
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if !xmlscan.ValidText(string(data)) {
			t.Fatalf("accepted input that is not UTF-8 of XML characters: %q", data)
		}
		count := 0
		tree.Walk(func(n *ddf.Node) bool {
			count++
			path := n.Path()
			for _, c := range n.Children {
				// Path is built from the parents, so the prefix always
				// holds; what can break is the child's own segment: a
				// NodeName with '/' let through, or a dynamic Title whose
				// '/' went unescaped, would make a path of more segments.
				seg, ok := strings.CutPrefix(c.Path(), strings.TrimSuffix(path, "/")+"/")
				if c.Parent != n || !ok || seg == "" || strings.Contains(seg, "/") {
					t.Fatalf("child %s of %s: parent or own segment wrong", c.Path(), path)
				}
			}
			uri := fill(path)
			if got, err := tree.Lookup(uri); err != nil {
				// The made-up names may be refused by the AllowedValues
				// of a dynamic node on the way, which must be n or above.
				var ne *ddf.NameError
				if !errors.As(err, &ne) || !errors.Is(err, ddf.ErrValue) || !strings.HasPrefix(path, ne.Node) {
					t.Fatalf("Lookup(%q) of an existing node: %v", uri, err)
				}
			} else if got != n && !onDynamic(n) {
				t.Fatalf("Lookup(%q) found the node %s, not the node %s", uri, got.Path(), path)
			}
			_ = tree.Check(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(n.DefaultValue)}}})
			return true
		})
		if count != tree.NodeCount || count > fuzzLimits.MaxNodes {
			t.Fatalf("walk saw %d nodes, NodeCount %d, MaxNodes %d", count, tree.NodeCount, fuzzLimits.MaxNodes)
		}
		checkDuplicated(t, data, tree)
		checkPaths(t, data, tree)
	})
}

// onDynamic reports whether n or a node above it is dynamic.
func onDynamic(n *ddf.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Dynamic() {
			return true
		}
	}
	return false
}

// checkDuplicated repeats the first named node of tree (parsed from data)
// as its own next sibling, its Node element copied by etree, and fails
// the test when ParseLimits accepts the result, or refuses it with
// anything but ErrStructure or a *LimitError, while it accepts the input
// as etree writes it back without the copy. Inputs etree does not read,
// or whose Node elements are not the tree's nodes one for one, are
// skipped.
func checkDuplicated(t *testing.T, data []byte, tree *ddf.Tree) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return
	}
	elems := doc.FindElements("//Node")
	if len(elems) != tree.NodeCount {
		return
	}
	i, at := 0, -1
	var named *ddf.Node
	tree.Walk(func(n *ddf.Node) bool {
		if !n.Dynamic() {
			named, at = n, i
			return false
		}
		i++
		return true
	})
	if named == nil {
		return
	}
	e := elems[at]
	if nn := e.SelectElement("NodeName"); nn == nil || nn.Text() != named.Name || e.Parent() == nil {
		return
	}
	again, err := doc.WriteToBytes()
	if err != nil {
		return
	}
	if _, err := ddf.ParseLimits(again, fuzzLimits); err != nil {
		return // etree wrote what the parser does not take
	}
	e.Parent().InsertChildAt(e.Index()+1, e.Copy())
	dup, err := doc.WriteToBytes()
	if err != nil {
		return
	}
	_, err = ddf.ParseLimits(dup, fuzzLimits)
	var le *ddf.LimitError
	if err == nil || !errors.Is(err, ddf.ErrStructure) && !errors.As(err, &le) {
		t.Fatalf("the node %s repeated as its own next sibling: %v, not ErrStructure\n%s", named.Path(), err, dup)
	}
}

// fill replaces each {Title} segment with a percent-encoded name and
// escapes the static segments, so the path becomes a LocURI. The made-up
// name is "id " and the title without its control characters: a DFTitle
// is free text, but no node name can hold those.
func fill(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if i == 0 && s == "." {
			continue
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			title := strings.Map(func(r rune) rune {
				if r < 0x20 || r >= 0x7F && r <= 0x9F {
					return -1
				}
				return r
			}, strings.Trim(s, "{}"))
			segs[i] = "id%20" + escape(title)
			continue
		}
		segs[i] = escape(s)
	}
	return strings.Join(segs, "/")
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c == '/' || c < 0x21 || c >= 0x7f {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// FuzzDDFCheck builds commands from fuzzed parts and checks them against a
// fixed DDF. It checks: no panic; the result is nil or a *ddf.CheckError
// whose every violation unwraps to one of the Check sentinels and names an
// item of the command; and an Atomic wrapping the command reports the same
// violations.
func FuzzDDFCheck(f *testing.F) {
	tree, err := ddf.Parse([]byte(ddfSeed))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), "./Device/Vendor/MSFT/Fz/a/Mode", "int", "1", false)
	f.Add(uint8(0), "./Vendor/MSFT/Fz/a%20b/Minutes", "int", "29", false)
	f.Add(uint8(1), "./Device/Vendor/MSFT/Fz/x/Flags", "", "0x5", false)
	f.Add(uint8(2), "./User/Vendor/MSFT/Fz/x/Go", "", "", false)
	f.Add(uint8(3), "./Device/Vendor/MSFT/Fz/x/Version", "chr", "1.0", true)
	f.Add(uint8(4), "./Device/Vendor/MSFT/Fz", "node", "", false)
	f.Add(uint8(5), "./Device/Vendor/MSFT/Fz/%zz/List", "chr", "a;b", false)
	// a dynamic node whose RegEx describes its instances' names
	f.Add(uint8(1), "./Device/Vendor/MSFT/Fz/Docs/0A1B-2C/Doc", "chr", "x", false)
	f.Add(uint8(1), "./Device/Vendor/MSFT/Fz/Docs/0A1B-2C0/Doc", "chr", "x", false)
	f.Add(uint8(4), "./Device/Vendor/MSFT/Fz/Docs/%300A1-2C", "node", "", false)
	f.Fuzz(func(t *testing.T, kind uint8, uri, format, value string, more bool) {
		it := syncml.Item{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(value), MoreData: more}
		if format != "" {
			it.Meta = &syncml.Meta{Format: format}
		}
		items := []syncml.Item{it, {Source: &syncml.Location{LocURI: uri}}}
		var cmd syncml.Command
		switch kind % 7 {
		case 0:
			cmd = &syncml.Replace{CmdID: "1", Items: items}
		case 1:
			cmd = &syncml.Add{CmdID: "1", Items: items}
		case 2:
			cmd = &syncml.Exec{CmdID: "1", Items: items}
		case 3:
			cmd = &syncml.Get{CmdID: "1", Items: items}
		case 4:
			cmd = &syncml.Delete{CmdID: "1", Items: items}
		case 5:
			cmd = &syncml.Copy{CmdID: "1", Items: items}
		case 6:
			cmd = &syncml.Results{CmdID: "1", Items: items}
		}
		err := tree.Check(cmd)
		var n int
		if err != nil {
			var ce *ddf.CheckError
			if !errors.As(err, &ce) || len(ce.Violations) == 0 {
				t.Fatalf("Check = %T %v", err, err)
			}
			for _, v := range ce.Violations {
				known := false
				for _, s := range []error{ddf.ErrNoSuchNode, ddf.ErrAccessType, ddf.ErrFormat, ddf.ErrValue, ddf.ErrScope, ddf.ErrURI} {
					known = known || errors.Is(v, s)
				}
				if !known || v.Item < 0 || v.Item >= len(items) || v.Command != cmd.ElementName() {
					t.Fatalf("bad violation %+v", v)
				}
			}
			n = len(ce.Violations)
		}
		wrapped := tree.Check(&syncml.Atomic{CmdID: "9", Commands: []syncml.Command{cmd}})
		var wce *ddf.CheckError
		if (wrapped == nil) != (err == nil) || wrapped != nil && (!errors.As(wrapped, &wce) || len(wce.Violations) != n) {
			t.Fatalf("Atomic changed the result: %v vs %v", wrapped, err)
		}
	})
}
