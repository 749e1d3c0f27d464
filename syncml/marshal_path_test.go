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
// matching its cause. Of several Items (TargetRefs, SourceRefs, EMIs), the
// path names the one concerned by its position, [n] from 1, as a
// Violation's Path does.
func TestMarshalErrorPath(t *testing.T) {
	item := func(it Item) *Message {
		return &Message{Body: Body{Commands: []Command{&Replace{CmdID: "4", Items: []Item{{Target: &Location{LocURI: "./ok"}}, it}}}}}
	}
	self := &Atomic{CmdID: "7"}
	self.Commands = []Command{self}
	one := func(it Item) *Message {
		return &Message{Body: Body{Commands: []Command{&Get{CmdID: "6", Items: []Item{it}}}}}
	}
	tests := []struct {
		name  string
		m     *Message
		cause error
		want  string
	}{
		{"the first of two Items", &Message{Body: Body{Commands: []Command{&Delete{CmdID: "8", Items: []Item{{Target: &Location{LocURI: "\x00"}}, {Target: &Location{LocURI: "./ok"}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Delete/Item[1]/Target/LocURI (CmdID "8"): character not allowed in XML: U+0000 at byte 0`},
		{"the third of three Items, Source", &Message{Body: Body{Commands: []Command{&Add{CmdID: "8", Items: []Item{{}, {}, {Source: &Location{LocURI: "\x00"}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Add/Item[3]/Source/LocURI (CmdID "8"): character not allowed in XML: U+0000 at byte 0`},
		{"Data of the second Item in a Sequence", &Message{Body: Body{Commands: []Command{&Sequence{CmdID: "1", Commands: []Command{&Replace{CmdID: "2", Items: []Item{{}, {Data: &Data{Value: "\x07"}}}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Sequence/Replace/Item[2]/Data (CmdID "2"): character not allowed in XML: U+0007 at byte 0`},
		{"one Item", one(Item{Target: &Location{LocURI: "\x00"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Get/Item/Target/LocURI (CmdID "6"): character not allowed in XML: U+0000 at byte 0`},
		{"one Item, Meta", one(Item{Meta: &Meta{Format: "\x00"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Get/Item/Meta/Format (CmdID "6"): character not allowed in XML: U+0000 at byte 0`},
		{"the second of two TargetRefs", &Message{Body: Body{Commands: []Command{&Status{CmdID: "1", TargetRef: []string{"a", "\x04"}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Status/TargetRef[2] (CmdID "1"): character not allowed in XML: U+0004 at byte 0`},
		{"the first of two SourceRefs", &Message{Body: Body{Commands: []Command{&Status{CmdID: "1", SourceRef: []string{"\x04", "b"}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Status/SourceRef[1] (CmdID "1"): character not allowed in XML: U+0004 at byte 0`},
		{"the second EMI of a second Item", &Message{Body: Body{Commands: []Command{&Alert{CmdID: "2", Items: []Item{{}, {Meta: &Meta{EMI: []string{"a", "\x04"}}}}}}}}, ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Alert/Item[2]/Meta/EMI[2] (CmdID "2"): character not allowed in XML: U+0004 at byte 0`},
		{"LocURI of a Target", item(Item{Target: &Location{LocURI: "ab\x00"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item[2]/Target/LocURI (CmdID "4"): character not allowed in XML: U+0000 at byte 2`},
		{"LocName of a Source", item(Item{Source: &Location{LocURI: "a", LocName: "\x01"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item[2]/Source/LocName (CmdID "4"): character not allowed in XML: U+0001 at byte 0`},
		{"XML Data", item(Item{Target: &Location{LocURI: "a"}, Data: &Data{Kind: DataXML, Value: "<a>"}}), ErrSyntax,
			`syncml: marshal /SyncML/SyncBody/Replace/Item[2]/Data (CmdID "4"): value byte 3: not well-formed: unexpected EOF`},
		{"Meta Type of an Item", item(Item{Meta: &Meta{Type: "\uFFFE"}}), ErrInvalidChar,
			`syncml: marshal /SyncML/SyncBody/Replace/Item[2]/Meta/Type (CmdID "4"): character not allowed in XML: U+FFFE at byte 0`},
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
	if _, err := Marshal(m); !errors.As(err, &le) || !strings.HasPrefix(err.Error(), `syncml: marshal /SyncML/SyncBody/Replace/Item[2]/Data (CmdID "4"): limit MaxDataDepth`) {
		t.Errorf("Marshal: %v; want a *LimitError in /SyncML/SyncBody/Replace/Item[2]/Data", err)
	}
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	enc.SetMaxDepth(4)
	if err := enc.Encode(item(Item{})); !errors.As(err, &le) || le.Path != "/SyncML/SyncBody/Replace" {
		t.Errorf("Encoder: %v; want a *LimitError in /SyncML/SyncBody/Replace", err)
	}
}
