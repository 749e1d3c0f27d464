package session

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestClientEachMessage checks that EachMessage's commands are in every
// message the client builds (package 1 after Alert 1201, a reply, a
// message asking for the rest of the server's package), first after the
// SyncHdr Status, built after the Handler ran, and that its error stops
// the message.
func TestClientEachMessage(t *testing.T) {
	value := "old"
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		value = r.Command.ItemList()[0].Data.Value
		return Response{}
	}))
	calls := 0
	var fail error
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/", Handler: mux,
		DevInfo: DevInfo{DevID: "DEV1"},
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			calls++
			return []syncml.Command{NewClientEvent(syncml.AlertClientEvent, "com.example/state", value+" "+strconv.Itoa(calls))}, fail
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1:Alert", "2:Alert", "3:Replace"}, summary(m)); d != "" {
		t.Errorf("package 1 (-want +got):\n%s", d)
	}
	if v := m.Body.Commands[1].(*syncml.Alert).Items[0].Data.Value; v != "old 1" {
		t.Errorf("package 1 reports %q", v)
	}
	srv := func(msgID, body string, final bool) *syncml.Message {
		f := ""
		if final {
			f = "<Final/>"
		}
		raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>DEV1</LocURI></Target>` +
			`<Source><LocURI>https://mdm.example/</LocURI></Source></SyncHdr><SyncBody>` + body + f + `</SyncBody></SyncML>`
		var m syncml.Message
		if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	hdr := func(ref string) string {
		return `<Status><CmdID>1</CmdID><MsgRef>` + ref + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	}
	// The server's package goes on: the device asks for the rest (1222)
	// and still reports.
	x, err := c.Handle(ctx, srv("1", hdr("1")+
		`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/X/Y</LocURI></Target><Data>mid</Data></Item></Replace>`, false))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Alert", "3:Status(1/2 Replace 200)", "4:Alert"}, summary(x.Reply)); d != "" {
		t.Errorf("continuation (-want +got):\n%s", d)
	}
	if v := x.Reply.Body.Commands[1].(*syncml.Alert).Items[0].Data.Value; v != "mid 2" {
		t.Errorf("continuation reports %q, want the value after the Replace", v)
	}
	x, err = c.Handle(ctx, srv("2", hdr("2")+
		`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/X/Y</LocURI></Target><Data>new</Data></Item></Replace>`, true))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Alert", "3:Status(2/2 Replace 200)"}, summary(x.Reply)); d != "" {
		t.Errorf("reply (-want +got):\n%s", d)
	}
	if v := x.Reply.Body.Commands[1].(*syncml.Alert).Items[0].Data.Value; v != "new 3" {
		t.Errorf("reply reports %q", v)
	}
	// An error stops the message.
	fail = errors.New("boom")
	if _, err := c.Handle(ctx, srv("3", hdr("3")+
		`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/X/Y</LocURI></Target><Data>x</Data></Item></Replace>`, true)); !errors.Is(err, fail) {
		t.Errorf("error %v, want %v", err, fail)
	}
}
