package declaredconfig

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestUnclosedAtStart: a comment, CDATA section or processing
// instruction that the input ends inside is reported where it starts
// (line 3, column 7 here), as "unterminated comment" (and so on),
// matching ErrSyntax and io.ErrUnexpectedEOF. Before, it was "unexpected EOF" at the end of the input. Every reader says the same
// (TestUnclosedEveryReader in internal/xmlerr).
func TestUnclosedAtStart(t *testing.T) {
	const open, close = `<DeclaredConfiguration>`, `</DeclaredConfiguration>`
	for _, c := range []struct{ decl, what string }{
		{"<!-- a comment\n", "comment"},
		{"<!-- a - comment -", "comment"},
		{"<![CDATA[ text\n", "CDATA section"},
		{"<?pi data\n", "processing instruction"},
	} {
		in := open + "\n\n      " + c.decl + close
		var d Document
		err := UnmarshalLimits([]byte(in), &d, Limits{})
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: %v: want a DecodeError matching ErrSyntax and io.ErrUnexpectedEOF", in, err)
			continue
		}
		if de.Line != 3 || de.Column != 7 || de.Offset != int64(len(open)+8) || !strings.HasSuffix(err.Error(), ": unterminated "+c.what+": unexpected EOF") {
			t.Errorf("%q: %v: want \"unterminated %s\" at line 3, column 7 (offset %d)", in, err, c.what, len(open)+8)
		}
	}
}
