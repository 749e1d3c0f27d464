package ddf

import (
	"errors"
	"io"
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
		`<!DOCTYPE MgmtTree PUBLIC 'p' "s]>"[]><MgmtTree/>`,
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
		{`<!DOCTYPE MgmtTree SYSTEM "x`, `ddf: line 1, column 27 (offset 26): not well-formed: unterminated literal in the DOCTYPE: unexpected EOF`, ErrSyntax},
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
		"<MgmtTree/>\xFF":                          `ddf: line 1, column 12 (offset 11): not well-formed: text outside the root element`,
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

// TestParseInternalSubset: the markup of a DOCTYPE's internal subset is
// checked as XML 1.0 gives it, not only stepped over to the DOCTYPE's
// end. Well-formed declarations of each kind are read (and ignored); a
// malformed one is an ErrSyntax at the mistake: a comment, processing
// instruction or literal that runs to the end of the input is reported
// where it starts (with io.ErrUnexpectedEOF), a declaration whose '>' is
// missing at the '<' after it, a stray ']' or '%' where it stands. Before,
// a declaration was read up to any '>', so that most of these were read
// as well-formed or reported as an end of input at the end of the DDF.
func TestParseInternalSubset(t *testing.T) {
	const root = `<MgmtTree><VerDTD>1.2</VerDTD></MgmtTree>`
	for _, sub := range []string{
		``,
		`<?oma-dm-ddf-ver supported-versions="1.2"?>`,
		`<?pi?><!-- c - d --> %pe; `,
		`<!ELEMENT MgmtTree (VerDTD, Man?, Mod?, Node+)> <!ELEMENT VerDTD (#PCDATA)> <!ELEMENT a EMPTY><!ELEMENT b ANY>`,
		`<!ELEMENT c (#PCDATA|a|b)*><!ELEMENT d ((a,b)|(b,a))+>`,
		`<!ATTLIST Node x CDATA #IMPLIED y (a|b) "a" z CDATA #FIXED 'q&amp;&#x3C;&#60;'>`,
		`<!ATTLIST e>`,
		`<!ENTITY e "<b>&#38;&amp;]>"><!ENTITY % p 'x'><!ENTITY s SYSTEM "s.ent"><!ENTITY u PUBLIC "-//X//EN" 'u' NDATA gif>`,
		`<!NOTATION gif SYSTEM "image/gif"><!NOTATION png PUBLIC "-//PNG//EN"><!NOTATION j PUBLIC "j" "j.txt" >`,
	} {
		in := "<!DOCTYPE MgmtTree SYSTEM \"x.dtd\" [" + sub + "]>\n" + root
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("%q: %v", sub, err)
		}
	}
	const pre = "<!DOCTYPE MgmtTree ["
	tests := []struct {
		name, sub string
		at        int // offset in sub
		msg       string
		eof       bool // wraps io.ErrUnexpectedEOF
	}{
		{"unterminated comment", `<!-- note ]>`, 0, "unterminated comment in the DOCTYPE", true},
		{"'--' in a comment", `<!-- a -- b -->`, 7, "'--' in comment", false},
		{"unterminated processing instruction", `<?pi x ]>`, 0, "unterminated processing instruction in the DOCTYPE", true},
		{"processing instruction without a target", `<? x?>`, 2, "processing instruction without a target", false},
		{"XML declaration in the subset", `<?xml version="1.0"?>`, 0, "XML declaration not at the start of the document", false},
		{"target not followed by space", `<?pi"x"?>`, 4, "processing instruction target not followed by space", false},
		{"<!ELEMENT without '>' before ']'", `<!ELEMENT a ANY ]>`, 16, `unexpected ']' in <!ELEMENT`, false},
		{"<!ELEMENT without '>' before the root", `<!ELEMENT a (b|c)`, -1, `'<' in <!ELEMENT: its '>' is missing`, false},
		{"<!ELEMENT without '>' before another", `<!ELEMENT a (b) <!ELEMENT b ANY>`, 16, `'<' in <!ELEMENT: its '>' is missing`, false},
		{"<!ATTLIST without '>'", `<!ATTLIST a b CDATA #IMPLIED <!-- x -->`, 29, `'<' in <!ATTLIST: its '>' is missing`, false},
		{"<!ENTITY without '>'", `<!ENTITY e "v" <!ENTITY f "w">`, 15, `'<' in <!ENTITY: its '>' is missing`, false},
		{"stray ']' in the subset", `<!ENTITY e "v"> ] ]>`, 18, "']' that closes no internal subset in the DOCTYPE", false},
		{"stray ']' in a declaration", `<!ATTLIST a b CDATA "x"]>`, 23, `unexpected ']' in <!ATTLIST`, false},
		{"unterminated literal", `<!ENTITY e "v>]>`, 11, "unterminated literal in the DOCTYPE", true},
		{"unknown declaration", `<!ELEMENTS a ANY>`, 0, `invalid markup declaration "<!ELE": expected "<!ELEMENT", "<!ATTLIST", "<!ENTITY", "<!NOTATION" or "<!--"`, false},
		{"lower-case keyword", `<!element a ANY>`, 0, `invalid markup declaration "<!ele"`, false},
		{"CDATA section in the subset", `<![CDATA[x]]>`, 0, `invalid markup declaration "<![CD"`, false},
		{"no white space after the keyword", `<!ELEMENT(a)>`, 9, "expected white space after <!ELEMENT", false},
		{"no name", `<!ATTLIST 1 a CDATA #IMPLIED>`, 10, "<!ATTLIST without a name", false},
		{"no content model", `<!ELEMENT a>`, 11, "expected white space and a content model in <!ELEMENT", false},
		{"bad content model", `<!ELEMENT a MIXED>`, 12, "expected EMPTY, ANY or '(' in <!ELEMENT", false},
		{"unbalanced content model", `<!ELEMENT a (b))>`, 15, `unexpected ')' in <!ELEMENT`, false},
		{"literal in a content model", `<!ELEMENT a ("b")>`, 13, `expected a name or '(' in <!ELEMENT, found '"'`, false},
		{"parameter-entity reference in a declaration", `<!ENTITY e %p;>`, 11, "expected a quoted value or an external identifier in <!ENTITY", false},
		{"parameter-entity reference in an entity value", `<!ENTITY e "%p;">`, 12, "parameter-entity reference inside <!ENTITY", false},
		{"parameter-entity reference in a content model", `<!ELEMENT a (%p;)>`, 13, "parameter-entity reference inside <!ELEMENT", false},
		{"'<' in an attribute default", `<!ATTLIST a b CDATA "<">`, 21, "'<' in an attribute's default value", false},
		{"'&' that starts no reference", `<!ENTITY e "a & b">`, 14, "'&' that starts no reference in <!ENTITY", false},
		{"public identifier character", `<!NOTATION n PUBLIC "a{b">`, 22, `'{' in a public identifier`, false},
		{"NOTATION without an identifier", `<!NOTATION n "x">`, 13, "expected white space and SYSTEM or PUBLIC in <!NOTATION", false},
		{"NDATA without a name", `<!ENTITY e SYSTEM "s" NDATA >`, 28, "expected white space and a notation name after NDATA", false},
		{"malformed parameter-entity reference", `%p ;`, 0, "malformed parameter-entity reference in the DOCTYPE", false},
		{"text in the subset", `x`, 0, "malformed internal subset in the DOCTYPE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pre + tt.sub + root
			at := len(pre) + tt.at
			if tt.at < 0 {
				at = len(pre) + len(tt.sub)
			}
			_, err := Parse([]byte(in))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("%q: %v: want a ParseError matching ErrSyntax", in, err)
			}
			if pe.Offset != int64(at) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("%q:\n got %v\nwant %q at offset %d", in, err, tt.msg, at)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) != tt.eof {
				t.Errorf("%q: %v: matches io.ErrUnexpectedEOF: %v, want %v", in, err, !tt.eof, tt.eof)
			}
		})
	}
}

