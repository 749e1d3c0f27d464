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

// A package 1 given up on authentication whose Start alerts did not all
// fit in its first message (the server's MaxMsgSize cut it in two, and
// the server refused that first message) reports every one of those
// alerts: those the refused message carried, and those it left for the
// next message, never sent. Each comes back once, with an Err matching
// ErrInvalidCredentials, in the next session's first Exchange; none goes
// in the next package 1, whose Start has alerts of its own. Before, an
// alert left for the next message came back in no Outcome and was not
// sent again: lost without a word. The same holds for the commands
// EachMessage gave package 1.
func TestClientAuthGiveUpCutPackage1Alerts(t *testing.T) {
	bothWays(t, "Start alerts", "EachMessage alerts", testAuthGiveUpCutPackage1)
}

// bothWays runs f as two subtests: f(t, false) named off, f(t, true)
// named on.
func bothWays(t *testing.T, off, on string, f func(t *testing.T, on bool)) {
	t.Helper()
	t.Run(off, func(t *testing.T) { f(t, false) })
	t.Run(on, func(t *testing.T) { f(t, true) })
}

// startCut starts session id on c with alerts and returns package 1's
// first message and its bytes, failing t unless the server's MaxMsgSize
// (1500) cut the package after Alert 1201 and the first alert: the tests
// need it cut.
func startCut(ctx context.Context, t *testing.T, c *Client, id string, alerts ...syncml.Command) (*syncml.Message, []byte) {
	t.Helper()
	m, err := c.Start(ctx, id, alerts...)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Body.Commands); n != 2 || m.Body.Final {
		t.Fatalf("package 1's first message carries %d commands, Final %v; want Alert 1201 and the first event, the package going on (the test needs it cut)", n, m.Body.Final)
	}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return m, raw
}

// testAuthGiveUpCutPackage1 runs TestClientAuthGiveUpCutPackage1Alerts
// with the events of session 1 given to Start, or by EachMessage.
func testAuthGiveUpCutPackage1(t *testing.T, each bool) {
	ctx := context.Background()
	g := newAuthGate(t, Config{})
	calls := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, ServerMaxMsgSize: 1500,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if calls++; each && calls == 1 {
				return []syncml.Command{longEvent("one"), longEvent("two")}, nil
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []syncml.Command
	if !each {
		alerts = []syncml.Command{longEvent("one"), longEvent("two")}
	}
	g.set(func(*syncml.Header) bool { return true })
	_, raw := startCut(ctx, t, c, "1", alerts...)
	if _, err := c.Handle(ctx, post(t, g.srv.URL, raw)); !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("refused package 1: %v, want ErrAuthGaveUp", err)
	}
	g.set(nil)
	m, err := c.Start(ctx, "2", longEvent("three"))
	if err != nil {
		t.Fatal(err)
	}
	carried := eventsIn(m.Body.Commands)
	if d := cmp.Diff([]string{"three"}, carried); d != "" {
		t.Errorf("package 1 of session 2 carries the events (-want +got):\n%s", d)
	}
	why := "Start gives each session its own alerts"
	if each {
		why = "EachMessage"
	}
	reported := reportedEvents(ctx, t, c, g.srv.URL, m, func(ev string, o Outcome) {
		if o.SessionID == "1" && (o.Abandoned || !errors.Is(o.Err, ErrInvalidCredentials) || !strings.Contains(o.Err.Error(), why)) {
			t.Errorf("%s: Abandoned %v, Err %v; want an Err matching ErrInvalidCredentials that says %q", ev, o.Abandoned, o.Err, why)
		}
	})
	if d := cmp.Diff([]string{"1 one", "1 two", "2 three"}, reported); d != "" {
		t.Errorf("the events come back as (-want +got):\n%s", d)
	}
}

