package mde2

import (
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMixedContentLinear: an element whose text is cut by many child
// elements (<a>long text<b/>x<b/>x…</a>, well within the Limits) costs
// memory in proportion to the message, not to the text's length times
// the number of pieces. Each piece used to copy all the text before it:
// 10000 pieces after 100 KB allocated 1 GB (and a 1 MB message took 7 s
// of CPU and 19 GB); now a few times the message.
func TestMixedContentLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">`)
	b.WriteString(strings.Repeat("x", 100<<10))
	b.WriteString(strings.Repeat("<b/>y", 10000))
	b.WriteString(`<s:Body/></s:Envelope>`)
	data := []byte(b.String())
	var text string
	n := allocated(func() {
		tr, err := parseTree(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		text = tr.root.text
		tr.release()
	})
	if want := strings.Repeat("x", 100<<10) + strings.Repeat("y", 10000); text != want {
		t.Errorf("root text: %d bytes, want the %d of its pieces joined", len(text), len(want))
	}
	if limit := uint64(16 * len(data)); n > limit {
		t.Errorf("parsing %d bytes allocated %d bytes, want at most %d", len(data), n, limit)
	}
}