// TestMarkupDeclPlaces: a "<!" that starts nothing XML allows where it
// stands ("<!>", "<!x", a "<!-" or "<![" followed by a tag, a DOCTYPE
// without its end) is a syntax error at its "<" or at the mistake in the
// DOCTYPE, before the root, inside it and after it; it is an end of input
// only for a "<!-" or "<!DOC" that the input ends with, where a comment
// or DOCTYPE may have started (before, "<!DOC" after the root was
// "invalid markup declaration"). The module's other readers say the same
// of the same input (TestMarkupDeclEveryReader in internal/xmlerr).
func TestMarkupDeclPlaces(t *testing.T) {
	const open, close = "<MgmtTree><VerDTD>1.2</VerDTD>", "</MgmtTree>"
	const eof = -1
	for _, tc := range []struct {
		decl string
		at   [3]int // offset from the "<!" before, inside and after the root, or eof
		msg  string // for a DOCTYPE before the root
	}{
		{"<!>", [3]int{0, 0, 0}, ""},
		{"<!-", [3]int{0, 0, eof}, ""},
		{"<!x", [3]int{0, 0, 0}, ""},
		{"<![", [3]int{0, 0, 0}, ""},
		{"<!DOCTYPE", [3]int{9, 0, 0}, "expected white space after <!DOCTYPE"},
		{"<!DOCTYPE x", [3]int{11, 0, 0}, "expected white space, '[' or '>' after the DOCTYPE's root element name"},
		{"<!DOCTYPE x [", [3]int{13, 0, 0}, "malformed internal subset in the DOCTYPE"},
		{"<!DOCTYPE x [<!ELEMENT x ANY", [3]int{28, 0, 0}, "'<' in <!ELEMENT: its '>' is missing"},
		{"<!DOC", [3]int{0, 0, eof}, ""},
	} {
		for place, in := range []string{tc.decl + open + close, open + tc.decl + close, open + close + tc.decl} {
			decl := []int{0, len(open), len(open + close)}[place]
			_, err := Parse([]byte(in))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Errorf("%q: %v: want a ParseError matching ErrSyntax", in, err)
				continue
			}
			eofErr := strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "end of input")
			switch want := tc.at[place]; {
			case want == eof:
				if !eofErr || pe.Offset != int64(len(in)) {
					t.Errorf("%q: %v (offset %d): want the end of input at %d", in, err, pe.Offset, len(in))
				}
			case eofErr || pe.Offset != int64(decl+want):
				t.Errorf("%q: %v (offset %d): want a syntax error at %d", in, err, pe.Offset, decl+want)
			case place == 0 && tc.msg != "" && !strings.Contains(err.Error(), tc.msg):
				t.Errorf("%q: %v: want %q", in, err, tc.msg)
			case place > 0 && strings.HasPrefix(tc.decl, "<!DOCTYPE") && !errors.Is(err, xmlerr.ErrDOCTYPE):
				t.Errorf("%q: %v: want ErrDOCTYPE", in, err)
			}
		}
	}
}

