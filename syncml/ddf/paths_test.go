package ddf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// sibNode is a Node named name holding the given children.
func sibNode(name, path string, children ...string) string {
	p := ""
	if path != "" {
		p = `<Path>` + path + `</Path>`
	}
	return `<Node><NodeName>` + name + `</NodeName>` + p +
		`<DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat><DFTitle>T` + name + `</DFTitle></DFProperties>` +
		strings.Join(children, "") + `</Node>`
}

func sibTree(nodes ...string) string {
	return `<MgmtTree><VerDTD>1.2</VerDTD>` + strings.Join(nodes, "\n") + `</MgmtTree>`
}

// TestDuplicateSiblings: two sibling Nodes of one name are refused at the
// second, whose start tag, element path and node path the error gives.
func TestDuplicateSiblings(t *testing.T) {
	many := func(n int, dup string) []string {
		var c []string
		for i := range n {
			c = append(c, sibNode(fmt.Sprintf("n%d", i), ""))
		}
		return append(c, sibNode(dup, ""))
	}
	const L = 100
	last := fmt.Sprintf("n%d", L+23)
	for _, tt := range []clashCase{
		{"children", sibTree(sibNode("A", "./Vendor", sibNode("B", ""), sibNode("C", ""), sibNode("B", ""))),
			5, "/MgmtTree/Node/Node", "./Vendor/A/B", 3, "./Vendor/A/B"},
		{"roots under one Path", sibTree(sibNode("A", "./Vendor/MSFT"), sibNode("A", "./Vendor/MSFT")),
			3, "/MgmtTree/Node", "./Vendor/MSFT/A", 2, "./Vendor/MSFT/A"},
		{"roots under no Path and .", sibTree(sibNode("A", ""), sibNode("A", ".")),
			3, "/MgmtTree/Node", "./A", 2, "./A"},
		{"roots under one scope written twice", sibTree(sibNode("A", "./device/Vendor"), sibNode("A", "./Device/Vendor/")),
			3, "/MgmtTree/Node", "./Device/Vendor/A", 2, "./Device/Vendor/A"},
		{"scope roots in two letter cases", sibTree(sibNode("Device", "."), sibNode("device", "")),
			3, "/MgmtTree/Node", "./device", 2, "./Device"},
		{"names with spaces around", sibTree(sibNode("A", "", sibNode("B", ""), sibNode(" B\n", ""))),
			4, "/MgmtTree/Node/Node", "./A/B", 3, "./A/B"},
		{"among many", sibTree(sibNode("P", "", many(L+24, "n3")...)),
			L + 27, "/MgmtTree/Node/Node", "./P/n3", 6, "./P/n3"},
		{"among many, the last", sibTree(sibNode("P", "", many(L+24, last)...)),
			L + 27, "/MgmtTree/Node/Node", "./P/" + last, L + 26, "./P/" + last},
	} {
		t.Run(tt.name, func(t *testing.T) { checkClash(t, tt) })
	}
}

