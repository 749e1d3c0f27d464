package session

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestServerBeforeReply checks that the server's BeforeReply sees what the
// device answered and that what it queues goes out in the same reply,
// and that it is not called for a replay.
func TestServerBeforeReply(t *testing.T) {
	var seen []string
	cfg := &Config{BeforeReply: func(_ context.Context, s *Session, m *syncml.Message, x *Exchange) {
		seen = append(seen, "msg "+m.Header.MsgID)
		for _, o := range x.Outcomes {
			if len(o.Results) == 0 {
				continue
			}
			v := o.Results[0].Items[0].Data.Value
			seen = append(seen, o.Command.ElementName()+" "+v)
			if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{
				Target: &syncml.Location{LocURI: "./DevDetail/Ext/Copy"}, Data: syncml.Text(v)}}}); err != nil {
				t.Error(err)
			}
		}
	}}
	s := NewSession(cfg)
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, devMsg("1", "1", alert1201))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Get"}, summary(x.Reply)); d != "" {
		t.Errorf("reply 1 (-want +got):\n%s", d)
	}
	answer := devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./DevDetail/SwV</LocURI></Source>`+
		`<Data>10.0.26100</Data></Item></Results>`)
	x = handle(t, s, answer)
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Replace"}, summary(x.Reply)); d != "" {
		t.Errorf("reply 2 (-want +got):\n%s", d)
	}
	if r := x.Reply.Body.Commands[1].(*syncml.Replace); r.Items[0].Data.Value != "10.0.26100" {
		t.Errorf("Replace carries %q", r.Items[0].Data.Value)
	}
	if x.Done {
		t.Error("reply 2 with a Replace is Done")
	}
	// A replay answers the same without calling the hook again.
	x = handle(t, s, answer)
	if !x.Replayed {
		t.Error("re-sent message not replayed")
	}
	if d := cmp.Diff([]string{"msg 1", "msg 2", "Get 10.0.26100"}, seen); d != "" {
		t.Errorf("hook calls (-want +got):\n%s", d)
	}
}

// TestClientBeforeReply checks that the client's BeforeReply runs after
// the Handler applied the server's commands, that what it queues goes out
// in the same reply, after the Statuses, and that it is not called for a
// message of Statuses only.
func TestClientBeforeReply(t *testing.T) {
	value := "old"
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		value = r.Command.ItemList()[0].Data.Value
		return Response{}
	}))
	calls := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/", Handler: mux,
		BeforeReply: func(_ context.Context, c *Client, m *syncml.Message, x *Exchange) {
			calls++
			if len(x.Outcomes) != 1 || x.Outcomes[0].Command.ElementName() != "Alert" {
				t.Errorf("outcomes %+v", x.Outcomes)
			}
			if err := c.Queue(NewClientEvent(syncml.AlertClientEvent, "com.example/state", value)); err != nil {
				t.Error(err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	srv := func(msgID, body string) *syncml.Message {
		raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>DEV1</LocURI></Target>` +
			`<Source><LocURI>https://mdm.example/</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`
		var m syncml.Message
		if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	x, err := c.Handle(ctx, srv("1", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>`+
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./Vendor/X/Y</LocURI></Target><Data>new</Data></Item></Replace>`))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/3 Replace 200)", "3:Alert"}, summary(x.Reply)); d != "" {
		t.Errorf("reply (-want +got):\n%s", d)
	}
	if a := x.Reply.Body.Commands[2].(*syncml.Alert); a.Items[0].Data.Value != "new" {
		t.Errorf("the alert reports %q, want the value after the Replace", a.Items[0].Data.Value)
	}
	// Statuses only: the session ends and the hook is not called.
	x, err = c.Handle(ctx, srv("2", `<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>2</MsgRef><CmdRef>3</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>`))
	if err != nil {
		t.Fatal(err)
	}
	if !x.Done || x.Reply != nil {
		t.Errorf("Done %v, Reply %v", x.Done, x.Reply)
	}
	if calls != 1 {
		t.Errorf("hook called %d times, want 1", calls)
	}
}

// TestResponseOriginalError checks that Response.OriginalError lands on the
// failed Statuses of the command only, also through a Mux that splits the
// command's items.
func TestResponseOriginalError(t *testing.T) {
	mux := NewMux()
	mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { return Response{} }))
	if err := mux.HandleSubtree("", "./Vendor/MSFT/DMClient", HandlerFunc(func(context.Context, *Request) Response {
		return Response{Code: syncml.StatusCommandFailed, OriginalError: "0x80070002"}
	})); err != nil {
		t.Fatal(err)
	}
	s := NewSession(&Config{Handler: mux})
	x := handle(t, s, devMsg("1", "1", alert1201+
		`<Exec><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/MSFT/DMClient/Provider/P/LinkedEnrollment/Enroll</LocURI></Target></Item></Exec>`+
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./Vendor/X</LocURI></Target><Data>1</Data></Item>`+
		`<Item><Target><LocURI>./Vendor/MSFT/DMClient/Y</LocURI></Target><Data>2</Data></Item></Replace>`))
	var got []string
	for _, c := range x.Reply.Body.Commands {
		st := c.(*syncml.Status)
		got = append(got, st.CmdRef+" "+st.Data.Value+" "+st.Data.OriginalError)
	}
	want := []string{"0 200 ", "1 200 ", "2 500 0x80070002", "3 200 ", "3 500 0x80070002"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	raw, err := syncml.Marshal(x.Reply)
	if err != nil {
		t.Fatal(err)
	}
	var back syncml.Message
	if err := syncml.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if v := back.Body.Commands[2].(*syncml.Status).Data.OriginalError; v != "0x80070002" {
		t.Errorf("after a round trip: %q", v)
	}
}