// TestDoctypePICut: a processing instruction in the internal subset whose
// target the input ends inside, after an ASCII character or in the middle
// of a multi-byte one, is reported as the scanner reports one outside the
// DOCTYPE: unclosed, at its "<" ("unterminated processing instruction in
// the DOCTYPE", matching io.ErrUnexpectedEOF). Before, "<?pi" and "<?" were
// "unexpected EOF" at the end, and "<?\xc3" was "processing instruction
// without a target" at the cut character.
func TestDoctypePICut(t *testing.T) {
	const pre = "<!DOCTYPE MgmtTree [\n "
	for _, sub := range []string{"<?pi", "<?", "<?p\xc3", "<?\xc3", "<?p\xe2\x82", "<?p:\xc3"} {
		in := pre + sub
		_, err := Parse([]byte(in))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: %v: want a ParseError matching ErrSyntax and io.ErrUnexpectedEOF", in, err)
			continue
		}
		if pe.Offset != int64(len(pre)) || pe.Line != 2 || pe.Column != 2 || !strings.HasSuffix(err.Error(), ": unterminated processing instruction in the DOCTYPE: unexpected EOF") {
			t.Errorf("%q: %v: want \"unterminated processing instruction in the DOCTYPE\" at line 2, column 2 (offset %d)", in, err, len(pre))
		}
	}
}