// A package 1 cut in two by the server's MaxMsgSize whose second message,
// holding a Start alert, the server refuses until the session gives up
// (no Credentials: at once): the alert is reported once, in the next
// session's first Exchange, with the refused message's MsgID and an Err
// matching ErrInvalidCredentials, and is not sent again (Start's doc:
// each Start has its own alerts); so is the alert left for a third
// message, without MsgID, and the DevInfo is not sent again either.
// Before, they went back to the queue and out in the next session's
// package 1, after that Start's own alerts and DevInfo.
func TestClientAuthGiveUpPackage1SecondMessage(t *testing.T) {
	ctx := context.Background()
	g := newAuthGate(t, Config{AnnounceMaxMsgSize: 1500})
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, ServerMaxMsgSize: 1500,
		DevInfo: DevInfo{DevID: "DEV1", Man: "M", Mod: "X", DmV: "1.2", Lang: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	g.set(func(h *syncml.Header) bool { return h.SessionID == "1" && h.MsgID == "2" })
	_, raw := startCut(ctx, t, c, "1", longEvent("one"), longEvent("two"), longEvent("three"))
	x, err := c.Handle(ctx, post(t, g.srv.URL, raw))
	if err != nil {
		t.Fatal(err)
	}
	if x.Reply == nil || x.Reply.Header.MsgID != "2" {
		t.Fatalf("no second message of package 1: %+v", x.Reply)
	}
	if raw, err = syncml.Marshal(x.Reply); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Handle(ctx, post(t, g.srv.URL, raw)); !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("refused message 2: %v, want ErrAuthGaveUp", err)
	}
	m, err := c.Start(ctx, "2", longEvent("new"))
	if err != nil {
		t.Fatal(err)
	}
	carried := eventsIn(m.Body.Commands)
	if d := cmp.Diff([]string{"new"}, carried); d != "" {
		t.Errorf("package 1 of session 2 carries the events (-want +got):\n%s", d)
	}
	devInfo := 0 // in package 1, its first message or the rest
	for _, x := range append(slices.Clone(m.Body.Commands), c.cont...) {
		if r, ok := x.(*syncml.Replace); ok && strings.HasPrefix(itemURI(r.Items[0]), "./DevInfo/") {
			devInfo++
		}
	}
	if devInfo != 1 {
		t.Errorf("package 1 of session 2 carries %d DevInfo Replaces, want 1 (session 1's is not sent again)", devInfo)
	}
	reported := reportedEvents(ctx, t, c, g.srv.URL, m, func(ev string, o Outcome) {
		msgID := map[string]string{"1 two": "2"}[ev] // three was never sent
		if o.SessionID == "1" && (o.Abandoned || o.MsgID != msgID || !errors.Is(o.Err, ErrInvalidCredentials) ||
			!strings.Contains(o.Err.Error(), "Start gives each session its own alerts")) {
			t.Errorf("%s: MsgID %q, Abandoned %v, Err %v; want MsgID %q and an Err matching ErrInvalidCredentials that says why", ev, o.MsgID, o.Abandoned, o.Err, msgID)
		}
	})
	if d := cmp.Diff([]string{"1 two", "1 three", "2 new"}, reported); d != "" {
		t.Errorf("the events come back as (-want +got):\n%s", d)
	}
}

// eventsIn returns the events the Alerts among cmds carry, without the
// dots that make them long.
func eventsIn(cmds []syncml.Command) []string {
	var events []string
	for _, x := range cmds {
		if a, ok := x.(*syncml.Alert); ok && len(a.Items) > 0 {
			events = append(events, strings.TrimRight(a.Items[0].Data.Value, "."))
		}
	}
	return events
}

// longEvent returns a 1224 Alert carrying the event s, made long with
// dots so that two do not fit in a message of 1500 bytes.
func longEvent(s string) *syncml.Alert {
	return NewClientEvent(syncml.AlertCode(1224), "com.example/Event", s+strings.Repeat(".", 800))
}

// reportedEvents posts m, a package 1, to the server at url and has c
// handle its answer; it returns the events the Outcomes of that Exchange
// report, each as its session and event ("1 one"), after giving each of
// those Outcomes to check.
func reportedEvents(ctx context.Context, t *testing.T, c *Client, url string, m *syncml.Message, check func(ev string, o Outcome)) []string {
	t.Helper()
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, post(t, url, raw))
	if err != nil {
		t.Fatal(err)
	}
	return outcomeEvents(x.Outcomes, check)
}

// outcomeEvents returns the events the Outcomes among outs of event
// Alerts report, each as its session and event ("1 one"), after giving
// each of those Outcomes to check.
func outcomeEvents(outs []Outcome, check func(ev string, o Outcome)) []string {
	var reported []string
	for _, o := range outs {
		a, ok := o.Command.(*syncml.Alert)
		if !ok || len(a.Items) == 0 {
			continue
		}
		ev := o.SessionID + " " + strings.TrimRight(a.Items[0].Data.Value, ".")
		reported = append(reported, ev)
		check(ev, o)
	}
	return reported
}
