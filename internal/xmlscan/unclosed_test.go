package xmlscan

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
)

// TestUnclosed: a comment, CDATA section, processing instruction or XML
// declaration that the input ends inside is reported where it starts,
// as Unclosed with what it is, before the root element, inside it and
// after it; over partial input it is ErrNeedMore. Before, each was an
// end of input (EOF) at the end of the input, which says nothing of
// where the construct that swallowed the rest began. An input that ends
// where such a construct may only be starting ("<!-", "<![CDA") is still
// the end of input, at the end.
func TestUnclosed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		at   int    // offset of the error; -1: the end of the input
		what string // the message of Unclosed
	}{
		{"<a>\n  <!-- x\n</a>", Unclosed, 6, "comment"},
		{"<a>text<!--", Unclosed, 7, "comment"},
		{"<a><!-- x -", Unclosed, 3, "comment"},
		{"<a><!-- x --", Unclosed, 3, "comment"},
		{"<a><!-- - x", Unclosed, 3, "comment"},
		{"<a>&amp;<![CDATA[x</a>", Unclosed, 8, "CDATA section"},
		{"<a><![CDATA[", Unclosed, 3, "CDATA section"},
		{"<a><![CDATA[x]]", Unclosed, 3, "CDATA section"},
		{"<a><?pi x</a>", Unclosed, 3, "processing instruction"},
		{"<a><?pi", Unclosed, 3, "processing instruction"},
		{"<a><?", Unclosed, 3, "processing instruction"},
		{"<a><b>\r\n<?pi x?", Unclosed, 8, "processing instruction"},
		{"<!-- x<a/>", Unclosed, 0, "comment"},
		{"\n<?pi <a/>", Unclosed, 1, "processing instruction"},
		{`<?xml version="1.0"`, Unclosed, 0, "XML declaration"},
		{"<a/>\n<!-- x", Unclosed, 5, "comment"},
		{"<a/><?pi", Unclosed, 4, "processing instruction"},
		// a target cut inside a multi-byte character, as one cut after
		// an ASCII letter
		{"<a><?p\xc3", Unclosed, 3, "processing instruction"},
		{"<a><?\xe2\x82", Unclosed, 3, "processing instruction"},
		{"<a/><?pi\xf0\x9f", Unclosed, 4, "processing instruction"},
		{"<?p:\xc3", Unclosed, 0, "processing instruction"},
		// a comment cut inside a multi-byte character
		{"<a><!-- x\xc3", Unclosed, 3, "comment"},
		{"<a/><!--\xe2\x82", Unclosed, 4, "comment"},
		{"<!-- \xf0\x9f\x98", Unclosed, 0, "comment"},
		{"<a><!-- - \xf0\x9f", Unclosed, 3, "comment"},
		// cut short where a construct may start: the end of the input
		{"<a><!-", EOF, -1, ""},
		{"<a><!", EOF, -1, ""},
		{"<a><![CDA", EOF, -1, ""},
		{"<a><!DOCTYP", EOF, -1, ""},
		{"<a/><!-", EOF, -1, ""},
		{"<a/><!DOC", EOF, -1, ""},
		// an error inside comes first
		{"<a><!-- \x01", InvalidChar, 8, "U+0001"},
		{"<a><!-- \xc3(\xc3", Encoding, 8, "invalid UTF-8"},
		{"<a><!-- \x80", Encoding, 8, "invalid UTF-8"},
	} {
		_, err := readDoc(tc.in, testLimits)
		var te *testErr
		if !errors.As(err, &te) {
			t.Errorf("%q: %v, want a scan error", tc.in, err)
			continue
		}
		at := tc.at
		if at < 0 {
			at = len(tc.in)
		}
		if te.kind != tc.kind || te.pos != at || te.msg != tc.what {
			t.Errorf("%q: %v, want kind %d at %d: %s", tc.in, err, tc.kind, at, tc.what)
		}
		// over a stream, more input may close it
		sc := new(Scanner)
		sc.Init("", testLimits, testErrs{})
		sc.SetInput(tc.in, true)
		if _, err := sc.readDoc(); tc.kind != InvalidChar && tc.kind != Encoding && err != ErrNeedMore {
			t.Errorf("%q partial: %v, want ErrNeedMore", tc.in, err)
		}
	}
}

// TestUnclosedCause: the cause of Unclosed names the construct and
// matches ErrSyntax and io.ErrUnexpectedEOF, as the end of input does.
func TestUnclosedCause(t *testing.T) {
	err := Cause(Unclosed, "comment")
	if !errors.Is(err, xmlerr.ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "unterminated comment") {
		t.Errorf("Cause(Unclosed) = %v", err)
	}
}
