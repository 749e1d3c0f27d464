package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// A package 1 cut by the server's MaxMsgSize whose session ends before
// its last message (the server aborts it with Alert 1223, or the next
// Start gives it up) puts back in the queue the device's own queued
// command alone: not what Start made (Alert 1201, its alerts, the
// DevInfo), which the next Start makes anew. The Start alert left for a
// later message comes back once with an Err, not Abandoned; the one sent
// and never answered is Abandoned (MaxQueue 2 keeps both Outcomes across
// the Start). The queued command stays queued within MaxQueue. Before,
// the rest of package 1 went back whole: the next package 1 carried the
// old alert and a second DevInfo Replace after its own, and on the abort
// MaxQueue kept the alert and the old DevInfo and refused the queued
// command.
func TestClientAbortPackage1StartOwn(t *testing.T) {
	bothWays(t, "Start gives up", "server aborts", testAbortPackage1StartOwn)
}

// testAbortPackage1StartOwn runs TestClientAbortPackage1StartOwn, the
// session ended by the server's abort or by the next Start.
func testAbortPackage1StartOwn(t *testing.T, abort bool) {
	ctx := context.Background()
	g := newAuthGate(t, Config{AnnounceMaxMsgSize: 1500})
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, ServerMaxMsgSize: 1500, MaxQueue: 2,
		DevInfo: DevInfo{DevID: "DEV1", Man: "M", Mod: "X", DmV: "1.2", Lang: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(smallReplace("./Q/a")); err != nil {
		t.Fatal(err)
	}
	m, _ := startCut(ctx, t, c, "1", longEvent("one"), longEvent("two"), longEvent("three"))
	send := func(m *syncml.Message) *Exchange {
		t.Helper()
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, post(t, g.srv.URL, raw))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	x := send(m)
	if x.Reply == nil || x.Reply.Header.MsgID != "2" || !slices.Equal(eventsIn(x.Reply.Body.Commands), []string{"two"}) {
		t.Fatalf("no second message of package 1 with the second event: %+v", x.Reply)
	}
	var outs []Outcome
	if abort {
		a := srvMsg("1", "2", "1500", true, hdrOK("2"), NewAlert(syncml.AlertSessionAbort))
		a.Header.Source.LocURI = g.srv.URL
		x, err := c.Handle(ctx, a)
		if err != nil {
			t.Fatalf("abort: %v", err)
		}
		outs = x.Outcomes
	}
	var queued []string
	for _, q := range c.queue {
		queued = append(queued, q.ElementName()+" "+uriOf(q))
	}
	if abort && !slices.Equal(queued, []string{"Replace ./Q/a"}) {
		t.Errorf("after the abort the queue holds %q, want the queued Replace alone", queued)
	}
	m, err = c.Start(ctx, "2", longEvent("new"))
	if err != nil {
		t.Fatal(err)
	}
	pkg1 := append(slices.Clone(m.Body.Commands), c.cont...)
	if d := cmp.Diff([]string{"new"}, eventsIn(pkg1)); d != "" {
		t.Errorf("package 1 of session 2 carries the events (-want +got):\n%s", d)
	}
	begins, devInfo := 0, 0
	for _, x := range pkg1 {
		if a, ok := x.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && (code == syncml.AlertClientInitiated || code == syncml.AlertServerInitiated) {
				begins++
			}
		}
		if r, ok := x.(*syncml.Replace); ok && strings.HasPrefix(itemURI(r.Items[0]), "./DevInfo/") {
			devInfo++
		}
	}
	if begins != 1 || devInfo != 1 {
		t.Errorf("package 1 of session 2 carries %d session-start Alerts and %d DevInfo Replaces, want 1 each", begins, devInfo)
	}
	// run session 2 through: the server runs each Replace once
	g.set(nil)
	for m != nil {
		x := send(m)
		outs = append(outs, x.Outcomes...)
		m = x.Reply
		if x.Done {
			break
		}
	}
	got, _ := g.seen()
	devInfo, qa := 0, 0
	for _, s := range got {
		if strings.HasPrefix(s, "./DevInfo/") {
			devInfo++
		}
		if strings.HasPrefix(s, "./Q/a ") {
			qa++
		}
	}
	if devInfo != 1 || qa != 1 {
		t.Errorf("the server ran in session 2 %d DevInfo Replaces and %d of ./Q/a, want 1 each: %q", devInfo, qa, got)
	}
	reported := outcomeEvents(outs, func(ev string, o Outcome) {
		switch ev {
		case "1 two":
			if !o.Abandoned || o.MsgID != "2" {
				t.Errorf("%s: Abandoned %v, MsgID %q; want Abandoned in message 2", ev, o.Abandoned, o.MsgID)
			}
		case "1 three":
			if o.Abandoned || o.MsgID != "" || o.Err == nil || !strings.Contains(o.Err.Error(), "Start gives each session its own alerts") {
				t.Errorf("%s: Abandoned %v, MsgID %q, Err %v; want an Err that says it is not sent again, no MsgID", ev, o.Abandoned, o.MsgID, o.Err)
			}
		}
	})
	if d := cmp.Diff([]string{"1 two", "1 three", "2 new"}, reported); d != "" {
		t.Errorf("the events come back as (-want +got):\n%s", d)
	}
	for _, o := range outs {
		var le *LimitError
		if errors.As(o.Err, &le) {
			t.Errorf("%s %s: %v (MaxQueue 2 holds the queued command)", o.Command.ElementName(), uriOf(o.Command), o.Err)
		}
	}
}
