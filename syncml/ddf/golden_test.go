package ddf

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden from the parser's output")

// goldenInputs are the DDFs whose trees are kept in testdata/golden: the
// spec files, read in place, and the edge cases of testdata.
func goldenInputs(t *testing.T) map[string][]byte {
	t.Helper()
	in := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(specDir, "*.xml"))
	local, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, f := range append(files, local...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in[filepath.Base(f)] = b
	}
	return in
}

// TestTreeGolden compares the tree each golden input parses to with the
// one recorded in testdata/golden (first written by the encoding/xml
// parser this package had, so that its replacement reads every file the
// same: every field of every node, its line included).
func TestTreeGolden(t *testing.T) {
	for name, b := range goldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			tr, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := dumpTree(tr)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".xml")+".txt")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("got %d lines, want %d", len(gl), len(wl))
			}
		})
	}
}

// dumpTree writes every field of the tree and its nodes, one node a line
// or more, in document order.
func dumpTree(tr *Tree) string {
	var b strings.Builder
	fmt.Fprintf(&b, "VerDTD=%q Man=%q Mod=%q NodeCount=%d roots=%d\n", tr.VerDTD, tr.Man, tr.Mod, tr.NodeCount, len(tr.Roots))
	tr.Walk(func(n *Node) bool {
		parent := ""
		if n.Parent != nil {
			parent = n.Parent.Path()
		}
		fmt.Fprintf(&b, "node %s line=%d parent=%q children=%d\n", n.Path(), n.Line, parent, len(n.Children))
		fmt.Fprintf(&b, "\tname=%q title=%q base=%q access=%s format=%q occurrence=%+v scope=%s\n",
			n.Name, n.Title, n.base, n.Access, n.Format, n.Occurrence, n.Scope)
		fmt.Fprintf(&b, "\tdescription=%s\n", digest(n.Description))
		fmt.Fprintf(&b, "\tdefault=%q hasDefault=%v mime=%q ddfName=%q caseSensitive=%v naming=%+v deprecated=%v in=%q\n",
			n.DefaultValue, n.HasDefault, n.MIME, n.DDFName, n.CaseSensitive, n.Naming, n.Deprecated, n.DeprecatedIn)
		if a := n.Applicability; a != nil {
			fmt.Fprintf(&b, "\tapplicability=%q %q %q %v\n", a.OSBuilds, a.CSPVersion, a.Editions, a.RequiresAzureAD)
		}
		if a := n.Allowed; a != nil {
			re, reErr := "", ""
			if a.Regexp != nil {
				re = a.Regexp.String()
			}
			if a.RegexpErr != nil {
				reErr = a.RegexpErr.Error()
			}
			fmt.Fprintf(&b, "\tallowed type=%q value=%q min=%d max=%d delimiter=%q regexp=%q regexpErr=%q admx=%q %q %q\n",
				a.Type, a.Value, a.Min, a.Max, a.Delimiter, re, reErr, a.AdmxArea, a.AdmxName, a.AdmxFile)
			for _, e := range a.Enums {
				fmt.Fprintf(&b, "\t\tenum %q %s\n", e.Value, digest(e.Description))
			}
		}
		return true
	})
	return b.String()
}

// digest stands for a description in the golden files, which keep the
// spec files' prose out of the repository: its length and a hash.
func digest(s string) string {
	return fmt.Sprintf("len=%d sha256=%x", len(s), sha256.Sum256([]byte(s)))
}
