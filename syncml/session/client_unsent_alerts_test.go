package session

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// A package 1 cut in three by the server's MaxMsgSize (one Start alert
// in each message) whose second message Run could not post (the
// server's RespURI refuses connections): the Start alerts of that message
// and of the one left after it, which the server never saw, each come
// back once, in the next session's first Exchange, with the given-up
// session's SessionID, no MsgID and an Err that says why; they are not
// sent again (each Start has its own alerts), and the first alert, which
// the server answered, is not reported again. Before, those two came
// back in no Outcome: lost without a word, while the one the server
// answered had its Outcome.
func TestClientUnsentPackage1Alerts(t *testing.T) {
	ctx := context.Background()
	dead := deadURL(t)
	var away atomic.Bool // read by the server's goroutines
	away.Store(true)
	g := newAuthGate(t, Config{AnnounceMaxMsgSize: 1500,
		RespURI: func(context.Context, Identity, *syncml.Message) string {
			if away.Load() {
				return dead
			}
			return ""
		}})
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, ServerMaxMsgSize: 1500})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1", longEvent("one"), longEvent("two"), longEvent("three"))
	if err == nil {
		t.Fatal("session 1: no error")
	}
	if c.outMsgID != 2 || !c.unsent {
		t.Fatalf("session 1 ended at message %d, unsent %v; want message 2 not posted (the test needs it)", c.outMsgID, c.unsent)
	}
	got := outcomeEvents(outs, func(ev string, o Outcome) {
		if o.Err != nil || o.Status == nil {
			t.Errorf("%s: Err %v, Status %v; want the server's Status", ev, o.Err, o.Status)
		}
	})
	if d := cmp.Diff([]string{"1 one"}, got); d != "" {
		t.Errorf("session 1 events reported (-want +got):\n%s", d)
	}
	away.Store(false)
	m, err := c.Start(ctx, "2", longEvent("new"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"new"}, eventsIn(append(m.Body.Commands, c.cont...))); d != "" {
		t.Errorf("package 1 of session 2 carries the events (-want +got):\n%s", d)
	}
	reported := reportedEvents(ctx, t, c, g.srv.URL, m, func(ev string, o Outcome) {
		if o.SessionID != "1" {
			return
		}
		if o.Abandoned || o.MsgID != "" || o.Status != nil || o.Err == nil ||
			!strings.Contains(o.Err.Error(), "Start gives each session its own alerts") || errors.Is(o.Err, ErrInvalidCredentials) {
			t.Errorf("%s: MsgID %q, Abandoned %v, Status %v, Err %v; want no MsgID and an Err that says why", ev, o.MsgID, o.Abandoned, o.Status, o.Err)
		}
	})
	if d := cmp.Diff([]string{"1 two", "1 three", "2 new"}, reported); d != "" {
		t.Errorf("the events come back as (-want +got):\n%s", d)
	}
}
