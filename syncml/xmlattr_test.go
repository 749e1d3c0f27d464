package syncml_test

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/windc-go/windc/syncml"
)

// TestXMLAttrRefused: xml:space and xml:lang on an element of the model
// are refused with ErrStructure at the attribute, by Unmarshal and the
// Decoder alike, and the error says why (the model keeps none, and text
// is kept as written whatever xml:space says); other attributes keep the
// plain message.
func TestXMLAttrRefused(t *testing.T) {
	for _, tt := range []struct {
		name, in, attr, elem string
		why                  bool
	}{
		{"structural", oddItem(`<Target xml:space="preserve"><LocURI>./a</LocURI></Target><Data>x</Data>`), `xml:space`, "Target", true},
		{"leaf", oddItem(`<Target><LocURI xml:space="default">./a</LocURI></Target><Data>x</Data>`), `xml:space`, "LocURI", true},
		{"Data", oddItem(`<Target><LocURI>./a</LocURI></Target><Data xml:space="preserve"> x </Data>`), `xml:space`, "Data", true},
		{"command", oddMsg(`<Get xml:lang="en"><CmdID>1</CmdID><Item><Target><LocURI>a</LocURI></Target></Item></Get>`), `xml:lang`, "Get", true},
		{"root", strings.Replace(oddMsg(``), `<SyncML `, `<SyncML xml:space="preserve" `, 1), `xml:space`, "SyncML", true},
		{"other", oddItem(`<Target id="1"><LocURI>./a</LocURI></Target><Data>x</Data>`), `id`, "Target", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m syncml.Message
			uerr := syncml.Unmarshal([]byte(tt.in), &m)
			derr := syncml.NewDecoder(iotest.OneByteReader(strings.NewReader(tt.in))).Decode(&m)
			for _, err := range []error{uerr, derr} {
				var de *syncml.DecodeError
				if !errors.As(err, &de) || !errors.Is(err, syncml.ErrStructure) {
					t.Fatalf("err = %v, want a DecodeError of ErrStructure", err)
				}
				if !strings.HasPrefix(tt.in[de.Offset:], tt.attr+"=") {
					t.Errorf("Offset %d is not at %s: %v", de.Offset, tt.attr, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, "unexpected attribute "+tt.attr+" on <"+tt.elem+">") {
					t.Errorf("err = %v, want it to name %s on <%s>", err, tt.attr, tt.elem)
				}
				if got := strings.Contains(msg, "kept exactly as written"); got != tt.why {
					t.Errorf("err = %v: says why %v, want %v", err, got, tt.why)
				}
			}
		})
	}
}
