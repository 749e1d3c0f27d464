package session

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Every Outcome names the message that carried its command by SessionID
// and MsgID: MsgIDs start again at 1 in every session, so the abandoned
// Outcomes of an earlier session, handed out in the next one, could not
// be told from the new session's by MsgID alone (they had no SessionID).
// On a Client: session 1's package 1 (Alert 1201 and a client event) is
// never answered; session 2's package 1, message 1 too, is. The Exchange
// that answers session 2's first message holds both sessions' Outcomes.
func TestClientOutcomeSessionID(t *testing.T) {
	ctx := context.Background()
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/"})
	if err != nil {
		t.Fatal(err)
	}
	event := NewClientEvent(syncml.AlertClientEvent, "com.example/state", "on")
	if err := c.Queue(event); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	m2, err := c.Start(ctx, "2") // session 1 given up
	if err != nil {
		t.Fatal(err)
	}
	raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>2</SessionID><MsgID>1</MsgID><Target><LocURI>DEV1</LocURI></Target>` +
		`<Source><LocURI>https://mdm.example/</LocURI></Source></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>` + m2.Body.Commands[0].ID() + `</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>` +
		`<Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, &m)
	if err != nil {
		t.Fatal(err)
	}
	type named struct {
		session, msg string
		abandoned    bool
	}
	var got []named
	for _, o := range x.Outcomes {
		got = append(got, named{o.SessionID, o.MsgID, o.Abandoned})
	}
	want := []named{{"1", "1", true}, {"1", "1", true}, {"2", "1", false}}
	if len(got) != len(want) {
		t.Fatalf("Outcomes %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Outcome %d (%s): %+v, want %+v", i, x.Outcomes[i].Command.ElementName(), got[i], want[i])
		}
	}
	if x.Outcomes[1].Command != event {
		t.Errorf("the second Outcome is not session 1's event")
	}
}

// The same on a Server: the Get sent in session 1, message 1, never
// answered, is abandoned when the device starts session 2; its Outcome
// names session 1, and the Outcome of the Get answered in session 2 names
// session 2.
func TestServerOutcomeSessionID(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var outs []Outcome
	srv := NewServer(ServerConfig{OnExchange: func(_ context.Context, x *Exchange) {
		mu.Lock()
		defer mu.Unlock()
		outs = append(outs, x.Outcomes...)
	}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	const p1 = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>`
	var getIDs []string
	for _, sid := range []string{"1", "2"} {
		if err := srv.Queue(ctx, "DEV", get("./DevDetail/SwV")); err != nil {
			t.Fatal(err)
		}
		reply, _ := postReply(t, ts.Client(), ts.URL, strangerMessage(sid, "1", p1, nil), "")
		getIDs = append(getIDs, cmdIDOf(reply, "Get"))
	}
	answer := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>` + getIDs[1] + `</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status><Final/>`
	postReply(t, ts.Client(), ts.URL, strangerMessage("2", "2", answer, nil), "")
	mu.Lock()
	defer mu.Unlock()
	var gets []Outcome
	for _, o := range outs {
		if _, ok := o.Command.(*syncml.Get); ok {
			gets = append(gets, o)
		}
	}
	if len(gets) != 2 {
		t.Fatalf("%d Outcomes for the Gets, want 2", len(gets))
	}
	if o := gets[0]; o.SessionID != "1" || o.MsgID != "1" || !o.Abandoned {
		t.Errorf("the Get of session 1: SessionID %q, MsgID %q, Abandoned %v; want 1, 1, true", o.SessionID, o.MsgID, o.Abandoned)
	}
	if o := gets[1]; o.SessionID != "2" || o.MsgID != "1" || o.Status == nil {
		t.Errorf("the Get of session 2: SessionID %q, MsgID %q, Status %v; want 2, 1, its Status", o.SessionID, o.MsgID, o.Status)
	}
}
