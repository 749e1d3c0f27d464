package syncml_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestMarshalAttrsWithinDecoder: what Marshal writes, the decoder with its
// default Limits reads: XML in a Data, or an Unknown, whose elements carry
// more attributes than DefaultMaxAttrs (32), or more namespace
// declarations in scope than DefaultMaxNamespaces (64), or a Data whose
// start tag would carry more than 32 (its Namespaces, msft:originalerror),
// is refused with a *LimitError, and as many as the decoder takes are
// written. Marshal wrote them all before (unlimited but for the depth).
func TestMarshalAttrsWithinDecoder(t *testing.T) {
	attrs := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, ` a%d="1"`, i)
		}
		return b.String()
	}
	// decls declares n namespaces over levels of at most 30 each
	decls := func(n int) string {
		var open, end strings.Builder
		for i := 0; i < n; i += 30 {
			open.WriteString("<e")
			for j := i; j < min(n, i+30); j++ {
				fmt.Fprintf(&open, ` xmlns:p%d="urn:%d"`, j, j)
			}
			open.WriteString(">")
			end.WriteString("</e>")
		}
		return open.String() + "x" + end.String()
	}
	type tc struct {
		name string
		n    int
		cmd  syncml.Command
		fits bool // the decoder reads it: Marshal must write it
	}
	var cases []tc
	for _, n := range []int{31, 32, 33, 40} {
		cases = append(cases,
			tc{"Data element", n, &syncml.Replace{Items: []syncml.Item{{Data: syncml.XML("<e" + attrs(n) + "/>")}}}, n <= 32},
			tc{"Data nested element", n, &syncml.Replace{Items: []syncml.Item{{Data: syncml.XML("<a><e" + attrs(n) + "/></a>")}}}, n <= 32},
			tc{"Unknown child", n, &syncml.Unknown{Name: "Map", Raw: "<Map><e" + attrs(n) + "/></Map>"}, n <= 32},
			tc{"Unknown", n, &syncml.Unknown{Name: "Map", Raw: "<Map" + attrs(n) + "/>"}, n <= 32},
		)
	}
	// outside declares n prefixes for a Data's markup, on the Data
	outside := func(n int, origErr string) *syncml.Data {
		d := &syncml.Data{Kind: syncml.DataXML, OriginalError: origErr}
		var b strings.Builder
		for i := range n {
			d.Namespaces = append(d.Namespaces, syncml.Namespace{Prefix: fmt.Sprintf("p%d", i), URI: fmt.Sprintf("urn:%d", i)})
			fmt.Fprintf(&b, `<p%d:e/>`, i)
		}
		d.Value = b.String()
		return d
	}
	for _, n := range []int{30, 31, 32, 33} {
		cases = append(cases,
			tc{"Data Namespaces", n, &syncml.Replace{Items: []syncml.Item{{Data: outside(n, "")}}}, n <= 32},
			// msft:originalerror and its declaration
			tc{"Data Namespaces, originalerror", n, &syncml.Replace{Items: []syncml.Item{{Data: outside(n, "0x1")}}}, n <= 30},
		)
	}
	for _, n := range []int{63, 64, 65, 90} {
		cases = append(cases,
			tc{"Data declarations", n, &syncml.Replace{Items: []syncml.Item{{Data: syncml.XML(decls(n))}}}, n <= 64},
			tc{"Unknown declarations", n, &syncml.Unknown{Name: "Map", Raw: "<Map>" + decls(n) + "</Map>"}, n <= 64},
		)
	}
	for i := range 2 * len(cases) {
		c := cases[i/2]
		m := &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c.cmd}}}
		if i%2 == 1 {
			m.XMLNS = syncml.NamespaceSyncML12 // a default namespace in scope
		}
		b, err := syncml.Marshal(m)
		if err != nil {
			var le *syncml.LimitError
			if c.fits || !errors.As(err, &le) {
				t.Errorf("%s, %d: Marshal: %v, want a LimitError only past the decoder's limits", c.name, c.n, err)
			}
			continue
		}
		var back syncml.Message
		if err := syncml.Unmarshal(b, &back); err != nil {
			t.Errorf("%s, %d: Marshal wrote what Unmarshal refuses: %v", c.name, c.n, err)
		}
	}
}
