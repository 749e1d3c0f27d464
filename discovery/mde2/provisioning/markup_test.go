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
// stopped. Another declaration ("<!ENTITY", "<!doctype", a DOCTYPE
// inside the root) is said so too, not as a DOCTYPE (ErrDOCTYPE stays
// for a DOCTYPE outside the root); before, each was "DOCTYPE not
// allowed".
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
		{"DOCTYPE in the root", `<wap-provisioningdoc><!DOCTYPE x></wap-provisioningdoc>`, 21, `invalid markup declaration "<!DOC": expected "<!--" or "<![CDATA["`},
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
