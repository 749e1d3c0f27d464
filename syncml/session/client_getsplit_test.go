package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// A server's Get of twelve nodes is answered per item (the Handler gives
// 200 for the even ones, with Results, 404 for the odd ones), and the
// server's MaxMsgSize of 1500 has room for only some of the twelve
// Statuses in the device's first reply: the others wait in the rest of
// the package with the Results. The server's next message announces a
// MaxObjSize of 1000, over which the Results of ./…/N00 (3000 bytes) is.
//   - When the server took that first reply, it holds the codes of the
//     items answered in it, so the Get cannot fail any more: every item
//     keeps its code (the odd ones 404, the even ones 200), the Results
//     within the bound go, and that of N00 alone is left out, with an
//     Outcome holding a *LimitError of MaxObjSize. Before, the Statuses
//     still to go became 500 and no Results went, while the server had
//     200 for the items answered first.
//   - When the server refused that reply (401, HMAC checked mid-session),
//     it has none of the codes: the message sent again carries all the
//     Statuses, and the Get fails, as any whose Status is still to go
//     (every item 500, no Results, an Outcome for each Results).
func TestClientGetItemStatusesSplit(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		name := "taken"
		if refuse {
			name = "refused"
		}
		t.Run(name, func(t *testing.T) { testGetItemStatusesSplit(t, refuse) })
	}
}

func testGetItemStatusesSplit(t *testing.T, refuse bool) {
	ctx := context.Background()
	const n = 12
	uri := func(i int) string { return fmt.Sprintf("./Vendor/MSFT/N%02d/%s", i, strings.Repeat("n", 40)) }
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Credentials: &ClientAuth{Username: "u", Password: "p"},
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			if r.Command.ElementName() != "Get" {
				return Response{}
			}
			var resp Response
			for i, it := range r.Command.ItemList() {
				if i%2 == 1 {
					resp.ItemCodes = append(resp.ItemCodes, syncml.StatusNotFound)
					continue
				}
				resp.ItemCodes = append(resp.ItemCodes, syncml.StatusOK)
				data := "v"
				if i == 0 {
					data = strings.Repeat("a", 3000)
				}
				resp.Results = append(resp.Results, syncml.Item{Source: &syncml.Location{LocURI: it.Target.LocURI}, Data: syncml.Text(data)})
			}
			return resp
		})})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{} // the code the server gets for each node
	got := map[string]string{}   // the Results the server gets
	var outs []Outcome
	for msg := 1; ; msg++ {
		if msg == 40 {
			t.Fatal("the session does not end")
		}
		if refuse && msg == 2 {
			// the server refuses the device's first reply, in a
			// message announcing its MaxObjSize
			k := 0
			for _, x := range m.Body.Commands {
				if st, ok := x.(*syncml.Status); ok && st.Cmd == "Get" {
					k++
				}
			}
			if k == 0 || k == n {
				t.Fatalf("the first reply carried %d of the %d Statuses of the Get: the case is not tested", k, n)
			}
			refusal := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
				`<MsgID>2</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
				`<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize></Meta></SyncHdr><SyncBody>` +
				`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
				`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
				`<Data>401</Data></Status><Final/></SyncBody></SyncML>`
			cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)})
			if err != nil {
				t.Fatalf("refusal: %v", err)
			}
			outs = append(outs, cx.Outcomes...)
			m = cx.Reply
			continue
		}
		s := newObjScript(m)
		for _, x := range m.Body.Commands {
			if st, ok := x.(*syncml.Status); ok {
				if st.Cmd == "Get" {
					if len(st.TargetRef) != 1 {
						t.Fatalf("a Status of the Get names %d nodes, want one (per item)", len(st.TargetRef))
					}
					if _, dup := codes[st.TargetRef[0]]; dup {
						t.Errorf("two Statuses for %s", st.TargetRef[0])
					}
					codes[st.TargetRef[0]] = st.Data.Value
				}
				continue
			}
			it := x.ItemList()
			answer := "200"
			if len(it) > 0 && it[len(it)-1].MoreData {
				answer = "213"
			}
			if _, ok := x.(*syncml.Results); ok {
				for _, i := range it {
					got[i.Source.LocURI] += i.Data.Value
				}
			}
			s.status(m.Header.MsgID, x.ID(), x.ElementName(), answer)
		}
		meta := ""
		switch msg {
		case 1:
			s.id++
			var b strings.Builder
			fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID>`, s.id)
			for i := range n {
				fmt.Fprintf(&b, `<Item><Target><LocURI>%s</LocURI></Target></Item>`, uri(i))
			}
			b.WriteString(`</Get>`)
			s.body.WriteString(b.String())
		case 2:
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
			if refuse {
				t.Fatal("unreachable")
			}
			if len(codes) == 0 || len(codes) == n {
				t.Fatalf("the first reply carried %d of the %d Statuses of the Get: the case is not tested", len(codes), n)
			}
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, meta, true))
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, cx.Outcomes...)
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	wantCodes, wantGot, wantLimited := map[string]string{}, map[string]string{}, map[string]int{uri(0): 3000}
	for i := range n {
		switch {
		case refuse:
			wantCodes[uri(i)] = "500"
			if i%2 == 0 {
				wantLimited[uri(i)] = 3000 // the Get's error: N00's
			}
		case i%2 == 1:
			wantCodes[uri(i)] = "404"
		default:
			wantCodes[uri(i)] = "200"
			if i > 0 {
				wantGot[uri(i)] = "v"
			}
		}
	}
	if d := cmp.Diff(wantCodes, codes); d != "" {
		t.Errorf("the item codes as the server gets them (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantGot, got); d != "" {
		t.Errorf("the Results as the server gets them (-want +got):\n%s", d)
	}
	limited := map[string]int{}
	for _, o := range outs {
		var le *LimitError
		if !errors.As(o.Err, &le) {
			continue
		}
		for _, it := range o.Command.ItemList() {
			limited[it.Source.LocURI] = int(le.Count)
		}
		if le.Limit != "MaxObjSize" || le.Max != 1000 {
			t.Errorf("Outcome %v, want a LimitError of MaxObjSize 1000", o.Err)
		}
	}
	if d := cmp.Diff(wantLimited, limited); d != "" {
		t.Errorf("Results reported not sent (-want +got):\n%s", d)
	}
}
