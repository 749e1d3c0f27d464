package session

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// A Client's object in flight (its first chunk went out in package 1,
// and the server answered it 213) goes on when the server's first reply
// announced a MaxObjSize under what is left of the object and asked for
// more Statuses than a message holds: the device's next messages carry
// Statuses alone, the rest of its package holding the Statuses left in
// front of the object's remaining chunks. The server saw the object's
// Size on its first chunk and took it: every chunk goes out, the server
// gets the object whole, and no Outcome reports it not sent. Before, the
// check against the server's MaxObjSize knew the object in flight only
// when the last message ended with one of its chunks; after a message of
// Statuses alone it took the remaining chunks for an object not begun
// and dropped them (an Outcome with a LimitError of 3413 bytes), and the
// server never got the object's end.
func TestClientInFlightBehindAnswers(t *testing.T) {
	ctx := context.Background()
	c, m, _, obj := startObject(t, ClientConfig{
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			return Response{}
		})})
	var got strings.Builder // the object as the server gets it
	var outs []Outcome
	behind := false // a message of Statuses alone went out with the object in flight
	for msg := 1; ; msg++ {
		if msg == 40 {
			t.Fatal("the session does not end")
		}
		// The server answers each command (213 for a chunk, MoreData);
		// in its first message, it announces a MaxObjSize of 1000 and
		// sends Adds whose Statuses do not fit in one device message.
		chunks := 0 // the pieces of the object
		for _, x := range m.Body.Commands {
			if r, ok := x.(*syncml.Replace); ok {
				got.WriteString(r.Items[0].Data.Value)
				chunks++
			}
		}
		s := newObjScript(m)
		s.answer(m, nil)
		meta := ""
		if msg == 1 {
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
			s.adds()
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, meta, msg > 1 && (m.Body.Final || chunks == 0)))
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, cx.Outcomes...)
		if cx.Done {
			break
		}
		m = cx.Reply
		if n := len(c.lastSent); len(c.cont) > 0 && isAnswer(c.cont[0]) && c.ownInFlight() != nil && (n == 0 || !isChunk(c.lastSent[n-1])) {
			behind = true
		}
	}
	if !behind {
		t.Fatal("no device message of Statuses alone left Statuses in front of the object in flight: the case is not tested")
	}
	if got.String() != obj {
		t.Errorf("the server got %d bytes of the object, want %d", got.Len(), len(obj))
	}
	var codes []string
	for _, o := range outs {
		if o.Command.ElementName() == "Replace" {
			codes = append(codes, codeOf(o))
			if o.Err != nil {
				t.Errorf("Outcome of the object: %v", o.Err)
			}
		}
	}
	if d := cmp.Diff([]string{"200"}, codes); d != "" {
		t.Errorf("Outcomes of the object (-want +got):\n%s", d)
	}
}

// fitPeerObjCont, on the rest of a Client's package as the server
// announces a MaxObjSize of 1000, lets the device's object in flight go
// on wherever it stands in it, and holds the device's own objects not
// begun to the bound, an object of Results in flight (an answer) aside:
//   - the object's chunk went last, and Statuses the message had no room
//     for come before its remaining chunks: they go (commit 88cb11a; before
//     it, the in-flight object was looked for at the head of the rest
//     only, and its chunks were taken for an object not begun, dropped);
//   - a chunk of Results went last, and the device's own object, of which
//     nothing went, follows the rest of the Results: it is not sent (with
//     88cb11a alone, the first of the device's own commands after any
//     chunk was taken for the object in flight, and went);
//   - Results none of which went are not sent either (fitPeerResults;
//     before it, all Results went, as answers).
func TestFitPeerObjContInFlight(t *testing.T) {
	chunk := func(c syncml.Command, n int, more bool) syncml.Command {
		it := syncml.Item{Data: syncml.Text(strings.Repeat("d", n)), MoreData: more}
		switch c := c.(type) {
		case *syncml.Replace:
			it.Target = &syncml.Location{LocURI: "./B"}
			return &syncml.Replace{CmdID: c.CmdID, Items: []syncml.Item{it}}
		default:
			it.Source = &syncml.Location{LocURI: "./G"}
			return &syncml.Results{Items: []syncml.Item{it}}
		}
	}
	status := &syncml.Status{MsgRef: "1", CmdRef: "3", Cmd: "Add", Data: &syncml.Data{Value: "200"}}
	for _, tc := range []struct {
		name       string
		sent       syncml.Command // the last command sent
		cont       []syncml.Command
		kept, lost int // commands of cont kept; Outcomes not sent
	}{
		{"Statuses before the object in flight", chunk(&syncml.Replace{}, 1200, true),
			[]syncml.Command{status, chunk(&syncml.Replace{}, 1200, true), chunk(&syncml.Replace{}, 1200, false)}, 3, 0},
		{"the object in flight first", chunk(&syncml.Replace{}, 1200, true),
			[]syncml.Command{chunk(&syncml.Replace{}, 1200, true), chunk(&syncml.Replace{}, 1200, false), status}, 3, 0},
		{"Results in flight before an object not begun", chunk(&syncml.Results{}, 1200, true),
			[]syncml.Command{chunk(&syncml.Results{}, 1200, true), chunk(&syncml.Results{}, 1200, false), chunk(&syncml.Replace{}, 1200, true), chunk(&syncml.Replace{}, 1200, false)}, 2, 1},
		{"nothing in flight, Results not begun", nil,
			[]syncml.Command{chunk(&syncml.Results{}, 1200, true), chunk(&syncml.Results{}, 1200, false), status}, 1, 1},
		{"nothing in flight, Statuses before an object not begun", nil,
			[]syncml.Command{status, chunk(&syncml.Replace{}, 1200, true), chunk(&syncml.Replace{}, 1200, false)}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept})
			if err != nil {
				t.Fatal(err)
			}
			c.peerObj = 1000
			if tc.sent != nil {
				tc.sent.SetID("2")
				c.sent.addInternal("1", tc.sent)
				c.lastSent = []syncml.Command{tc.sent}
			}
			c.cont = tc.cont
			kept, unsent := c.fitPeerObjCont(&clientMark{})
			if len(kept) != tc.kept || len(unsent) != tc.lost {
				t.Errorf("kept %d commands of %d, %d Outcomes not sent (%v), want %d kept, %d not sent", len(kept), len(tc.cont), len(unsent), unsent, tc.kept, tc.lost)
			}
		})
	}
}
