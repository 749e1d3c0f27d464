package xmlscan

import (
	"strings"
	"testing"
)

// BenchmarkMarkupInText reads a document whose text is cut by comments,
// CDATA sections and processing instructions (the loops that find their
// ends), with the scanner kept from run to run as the readers pool it.
func BenchmarkMarkupInText(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\"?>\n<!-- head -->\n<root>")
	for i := 0; i < 2000; i++ {
		sb.WriteString("<item>text <!-- a - comment --> more <![CDATA[<raw> & data]]> <?pi some data?> end</item>\n")
	}
	sb.WriteString("</root>\n")
	doc := sb.String()
	sc := new(Scanner)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		sc.Init(doc, testLimits, testErrs{})
		for _, err := range sc.All() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
