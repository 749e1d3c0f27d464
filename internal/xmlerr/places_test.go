package xmlerr_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
)

// A placeReader is one of the module's XML readers with a root element to
// put markup before, inside and after.
type placeReader struct {
	name, open, close string
	read              func([]byte) error
}

// checkEOF reads in and wants a DecodeError matching ErrSyntax and
// io.ErrUnexpectedEOF whose text ends in suffix, at offset at (with its
// line and column). It returns the error read.
func (r placeReader) checkEOF(t *testing.T, in string, at int, suffix string) error {
	t.Helper()
	err := r.read([]byte(in))
	var de *xmlerr.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%s %q: %v: want a DecodeError matching ErrSyntax and io.ErrUnexpectedEOF", r.name, in, err)
		return err
	}
	line, col := xmlscan.LineCol(in, at)
	if de.Offset != int64(at) || de.Line != line || de.Column != col || !strings.HasSuffix(err.Error(), suffix) {
		t.Errorf("%s %q: %v: want %q at offset %d, line %d, column %d", r.name, in, err, suffix, at, line, col)
	}
	return err
}

// checkLine2 reads r.open, a new line, a space, body and r.close, and
// wants a DecodeError matching kind whose text ends in msg, at the
// offset of body's byte at (line 2). It returns the error read.
func (r placeReader) checkLine2(t *testing.T, body string, at int, kind error, msg string) error {
	t.Helper()
	in := r.open + "\n " + body + r.close
	off := len(r.open) + 2 + at
	err := r.read([]byte(in))
	var de *xmlerr.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, kind) {
		t.Errorf("%s %q: %v: want a DecodeError matching %v", r.name, in, err, kind)
		return err
	}
	if de.Offset != int64(off) || de.Line != 2 || de.Column != off-len(r.open) || !strings.HasSuffix(err.Error(), ": "+msg) {
		t.Errorf("%s %q: %v: want %q at line 2, column %d (offset %d)", r.name, in, err, msg, off-len(r.open), off)
	}
	return err
}

