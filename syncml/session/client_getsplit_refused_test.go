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

// splitRefusal is the server's 401 of a device message in the middle of
// the session (HMAC checked on each message), in the tests of a Get whose
// per-item Statuses a message cut: its SyncHdr announces a MaxMsgSize of
// maxMsg and, when obj is set, a MaxObjSize of 1000.
type splitRefusal struct {
	maxMsg int
	obj    bool
}

// TestClientGetSplitRefused plays a server Get of twelve nodes answered
// per item (as in TestClientGetItemStatusesSplit: 200 with Results for the
// even ones, the Results of N00 3000 bytes; 404 for the odd ones), whose
// Statuses the device's first reply cuts, when the server refuses (401)
// that reply and the message sent again in its place, before it announces
// a MaxObjSize of 1000. A message the server refused gives it none of the
// codes it carried, so what counts is the last message it took:
//   - "again cut, refused": the message sent again cuts the Statuses
//     too, and the server refuses it as well, announcing the MaxObjSize.
//     It holds none of the codes: the Get fails (every item 500, no
//     Results, an Outcome for each Results);
//   - "again none, taken": the refusal announces a MaxMsgSize so small
//     that the message sent again carries none of the Get's Statuses; the
//     server takes it and announces the MaxObjSize in its answer. It holds
//     none of the codes: the Get fails, as above;
//   - "again cut, taken": the message sent again cuts the Statuses and
//     the server takes it, then announces the MaxObjSize: it holds the
//     codes of the items answered first, so every item keeps its code and
//     only the Results of N00 is left out.
//   - "cut taken, next refused": the server takes the first reply and
//     refuses the next, which carries Statuses of the Get still to go,
//     announcing the MaxObjSize: it holds the codes the first reply
//     carried, so every item keeps its code, as above.
//
// The first two fail when the refused message's note of the cut is kept
// (forgetSplitGets in resend): the Client then takes the refused message
// for one the server has.
func TestClientGetSplitRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		// refusals by the server message's number (the device's message
		// answered has that MsgID)
		refusals map[int]splitRefusal
		// the server message, taken as the answer to the device's, that
		// announces the MaxObjSize (0: a refusal does)
		objAt int
		// the device messages (by MsgID) that carry some but not all of
		// the Get's Statuses, and those that carry none of them while
		// some are still to go
		cut, none []string
		fails     bool
		// Adds the server sends before the Get, whose Statuses lead
		// the device's reply
		adds int
	}{
		{name: "again cut, refused", refusals: map[int]splitRefusal{2: {1500, false}, 3: {1500, true}},
			cut: []string{"2", "3"}, fails: true},
		{name: "again none, taken", refusals: map[int]splitRefusal{2: {900, false}}, objAt: 3,
			cut: []string{"2"}, none: []string{"3"}, fails: true, adds: 3},
		{name: "again cut, taken", refusals: map[int]splitRefusal{2: {1500, false}}, objAt: 3,
			cut: []string{"2", "3"}, fails: false},
		{name: "cut taken, next refused", refusals: map[int]splitRefusal{3: {1500, true}},
			cut: []string{"2"}, fails: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testGetSplit(t, tc.refusals, tc.objAt, tc.cut, tc.none, tc.fails, tc.adds)
		})
	}
}

