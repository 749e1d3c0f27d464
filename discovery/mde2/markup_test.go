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
