package session

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientRefusalAnswersChunk: the device sends an object of 4000 bytes
// in chunks (./B, MaxMsgSize 1500), and the server refuses (401) one of
// the messages carrying a piece of it, with a Status for that piece as
// well (an authentication failure may answer every command): 213 for a
// chunk with more to come (or 401), 200 or 401 for the last piece. The server ran
// none of the refused message, so the message sent again carries the
// same piece, and the object the server puts together from the messages
// it took is the one queued, with one Outcome (200) for it. Before, a
// Status for the last piece made the command whole again (as the answer
// that ends an object does) before the message was sent again: the
// object went from its start once more, after the chunks the server had.
func TestClientRefusalAnswersChunk(t *testing.T) {
	for _, tc := range []struct {
		name string
		last bool   // the refused message carries the last piece (else the second chunk)
		code string // the refusal's Status for the piece
	}{
		{"chunk 213", false, "213"},
		{"chunk 401", false, "401"},
		{"last 200", true, "200"},
		{"last 401", true, "401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, m, q, obj := startObject(t, ClientConfig{Handler: Accept, Credentials: &ClientAuth{Username: "u", Password: "p"}})
			var got string // the data of ./B the server took
			var outs []Outcome
			refused := false
			for msg := 1; ; msg++ {
				if msg == 30 {
					t.Fatal("the session does not end")
				}
				var piece *syncml.Replace
				for _, x := range m.Body.Commands {
					if r, ok := x.(*syncml.Replace); ok && itemURI(r.Items[0]) == "./B" {
						piece = r
					}
				}
				refuse := !refused && piece != nil && (tc.last && !piece.Items[0].MoreData || !tc.last && m.Header.MsgID == "2")
				if refuse {
					refused = true
					if tc.last != !piece.Items[0].MoreData {
						t.Fatalf("message %s: the piece of ./B is not the one meant", m.Header.MsgID)
					}
					raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
						fmt.Sprintf(`<MsgID>%d</MsgID>`, msg) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` +
						`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
						`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
						`<Data>401</Data></Status>` +
						`<Status><CmdID>2</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>` + piece.CmdID + `</CmdRef><Cmd>Replace</Cmd><Data>` + tc.code + `</Data></Status>` +
						`<Final/></SyncBody></SyncML>`
					cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(raw)})
					if err != nil {
						t.Fatalf("refusal: %v", err)
					}
					outs = append(outs, cx.Outcomes...)
					m = cx.Reply
					continue
				}
				if piece != nil {
					got += piece.Items[0].Data.Value
				}
				s := newObjScript(m)
				s.answer(m, nil)
				cx, err := c.HandleInbound(ctx, s.inbound(msg, "", true))
				if err != nil {
					t.Fatalf("server message %d: %v", msg, err)
				}
				outs = append(outs, cx.Outcomes...)
				if cx.Done {
					break
				}
				m = cx.Reply
			}
			if !refused {
				t.Fatal("no message refused: the case is not tested")
			}
			if got != obj {
				t.Errorf("the server put together %d bytes of ./B, want the %d queued (same: %v)", len(got), len(obj), got == obj)
			}
			var mine []Outcome
			for _, o := range outs {
				if o.Command == syncml.Command(q) {
					mine = append(mine, o)
				}
			}
			if len(mine) != 1 || mine[0].Err != nil || mine[0].Status == nil || mine[0].Status.Data.Value != "200" {
				t.Errorf("Outcomes of ./B: %+v, want one with Status 200", mine)
			}
		})
	}
}
