package agent_test

import (
	"context"
	"strings"
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

// TestUnmarshalSameReplies checks that a device whose Client decodes with
// Agent.Unmarshal answers a server message byte for byte as one that
// decodes with syncml.Unmarshal: documents in markup (accepted, refused
// by the reader, refused by Validate, with the Data before the Target),
// in CDATA and in text.
func TestUnmarshalSameReplies(t *testing.T) {
	id := func(i int) string { return []string{vpnID, bulkID, invID, "10249228-E719-58BF-B459-060DE45240F1"}[i] }
	doc := func(i int, ck string) string {
		d := vpnDoc(ck)
		d.ID = id(i)
		return text(t, d)
	}
	uri := func(i int) string {
		return declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id(i)).String()
	}
	item := func(i int, data string) string {
		return `<Item><Target><LocURI>` + uri(i) + `</LocURI></Target><Data>` + data + `</Data></Item>`
	}
	body := `<Add><CmdID>2</CmdID>` + item(0, doc(0, "1")) + `</Add>` +
		`<Add><CmdID>3</CmdID>` + item(1, `<Other/>`) + `</Add>` +
		`<Add><CmdID>4</CmdID>` + item(2, doc(0, "1")) + `</Add>` + // id differs from the URI's
		`<Atomic><CmdID>5</CmdID><Add><CmdID>6</CmdID><Item><Data>` + doc(3, "1") + `</Data><Target><LocURI>` + uri(3) + `</LocURI></Target></Item></Add>` +
		`<Replace><CmdID>7</CmdID>` + item(0, `<![CDATA[`+doc(0, "2")+`]]>`) + `</Replace></Atomic>` +
		`<Replace><CmdID>8</CmdID>` + item(3, strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(doc(3, "3"))) + `</Replace>`
	raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)

	reply := func(oneDecode bool) string {
		a := newAgent(t, agent.Config{})
		mux := session.NewMux()
		if err := a.Register(mux); err != nil {
			t.Fatal(err)
		}
		c, err := session.NewClient(session.ClientConfig{DeviceID: "d", ServerURI: "s", Handler: mux, EachMessage: a.EachMessage})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		var m syncml.Message
		decode := syncml.Unmarshal
		if oneDecode {
			decode = a.Unmarshal
		}
		if err := decode(raw, &m); err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, &m)
		if err != nil {
			t.Fatal(err)
		}
		return string(x.Raw)
	}
	one, two := reply(true), reply(false)
	if one != two {
		t.Fatalf("replies differ:\nAgent.Unmarshal:  %s\nsyncml.Unmarshal: %s", one, two)
	}
	for _, want := range []string{"<CmdRef>2</CmdRef><Cmd>Add</Cmd><TargetRef>" + uri(0) + "</TargetRef><Data>200</Data>",
		"<CmdRef>3</CmdRef><Cmd>Add</Cmd><TargetRef>" + uri(1) + "</TargetRef><Data>400</Data>",
		"<CmdRef>4</CmdRef><Cmd>Add</Cmd><TargetRef>" + uri(2) + "</TargetRef><Data>400</Data>",
		"<CmdRef>8</CmdRef><Cmd>Replace</Cmd><TargetRef>" + uri(3) + "</TargetRef><Data>200</Data>"} {
		if !strings.Contains(one, want) {
			t.Errorf("reply lacks %s:\n%s", want, one)
		}
	}
}
