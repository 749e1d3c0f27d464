package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The Results of a server Get that a message refused in the middle of
// the session (401) carried are held, when it is sent again, to the
// MaxObjSize the refusal announced, as the Handler's Results are when
// they are made: Results of 3000 bytes, whole or cut into chunks none of
// which the server took, are not sent again, the Get's Status becomes 500
// and an Outcome holds the Results (its Items whole) with a *LimitError
// of MaxObjSize; Results a chunk of which the server took go on. Before,
// the Results went again as they were.
func TestClientResendResultsHeldToRefusalMaxObj(t *testing.T) {
	ctx := context.Background()
	data := strings.Repeat("g", 3000)
	for _, tc := range []struct {
		name   string
		maxMsg bool // the server announces a MaxMsgSize of 1500: the Results go in chunks
		begun  bool // the server took the first chunk before it refused a message
	}{
		{name: "whole"},
		{name: "in chunks, none taken", maxMsg: true},
		{name: "in chunks, the first taken", maxMsg: true, begun: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S",
				Credentials: &ClientAuth{Username: "u", Password: "p"},
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					if _, ok := r.Command.(*syncml.Get); ok {
						return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./G"}, Data: syncml.Text(data)}}}
					}
					return Response{}
				})})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			meta := ""
			if tc.maxMsg {
				meta = `<MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize>`
			}
			srv := func(msgID int, meta, body string) *Inbound {
				if meta != "" {
					meta = "<Meta>" + meta + "</Meta>"
				}
				return &Inbound{Raw: []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
					fmt.Sprintf(`<MsgID>%d</MsgID>`, msgID) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` + meta +
					`</SyncHdr><SyncBody>` + body + `</SyncBody></SyncML>`)}
			}
			hdrOK := func(ref string) string {
				return `<Status><CmdID>1</CmdID><MsgRef>` + ref + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
			}
			results := func(m *syncml.Message) []*syncml.Results {
				var out []*syncml.Results
				for _, x := range m.Body.Commands {
					if r, ok := x.(*syncml.Results); ok {
						out = append(out, r)
					}
				}
				return out
			}
			cx, err := c.HandleInbound(ctx, srv(1, meta, hdrOK(m.Header.MsgID)+
				`<Get><CmdID>2</CmdID><Item><Target><LocURI>./G</LocURI></Target></Item></Get><Final/>`))
			if err != nil {
				t.Fatal(err)
			}
			m = cx.Reply
			if r := results(m); len(r) != 1 || (tc.maxMsg != r[0].Items[0].MoreData) {
				t.Fatalf("the reply to the Get carried %d Results, want one (a chunk: %v)", len(r), tc.maxMsg)
			}
			next := 2
			if tc.begun {
				r := results(m)[0]
				cx, err = c.HandleInbound(ctx, srv(2, meta, hdrOK(m.Header.MsgID)+
					`<Status><CmdID>2</CmdID><MsgRef>`+m.Header.MsgID+`</MsgRef><CmdRef>`+r.CmdID+`</CmdRef><Cmd>Results</Cmd><Data>213</Data></Status>`+
					`<Alert><CmdID>3</CmdID><Data>1222</Data></Alert>`))
				if err != nil {
					t.Fatal(err)
				}
				m = cx.Reply
				if r := results(m); len(r) != 1 || !r[0].Items[0].MoreData {
					t.Fatalf("the message after the first chunk carried %d Results, want the next chunk", len(r))
				}
				next = 3
			}
			cx, err = c.HandleInbound(ctx, srv(next, meta+`<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`,
				`<Status><CmdID>1</CmdID><MsgRef>`+m.Header.MsgID+`</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>`+
					`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>`+
					`<Data>401</Data></Status><Final/>`))
			if err != nil {
				t.Fatal(err)
			}
			again := cx.Reply
			if again == nil || again.Header.Cred == nil {
				t.Fatalf("no message sent again with credentials: %+v", again)
			}
			found := limitedOutcomes(t, cx.Outcomes, 3000)
			if tc.begun {
				if r := results(again); len(r) != 1 || len(found) != 0 {
					t.Errorf("sent again: %d Results, %d Outcomes with a LimitError, want the chunk in flight, none", len(r), len(found))
				}
				return
			}
			if r := results(again); len(r) != 0 {
				t.Errorf("sent again: %d Results, want none", len(r))
			}
			for _, x := range c.cont {
				if _, ok := x.(*syncml.Results); ok {
					t.Errorf("a piece of the Results is still to go")
				}
			}
			code := ""
			for _, x := range again.Body.Commands {
				if s, ok := x.(*syncml.Status); ok && s.Cmd == "Get" && s.MsgRef == "1" && s.CmdRef == "2" {
					code = s.Data.Value
				}
			}
			if code != "500" {
				t.Errorf("sent again: the Get's Status %q, want 500", code)
			}
			if len(found) != 1 {
				t.Fatalf("%d Outcomes with a LimitError, want 1", len(found))
			}
			r, ok := found[0].Command.(*syncml.Results)
			if !ok || len(r.Items) != 1 || r.Items[0].Data.Value != data || r.Items[0].MoreData {
				t.Errorf("Outcome's command %T %+v, want the Results whole", found[0].Command, found[0].Command.ItemList())
			}
		})
	}
}