// TestDistinctSiblings: what is not a duplicate stays accepted.
func TestDistinctSiblings(t *testing.T) {
	var many []string
	for i := range 200 {
		many = append(many, sibNode(fmt.Sprintf("n%d", i), ""), sibNode("", ""))
	}
	for _, tt := range []struct{ name, in string }{
		{"one name under two parents", sibTree(sibNode("A", "", sibNode("X", ""), sibNode("B", "", sibNode("X", ""))))},
		{"a child of its parent's name", sibTree(sibNode("A", "", sibNode("A", "")))},
		{"roots under two Paths", sibTree(sibNode("A", "./Vendor/MSFT"), sibNode("A", "./Vendor/OEM"))},
		{"roots under two scopes", sibTree(sibNode("A", "./Device/Vendor"), sibNode("A", "./User/Vendor"))},
		{"names in two letter cases", sibTree(sibNode("A", "", sibNode("b", ""), sibNode("B", "")))},
		{"dynamic siblings", sibTree(sibNode("A", "", sibNode("", ""), sibNode("", "")))},
		{"dynamic roots", sibTree(sibNode("", "./Vendor"), sibNode("", "./Vendor"))},
		{"many, and dynamic among them", sibTree(sibNode("P", "", many...), sibNode("P", "./Other", many...))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// caseNode is sibNode with a CaseSense of sense ("CS", "CIS" or none).
func caseNode(name, path, sense string, children ...string) string {
	n := sibNode(name, path, children...)
	if sense == "" {
		return n
	}
	return strings.Replace(n, "</DFProperties>", "<CaseSense><"+sense+"/></CaseSense></DFProperties>", 1)
}

// clashCase is a DDF that two Nodes make ambiguous: the error is at the
// later one, at line line, whose path is node; the earlier is at line
// first, at path firstPath.
type clashCase struct {
	name        string
	in          string
	line        int
	elems, node string
	first       int
	firstPath   string
}

// checkClash parses tt.in, one Node a line from line 2, and checks the
// error.
func checkClash(t *testing.T, tt clashCase) {
	t.Helper()
	in := strings.ReplaceAll(tt.in, "</Node><Node>", "</Node>\n<Node>")
	in = strings.ReplaceAll(in, "</DFProperties><Node>", "</DFProperties>\n<Node>")
	in = strings.Replace(in, "</VerDTD><Node>", "</VerDTD>\n<Node>", 1)
	_, err := Parse([]byte(in))
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrStructure) {
		t.Fatalf("err = %v, want a ParseError of ErrStructure", err)
	}
	if pe.Line != tt.line || pe.Column != 1 || pe.Path != tt.elems {
		t.Errorf("at line %d column %d in %s, want line %d column 1 in %s (%v)", pe.Line, pe.Column, pe.Path, tt.line, tt.elems, err)
	}
	if !strings.HasPrefix(in[pe.Offset:], "<Node>") {
		t.Errorf("Offset %d is not at a Node start tag", pe.Offset)
	}
	var ne *NodeError
	if !errors.As(err, &ne) || ne.Node != tt.node {
		t.Errorf("err = %v, want a NodeError naming %s", err, tt.node)
	}
	if want := fmt.Sprintf("the Node at line %d column 1, %s, ", tt.first, tt.firstPath); !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want the first's position and path (%q)", err, want)
	}
}

// TestSamePathAcrossLevels: two Nodes that resolve to one path through
// different top-level nodes' Paths are refused at the later one, whose
// error names the earlier by position and path.
func TestSamePathAcrossLevels(t *testing.T) {
	for _, tt := range []clashCase{
		{"a child, then a top-level node at its parent's path",
			sibTree(sibNode("A", "./Vendor", sibNode("B", "")), sibNode("B", "./Vendor/A")),
			4, "/MgmtTree/Node", "./Vendor/A/B", 3, "./Vendor/A/B"},
		{"a top-level node, then a child at its path",
			sibTree(sibNode("B", "./Vendor/A"), sibNode("A", "./Vendor", sibNode("B", ""))),
			4, "/MgmtTree/Node/Node", "./Vendor/A/B", 2, "./Vendor/A/B"},
		{"two levels down",
			sibTree(sibNode("A", "./Vendor", sibNode("B", "", sibNode("C", ""))), sibNode("C", "./Vendor/A/B/")),
			5, "/MgmtTree/Node", "./Vendor/A/B/C", 4, "./Vendor/A/B/C"},
		{"through two top-level nodes",
			sibTree(sibNode("A", "./Vendor", sibNode("B", "")), sibNode("C", "./Vendor/A/B", sibNode("D", "")), sibNode("D", "./Vendor/A/B/C")),
			6, "/MgmtTree/Node", "./Vendor/A/B/C/D", 5, "./Vendor/A/B/C/D"},
		{"a scope node and a scoped Path",
			sibTree(sibNode("device", "", sibNode("Vendor", "")), sibNode("Vendor", "./Device")),
			4, "/MgmtTree/Node", "./Device/Vendor", 3, "./device/Vendor"},
		{"a percent-encoded Path",
			sibTree(sibNode("A B", "./Vendor", sibNode("C", "")), sibNode("C", "./Vendor/A%20B")),
			4, "/MgmtTree/Node", "./Vendor/A B/C", 3, "./Vendor/A B/C"},
		{"an unscoped Path, then the device's",
			sibTree(sibNode("X", "./Vendor/MSFT"), sibNode("X", "./Device/Vendor/MSFT")),
			3, "/MgmtTree/Node", "./Device/Vendor/MSFT/X", 2, "./Vendor/MSFT/X"},
		{"a node under \".\", then the device's",
			sibTree(sibNode("Vendor", "", sibNode("A", "")), sibNode("Vendor", "./Device")),
			4, "/MgmtTree/Node", "./Device/Vendor", 2, "./Vendor"},
	} {
		t.Run(tt.name, func(t *testing.T) { checkClash(t, tt) })
	}
}

// TestCaseSenseSiblings: two named siblings whose names differ only in
// letter case are refused where CaseSense CIS reads them as one name: the
// parent's (its own or inherited) or either sibling's own.
func TestCaseSenseSiblings(t *testing.T) {
	for _, tt := range []clashCase{
		{"under a CIS parent",
			sibTree(caseNode("A", "./Vendor", "CIS", sibNode("b", ""), sibNode("B", ""))),
			4, "/MgmtTree/Node/Node", "./Vendor/A/B", 3, "./Vendor/A/b"},
		{"under a CIS grandparent",
			sibTree(caseNode("A", "./Vendor", "CIS", sibNode("P", "", sibNode("b", ""), sibNode("B", "")))),
			5, "/MgmtTree/Node/Node/Node", "./Vendor/A/P/B", 4, "./Vendor/A/P/b"},
		{"the later one CIS",
			sibTree(sibNode("A", "", sibNode("b", ""), caseNode("B", "", "CIS"))),
			4, "/MgmtTree/Node/Node", "./A/B", 3, "./A/b"},
		{"the earlier one CIS",
			sibTree(sibNode("A", "", caseNode("b", "", "CIS"), sibNode("x", ""), sibNode("B", ""))),
			5, "/MgmtTree/Node/Node", "./A/B", 3, "./A/b"},
		{"CIS after two that differ in case",
			sibTree(sibNode("A", "", sibNode("ab", ""), sibNode("aB", ""), caseNode("Ab", "", "CIS"))),
			5, "/MgmtTree/Node/Node", "./A/Ab", 3, "./A/ab"},
		{"a third CIS after two of one case",
			sibTree(sibNode("A", "", sibNode("b", ""), sibNode("B", ""), caseNode("bB", "", "CIS"), caseNode("Bb", "", ""))),
			6, "/MgmtTree/Node/Node", "./A/Bb", 5, "./A/bB"},
		{"top-level nodes under one Path",
			sibTree(caseNode("Foo", "./Vendor", "CIS"), sibNode("FOO", "./Vendor/")),
			3, "/MgmtTree/Node", "./Vendor/FOO", 2, "./Vendor/Foo"},
		{"a top-level node under a CIS node's path",
			sibTree(caseNode("A", "./Vendor", "CIS", sibNode("b", "")), sibNode("B", "./Vendor/A")),
			4, "/MgmtTree/Node", "./Vendor/A/B", 3, "./Vendor/A/b"},
		{"a top-level node under a CIS node's child, in another case",
			sibTree(caseNode("P", "./Vendor", "CIS", sibNode("A", "", sibNode("Q", ""))), sibNode("Q", "./Vendor/P/a")),
			5, "/MgmtTree/Node", "./Vendor/P/a/Q", 4, "./Vendor/P/A/Q"},
		{"a top-level node under a CIS node, in another case",
			sibTree(caseNode("P", "./Vendor", "CIS", sibNode("Q", "")), sibNode("Q", "./Vendor/p")),
			4, "/MgmtTree/Node", "./Vendor/p/Q", 3, "./Vendor/P/Q"},
		{"a CIS node's child, then a top-level node under it in another case",
			sibTree(sibNode("Q", "./Vendor/P/a/b"), caseNode("P", "./Vendor", "CIS", sibNode("A", "", sibNode("B", "", sibNode("q", ""))))),
			6, "/MgmtTree/Node/Node/Node/Node", "./Vendor/P/A/B/q", 2, "./Vendor/P/a/b/Q"},
		{"final sigma",
			sibTree(caseNode("A", "", "CIS", sibNode("\u03C3", ""), sibNode("\u03C2", ""))),
			4, "/MgmtTree/Node/Node", "./A/\u03C2", 3, "./A/\u03C3"},
		{"Georgian Nuskhuri and Asomtavruli",
			sibTree(caseNode("A", "", "CIS", sibNode("\u2D00", ""), sibNode("\u10A0", ""))),
			4, "/MgmtTree/Node/Node", "./A/\u10A0", 3, "./A/\u2D00"},
	} {
		t.Run(tt.name, func(t *testing.T) { checkClash(t, tt) })
	}
}

// TestCaseSenseAccepted: what CaseSense does not make one name stays
// accepted.
func TestCaseSenseAccepted(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"no CaseSense", sibTree(sibNode("A", "", sibNode("b", ""), sibNode("B", "")))},
		{"CS parent", sibTree(caseNode("A", "", "CS", sibNode("b", ""), sibNode("B", "")))},
		{"CS parent under a CIS one", sibTree(caseNode("A", "", "CIS", caseNode("P", "", "CS", sibNode("b", ""), sibNode("B", ""))))},
		{"CIS cousins", sibTree(caseNode("A", "", "CIS", sibNode("P", "", sibNode("b", "")), sibNode("Q", "", sibNode("B", ""))))},
		{"CIS names of other letters", sibTree(caseNode("A", "", "CIS", sibNode("ab", ""), sibNode("aB1", ""), sibNode("", ""), sibNode("", "")))},
		{"a CIS node's case-variant elsewhere", sibTree(sibNode("A", "", caseNode("b", "", "CIS")), sibNode("B", ""))},
		{"top-level nodes under Paths that differ in case", sibTree(caseNode("A", "./Vendor", "CIS"), sibNode("a", "./vendor"))},
		{"a top-level node under a CS node below a CIS one, in another case",
			sibTree(caseNode("P", "./Vendor", "CIS", caseNode("A", "", "CS", sibNode("q", ""))), sibNode("Q", "./Vendor/P/a"))},
		{"a top-level node under a node's child in another case, no CIS",
			sibTree(sibNode("P", "./Vendor", sibNode("A", "", sibNode("Q", ""))), sibNode("Q", "./Vendor/P/a"))},
		// Windows compares names ignoring case by simple uppercase, one
		// UTF-16 code unit at a time, and keeps ı and ſ as they are
		{"the Kelvin sign", sibTree(caseNode("A", "", "CIS", sibNode("k", ""), sibNode("\u212A", "")))},
		{"long s", sibTree(caseNode("A", "", "CIS", sibNode("\u017Fet", ""), sibNode("SET", "")))},
		{"dotless i", sibTree(caseNode("A", "", "CIS", sibNode("ID", ""), sibNode("\u0131D", "")))},
		{"dotted I", sibTree(caseNode("A", "", "CIS", sibNode("id", ""), sibNode("\u0130d", "")))},
		{"Deseret", sibTree(caseNode("A", "", "CIS", sibNode("\U00010400", ""), sibNode("\U00010428", "")))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSpreadTree: a tree spread over top-level nodes whose Paths lead
// through one another is accepted, and Lookup finds each node; a named
// top-level node under another node's path wins over that node's dynamic
// child, as a named child does, and so does one whose Path leads through
// an instance of that dynamic child.
func TestSpreadTree(t *testing.T) {
	in := sibTree(sibNode("A", "./Vendor", sibNode("", "", sibNode("", "", sibNode("", "")))), sibNode("B", "./Vendor/A"), sibNode("C", "./Vendor/A/B"), sibNode("", "./Vendor/A"),
		sibNode("D", "./Vendor/A/x", sibNode("", "")))
	tree, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ uri, want string }{
		{"./Vendor/A", "./Vendor/A"},
		{"./Vendor/A/B", "./Vendor/A/B"},
		{"./Vendor/A/B/C", "./Vendor/A/B/C"},
		{"./Vendor/A/x", "./Vendor/A/{T}"},
		{"./Vendor/A/x/y", "./Vendor/A/{T}/{T}"},
		{"./Vendor/A/x/D", "./Vendor/A/x/D"},
		{"./Vendor/A/y/D", "./Vendor/A/{T}/{T}"},
		{"./Vendor/A/x/D/z", "./Vendor/A/x/D/{T}"},
		{"./Vendor/A/x/y/z", "./Vendor/A/{T}/{T}/{T}"},
	} {
		n, err := tree.Lookup(tt.uri)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", tt.uri, err)
		}
		if n.Path() != tt.want {
			t.Errorf("Lookup(%s) = %s, want %s", tt.uri, n.Path(), tt.want)
		}
	}
}

