package session

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientRefusalWithCommands: a server message that refuses the
// device's last message at its SyncHdr (401) answers with Statuses alone
// in OMA DM; one that carries commands of the server's as well (a
// Replace, a Get, an Alert) is refused by Handle with an error matching
// ErrProtocol, and the Client stays as it was: the refusal sent again
// without the command gets the message sent again, numbered as it would
// have been. Before, the commands were dropped without a word: not run,
// no Status for them, nothing in the Exchange.
func TestClientRefusalWithCommands(t *testing.T) {
	for _, tc := range []struct {
		name  string
		at    int // the server message that refuses (1: package 1)
		extra string
	}{
		{"package 1, Replace", 1, `<Replace><CmdID>9</CmdID><Item><Target><LocURI>./R</LocURI></Target><Data>x</Data></Item></Replace>`},
		{"reply, Get", 2, `<Get><CmdID>9</CmdID><Item><Target><LocURI>./G</LocURI></Target></Item></Get>`},
		{"reply, Alert", 2, `<Alert><CmdID>9</CmdID><Data>1223</Data></Alert>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var ran []string
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Credentials: &ClientAuth{Username: "u", Password: "p"},
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					ran = append(ran, r.Command.ElementName())
					return Response{}
				})})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			for msg := 1; msg < tc.at; msg++ {
				s := newObjScript(m)
				s.answer(m, nil)
				s.get()
				cx, err := c.HandleInbound(ctx, s.inbound(msg, "", true))
				if err != nil {
					t.Fatal(err)
				}
				m = cx.Reply
			}
			ran = nil
			refusal := func(extra string) *Inbound {
				return &Inbound{Raw: []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
					fmt.Sprintf(`<MsgID>%d</MsgID>`, tc.at) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` +
					`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
					`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
					`<Data>401</Data></Status>` + extra + `<Final/></SyncBody></SyncML>`)}
			}
			cx, err := c.HandleInbound(ctx, refusal(tc.extra))
			if !errors.Is(err, ErrProtocol) {
				var reply []string
				if cx != nil && cx.Reply != nil {
					for _, x := range cx.Reply.Body.Commands {
						reply = append(reply, x.ElementName())
					}
				}
				t.Fatalf("a refusal carrying a command: err %v, reply %v, ran %v; want an error matching ErrProtocol", err, reply, ran)
			}
			if len(ran) != 0 {
				t.Errorf("the Handler ran %v", ran)
			}
			cx, err = c.HandleInbound(ctx, refusal(""))
			if err != nil {
				t.Fatalf("the refusal alone after: %v", err)
			}
			if want := fmt.Sprint(tc.at + 1); cx.Reply == nil || cx.Reply.Header.MsgID != want || cx.Reply.Header.Cred == nil {
				t.Fatalf("the message sent again: %+v, want MsgID %s with a Cred", cx.Reply, want)
			}
			if tc.at == 1 {
				if a, ok := cx.Reply.Body.Commands[0].(*syncml.Alert); !ok || a.Data == nil || a.Data.Value != "1201" {
					t.Errorf("package 1 sent again starts with %v, want Alert 1201", cx.Reply.Body.Commands[0])
				}
			}
		})
	}
}
