package provisioning

import (
	"errors"
	"strings"
	"testing"
)

// TestMarkupDeclHint: a "<!" that starts no comment or CDATA section (a
// typographic dash, "<!-—", as a word processor makes of "<!--") is
// refused at its "<" with what came and what was expected there, as
// syncml's decoder and mde2's reader say it. Before, the message was
// encoding/xml's ("invalid sequence <!- not part of <!--", "invalid <![
// sequence", which names nothing expected) at the offset where it
// stopped. Another declaration ("<!ENTITY", "<!doctype") is said so too,
// not as a DOCTYPE; before, each was "DOCTYPE not allowed". A DOCTYPE
// is ErrDOCTYPE wherever it stands (TestMarkupDeclPlaces).
func TestMarkupDeclHint(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		off      int64
		want     string
	}{
		{"in the root", `<wap-provisioningdoc><!-—x--></wap-provisioningdoc>`, 21, `invalid markup declaration "<!-—x": expected "<!--" or "<![CDATA["`},
		{"before the root", `<!-—x--><wap-provisioningdoc/>`, 0, `invalid markup declaration "<!-—x": expected "<!--"`},
		{"after text", `<wap-provisioningdoc> <!-x--></wap-provisioningdoc>`, 22, `invalid markup declaration "<!-x-": expected "<!--" or "<![CDATA["`},
		{"CDATA misspelt", `<wap-provisioningdoc><![CDAT[x]]></wap-provisioningdoc>`, 21, `invalid markup declaration "<![CD": expected "<!--" or "<![CDATA["`},
		{"cut at a '>'", `<wap-provisioningdoc><!->x</wap-provisioningdoc>`, 21, `invalid markup declaration "<!->": expected "<!--" or "<![CDATA["`},
		// Other declarations, which encoding/xml reads as a Directive:
		// before, each was refused as "DOCTYPE not allowed".
		{"ENTITY before the root", `<!ENTITY a "b"><wap-provisioningdoc/>`, 0, `invalid markup declaration "<!ENT": expected "<!--"`},
		{"ENTITY in the root", `<wap-provisioningdoc><!ENTITY a "b"></wap-provisioningdoc>`, 21, `invalid markup declaration "<!ENT": expected "<!--" or "<![CDATA["`},
		{"lower-case doctype", `<!doctype x><wap-provisioningdoc/>`, 0, `invalid markup declaration "<!doc": expected "<!--"`},
		{"after the root", `<wap-provisioningdoc/><!x>`, 22, `invalid markup declaration "<!x>": expected "<!--"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Document
			err := Unmarshal([]byte(tc.in), &d)
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrSyntax) || errors.Is(err, ErrDOCTYPE) {
				t.Fatalf("%v: want a DecodeError matching ErrSyntax, not ErrDOCTYPE", err)
			}
			if !strings.HasSuffix(err.Error(), tc.want) || de.Offset != tc.off {
				t.Errorf("%v (offset %d): want it to end %q at offset %d", err, de.Offset, tc.want, tc.off)
			}
		})
	}
}

// TestMarkupDeclPlaces: a "<!" that starts nothing XML allows where it
// stands ("<!>", "<!x", a "<!-" or "<![" followed by a tag, a DOCTYPE
// without its end) is refused at its "<" with a syntax error (a DOCTYPE
// as ErrDOCTYPE, inside the root too, as the module's other readers say
// it; before, there it was "invalid markup declaration"), before the
// root, inside it and after it. Before, encoding/xml read "<!>", "<!x"
// and "<!DOCTYPE" as the start of a directive, which ran past the tags
// that followed to the end of the input: the error was an end of input
// at the end. Only a "<!-" or "<!DOC" that the input ends with (where a
// comment or DOCTYPE may have started) is the end of input.
func TestMarkupDeclPlaces(t *testing.T) {
	const open, close = "<wap-provisioningdoc>", "</wap-provisioningdoc>"
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
		for place, in := range []string{tc.decl + open + close, open + tc.decl + close, open + close + tc.decl} {
			decl := []int{0, len(open), len(open + close)}[place]
			var d Document
			err := Unmarshal([]byte(in), &d)
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
