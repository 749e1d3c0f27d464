package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientRefusalStatusesOneOutcome: a server that refuses a device
// message at its SyncHdr (401) with a Status for each command of it (as
// OMA DM has an authentication failure answer every command of the
// request), package 1 or a later message, ran none of it: the Client
// sends its commands again (EachMessage's aside, which end with an
// Outcome of the refusal), so each command gets one Outcome in the
// session, that of the message the server ran: a command the device
// queued has its Status (200) and nothing of the refusal's 401, an alert
// given to Start too, and EachMessage's command of the refused message
// the refusal's Err alone. Before, the refusal's Statuses were reported
// as well: two Outcomes for one command, the first saying 401 for a
// command the server then ran.
func TestClientRefusalStatusesOneOutcome(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refuse  int  // the server message (by number) that is a refusal
		code    int  // the code of the refusal's Statuses for commands
		queueAt bool // the Replace is queued before the device's reply (else before Start)
	}{
		{name: "package 1, 401", refuse: 1, code: 401},
		{name: "package 1, 200", refuse: 1, code: 200},
		{name: "reply, 401", refuse: 2, code: 401, queueAt: true},
		{name: "reply, 200", refuse: 2, code: 200, queueAt: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var made []syncml.Command
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Credentials: &ClientAuth{Username: "u", Password: "p"}, Handler: Accept,
				EachMessage: func(context.Context) ([]syncml.Command, error) {
					a := NewClientEvent(syncml.AlertClientEvent, "com.example/state", fmt.Sprint(len(made)+1))
					made = append(made, a)
					return []syncml.Command{a}, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			q := objReplace("./Q", "q")
			if !tc.queueAt {
				if err := c.Queue(q); err != nil {
					t.Fatal(err)
				}
			}
			start := NewClientEvent(syncml.AlertClientEvent, "com.example/start", "s")
			m, err := c.Start(ctx, "1", start)
			if err != nil {
				t.Fatal(err)
			}
			outs := map[syncml.Command][]Outcome{}
			for msg := 1; ; msg++ {
				if msg == 20 {
					t.Fatal("the session does not end")
				}
				s := newObjScript(m)
				if msg == tc.refuse {
					var b strings.Builder
					fmt.Fprintf(&b, `<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>`+
						`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>`+
						`<Data>401</Data></Status>`, m.Header.MsgID)
					s.body.Reset()
					s.body.WriteString(b.String())
					for _, x := range m.Body.Commands {
						if !isAnswer(x) {
							s.status(m.Header.MsgID, x.ID(), x.ElementName(), fmt.Sprint(tc.code))
						}
					}
				} else {
					s.answer(m, nil)
				}
				if msg == 1 && tc.refuse != 1 || msg == 2 && tc.refuse == 1 {
					s.get() // the session goes on after package 1
				}
				if msg == 1 && tc.queueAt {
					if err := c.Queue(q); err != nil {
						t.Fatal(err)
					}
				}
				cx, err := c.HandleInbound(ctx, s.inbound(msg, "", true))
				if err != nil {
					t.Fatalf("server message %d: %v", msg, err)
				}
				for _, o := range cx.Outcomes {
					outs[o.Command] = append(outs[o.Command], o)
				}
				if cx.Done {
					break
				}
				m = cx.Reply
			}
			for x, os := range outs {
				if len(os) != 1 {
					var got []string
					for _, o := range os {
						got = append(got, fmt.Sprintf("{msg %s status %v err %v}", o.MsgID, o.Status, o.Err))
					}
					t.Errorf("%s %s: %d Outcomes %v, want one", x.ElementName(), x.ID(), len(os), got)
				}
			}
			for _, x := range []syncml.Command{q, start} {
				os := outs[x]
				if len(os) == 0 {
					t.Errorf("%s: no Outcome", x.ElementName())
					continue
				}
				if o := os[len(os)-1]; o.Err != nil || o.Status == nil || o.Status.Data.Value != "200" {
					t.Errorf("%s: last Outcome %+v, want the Status 200 of the message the server ran", x.ElementName(), o)
				}
			}
			refusedEach := made[0]
			if tc.refuse == 2 {
				refusedEach = made[1]
			}
			if os := outs[refusedEach]; len(os) == 0 || !errors.Is(os[len(os)-1].Err, ErrInvalidCredentials) {
				t.Errorf("EachMessage's command of the refused message: Outcomes %+v, want the refusal's Err", os)
			}
		})
	}
}
