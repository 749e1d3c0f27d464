package reconcile

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestUnenrollRequest: the unenrollment alert is found with its Type
// written with white space around it or in another letter case, and
// inside an Atomic or a Sequence; another Type, or that Type in a client
// event (1224), is none.
func TestUnenrollRequest(t *testing.T) {
	alert := func(code syncml.AlertCode, typ string) *syncml.Alert {
		return session.NewAlert(code, syncml.Item{Meta: &syncml.Meta{Type: typ, Format: "int"}, Data: &syncml.Data{Value: "1"}})
	}
	for _, c := range []struct {
		name string
		cmds []syncml.Command
		want bool
	}{
		{"plain", []syncml.Command{alert(syncml.AlertGeneric, unenrollType)}, true},
		{"spaced", []syncml.Command{alert(syncml.AlertGeneric, " \t"+unenrollType+"\n")}, true},
		{"case", []syncml.Command{alert(syncml.AlertGeneric, strings.ToUpper(unenrollType))}, true},
		{"in Atomic", []syncml.Command{&syncml.Atomic{Commands: []syncml.Command{&syncml.Sequence{Commands: []syncml.Command{alert(syncml.AlertGeneric, unenrollType)}}}}}, true},
		{"after others", []syncml.Command{alert(syncml.AlertGeneric, "com.microsoft:mdm.other"), nil, (*syncml.Alert)(nil), (*syncml.Atomic)(nil), alert(syncml.AlertGeneric, unenrollType)}, true},
		{"other type", []syncml.Command{alert(syncml.AlertGeneric, "com.microsoft:mdm.other")}, false},
		{"client event", []syncml.Command{alert(syncml.AlertClientEvent, unenrollType)}, false},
		{"none", nil, false},
	} {
		if got := unenrollRequest(&syncml.Message{Body: syncml.Body{Commands: c.cmds}}); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestTombstoneCodec: the tombstone (Left) is stored after the summary,
// only when set, and read back; a state without it is stored as before.
func TestTombstoneCodec(t *testing.T) {
	for _, st := range []*deviceState{{Left: "2"}, {Left: "S1", LastMsg: "S0/4", Refresh: 60}} {
		raw, err := encodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeStored(string(raw))
		if err != nil || back.Left != st.Left || back.LastMsg != st.LastMsg || back.Refresh != st.Refresh {
			t.Errorf("%+v read back as %+v (%v)", st, back, err)
		}
		without := *st
		without.Left = ""
		plain, err := encodeState(&without)
		if err != nil || string(raw[:len(plain)]) != string(plain) {
			t.Errorf("%+v: %q, want %q and the tombstone after it", st, raw, plain)
		}
	}
	empty, err := encodeState(&deviceState{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeStored(string(append(empty, 0))); err == nil {
		t.Error("an empty tombstone reads")
	}
}

// BenchmarkUnenrollRequest looks for the unenrollment alert in a message
// as a device sends in each of its sessions: a session alert, a client
// event and the summary, the last inside a Sequence.
func BenchmarkUnenrollRequest(b *testing.B) {
	m := &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{
		session.NewAlert(syncml.AlertClientInitiated),
		session.NewClientEvent(syncml.AlertClientEvent, "com.microsoft:mdm.LoginStatus", "user"),
		&syncml.Sequence{Commands: []syncml.Command{session.NewClientEvent(syncml.AlertClientEvent, "com.microsoft.mdm.declaredconfigurationdocuments", "<DeclaredConfigurations/>")}},
	}}}
	b.ReportAllocs()
	for b.Loop() {
		if unenrollRequest(m) {
			b.Fatal("found")
		}
	}
}
