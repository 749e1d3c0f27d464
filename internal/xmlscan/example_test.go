package xmlscan_test

import (
	"fmt"

	"github.com/windc-go/windc/internal/xmlscan"
)

// errs makes plain errors; a package makes its own typed errors here.
type errs struct{}

func (errs) ScanError(pos int, k xmlscan.Kind, msg string) error {
	return fmt.Errorf("offset %d: %w", pos, xmlscan.Cause(k, msg))
}

func (errs) ScanLimit(name string, max int64, pos int) error {
	return fmt.Errorf("offset %d: limit %s (%d)", pos, name, max)
}

// A reader walks a document with the scanner's methods: the prolog, start
// tags (with resolved names and attributes), character data, end tags.
func Example() {
	src := `<?xml version="1.0"?><p:doc xmlns:p="urn:x" id="7">a &amp; b<item/></p:doc>`
	var sc xmlscan.Scanner
	sc.Init(src, xmlscan.Limits{MaxDepth: 8, MaxTokens: 100, MaxTokenBytes: 100, MaxAttrs: 8, MaxNamespaces: 8}, errs{})
	pos, err := sc.Prolog(0)
	for err == nil {
		var t xmlscan.Tag
		t, pos, err = sc.StartTag(pos)
		if err != nil {
			break
		}
		uri, _ := sc.Lookup(xmlscan.PrefixOf(t.Name))
		fmt.Printf("start %s {%s} at depth %d, %d attributes\n", t.Local(), uri, sc.Depth(), len(sc.Attrs()))
		if t.Self {
			sc.Pop()
		}
		for err == nil && sc.Depth() > 0 {
			var text string
			text, _, pos, err = sc.CharData(pos)
			if text != "" {
				fmt.Printf("text %q\n", text)
			}
			if err != nil || sc.Input()[pos+1] != '/' {
				break
			}
			pos, err = sc.EndTag(pos)
			fmt.Println("end, depth", sc.Depth())
		}
		if sc.Depth() == 0 {
			break
		}
	}
	fmt.Println("error:", err)
	// Output:
	// start doc {urn:x} at depth 1, 2 attributes
	// text "a & b"
	// start item {} at depth 2, 0 attributes
	// end, depth 0
	// error: <nil>
}
