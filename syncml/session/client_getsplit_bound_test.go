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

// The Client's notes of the server's Gets whose per-item Statuses one of
// its messages cut (splitGets) hold only the Gets with answers still to
// go, and at most MaxQueue of them.
//   - "one after another": the server sends ten Gets of twelve nodes, a
//     new one each time the device's package ended, and the Statuses of
//     each are cut between device messages. The notes of a Get answered
//     in full are dropped: one is held at a time, where before one
//     was kept for every cut until the next Start (ten here).
//   - "piled up", "piled up, MaxQueue 1": the server sends a Get in each
//     of its first four messages; the answers of each new one go before
//     the rest of the device's package, so all four are cut and still
//     have answers to go when the server announces a MaxObjSize of 1000
//     in its fifth message, over which the Results of each Get's first
//     node (3000 bytes) are. The server holds some codes of each Get, so
//     every item keeps its code and only those four Results are left out
//     (each with an Outcome holding a *LimitError of MaxObjSize). Within
//     the default MaxQueue the four are noted; with a MaxQueue of 1 only
//     the first is, and the Gets not noted count as ones the server has
//     codes of. Without that, the Statuses of the three Gets not noted
//     still to go became 500.
func TestClientSplitGetsBound(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxQueue int
		gets     int  // the Gets the server sends
		every    bool // a Get in each server message, not only after the device's package ended
		objAt    int  // the server message announcing a MaxObjSize of 1000 (0: none)
		maxNoted int  // the most notes held at once
		full     bool // whether a Get was left out of the notes
	}{
		{name: "one after another", gets: 10, maxNoted: 1},
		{name: "piled up", gets: 4, every: true, objAt: 5, maxNoted: 4},
		{name: "piled up, MaxQueue 1", maxQueue: 1, gets: 4, every: true, objAt: 5, maxNoted: 1, full: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testSplitGetsBound(t, tc.maxQueue, tc.gets, tc.every, tc.objAt, tc.maxNoted, tc.full)
		})
	}
}

func testSplitGetsBound(t *testing.T, maxQueue, gets int, every bool, objAt, maxNoted int, full bool) {
	ctx := context.Background()
	const n = 12
	uri := func(g, i int) string { return fmt.Sprintf("./Vendor/MSFT/G%dN%02d/%s", g, i, strings.Repeat("n", 40)) }
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxQueue: maxQueue,
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
	noted := map[getRef]bool{}   // the Gets ever noted
	cutOnce := map[string]bool{} // the Gets some Statuses of which went with others left
	sentGets, most := 0, 0
	var outs []Outcome
	for msg := 1; ; msg++ {
		if msg == 200 {
			t.Fatal("the session does not end")
		}
		s := newObjScript(m)
		byGet := map[string]int{}
		for _, st := range s.read(m, got) {
			if len(st.TargetRef) != 1 {
				t.Fatalf("a Status of a Get names %d nodes, want one (per item)", len(st.TargetRef))
			}
			if _, dup := codes[st.TargetRef[0]]; dup {
				t.Errorf("two Statuses for %s", st.TargetRef[0])
			}
			codes[st.TargetRef[0]] = st.Data.Value
			byGet[st.MsgRef+"/"+st.CmdRef]++
		}
		for g, k := range byGet {
			if k < n && !cutOnce[g] {
				cutOnce[g] = true
			}
		}
		if sentGets < gets && (every || m.Body.Final) {
			s.id++
			var b strings.Builder
			fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID>`, s.id)
			for i := range n {
				fmt.Fprintf(&b, `<Item><Target><LocURI>%s</LocURI></Target></Item>`, uri(sentGets, i))
			}
			b.WriteString(`</Get>`)
			s.body.WriteString(b.String())
			sentGets++
		}
		meta := ""
		if msg == objAt {
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, meta, true))
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, cx.Outcomes...)
		most = max(most, len(c.splitGets))
		for _, sg := range c.splitGets {
			noted[sg.ref] = true
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	// the case is the one meant
	if sentGets != gets || len(cutOnce) != gets {
		t.Fatalf("%d Gets sent, %d cut between device messages; want %d of each", sentGets, len(cutOnce), gets)
	}
	want := gets // each Get cut is noted, but past the bound
	if full {
		want = maxNoted
	}
	if len(noted) != want {
		t.Errorf("%d Gets noted as cut, want %d", len(noted), want)
	}
	if most != maxNoted {
		t.Errorf("at most %d notes held at once, want %d", most, maxNoted)
	}
	if c.splitFull != full {
		t.Errorf("a Get left out of the notes: %v, want %v", c.splitFull, full)
	}
	wantCodes, wantGot, wantLimited := map[string]string{}, map[string]string{}, map[string]int{}
	for g := range gets {
		for i := range n {
			switch {
			case i%2 == 1:
				wantCodes[uri(g, i)] = "404"
			case i == 0 && objAt > 0:
				wantCodes[uri(g, i)] = "200"
				wantLimited[uri(g, i)] = 3000
			case i == 0:
				wantCodes[uri(g, i)] = "200"
				wantGot[uri(g, i)] = strings.Repeat("a", 3000)
			default:
				wantCodes[uri(g, i)] = "200"
				wantGot[uri(g, i)] = "v"
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
