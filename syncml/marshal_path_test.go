package syncml

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestMarshalErrorPath: an error of Marshal names the element path, in the
// form decode errors use, and the CmdID of the innermost command around
// it, whichever writer wrote it (compact, indented, streaming), and keeps
// matching its cause.
func TestMarshalErrorPath(t *testing.T) {
	item := func(it Item) *Message {
		return &Message{Body: Body{Commands: []Command{&Replace{CmdID: "4", Items: []Item{{Target: &Location{LocURI: "./ok"}}, it}}}}}
	}
	self := &Atomic{CmdID: "7"}
	self.Commands = []Command{self}
	tests := []struct {
		name  string
		m     *Message
		cause error
		want  string
	}{
		{"LocURI of a Target", item(Item{Target: &Location{LocURI: "ab\x00"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item/Target/LocURI (CmdID "4"): character not allowed in XML: U+0000 at byte 2`},
		{"LocName of a Source", item(Item{Source: &Location{LocURI: "a", LocName: "\x01"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item/Source/LocName (CmdID "4"): character not allowed in XML: U+0001 at byte 0`},
		{"XML Data", item(Item{Target: &Location{LocURI: "a"}, Data: &Data{Kind: DataXML, Value: "<a>"}}), ErrSyntax,
			`syncml: marshal /SyncML/SyncBody/Replace/Item/Data (CmdID "4"): value byte 3: not well-formed: unexpected EOF`},
		{"Meta Type of an Item", item(Item{Meta: &Meta{Type: "\uFFFE"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item/Meta/Type (CmdID "4"): character not allowed in XML: U+FFFE at byte 0`},
		{"Anchor in a command's Meta", &Message{Body: Body{Commands: []Command{&Alert{CmdID: "2", Items: []Item{{Meta: &Meta{Anchor: &Anchor{Next: "\x02"}}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Alert/Item/Meta/Anchor/Next (CmdID "2"): character not allowed in XML: U+0002 at byte 0`},
		{"in an Atomic", &Message{Body: Body{Commands: []Command{&Atomic{CmdID: "3", Commands: []Command{&Delete{CmdID: "5", Items: []Item{{Target: &Location{LocURI: "\x00"}}}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Atomic/Delete/Item/Target/LocURI (CmdID "5"): character not allowed in XML: U+0000 at byte 0`},
		{"Status Cred Data", &Message{Body: Body{Commands: []Command{&Status{CmdID: "1", Cred: &Cred{Data: &Data{Value: "\x03"}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Status/Cred/Data (CmdID "1"): character not allowed in XML: U+0003 at byte 0`},
		{"Results TargetRef", &Message{Body: Body{Commands: []Command{&Results{CmdID: "9", TargetRef: []string{"\x04"}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Results/TargetRef (CmdID "9"): character not allowed in XML: U+0004 at byte 0`},
		{"Atomic containing itself", &Message{Body: Body{Commands: []Command{self}}}, ErrStructure,
			`syncml: marshal /SyncML/SyncBody/Atomic/Atomic (CmdID "7"): unexpected structure: Atomic contains itself`},
		{"nil command", &Message{Body: Body{Commands: []Command{nil}}}, ErrStructure,
			`syncml: marshal /SyncML/SyncBody: unexpected structure: nil Command`},
		{"header LocURI", &Message{Header: Header{Source: Location{LocURI: "\x05"}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncHdr/Source/LocURI: character not allowed in XML: U+0005 at byte 0`},
		{"header Meta MaxMsgSize", &Message{Header: Header{Meta: &Meta{MaxMsgSize: "\x06"}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncHdr/Meta/MaxMsgSize: character not allowed in XML: U+0006 at byte 0`},
		{"EmptyTarget with content", &Message{Header: Header{EmptyTarget: true, Target: Location{LocURI: "x"}}}, ErrStructure,
			`syncml: marshal /SyncML/SyncHdr/Target: unexpected structure: EmptyTarget set on a Target with content`},
		{"root namespace", &Message{XMLNS: NamespaceXMLURI}, ErrNamespace,
			`syncml: marshal /SyncML/@xmlns: namespace not well-formed: ` + NamespaceXMLURI + ` is a reserved namespace`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.m)
			_, ierr := MarshalIndent(tt.m, "", " ")
			serr := NewEncoder(io.Discard).Encode(tt.m)
			for how, err := range map[string]error{"Marshal": err, "MarshalIndent": ierr, "Encoder": serr} {
				if !errors.Is(err, tt.cause) {
					t.Errorf("%s: %v; want an error matching %v", how, err, tt.cause)
				}
				if err == nil || err.Error() != tt.want {
					t.Errorf("%s:\n got %v\nwant %s", how, err, tt.want)
				}
			}
		})
	}
	// a limit error keeps its type
	deep := strings.Repeat("<a>", DefaultMaxDataDepth+1) + strings.Repeat("</a>", DefaultMaxDataDepth+1)
	m := item(Item{Data: &Data{Kind: DataXML, Value: deep}})
	var le *LimitError
	if _, err := Marshal(m); !errors.As(err, &le) || !strings.HasPrefix(err.Error(), `syncml: marshal /SyncML/SyncBody/Replace/Item/Data (CmdID "4"): limit MaxDataDepth`) {
		t.Errorf("Marshal: %v; want a *LimitError in /SyncML/SyncBody/Replace/Item/Data", err)
	}
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	enc.SetMaxDepth(4)
	if err := enc.Encode(item(Item{})); !errors.As(err, &le) || le.Path != "/SyncML/SyncBody/Replace" {
		t.Errorf("Encoder: %v; want a *LimitError in /SyncML/SyncBody/Replace", err)
	}
}