var placeReaders = []placeReader{
	{"syncml", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody>`, `</SyncBody></SyncML>`,
		func(b []byte) error { var m syncml.Message; return syncml.UnmarshalLimits(b, &m, syncml.Limits{}) }},
	{"syncml Decoder", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody>`, `</SyncBody></SyncML>`,
		func(b []byte) error {
			// a byte at a time: the scanner sees partial input first
			var m syncml.Message
			return syncml.NewDecoder(iotest.OneByteReader(strings.NewReader(string(b)))).Decode(&m)
		}},
	{"ddf", "<MgmtTree><VerDTD>1.2</VerDTD>", "</MgmtTree>",
		func(b []byte) error { _, err := ddf.ParseLimits(b, ddf.Limits{}); return err }},
	{"mde2", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`, `</s:Body></s:Envelope>`,
		func(b []byte) error { _, err := mde2.ReadMessage(b, mde2.Limits{}); return err }},
	{"provisioning", `<wap-provisioningdoc>`, `</wap-provisioningdoc>`,
		func(b []byte) error {
			var d provisioning.Document
			return provisioning.UnmarshalLimits(b, &d, provisioning.Limits{})
		}},
	{"declaredconfig", `<DeclaredConfiguration>`, `</DeclaredConfiguration>`,
		func(b []byte) error {
			var d declaredconfig.Document
			return declaredconfig.UnmarshalLimits(b, &d, declaredconfig.Limits{})
		}},
}

// TestUnclosedEveryReader: a comment, CDATA section, processing
// instruction or XML declaration that the input ends inside is reported by every reader
// where it starts (offset, line and column of its "<"), as "unterminated
// comment" (and so on), matching ErrSyntax and io.ErrUnexpectedEOF,
// before the root element, inside it (after a line break, and swallowing
// the end tags) and after it. Before, every reader said "unexpected EOF"
// at the end of the input (provisioning without io.ErrUnexpectedEOF).
func TestUnclosedEveryReader(t *testing.T) {
	for _, tc := range []struct {
		decl, what string
		places     []int // 0 before the root, 1 inside, 2 after
	}{
		{"<!-- x", "unterminated comment", []int{0, 1, 2}},
		{"<!-- x -", "unterminated comment", []int{1, 2}},
		{"<![CDATA[x", "unterminated CDATA section", []int{1}},
		{"<![CDATA[x]]", "unterminated CDATA section", []int{1}},
		{"<?pi x", "unterminated processing instruction", []int{0, 1, 2}},
		{"<?pi", "unterminated processing instruction", []int{2}},
		{"<?", "unterminated processing instruction", []int{2}},
		{"<?xml version=\"1.0\" ", "unterminated XML declaration", []int{0}},
	} {
		for _, r := range placeReaders {
			for _, place := range tc.places {
				in := []string{tc.decl + r.open + r.close, r.open + "\n  " + tc.decl + r.close, r.open + r.close + tc.decl}[place]
				at := []int{0, len(r.open) + 3, len(r.open + r.close)}[place]
				r.checkEOF(t, in, at, tc.what+": unexpected EOF")
			}
		}
	}
}

// TestUnclosedAtStartEveryReader: a construct left open at the end of
// the input, whose own text holds a line break, after two lines inside
// the root, is reported by every reader at its "<" (line 3, column 7)
// as "unterminated comment" (and so on), matching ErrSyntax and
// io.ErrUnexpectedEOF.
func TestUnclosedAtStartEveryReader(t *testing.T) {
	for _, c := range []struct{ decl, what string }{
		{"<!-- a comment\n", "comment"},
		{"<!-- a - comment -", "comment"},
		{"<![CDATA[ text\n", "CDATA section"},
		{"<?pi data\n", "processing instruction"},
	} {
		for _, r := range placeReaders {
			in := r.open + "\n\n      " + c.decl + r.close
			err := r.read([]byte(in))
			var de *xmlerr.DecodeError
			if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s %q: %v: want a DecodeError matching ErrSyntax and io.ErrUnexpectedEOF", r.name, in, err)
				continue
			}
			if de.Line != 3 || de.Column != 7 || de.Offset != int64(len(r.open)+8) || !strings.HasSuffix(err.Error(), ": unterminated "+c.what+": unexpected EOF") {
				t.Errorf("%s %q: %v: want \"unterminated %s\" at line 3, column 7 (offset %d)", r.name, in, err, c.what, len(r.open)+8)
			}
		}
	}
}

// TestMarkupDeclEveryReader: every reader says the same of the same "<!"
// before the root element, inside it and after it: a DOCTYPE is
// ErrDOCTYPE ("DOCTYPE not allowed") at its "<" wherever a reader does not
// read it (ddf reads one before its root); a "<!-" or "<!DOC" that the
// input ends with (where a comment or DOCTYPE may start) is the end of
// input at the end. Before, provisioning said "invalid markup declaration"
// of a DOCTYPE inside the root and of a "<!DOC" the input ends with
// there; syncml said "content after the root element" of a DOCTYPE after
// it; syncml and ddf said "invalid markup declaration" of a "<!DOC" the
// input ends with after the root (and syncml of one that is the whole
// input).
func TestMarkupDeclEveryReader(t *testing.T) {
	const eof = -1
	for _, tc := range []struct {
		decl string
		at   [4]int // before the root, inside, after, alone: offset from the "<!" of the error, or eof
	}{
		{"<!DOCTYPE x>", [4]int{0, 0, 0, 0}},
		{"<!DOCTYPE x [", [4]int{0, 0, 0, 0}},
		{"<!DOCTYPE", [4]int{0, 0, 0, 0}},
		{"<!DOC", [4]int{0, 0, eof, eof}},
		{"<!-", [4]int{0, 0, eof, eof}},
		{"<!", [4]int{0, 0, eof, eof}},
	} {
		for _, r := range placeReaders {
			for place, in := range []string{tc.decl + r.open + r.close, r.open + tc.decl + r.close, r.open + r.close + tc.decl, tc.decl} {
				if r.name == "ddf" && (place == 0 || place == 3) && strings.HasPrefix(tc.decl, "<!DOCTYPE") {
					continue // a DDF may have a DOCTYPE (TestMarkupDeclPlaces in ddf)
				}
				decl := []int{0, len(r.open), len(r.open + r.close), 0}[place]
				err := r.read([]byte(in))
				var de *xmlerr.DecodeError
				if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) {
					t.Errorf("%s %q: %v: want a DecodeError matching ErrSyntax", r.name, in, err)
					continue
				}
				isEOF := errors.Is(err, io.ErrUnexpectedEOF)
				switch want := tc.at[place]; {
				case want == eof:
					if !isEOF || de.Offset != int64(len(in)) {
						t.Errorf("%s %q: %v: want the end of input at %d", r.name, in, err, len(in))
					}
				case isEOF || de.Offset != int64(decl+want):
					t.Errorf("%s %q: %v: want an error at %d", r.name, in, err, decl+want)
				case strings.HasPrefix(tc.decl, "<!DOCTYPE") && (!errors.Is(err, xmlerr.ErrDOCTYPE) || !strings.HasSuffix(err.Error(), ": DOCTYPE not allowed")):
					t.Errorf("%s %q: %v: want ErrDOCTYPE", r.name, in, err)
				}
			}
		}
	}
}

// TestCDATAOutsideRootEveryReader: every reader refuses a CDATA section
// before the root element and after it the same way, as it refuses text
// or a DOCTYPE there: "CDATA section outside the root element" at its
// "<", matching ErrSyntax and not the end of input, closed or not; an
// input that ends in "<![CD" or "<![" after the root, or is one, is
// "invalid markup declaration" at its "<" (no CDATA section may start
// there; not the end of input, unlike "<!DOC"). Before, syncml, mde2 and
// provisioning said "invalid markup declaration" of a CDATA section
// there, ddf and declaredconfig named it, and declaredconfig said
// "unexpected EOF" at the end of a cut "<![CD".
func TestCDATAOutsideRootEveryReader(t *testing.T) {
	for _, decl := range []string{"<![CDATA[x]]>", "<![CDATA[x", "<![CDATA[", "<![CDATA[]]>\n"} {
		for _, r := range placeReaders {
			for place, in := range []string{decl + r.open + r.close, r.open + r.close + " " + decl, decl} {
				at := []int{0, len(r.open+r.close) + 1, 0}[place]
				err := r.read([]byte(in))
				var de *xmlerr.DecodeError
				if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) || errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%s %q: %v: want a DecodeError matching ErrSyntax, not the end of input", r.name, in, err)
					continue
				}
				if de.Offset != int64(at) || de.Line != 1 || de.Column != at+1 || de.Path != "" ||
					!strings.HasSuffix(err.Error(), fmt.Sprintf("(offset %d): not well-formed: CDATA section outside the root element", at)) {
					t.Errorf("%s %q: %v: want \"CDATA section outside the root element\" at offset %d", r.name, in, err, at)
				}
			}
		}
	}
	for _, decl := range []string{"<![CDATA", "<![CD", "<!["} {
		for _, r := range placeReaders {
			for _, in := range []string{r.open + r.close + decl, decl} {
				at := len(in) - len(decl)
				err := r.read([]byte(in))
				var de *xmlerr.DecodeError
				if !errors.As(err, &de) || !errors.Is(err, xmlerr.ErrSyntax) || errors.Is(err, io.ErrUnexpectedEOF) || de.Offset != int64(at) ||
					!strings.Contains(err.Error(), fmt.Sprintf("(offset %d): not well-formed: invalid markup declaration %q: expected ", at, decl[:min(len(decl), 5)])) {
					t.Errorf("%s %q: %v: want \"invalid markup declaration\" at %d", r.name, in, err, at)
				}
			}
		}
	}
}

// TestPITargetCutEveryReader: a processing instruction whose target the
// input ends inside, in the middle of a multi-byte UTF-8 character, is
// reported by every reader as one the input ends inside: "unterminated
// processing instruction" at its "<", matching ErrSyntax and
// io.ErrUnexpectedEOF, as for a target cut after an ASCII letter ("<?pi"),
// as the whole input, inside the root element and after it. Before, the
// readers that scan with xmlscan said "unexpected EOF" at the end of the
// input (provisioning already said it this way).
func TestPITargetCutEveryReader(t *testing.T) {
	for _, decl := range []string{"<?p\xc3", "<?\xc3", "<?p\xe2\x82", "<?pi-\xf0\x9f\x98", "<?p:\xc3", "<?pi"} {
		for _, r := range placeReaders {
			for _, pre := range []string{"", r.open + "\n ", r.open + r.close} {
				r.checkEOF(t, pre+decl, len(pre), ": unterminated processing instruction: unexpected EOF")
			}
		}
	}
}

// TestUnclosedCutCharEveryReader: a comment, CDATA section or processing
// instruction whose text the input ends inside, in the middle of a
// multi-byte UTF-8 character, is reported by every reader as unclosed at
// its "<" ("unterminated comment" and so on), as when the text is cut
// after an ASCII character, as the whole input, inside the root element
// and after it. Before, the readers that scan with xmlscan said
// "unexpected EOF" at the end of a comment cut so.
func TestUnclosedCutCharEveryReader(t *testing.T) {
	for _, c := range []struct{ decl, what string }{
		{"<!-- x\xc3", "comment"},
		{"<!--\xe2\x82", "comment"},
		{"<!-- a - b \xf0\x9f\x98", "comment"},
		{"<![CDATA[x\xc3", "CDATA section"},
		{"<?pi x\xe2\x82", "processing instruction"},
	} {
		for _, r := range placeReaders {
			for place, pre := range []string{"", r.open + "\n ", r.open + r.close} {
				if place != 1 && c.what == "CDATA section" {
					continue // no CDATA section outside the root
				}
				r.checkEOF(t, pre+c.decl, len(pre), ": unterminated "+c.what+": unexpected EOF")
			}
		}
	}
}

// TestCutCharEveryReader: text or an attribute value that the input ends
// inside, in the middle of a multi-byte UTF-8 character, is the end of
// input at the end for every reader ("unexpected EOF", ErrSyntax and
// io.ErrUnexpectedEOF), as when it ends after an ASCII character. Before,
// provisioning said "bad character encoding: invalid UTF-8" (ErrEncoding)
// there.
func TestCutCharEveryReader(t *testing.T) {
	for _, tail := range []string{"x\xc3", "x\xe2\x82", "<b x='\xc3", "<b x=\"a\xf0\x9f\x98", "<b x='a"} {
		for _, r := range placeReaders {
			in := r.open + "\n" + tail
			if err := r.checkEOF(t, in, len(in), "not well-formed: unexpected EOF"); errors.Is(err, xmlerr.ErrEncoding) {
				t.Errorf("%s %q: %v: want it not to match ErrEncoding", r.name, in, err)
			}
		}
	}
}

// TestBadCharEveryReader: a byte that is not UTF-8, or a character XML
// does not allow, in text, an attribute value, a comment or a CDATA
// section inside the root element is reported by every reader at its
// own offset, as "bad character encoding: invalid UTF-8" (ErrEncoding) or
// "character not allowed in XML: U+0001" (ErrInvalidChar). Before,
// provisioning gave the offset where encoding/xml stopped (after the
// character, or the comment's "<"), and worded a character XML does not
// allow "illegal character code U+0001", or gave no character for one in
// a comment.
func TestBadCharEveryReader(t *testing.T) {
	for _, c := range []struct {
		pre, bad, post string
		kind           error
		msg            string
	}{
		{"x", "\xc3", "(y", xmlerr.ErrEncoding, "bad character encoding: invalid UTF-8"},
		{"", "\xff", "y", xmlerr.ErrEncoding, "bad character encoding: invalid UTF-8"},
		{"<b x='a", "\xc3", "(y'/>", xmlerr.ErrEncoding, "bad character encoding: invalid UTF-8"},
		{"<!-- a", "\xc3", "( -->", xmlerr.ErrEncoding, "bad character encoding: invalid UTF-8"},
		{"<![CDATA[", "\xff", "]]>", xmlerr.ErrEncoding, "bad character encoding: invalid UTF-8"},
		{"x", "\x01", "", xmlerr.ErrInvalidChar, "character not allowed in XML: U+0001"},
		{"<b x='", "\x01", "'/>", xmlerr.ErrInvalidChar, "character not allowed in XML: U+0001"},
		{"<!--", "\x01", "-->", xmlerr.ErrInvalidChar, "character not allowed in XML: U+0001"},
		{"<!-- ", "\uFFFE", " -->", xmlerr.ErrInvalidChar, "character not allowed in XML: U+FFFE"},
		{"<![CDATA[", "\x0b", "]]>", xmlerr.ErrInvalidChar, "character not allowed in XML: U+000B"},
	} {
		for _, r := range placeReaders {
			r.checkLine2(t, c.pre+c.bad+c.post, len(c.pre), c.kind, c.msg)
		}
	}
}

// TestCharRefEveryReader: a character reference XML does not allow, or a
// malformed one, in text or an attribute value inside the root element,
// is refused by every reader at its "&" with the same kind and wording.
// Before, provisioning took a reference to a surrogate (&#xD800;) as
// U+FFFD without a word, and gave the others at the offset where
// encoding/xml stopped, worded its way ("illegal character code U+0000",
// "invalid character entity &#;", ErrEntity).
func TestCharRefEveryReader(t *testing.T) {
	for _, c := range []struct {
		ref  string
		kind error
		msg  string
	}{
		{"&#xD800;", xmlerr.ErrInvalidChar, "character not allowed in XML: character reference &#xD800;"},
		{"&#xdfff;", xmlerr.ErrInvalidChar, "character not allowed in XML: character reference &#xdfff;"},
		{"&#0;", xmlerr.ErrInvalidChar, "character not allowed in XML: character reference &#0;"},
		{"&#x1;", xmlerr.ErrInvalidChar, "character not allowed in XML: character reference &#x1;"},
		{"&#99999999;", xmlerr.ErrInvalidChar, "character not allowed in XML: character reference &#99999999; out of range"},
		{"&#;", xmlerr.ErrSyntax, "not well-formed: empty character reference"},
		{"&#x;", xmlerr.ErrSyntax, "not well-formed: empty character reference"},
		{"&#12a;", xmlerr.ErrSyntax, "not well-formed: invalid character reference &#12a;"},
	} {
		for _, r := range placeReaders {
			for _, p := range [][2]string{{"x ", " y"}, {"<b x='a ", "'/>"}} {
				r.checkLine2(t, p[0]+c.ref+p[1], len(p[0]), c.kind, c.msg)
			}
		}
	}
}

// TestRefEndsSoonEveryReader: a '&' that starts no reference because a
// space or a tag comes a few bytes after it ("&amp y", "&#12<c/>") is
// refused by every reader at its '&' as "'&' does not start a
// reference". Before, provisioning, which gave its check of references
// the text only up to the next '<', took such a '&' as cut by the end of
// the input and said encoding/xml's "invalid character entity &amp (no
// semicolon)" (ErrEntity), after the reference.
func TestRefEndsSoonEveryReader(t *testing.T) {
	const msg = "not well-formed: '&' does not start a reference"
	for _, ref := range []string{"&amp", "& x", "&#12", "&#xD800", "&lt"} {
		for _, r := range placeReaders {
			for _, after := range []string{" y", "<c/>", ""} {
				if err := r.checkLine2(t, "x "+ref+after, 2, xmlerr.ErrSyntax, msg); errors.Is(err, xmlerr.ErrEntity) {
					t.Errorf("%s: %v: want it not to match ErrEntity", r.name, err)
				}
			}
		}
	}
}
