package session

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The Client's notes of the server's Gets whose per-item Statuses one of
// its messages cut (splitGets) hold only the Gets with answers still to
// go, and every one of those, whatever MaxQueue is.
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
//     (each with an Outcome holding a *LimitError of MaxObjSize). The
//     four are noted, with a MaxQueue of 1 too. "piled up, 12 Gets" is
//     the same with twelve, more than the notes looked at in place.
//
// In every case there are never more notes than the commands of the
// device's last message and the rest of its package.
//   - "last behind", "last behind, MaxQueue 1": as "piled up", but 30
//     Adds come before the fourth Get, whose Statuses then wait behind
//     theirs: none of them went when the MaxObjSize comes. That Get
//     fails (every item 500, none of its Results sent, each reported),
//     with a MaxQueue of 1 too. Before, the notes were bounded by
//     MaxQueue, and past it a Get not noted counted as one whose Status
//     went: with a MaxQueue of 1 that Get kept 200 for its first node,
//     whose Results were left out, and the server had no sign of it.
func TestClientSplitGetsBound(t *testing.T) {
	for _, tc := range []splitGetsCase{
		{name: "one after another", gets: 10, maxNoted: 1},
		{name: "piled up", gets: 4, every: true, objAt: 5, maxNoted: 4},
		{name: "piled up, MaxQueue 1", maxQueue: 1, gets: 4, every: true, objAt: 5, maxNoted: 4},
		{name: "piled up, 12 Gets", gets: 12, every: true, objAt: 13, maxNoted: 12},
		{name: "last behind", gets: 4, every: true, behind: true, objAt: 5},
		{name: "last behind, MaxQueue 1", maxQueue: 1, gets: 4, every: true, behind: true, objAt: 5},
	} {
		t.Run(tc.name, func(t *testing.T) { testSplitGetsBound(t, tc) })
	}
}

// A splitGetsCase is a case of TestClientSplitGetsBound.
type splitGetsCase struct {
	name     string
	maxQueue int
	gets     int  // the Gets the server sends
	every    bool // a Get in each server message, not only after the device's package ended
	behind   bool // 30 Adds before the last Get, none of whose Statuses goes before the MaxObjSize
	objAt    int  // the server message announcing a MaxObjSize of 1000 (0: none)
	maxNoted int  // the most notes held at once (0: not checked)
}

func testSplitGetsBound(t *testing.T, tc splitGetsCase) {
	ctx := context.Background()
	const n = 12
	uri := func(g, i int) string { return fmt.Sprintf("./Vendor/MSFT/G%dN%02d/%s", g, i, strings.Repeat("n", 40)) }
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxQueue: tc.maxQueue,
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
			if k < n && (tc.objAt == 0 || msg <= tc.objAt) {
				cutOnce[g] = true // in a device message built before the MaxObjSize
			}
		}
		if msg == tc.objAt && tc.behind {
			for i := range n {
				if _, ok := codes[uri(tc.gets-1, i)]; ok {
					t.Fatalf("a Status of the last Get went before the MaxObjSize: the case is not tested")
				}
			}
		}
		if sentGets < tc.gets && (tc.every || m.Body.Final) {
			if tc.behind && sentGets == tc.gets-1 {
				s.adds()
			}
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
		if msg == tc.objAt {
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, meta, true))
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, cx.Outcomes...)
		most = max(most, len(c.splitGets))
		if cx.Reply != nil && len(c.splitGets) > len(c.lastSent)+len(c.cont) {
			// the notes are bounded by the commands the Client holds
			t.Fatalf("server message %d: %d notes, more than the %d commands of the last message and the rest of the package",
				msg, len(c.splitGets), len(c.lastSent)+len(c.cont))
		}
		for _, sg := range c.splitGets {
			noted[sg.ref] = true
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	// the case is the one meant
	wantCut := tc.gets
	if tc.behind {
		wantCut--
	}
	if sentGets != tc.gets || len(cutOnce) != wantCut {
		t.Fatalf("%d Gets sent, %d cut between device messages before the MaxObjSize; want %d and %d", sentGets, len(cutOnce), tc.gets, wantCut)
	}
	if tc.maxNoted > 0 {
		want := tc.gets // each Get cut is noted
		if len(noted) != want {
			t.Errorf("%d Gets noted as cut, want %d", len(noted), want)
		}
		if most != tc.maxNoted {
			t.Errorf("at most %d notes held at once, want %d", most, tc.maxNoted)
		}
	}
	wantCodes, wantGot, wantLimited := map[string]string{}, map[string]string{}, map[string]int{}
	for g := range tc.gets {
		for i := range n {
			switch {
			case tc.behind && g == tc.gets-1:
				wantCodes[uri(g, i)] = "500" // the Get fails
				if i%2 == 0 {
					wantLimited[uri(g, i)] = 3000 // the Get's error: N00's
				}
			case i%2 == 1:
				wantCodes[uri(g, i)] = "404"
			case i == 0 && tc.objAt > 0:
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
	checkServerView(t, codes, got, outs, wantCodes, wantGot, wantLimited)
}
