package ddf

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
)

// TestParseDOCTYPE: a DOCTYPE before the root is stepped over, whatever
// its external identifier and internal subset hold ('>' and ']' in
// literals, comments and processing instructions included); one that is
// malformed, cut short, repeated or out of place is an ErrSyntax, and an
// entity it declares is still undefined.
func TestParseDOCTYPE(t *testing.T) {
	for _, in := range []string{
		`<!DOCTYPE MgmtTree><MgmtTree/>`,
		"<!DOCTYPE\tMgmtTree\n>\n<MgmtTree/>",
		`<!DOCTYPE MgmtTree SYSTEM "a>b.dtd"><MgmtTree/>`,
		`<!DOCTYPE MgmtTree PUBLIC 'p]' "s>"[]><MgmtTree/>`,
		"\uFEFF" + `<?xml version="1.0"?><!-- c --><!DOCTYPE MgmtTree PUBLIC " -//OMA//DTD-DM-DDF 1.2//EN" "x.dtd" [
  <!ENTITY e "]>"> <!-- ]> --> <?pi ]>?> %pe; <!ATTLIST x a CDATA '>'>
]  ><?after doctype?><MgmtTree/>`,
	} {
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	tests := []struct {
		in, msg string
		want    error
	}{
		{`<!DOCTYPE a><!DOCTYPE a><MgmtTree/>`, `ddf: line 1, column 13 (offset 12): DOCTYPE not allowed`, xmlerr.ErrDOCTYPE},
		{`<MgmtTree/><!DOCTYPE a>`, `ddf: line 1, column 12 (offset 11): DOCTYPE not allowed`, xmlerr.ErrDOCTYPE},
		{`<!DOCTYPE MgmtTree [`, `ddf: line 1, column 21 (offset 20): not well-formed: unexpected EOF`, ErrSyntax},
		{`<!DOCTYPE MgmtTree SYSTEM "x`, `ddf: line 1, column 29 (offset 28): not well-formed: unexpected EOF`, ErrSyntax},
		{`<!DOCTYPEMgmtTree><MgmtTree/>`, `ddf: line 1, column 10 (offset 9): not well-formed: expected white space after <!DOCTYPE`, ErrSyntax},
		{`<!DOCTYPE 1a><MgmtTree/>`, `ddf: line 1, column 11 (offset 10): not well-formed: DOCTYPE without a root element name`, ErrSyntax},
		{`<!DOCTYPE MgmtTree PUBLIC "p"><MgmtTree/>`, `ddf: line 1, column 30 (offset 29): not well-formed: expected white space and a quoted literal in the external identifier`, ErrSyntax},
		{`<!DOCTYPE MgmtTree [ x ]><MgmtTree/>`, `ddf: line 1, column 22 (offset 21): not well-formed: malformed internal subset in the DOCTYPE`, ErrSyntax},
		{`<!DOCTYPE MgmtTree [<!-- a -- b -->]><MgmtTree/>`, `ddf: line 1, column 28 (offset 27): not well-formed: '--' in comment`, ErrSyntax},
		{`<!DOCTYPE MgmtTree x><MgmtTree/>`, `ddf: line 1, column 20 (offset 19): not well-formed: expected '>' at the end of the DOCTYPE`, ErrSyntax},
		{"<!DOCTYPE MgmtTree [<?p \x01?>]><MgmtTree/>", `ddf: line 1, column 25 (offset 24): character not allowed in XML: U+0001`, xmlerr.ErrInvalidChar},
		{`<!DOCTYPE MgmtTree [<!ENTITY e "x">]><MgmtTree><VerDTD>&e;</VerDTD></MgmtTree>`,
			`ddf: line 1, column 56 (offset 55) in /MgmtTree/VerDTD: undefined entity: &e;`, xmlerr.ErrEntity},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.want) || !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: err = %v, want a ParseError matching %v", tt.in, err, tt.want)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("%q:\n got %v\nwant %s", tt.in, err, tt.msg)
		}
	}
}

// TestParseRoot: a root that is not MgmtTree, or is MgmtTree in a
// namespace, is named as written, with the namespace (encoding/xml's
// reader said "root element is MgmtTree, not MgmtTree" for the latter).
func TestParseRoot(t *testing.T) {
	for in, msg := range map[string]string{
		`<Tree/>`:                                  `ddf: line 1, column 1 (offset 0) in /Tree: unexpected structure: root element is <Tree>, not <MgmtTree>`,
		`<MgmtTree xmlns="urn:x"/>`:                `ddf: line 1, column 1 (offset 0) in /MgmtTree: unexpected structure: root element <MgmtTree> is in namespace "urn:x"; MgmtTree is in none`,
		`<p:MgmtTree xmlns:p="urn:y"/>`:            `ddf: line 1, column 1 (offset 0) in /MgmtTree: unexpected structure: root element <p:MgmtTree> is in namespace "urn:y"; MgmtTree is in none`,
		"\xFF\xFE<\x00M\x00":                       `ddf: line 1, column 1 (offset 0): bad character encoding: UTF-16 byte-order mark: a DDF must be UTF-8`,
		"<MgmtTree/>\xFF":                          `ddf: line 1, column 12 (offset 11): bad character encoding: invalid UTF-8`,
		"<MgmtTree><VerDTD>1</VerDTD></MgmtTree>x": `ddf: line 1, column 40 (offset 39): not well-formed: text outside the root element`,
	} {
		_, err := Parse([]byte(in))
		if err == nil || err.Error() != msg {
			t.Errorf("%q:\n got %v\nwant %s", in, err, msg)
		}
	}
}

// TestParseLines: Node.Line counts CR LF, CR and LF each as one line end,
// as error positions do; white space before the XML declaration is let
// through.
func TestParseLines(t *testing.T) {
	const node = `<Node><NodeName>%s</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node>`
	in := "\uFEFF \r\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<MgmtTree>\r" +
		strings.Replace(node, "%s", "A", 1) + "\r\n\n" + strings.Replace(node, "%s", "B", 1) + "\n</MgmtTree>"
	tr, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Roots) != 2 || tr.Roots[0].Line != 4 || tr.Roots[1].Line != 6 {
		t.Errorf("lines of %q: %d roots, %+v", in, len(tr.Roots), tr.Roots)
	}
}

// TestTreeKeepsNoInput: the tree holds copies of the strings it keeps,
// not parts of the input, so that a DDF padded with megabytes of comments
// does not stay in memory with its tree.
func TestTreeKeepsNoInput(t *testing.T) {
	pad := "<!--" + strings.Repeat("x", 8<<20) + "-->"
	in := []byte(`<MgmtTree><VerDTD>1.2</VerDTD>` + pad + `<Node><NodeName>N</NodeName>` + pad +
		`<DFProperties><DFFormat><chr/></DFFormat><Description>d</Description><MSFT:AllowedValues xmlns:MSFT="` + NamespaceMSFT +
		`" ValueType="ENUM"><MSFT:Enum><MSFT:Value>v</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`)
	tr, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	in = nil
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	if m.HeapAlloc > 8<<20 {
		t.Errorf("heap holds %d bytes with the tree of a %d-byte DDF", m.HeapAlloc, 2*len(pad))
	}
	runtime.KeepAlive(tr)
	runtime.KeepAlive(in)
}
