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
	const L = linearSiblings
	last := fmt.Sprintf("n%d", L+23)
	for _, tt := range []struct {
		name  string
		in    string
		line  int // of the second Node, and the first's in the message
		first int
		path  string
		node  string
	}{
		{"children", sibTree(sibNode("A", "./Vendor", sibNode("B", ""), sibNode("C", ""), sibNode("B", ""))),
			4, 2, "/MgmtTree/Node/Node", "./Vendor/A/B"},
		{"roots under one Path", sibTree(sibNode("A", "./Vendor/MSFT"), sibNode("A", "./Vendor/MSFT")),
			2, 1, "/MgmtTree/Node", "./Vendor/MSFT/A"},
		{"roots under no Path and .", sibTree(sibNode("A", ""), sibNode("A", ".")),
			2, 1, "/MgmtTree/Node", "./A"},
		{"roots under one scope written twice", sibTree(sibNode("A", "./device/Vendor"), sibNode("A", "./Device/Vendor/")),
			2, 1, "/MgmtTree/Node", "./Device/Vendor/A"},
		{"scope roots in two letter cases", sibTree(sibNode("Device", "."), sibNode("device", "")),
			2, 1, "/MgmtTree/Node", "./device"},
		{"names with spaces around", sibTree(sibNode("A", "", sibNode("B", ""), sibNode(" B\n", ""))),
			3, 2, "/MgmtTree/Node/Node", "./A/B"},
		{"among many, indexed", sibTree(sibNode("P", "", many(L+24, "n3")...)),
			L + 26, 5, "/MgmtTree/Node/Node", "./P/n3"},
		{"among many, the first past the index", sibTree(sibNode("P", "", many(L+24, last)...)),
			L + 26, L + 25, "/MgmtTree/Node/Node", "./P/" + last},
		{"among exactly the linear count", sibTree(sibNode("P", "", many(L, "n0")...)),
			L + 2, 2, "/MgmtTree/Node/Node", "./P/n0"},
		{"among one fewer", sibTree(sibNode("P", "", many(L-1, "n0")...)),
			L + 1, 2, "/MgmtTree/Node/Node", "./P/n0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// one Node a line, to tell them apart by line
			in := strings.ReplaceAll(tt.in, "</Node><Node>", "</Node>\n<Node>")
			in = strings.ReplaceAll(in, "</DFProperties><Node>", "</DFProperties>\n<Node>")
			_, err := Parse([]byte(in))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrStructure) {
				t.Fatalf("err = %v, want a ParseError of ErrStructure", err)
			}
			if pe.Line != tt.line || pe.Column != 1 || pe.Path != tt.path {
				t.Errorf("at line %d column %d in %s, want line %d column 1 in %s (%v)", pe.Line, pe.Column, pe.Path, tt.line, tt.path, err)
			}
			if !strings.HasPrefix(in[pe.Offset:], "<Node>") {
				t.Errorf("Offset %d is not at a Node start tag", pe.Offset)
			}
			var ne *NodeError
			if !errors.As(err, &ne) || ne.Node != tt.node {
				t.Errorf("err = %v, want a NodeError naming %s", err, tt.node)
			}
			if want := fmt.Sprintf("at line %d ", tt.first); !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want the first's line (%q)", err, want)
			}
		})
	}
}

// TestDistinctSiblings: what is not a duplicate stays accepted.
func TestDistinctSiblings(t *testing.T) {
	var many []string
	for i := range 3 * linearSiblings {
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
