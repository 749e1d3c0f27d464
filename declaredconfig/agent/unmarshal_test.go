package agent_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// wire returns the bytes of a server message carrying cmds.
func wire(t *testing.T, cmds ...syncml.Command) []byte {
	t.Helper()
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "d"}, Source: syncml.Location{LocURI: "s"}},
		Body: syncml.Body{Final: true, Commands: cmds}}
	syncml.NumberCommands(m.Body.Commands, 2)
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnmarshal checks that Agent.Unmarshal gives syncml.Unmarshal's
// message and that ServeCommand then takes the document it read with the
// message: the Data's value is not read again (a value spoilt after
// Unmarshal changes nothing), while a Data it did not read is.
func TestUnmarshal(t *testing.T) {
	u := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	add, err := declaredconfig.AddDocument(u, vpnDoc("1"), syncml.DataXML)
	if err != nil {
		t.Fatal(err)
	}
	bad := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, invID).String()},
		Data: syncml.XML(`<Other/>`)}}}
	raw := wire(t, add, bad)

	a := newAgent(t, agent.Config{})
	var m, want syncml.Message
	if err := a.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if err := syncml.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&want, &m); d != "" {
		t.Fatalf("message differs from syncml.Unmarshal's:\n%s", d)
	}
	got := m.Body.Commands[0].(*syncml.Add)
	got.Items[0].Data.Value = "spoilt"
	serve := func(c syncml.Command) syncml.StatusCode {
		r := a.ServeCommand(context.Background(), &session.Request{Command: c})
		if len(r.ItemCodes) > 0 {
			return r.ItemCodes[0]
		}
		if r.Code == 0 {
			return syncml.StatusOK
		}
		return r.Code
	}
	if code := serve(got); code != syncml.StatusOK {
		t.Fatalf("Add of the document read with the message: %d", code)
	}
	if e := entry(a, vpnID); e.Checksum != "1" {
		t.Fatalf("summary entry %+v", e)
	}
	if code := serve(m.Body.Commands[1]); code != syncml.StatusBadRequest {
		t.Fatalf("Add of a document refused while reading the message: %d", code)
	}
	// once taken, a document is not given again: the value is read
	if code := serve(&syncml.Replace{CmdID: "9", Items: got.Items}); code != syncml.StatusBadRequest {
		t.Fatalf("Replace with the same, spoilt, Data: %d", code)
	}
	// a Data of another message, not read by Unmarshal
	other := newAgent(t, agent.Config{})
	add2, _ := declaredconfig.AddDocument(u, vpnDoc("2"), syncml.DataXML)
	if r := other.ServeCommand(context.Background(), &session.Request{Command: add2}); len(r.ItemCodes) > 0 && r.ItemCodes[0] != syncml.StatusOK {
		t.Fatalf("Add without Unmarshal: %d", r.ItemCodes[0])
	}
}