// TestFoldName: foldName brings two names together exactly when Windows,
// comparing them ordinally ignoring case (each UTF-16 code unit to its
// simple uppercase, the dotless i and the long s kept), reads them as one.
func TestFoldName(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"k", "K", true},
		{"K", "\u212A", false}, // the Kelvin sign is its own uppercase
		{"k", "\u212A", false},
		{"s", "S", true},
		{"s", "ſ", false}, // long s: Windows keeps it
		{"S", "ſ", false},
		{"i", "I", true},
		{"i", "İ", false}, // İ is upper case already
		{"I", "İ", false},
		{"I", "ı", false}, // dotless i: Windows keeps it
		{"i", "ı", false},
		{"ı", "İ", false},
		{"σ", "Σ", true},
		{"ς", "Σ", true}, // final sigma: its uppercase is Σ
		{"ς", "σ", true},
		{"µ", "μ", true}, // micro sign: its uppercase is Μ
		{"ǅ", "Ǆ", true}, // a titlecase digraph: its uppercase
		{"ǆ", "ǅ", true},
		{"ÿ", "Ÿ", true},
		{"ა", "Ა", true}, // Georgian Mkhedruli and Mtavruli
		{"ⴀ", "Ⴀ", true}, // Georgian Nuskhuri and Asomtavruli
		{"ა", "Ⴀ", false},
		{"𐐨", "𐐀", false}, // Deseret: two code units, not folded
		{"Vendor", "VENDOR", true},
		{"ab", "ac", false},
		{"ß", "SS", false}, // simple mapping: one unit to one
		{"xſ", "xS", false},
		{"xσ", "Xς", true},
	} {
		if got := foldName(tt.a) == foldName(tt.b); got != tt.same {
			t.Errorf("foldName(%q) = %q, foldName(%q) = %q; same = %v, want %v",
				tt.a, foldName(tt.a), tt.b, foldName(tt.b), got, tt.same)
		}
	}
}
