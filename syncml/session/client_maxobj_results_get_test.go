package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// One Get of the server's is answered with three Results (the server's
// MaxMsgSize of 1500 spreads its Items over them): ./A of 3000 bytes and
// ./B of 2500, sent in chunks, and ./C of one byte. The server announces
// a MaxObjSize of 1000 once the device's first reply went, over which ./B
// is, and so is ./A.
//   - When the Get's Status went in that first reply with the first
//     chunk of ./A, which the server took (213), the Get cannot fail any
//     more: ./A goes on to its end, ./B is left out (an Outcome with a
//     *LimitError of MaxObjSize for its 2500 bytes), ./C, which fits,
//     goes, and no Status of 500 is sent for the Get. Before, ./C was
//     left out with ./B, the Get being taken as failed, though the
//     server had its Status (200) and part of its Results.
//   - When the Get's Status had no room in that first reply (the
//     Statuses of 30 Adds before it filled it), the Get fails: its
//     Status goes as 500 and none of its Results goes, ./C, which fits,
//     left out with the others (an Outcome for each: ./A's and ./B's
//     with their own LimitError, ./C's with the Get's, of ./A's 3000
//     bytes; before, ./B's too had ./A's).
func TestClientGetResultsOverPeerMaxObj(t *testing.T) {
	ctx := context.Background()
	items := []syncml.Item{
		{Source: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(strings.Repeat("a", 3000))},
		{Source: &syncml.Location{LocURI: "./B"}, Data: syncml.Text(strings.Repeat("b", 2500))},
		{Source: &syncml.Location{LocURI: "./C"}, Data: syncml.Text("c")},
	}
	for _, tc := range []struct {
		name    string
		behind  bool              // Adds before the Get: its Status is left for a later message
		code    string            // the Get's Status as the server gets it
		got     map[string]string // what the server gets of each node
		limited map[string]int    // the Results an Outcome reports not sent: node, bytes its LimitError counts
	}{
		{name: "a Results begun", code: "200",
			got:     map[string]string{"./A": items[0].Data.Value, "./C": "c"},
			limited: map[string]int{"./B": 2500}},
		{name: "the Get's Status still to go", behind: true, code: "500",
			got:     map[string]string{},
			limited: map[string]int{"./A": 3000, "./B": 2500, "./C": 3000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S",
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					if r.Command.ElementName() == "Get" {
						return Response{Results: append([]syncml.Item(nil), items...)}
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
			got := map[string]string{}
			code := ""
			var outs []Outcome
			for msg := 1; ; msg++ {
				if msg == 40 {
					t.Fatal("the session does not end")
				}
				// The server reads the device's message and answers each
				// command, Results too (213 for a chunk). Its first
				// message sends the Get (after 30 Adds when behind), its
				// second announces the MaxObjSize.
				s := newObjScript(m)
				for _, st := range s.read(m, got) {
					code = st.Data.Value
				}
				meta := ""
				switch msg {
				case 1:
					if tc.behind {
						s.adds()
					}
					s.get()
				case 2:
					meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
					if !tc.behind && !strings.Contains(got["./A"], "a") {
						t.Fatal("the first reply carried no chunk of ./A: the case is not tested")
					}
					if tc.behind && code != "" {
						t.Fatal("the first reply carried the Get's Status: the case is not tested")
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
			if code != tc.code {
				t.Errorf("the Get's Status %q, want %q", code, tc.code)
			}
			if d := cmp.Diff(tc.got, got); d != "" {
				t.Errorf("the Results as the server gets them (-want +got):\n%s", d)
			}
			whole := map[string]string{}
			for _, it := range items {
				whole[it.Source.LocURI] = it.Data.Value
			}
			limited := map[string]int{}
			for _, o := range outs {
				var le *LimitError
				if !errors.As(o.Err, &le) {
					continue
				}
				r, ok := o.Command.(*syncml.Results)
				if !ok || len(r.Items) != 1 {
					t.Errorf("Outcome of %T with %d Items, want a Results of one", o.Command, len(o.Command.ItemList()))
					continue
				}
				uri := r.Items[0].Source.LocURI
				if _, dup := limited[uri]; dup {
					t.Errorf("two Outcomes for the Results of %s", uri)
				}
				limited[uri] = int(le.Count)
				if r.Items[0].MoreData || r.Items[0].Data.Value != whole[uri] {
					t.Errorf("Outcome of the Results for %s: %d bytes (MoreData %v), want its Item whole", uri, len(r.Items[0].Data.Value), r.Items[0].MoreData)
				}
				if le.Limit != "MaxObjSize" || le.Max != 1000 || !errors.Is(o.Err, ErrLimit) {
					t.Errorf("Outcome of the Results for %s: %v, want a LimitError of MaxObjSize 1000", uri, o.Err)
				}
			}
			if d := cmp.Diff(tc.limited, limited); d != "" {
				t.Errorf("Results reported not sent (-want +got):\n%s", d)
			}
		})
	}
}

// fitPeerResults never turns a Get's Status to 500 while a Results of
// that Get goes on: with the Get's Status and the rest of its Results in
// flight (the server took a chunk of it) in cont, and a second Results of
// the Get over the bound, the Status keeps its 200, the Results in flight
// stays, and the one over the bound alone is left out. In a Client's
// messages the Get's Status goes before its Results, so this order is
// not met there, but a failed Get with Results sent would contradict
// itself. Before, the Status became 500 and the Results went on.
func TestFitPeerResultsBegunKeepsStatus(t *testing.T) {
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	c.peerObj = 1000
	piece := func(uri string, n int, more bool) *syncml.Results {
		return &syncml.Results{MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Source: &syncml.Location{LocURI: uri},
			Data: syncml.Text(strings.Repeat("d", n)), MoreData: more}}}
	}
	flight := piece("./A", 1200, true)
	status := &syncml.Status{MsgRef: "1", CmdRef: "2", Cmd: "Get", Data: syncml.Text("200")}
	rest, over := piece("./A", 1200, false), piece("./B", 2500, false)
	kept, unsent := c.fitPeerResults([]syncml.Command{status, rest, over}, flight, "", &clientMark{})
	if len(kept) != 2 || kept[1] != syncml.Command(rest) {
		t.Fatalf("kept %d commands, want the Get's Status and the Results in flight", len(kept))
	}
	if s, ok := kept[0].(*syncml.Status); !ok || s.Data.Value != "200" {
		t.Errorf("the Get's Status %+v, want it as it was (200)", kept[0])
	}
	if len(unsent) != 1 || unsent[0].Command != syncml.Command(over) {
		t.Errorf("Outcomes not sent %v, want the Results over the bound's", unsent)
	}
}
