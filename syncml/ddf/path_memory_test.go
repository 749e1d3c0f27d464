package ddf

import (
	"runtime"
	"strings"
	"testing"
)

// allocated returns the heap bytes Parse allocates to read data, which
// bound what the tree it returns holds.
func allocated(t *testing.T, data []byte) (uint64, *Tree) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tr, err := Parse(data)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return after.TotalAlloc - before.TotalAlloc, tr
}

// TestPathMemory: Parse allocates memory proportional to the input,
// whatever the shape of the tree. Node paths are not stored in each node,
// for a node's path repeats every name above it: a long root name or
// root Path with many children, or a deep chain of long names, made the
// paths grow with the square of the input (a 1 MB DDF held some 2 GB).
// The bound is some 2 KB per node (a Node and the XML tokens of its
// elements take about 1 KB) plus 8 bytes per input byte (the names are
// copied from the tokens).
func TestPathMemory(t *testing.T) {
	const minimal = "<Node><NodeName/><DFProperties/></Node>"
	wide := func(nameLen, children int) string {
		var b strings.Builder
		b.WriteString("<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>")
		b.WriteString(strings.Repeat("a", nameLen))
		b.WriteString("</NodeName><DFProperties/>")
		b.WriteString(strings.Repeat(minimal, children))
		b.WriteString("</Node></MgmtTree>")
		return b.String()
	}
	deep := func(nameLen, depth int) string {
		var b strings.Builder
		b.WriteString("<MgmtTree><VerDTD>1.2</VerDTD>")
		name := strings.Repeat("a", nameLen)
		for range depth {
			b.WriteString("<Node><NodeName>" + name + "</NodeName><DFProperties/>")
		}
		b.WriteString(strings.Repeat("</Node>", depth))
		b.WriteString("</MgmtTree>")
		return b.String()
	}
	rootPath := func(pathLen, children int) string {
		var b strings.Builder
		b.WriteString("<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>r</NodeName><Path>./")
		b.WriteString(strings.Repeat("p", pathLen))
		b.WriteString("</Path><DFProperties/>")
		b.WriteString(strings.Repeat(minimal, children))
		b.WriteString("</Node></MgmtTree>")
		return b.String()
	}
	for _, tt := range []struct {
		name string
		ddf  string
	}{
		{"long root name, many children", wide(64<<10, 2000)},
		{"long root Path, many children", rootPath(64<<10, 2000)},
		{"deep chain of long names", deep(2<<10, 120)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.ddf)
			got, tr := allocated(t, data)
			const perNode, perByte = 2048, 8
			bound := uint64(perNode*tr.NodeCount + perByte*len(data))
			if got > bound {
				t.Errorf("Parse allocates %d bytes for %d bytes of DDF (%d nodes), want at most %d (%d per node and %d per input byte)",
					got, len(data), tr.NodeCount, bound, perNode, perByte)
			}
			// the paths are still there, whole
			var deepest *Node
			tr.Walk(func(n *Node) bool { deepest = n; return true })
			if p := deepest.Path(); !strings.HasPrefix(p, "./") || len(p) < 64<<10 {
				t.Errorf("the last node's path is %d bytes, want the whole path", len(p))
			}
		})
	}
}
