package xmlerr_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/internal/xmlscan"
)

// nextErrs makes the errors of xmlscan's Scanner.Next for nextReader: a
// DecodeError with the scanner's path, with the cause every package
// gives (xmlscan.Cause).
type nextErrs struct{ sc *xmlscan.Scanner }

func (e nextErrs) ScanError(pos int, k xmlscan.Kind, msg string) error {
	line, col := xmlscan.LineCol(e.sc.Input(), pos)
	return xmlerr.Pkg("xmlscan").Decode(int64(pos), line, col, e.sc.PathString(), xmlscan.Cause(k, msg))
}

func (e nextErrs) ScanLimit(name string, max int64, pos int) error {
	return xmlerr.Pkg("xmlscan").Limit(name, max, int64(pos), e.sc.PathString())
}

// nextReader reads a whole document with xmlscan's Scanner.Next (through
// All), which the module's readers do not use but which says the same of
// the input outside the root element as they do.
var nextReader = placeReader{"xmlscan Next", "<r>", "</r>", func(b []byte) error {
	sc := new(xmlscan.Scanner)
	lim := xmlscan.Limits{MaxDepth: 100, MaxTokens: 1000, MaxTokenBytes: 1 << 20, MaxAttrs: 100, MaxNamespaces: 100}
	sc.Init(string(b), lim, nextErrs{sc})
	for _, err := range sc.All() {
		if err != nil {
			return err
		}
	}
	return nil
}}

// checkOutside reads in and wants a DecodeError of ErrSyntax alone (none
// of its kinds, not the end of input) at offset at, outside every
// element, whose text ends in ": not well-formed: " and msg.
func (r placeReader) checkOutside(t *testing.T, in string, at int, msg string) {
	t.Helper()
	err := r.read([]byte(in))
	var de *xmlerr.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) {
		t.Errorf("%s %q: %v: want a DecodeError matching ErrSyntax", r.name, in, err)
		return
	}
	for _, k := range []error{io.ErrUnexpectedEOF, xmlerr.ErrEncoding, xmlerr.ErrInvalidChar, xmlerr.ErrEntity, xmlerr.ErrDOCTYPE} {
		if errors.Is(err, k) {
			t.Errorf("%s %q: %v: want it not to match %v", r.name, in, err, k)
		}
	}
	line, col := xmlscan.LineCol(in, at)
	if de.Offset != int64(at) || de.Line != line || de.Column != col || de.Path != "" || !strings.HasSuffix(err.Error(), ": not well-formed: "+msg) {
		t.Errorf("%s %q: %v: want %q at offset %d (line %d, column %d), no path", r.name, in, err, msg, at, line, col)
	}
}

// TestTextOutsideRootEveryReader: text before the root element or after
// it (after white space, a comment, or nothing) is refused by every
// reader, and by xmlscan's Scanner.Next, in one way: "text outside the
// root element" (ErrSyntax, no kind of it) at its first byte that is not
// white space, whatever that byte is (a reference, defined or not, a
// byte that is not UTF-8, a character XML does not allow, the first
// byte of a character the input ends inside). Before, syncml said "text
// before the root element" and "text after the root element", and
// Scanner.Next "content after the root element" of text after it;
// provisioning gave the offset where the white space before the text
// began, and named a bad reference, character or byte instead
// (ErrEntity, ErrInvalidChar, ErrEncoding), or the end of input for a
// '&' the input ends with; ddf said ErrEncoding of a byte that is not
// UTF-8 there.
func TestTextOutsideRootEveryReader(t *testing.T) {
	for _, text := range []string{"x", " x", "\n\t x y", "&amp;", "&nbsp;", "&#0;", " &", "&", " ]]>", "\xff", " \x01", "\uFFFE", "\xc3"} {
		skip := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
		for _, r := range append(placeReaders, nextReader) {
			for _, pre := range []string{"", "<!-- c -->", "\n"} {
				if text != "\xc3" { // not before the root: there it is only a byte that is not UTF-8
					r.checkOutside(t, pre+text+r.open+r.close, len(pre)+skip, "text outside the root element")
				}
				in := r.open + r.close + pre
				r.checkOutside(t, in+text, len(in)+skip, "text outside the root element")
			}
		}
	}
}

