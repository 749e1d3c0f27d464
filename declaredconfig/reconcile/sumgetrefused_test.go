package reconcile_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestSummaryGetRefused: a device that holds a document, sends a
// message without its summary, and refuses the Get that asks for it
// with a 5xx (but 501 and 505) says nothing of what it holds: nothing is
// decided of its documents (none is lost, or sent again), a Problem
// says so with the try to come, and the summary is asked again in each
// of up to Config.RetryRefused later sessions; one more such refusal is
// final (a Problem says so) and the message reads as an empty summary,
// as before. A summary, or the Get answered, forgets the refusal; any
// other refusal is final at once. Before, the first 5xx made the
// document lost and sent it again.
func TestSummaryGetRefused(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		code     syncml.StatusCode
		retry    int
		held     int // sessions that decide nothing
		answered int // a session among them answers the Get (200), 0 none
	}{
		{syncml.StatusCommandFailed, 0, reconcile.DefaultRetryRefused, 0},
		{syncml.StatusServiceUnavailable, 1, 1, 0},
		{syncml.StatusCommandFailed, -1, 0, 0},
		{syncml.StatusCommandNotImplemented, 0, 0, 0},
		{syncml.StatusNotFound, 0, 0, 0},
		{syncml.StatusCommandFailed, 1, 1, 2}, // refused, answered, refused: counted anew
	} {
		what := c.code.String() + " RetryRefused " + strconv.Itoa(c.retry)
		w, sum := inSyncWire(t, reconcile.Config{RetryRefused: c.retry})
		w.ev.events = nil
		session := 1
		for tries := 1; ; tries++ {
			session++
			code := c.code
			if session == c.answered+1 {
				code = syncml.StatusOK
			}
			w.sessionWithoutSummary(session, code)
			var got []string
			lost := false
			for _, e := range w.ev.events {
				switch e.Kind {
				case reconcile.Problem:
					got = append(got, e.Err.Error())
				case reconcile.Lost:
					lost = true
				}
			}
			w.ev.events = nil
			if code == syncml.StatusOK {
				if !lost || len(got) != 0 {
					t.Errorf("%s: session %d answers the Get without a summary: lost %v, Problems %v; want lost, none", what, session, lost, got)
				}
				if ds, err := w.rec.Status(ctx, dev1); err != nil || ds.SummaryRefused != 0 || ds.SummaryRefusals != 0 {
					t.Errorf("%s: session %d answers the Get: status %+v (%v); want the refusal forgotten", what, session, ds, err)
				}
				// Sent again: the device lists it again.
				w.send(sum)
				w.ev.events = nil
				tries = 0
				continue
			}
			final := tries > c.held
			ds, err := w.rec.Status(ctx, dev1)
			if err != nil {
				t.Fatal(err)
			}
			// A 5xx refusal (but 501 and 505), and its sessions in a
			// row, show in the device's status, the final one too;
			// another refusal is final at once and counts not.
			wantCode, wantTries := c.code, tries
			if c.code == syncml.StatusNotFound || c.code == syncml.StatusCommandNotImplemented {
				wantCode, wantTries = 0, 0
			}
			if ds.SummaryRefused != wantCode || ds.SummaryRefusals != wantTries {
				t.Errorf("%s: session %d, refusal %d: status SummaryRefused %v, SummaryRefusals %d; want %v, %d",
					what, session, tries, ds.SummaryRefused, ds.SummaryRefusals, wantCode, wantTries)
			}
			cond := ds.Docs[0].Condition
			switch {
			case final && cond == reconcile.InSync:
				// (Lost is told once a version: not again in the last case.)
				t.Errorf("%s: session %d, refusal %d, final: lost %v, %v; want it taken as lost, sent again", what, session, tries, lost, cond)
			case !final && (lost || cond != reconcile.InSync):
				t.Errorf("%s: session %d, refusal %d: lost %v, %v; want nothing decided", what, session, tries, lost, cond)
			case !c.code.Success() && c.code != syncml.StatusNotFound && c.code != syncml.StatusCommandNotImplemented:
				want := "try " + strconv.Itoa(tries+1) + " of "
				if final {
					want = "in " + strconv.Itoa(tries) + " sessions in a row"
				}
				if len(got) != 1 || !strings.Contains(got[0], want) || !strings.Contains(got[0], c.code.String()) {
					t.Errorf("%s: session %d, refusal %d: Problems %v, want one with %q", what, session, tries, got, want)
				}
			case len(got) != 0:
				t.Errorf("%s: session %d: Problems %v, want none", what, session, got)
			}
			if final {
				break
			}
		}
	}
}

// inSyncWire returns a wire of cfg whose device dev1 holds vpnDoc A0 in
// sync, its results read, with the summary alert that lists it.
func inSyncWire(t *testing.T, cfg reconcile.Config) (*wire, string) {
	t.Helper()
	w := newWire(t, cfg)
	if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	sum := sumAlert("3", entry(ids[0], "A0", "R1", "60"))
	w.send(startAlert("1") + sum)
	w.send(getAnswered(syncml.StatusOK) + `<Results><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` +
		esc(result(ids[0], "A0", "R1", "60")) + `</Data></Item></Results>` + sum)
	return w, sum
}

// sessionWithoutSummary runs session (its SessionID) of the wire's
// device, which sends no summary: the reply to its package 1 must be the
// Get of RefreshInterval that asks for one, which the device answers with
// code, and a third message follows, without a summary either. It fails
// the test on an error of the Reconciler.
func (w *wire) sessionWithoutSummary(session int, code syncml.StatusCode) {
	w.t.Helper()
	w.sess = strconv.Itoa(session)
	w.send(startAlert("1"))
	names := sentCommands(w)
	if len(names) != 1 || !strings.HasPrefix(names[0], "Get ") || !strings.HasSuffix(names[0], "/RefreshInterval") {
		w.t.Fatalf("session %d: the message without a summary is answered %v, want a Get of RefreshInterval", session, names)
	}
	w.send(`<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Cmd>Get</Cmd><Data>` +
		strconv.Itoa(int(code)) + `</Data></Status>`)
	w.send(`<Alert><CmdID>1</CmdID><Data>1226</Data></Alert>`) // a third message, without a summary
	if len(w.errs) > 0 {
		w.t.Fatalf("session %d: %v", session, w.errs)
	}
}
