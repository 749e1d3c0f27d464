package mde2

import (
	"errors"
	"strings"
	"testing"
)

// TestMarkupDeclHint: a "<!" that starts no comment (a typographic dash,
// "<!-—", as a word processor makes of "<!--") is refused with what came
// and what was expected there, in the root element and outside it, as
// syncml's decoder says it. Before, outside the root element the message
// was only "invalid markup outside the root element".
func TestMarkupDeclHint(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		col      int
		want     string // the end of the message
		eof      bool
	}{
		{"before the root", "<!-—x-->" + envOpen + envClose, 1, `invalid markup declaration "<!-—x": expected "<!--"`, false},
		{"after the root", envOpen + envClose + "\n<!-—x-->", 1, `invalid markup declaration "<!-—x": expected "<!--"`, false},
		{"a declaration before the root", "<!ELEMENT a>" + envOpen + envClose, 1, `invalid markup declaration "<!ELE": expected "<!--"`, false},
		{"in the body", envOpen + "<!-—x-->" + envClose, len(envOpen) + 1, `invalid markup declaration "<!-—x": expected "<!--" or "<![CDATA["`, false},
		{"a comment cut short after the root", envOpen + envClose + "<!-", 0, "", true},
		{"a DOCTYPE cut short", "<!DOC", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Discover
			err := UnmarshalLimits([]byte(tc.in), &m, Limits{})
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("%v: want a DecodeError matching ErrSyntax", err)
			}
			if tc.eof {
				if strings.Contains(err.Error(), "markup") {
					t.Errorf("%v: want the end of input, not a markup error", err)
				}
				return
			}
			if !strings.HasSuffix(err.Error(), tc.want) || (de.Line == 1 && de.Column != tc.col) {
				t.Errorf("%v (line %d column %d): want it to end %q at column %d", err, de.Line, de.Column, tc.want, tc.col)
			}
		})
	}
}

// TestMarkupDeclPlaces: a "<!" that starts nothing XML allows where it
// stands ("<!>", "<!x", a "<!-" or "<![" followed by a tag, a DOCTYPE
// without its end) is refused at its "<" (a DOCTYPE as ErrDOCTYPE)
// before the root, inside it and after it, never as an end of input but
// for a "<!-" or "<!DOC" that the input ends with (a comment or DOCTYPE
// may have started). The module's other readers say the same of the same
// input (TestMarkupDeclEveryReader in internal/xmlerr).
func TestMarkupDeclPlaces(t *testing.T) {
	const eof = -1
	for _, tc := range []struct {
		decl string
		at   [3]int // offset from the "<!" before, inside and after the root, or eof
	}{
		{"<!>", [3]int{0, 0, 0}},
		{"<!-", [3]int{0, 0, eof}},
		{"<!x", [3]int{0, 0, 0}},
		{"<![", [3]int{0, 0, 0}},
		{"<!DOCTYPE", [3]int{0, 0, 0}},
		{"<!DOCTYPE x", [3]int{0, 0, 0}},
		{"<!DOCTYPE x [", [3]int{0, 0, 0}},
		{"<!DOC", [3]int{0, 0, eof}},
	} {
		for place, in := range []string{tc.decl + envOpen + envClose, envOpen + tc.decl + envClose, envOpen + envClose + tc.decl} {
			decl := []int{0, len(envOpen), len(envOpen + envClose)}[place]
			_, err := ReadMessage([]byte(in), Limits{})
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrSyntax) {
				t.Errorf("%q: %v: want a DecodeError matching ErrSyntax", in, err)
				continue
			}
			eofErr := strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "end of input")
			switch want := tc.at[place]; {
			case want == eof:
				if !eofErr || de.Offset != int64(len(in)) {
					t.Errorf("%q: %v (offset %d): want the end of input at %d", in, err, de.Offset, len(in))
				}
			case eofErr || de.Offset != int64(decl+want):
				t.Errorf("%q: %v (offset %d): want a syntax error at %d", in, err, de.Offset, decl+want)
			case strings.HasPrefix(tc.decl, "<!DOCTYPE") && !errors.Is(err, ErrDOCTYPE):
				t.Errorf("%q: %v: want ErrDOCTYPE", in, err)
			}
		}
	}
}