// TestElementAfterRootEveryReader: a start tag after the root element
// (after white space, a comment, or nothing), well-formed or not, is
// refused by every reader, and by xmlscan's Scanner.Next, in one way:
// "content after the root element" (ErrSyntax, no kind of it) at its
// "<", before anything in the tag is looked at. Before, provisioning
// said "a second root element" of a well-formed one, and read the tag
// first: a mistake in it (a bad name, an unquoted value, an undeclared
// prefix, the end of input) was named instead.
func TestElementAfterRootEveryReader(t *testing.T) {
	for _, tag := range []string{"<a/>", "<a>", "<a>x</a>", "<a", "<1>", "<a b=1>", "<p:a/>", "<a b='&nbsp;'/>", "<a\xff>"} {
		for _, r := range append(placeReaders, nextReader) {
			for _, pre := range []string{"", " ", "<!-- c -->", "\n"} {
				in := r.open + r.close + pre
				r.checkOutside(t, in+tag, len(in), "content after the root element")
			}
			// a second root element like the first
			in := r.open + r.close
			r.checkOutside(t, in+r.open+r.close, len(in), "content after the root element")
		}
	}
}

// TestMarkupDeclWantEveryReader: a "<!" that starts no comment, DOCTYPE
// or CDATA section is refused by every reader, and by xmlscan's
// Scanner.Next, at its "<" as "invalid markup declaration", naming what
// may stand there and nothing else: before and after the root element a
// comment (and before it, for ddf alone, which reads one, a DOCTYPE),
// inside it a comment or a CDATA section. Before, Scanner.Next named a
// DOCTYPE before the root element, which it refuses.
func TestMarkupDeclWantEveryReader(t *testing.T) {
	for _, decl := range []string{"<!x", "<!-x", "<!>", "<!D>", "<!doctype x>", "<!-—>"} {
		for _, r := range append(placeReaders, nextReader) {
			before := `"<!--"`
			if r.name == "ddf" {
				before = `"<!--" or "<!DOCTYPE"`
			}
			for _, c := range []struct {
				in   string
				at   int
				want string
			}{
				{decl + r.open + r.close, 0, before},
				{"<!-- c -->" + decl + r.open + r.close, 10, before},
				{r.open + "\n" + decl + r.close, len(r.open) + 1, `"<!--" or "<![CDATA["`},
				{r.open + r.close + " " + decl, len(r.open+r.close) + 1, `"<!--"`},
			} {
				err := r.read([]byte(c.in))
				var de *xmlerr.DecodeError
				msg := xmlscan.MarkupDecl(c.in[c.at:], c.want)
				if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) || errors.Is(err, io.ErrUnexpectedEOF) ||
					de.Offset != int64(c.at) || !strings.HasSuffix(err.Error(), ": not well-formed: "+msg) {
					t.Errorf("%s %q: %v: want %s at offset %d", r.name, c.in, err, msg, c.at)
				}
			}
		}
	}
}

// TestEndTagOutsideRootEveryReader: an end tag before the root element
// or after it (after white space, a comment, or nothing), well-formed or
// not, is refused by every reader, and by xmlscan's Scanner.Next, in one
// way: "end tag outside the root element" (ErrSyntax, no kind of it) at
// its "<"; a "<" the input ends with after the root is the end of input
// at the end. Before, syncml said "invalid name start '/'" after the "<"
// before the root and "content after the root element" after it;
// Scanner.Next said "end tag before the root element" and "content after
// the root element"; provisioning said "end tag a does not match", or
// named a mistake in the tag.
func TestEndTagOutsideRootEveryReader(t *testing.T) {
	for _, tag := range []string{"</a>", "</a >", "</", "</a", "</1>", "</a b='1'>", "</p:a>"} {
		for _, r := range append(placeReaders, nextReader) {
			for _, pre := range []string{"", " ", "<!-- c -->", "\n"} {
				r.checkOutside(t, pre+tag+r.open+r.close, len(pre), "end tag outside the root element")
				in := r.open + r.close + pre
				r.checkOutside(t, in+tag, len(in), "end tag outside the root element")
			}
		}
	}
	for _, r := range append(placeReaders, nextReader) {
		for _, pre := range []string{"", " ", "<!-- c -->"} {
			in := r.open + r.close + pre + "<"
			r.checkEOF(t, in, len(in), "not well-formed: unexpected EOF")
		}
	}
}