// testGetSplit plays the Get of twelve nodes of these tests: the server
// refuses the device messages refusals names, announces the MaxObjSize
// in its message objAt (0: a refusal does), and sends adds Adds before
// the Get; cut and none name the device messages that must carry some,
// or none, of the Get's Statuses with some left; fails tells whether the
// Get must fail (every item 500) or every item keep its code.
func testGetSplit(t *testing.T, refusals map[int]splitRefusal, objAt int, cut, none []string, fails bool, adds int) {
	ctx := context.Background()
	const n = 12
	uri := func(i int) string { return fmt.Sprintf("./Vendor/MSFT/N%02d/%s", i, strings.Repeat("n", 40)) }
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Credentials: &ClientAuth{Username: "u", Password: "p"},
		Handler: splitGetHandler})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{} // the code the server gets for each node
	got := map[string]string{}   // the Results the server gets
	carried := map[string]int{}  // the Get's Statuses each device message carried
	left := map[string]bool{}    // the device messages after which some are still to go
	var outs []Outcome
	for msg := 1; ; msg++ {
		if msg == 40 {
			t.Fatal("the session does not end")
		}
		k := 0
		for _, x := range m.Body.Commands {
			if st, ok := x.(*syncml.Status); ok && st.Cmd == "Get" {
				k++
			}
		}
		carried[m.Header.MsgID] = k
		for _, x := range c.cont {
			if st, ok := x.(*syncml.Status); ok && st.Cmd == "Get" {
				left[m.Header.MsgID] = true
			}
		}
		if r, ok := refusals[msg]; ok {
			meta := fmt.Sprintf(`<MaxMsgSize xmlns="syncml:metinf">%d</MaxMsgSize>`, r.maxMsg)
			if r.obj {
				meta += `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
			}
			refusal := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
				fmt.Sprintf(`<MsgID>%d</MsgID>`, msg) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
				`<Meta>` + meta + `</Meta></SyncHdr><SyncBody>` +
				`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
				`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
				`<Data>401</Data></Status><Final/></SyncBody></SyncML>`
			cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)})
			if err != nil {
				t.Fatalf("refusal %d: %v", msg, err)
			}
			outs = append(outs, cx.Outcomes...)
			m = cx.Reply
			continue
		}
		s := newObjScript(m)
		for _, st := range s.read(m, got) {
			if len(st.TargetRef) != 1 {
				t.Fatalf("a Status of the Get names %d nodes, want one (per item)", len(st.TargetRef))
			}
			if _, dup := codes[st.TargetRef[0]]; dup {
				t.Errorf("two Statuses for %s", st.TargetRef[0])
			}
			codes[st.TargetRef[0]] = st.Data.Value
		}
		meta := ""
		if msg == 1 {
			for i := range adds {
				s.id++
				fmt.Fprintf(&s.body, `<Add><CmdID>%d</CmdID><Item><Target><LocURI>./A%d</LocURI></Target><Data>v</Data></Item></Add>`, s.id, i)
			}
			s.id++
			var b strings.Builder
			fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID>`, s.id)
			for i := range n {
				fmt.Fprintf(&b, `<Item><Target><LocURI>%s</LocURI></Target></Item>`, uri(i))
			}
			b.WriteString(`</Get>`)
			s.body.WriteString(b.String())
		}
		if msg == objAt {
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
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
	// the case is the one meant
	for _, id := range cut {
		if carried[id] == 0 || !left[id] {
			t.Fatalf("device message %s carried %d of the Get's Statuses, some left after it: %v; want some and some left (carried %v)", id, carried[id], left[id], carried)
		}
	}
	for _, id := range none {
		if carried[id] != 0 || !left[id] {
			t.Fatalf("device message %s carried %d of the Get's Statuses, some left after it: %v; want none and some left (carried %v)", id, carried[id], left[id], carried)
		}
	}
	wantCodes, wantGot, wantLimited := map[string]string{}, map[string]string{}, map[string]int{uri(0): 3000}
	for i := range n {
		switch {
		case fails:
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
	checkServerView(t, codes, got, outs, wantCodes, wantGot, wantLimited)
}

// splitGetHandler answers a Get item by item: 404 for every second item,
// 200 with Results for the others, the first item's 3,000 bytes (so that
// a MaxObjSize of 1000 leaves it out), the rest's "v"; other commands 200.
var splitGetHandler = HandlerFunc(func(_ context.Context, r *Request) Response {
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
})

// checkServerView compares what the server got of a Get (each item's
// code, the Results) with what it should, and the Outcomes' MaxObjSize
// LimitErrors (one per item left out, with its size) with wantLimited.
func checkServerView(t *testing.T, codes, got map[string]string, outs []Outcome, wantCodes, wantGot map[string]string, wantLimited map[string]int) {
	t.Helper()
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
			if _, dup := limited[it.Source.LocURI]; dup {
				t.Errorf("two Outcomes for the Results of %s", it.Source.LocURI)
			}
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
