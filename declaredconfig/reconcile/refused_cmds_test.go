package reconcile_test

// Tests of the commands other than a document's version that a device
// refuses in every session: the Replace of Properties/Abandoned, of
// BulkVariables, and the Delete of a document no longer desired.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// refusedCases are the statuses a device refuses a command with in
// every session, and in how many sessions the command is then sent: once
// for a status that does not pass (405), 1+RetryRefused times for one
// that may (503), as a document's version.
var refusedCases = []struct {
	code  syncml.StatusCode
	sends int
}{
	{syncml.StatusCommandNotAllowed, 1},
	{syncml.StatusServiceUnavailable, 1 + reconcile.DefaultRetryRefused},
}

// refusalProblems returns the Problems among ev's events that say the
// device refused a command, and forgets ev's events.
func refusalProblems(ev *recorder) []reconcile.Event {
	var out []reconcile.Event
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem && strings.Contains(e.Err.Error(), "refused") {
			out = append(out, e)
		}
	}
	ev.events = nil
	return out
}

// sessionsRefusing runs n sessions (numbered from first) of a device that
// lists entries and answers the command cmd with code, all else 200; it
// returns in how many sessions cmd was sent, and the Problems of its
// refusal.
func sessionsRefusing(t *testing.T, ev *recorder, srv *session.Session, first, n int, cmd string, code syncml.StatusCode, entries func() []declaredconfig.SummaryEntry) (int, []reconcile.Event) {
	t.Helper()
	sends := 0
	var problems []reconcile.Event
	for s := first; s < first+n; s++ {
		sent, ended := deviceSessionOf(t, srv, strconv.Itoa(s), func(c string) int {
			if c == cmd {
				return int(code)
			}
			return 200
		}, entries)
		if !ended {
			t.Errorf("session %d did not end: %q", s, sent)
		}
		if slices.Contains(sent, cmd) {
			sends++
		}
		problems = append(problems, refusalProblems(ev)...)
	}
	return sends, problems
}

// wantRefusedOnce checks that the command what (cmd), refused with code
// in 6 sessions, was sent in sends of them and gave one Problem naming
// ids[0] and code (and, unless cond is Unknown, the document in cond),
// whose status and the document's now say that the device refused cmd
// with code.
func wantRefusedOnce(t *testing.T, rec *reconcile.Reconciler, what string, cmd reconcile.DocCommand, sends int, problems []reconcile.Event, code syncml.StatusCode, wantSends int, cond reconcile.DocCondition) {
	t.Helper()
	if sends != wantSends {
		t.Errorf("%s sent in %d sessions of 6, want %d", what, sends, wantSends)
	}
	if len(problems) != 1 || problems[0].Status.URI.DocID != ids[0] || (cond != reconcile.Unknown && problems[0].Status.Condition != cond) ||
		!strings.Contains(problems[0].Err.Error(), strconv.Itoa(int(code))) {
		t.Errorf("%d Problems of the refusal, want one naming the document and %d", len(problems), code)
		for _, e := range problems {
			t.Logf("Problem %s: %v", e.Status.URI.DocID, e.Err)
		}
	}
	if len(problems) > 0 {
		wantRefused(t, "the Problem's status", &problems[0].Status, code, cmd)
	}
	wantRefused(t, "the document's status", status(t, rec).Doc(ids[0]), code, cmd)
}

// wantRefused checks that s says the device refused cmd with code (none
// when code is 0).
func wantRefused(t *testing.T, where string, s *reconcile.DocStatus, code syncml.StatusCode, cmd reconcile.DocCommand) {
	t.Helper()
	if code == 0 {
		cmd = 0
	}
	if s == nil || s.Refused != code || s.RefusedCmd != cmd {
		t.Errorf("%s: %+v, want Refused %v and RefusedCmd %v", where, s, code, cmd)
	}
}

// heldAt returns a summary listing ids[0] in sync at checksum cs.
func heldAt(cs string) func() []declaredconfig.SummaryEntry {
	return func() []declaredconfig.SummaryEntry {
		return []declaredconfig.SummaryEntry{{Context: "Device", ID: ids[0], Checksum: cs, ResultChecksum: "R", State: "60"}}
	}
}

// A device that refuses the Replace of Properties/Abandoned was sent it
// again in every session, and no event said so. It is now sent once for
// a status that does not pass (and in up to RetryRefused later sessions
// for one that may), with one Problem; abandoning the document anew (the
// declared set changes) sends it again.
func TestAbandonRefusedOnce(t *testing.T) {
	const cmd = "Replace Complete/Documents/1111/Properties/Abandoned"
	for _, c := range refusedCases {
		t.Run(c.code.String(), func(t *testing.T) {
			ctx := context.Background()
			ev, rec, srv := declaredOne(t, "A0")
			deviceSession(t, srv, "1", func(string) int { return 200 }, heldAt("A0"))
			ev.events = nil
			d := vpnDoc(ids[0], "A0")
			d.Abandoned = true
			if err := rec.Declare(ctx, dev1, d); err != nil {
				t.Fatal(err)
			}
			sends, problems := sessionsRefusing(t, ev, srv, 2, 6, cmd, c.code, heldAt("A0"))
			wantRefusedOnce(t, rec, "Abandoned", reconcile.SetAbandoned, sends, problems, c.code, c.sends, reconcile.Unknown)
			if s := wantDoc(t, rec, ids[0], reconcile.Abandoned); !strings.Contains(s.Reason, "refused") {
				t.Errorf("reason %q", s.Reason)
			}
			// Taken back and abandoned again: tried again.
			d.Abandoned = false
			if err := rec.Declare(ctx, dev1, d); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, "abandonment taken back", status(t, rec).Doc(ids[0]), 0, 0)
			d.Abandoned = true
			if err := rec.Declare(ctx, dev1, d); err != nil {
				t.Fatal(err)
			}
			if sends, problems := sessionsRefusing(t, ev, srv, 8, 1, cmd, c.code, heldAt("A0")); sends != 1 || len(problems) != 1 {
				t.Errorf("abandoned anew: sent in %d sessions, %d Problems; want 1 and 1", sends, len(problems))
			}
		})
	}
}

// A device that refuses the Replace of a bulk template's BulkVariables
// was sent it again in every session, and no event said so. It is now
// sent once (for a status that may pass, in up to RetryRefused later
// sessions), with one Problem; new variables (the declared set changes)
// are sent again.
func TestBulkVariablesRefusedOnce(t *testing.T) {
	const cmd = "Replace BulkTemplate/Documents/1111/BulkVariables/Value"
	for _, c := range refusedCases {
		t.Run(c.code.String(), func(t *testing.T) {
			ctx := context.Background()
			d := vpnDoc(ids[0], "A0")
			d.Host = declaredconfig.BulkTemplate
			d.Document.CSPs[0].Settings[1].Value = "@#server#"
			d.Variables = &declaredconfig.InstanceBlob{Schema: "1.0", Instances: []declaredconfig.Instance{{
				Data: []declaredconfig.InstanceData{{Variable: "server", Value: "vpn.example"}}}}}
			ev := &recorder{}
			rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
			if err := rec.Declare(ctx, dev1, d); err != nil {
				t.Fatal(err)
			}
			srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
			sends, problems := sessionsRefusing(t, ev, srv, 1, 6, cmd, c.code, heldAt("A0"))
			wantRefusedOnce(t, rec, "BulkVariables", reconcile.ReplaceBulkVariables, sends, problems, c.code, c.sends, reconcile.Unknown)
			d.Variables = &declaredconfig.InstanceBlob{Schema: "1.0", Instances: []declaredconfig.Instance{{
				Data: []declaredconfig.InstanceData{{Variable: "server", Value: "vpn2.example"}}}}}
			if err := rec.Declare(ctx, dev1, d); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, "new variables declared", status(t, rec).Doc(ids[0]), 0, 0)
			if sends, problems := sessionsRefusing(t, ev, srv, 8, 1, cmd, c.code, heldAt("A0")); sends != 1 || len(problems) != 1 {
				t.Errorf("new variables: sent in %d sessions, %d Problems; want 1 and 1", sends, len(problems))
			}
		})
	}
}

// A device that refuses the Delete of a document no longer desired was
// sent it again in every session, for ever. It is now sent once (for a
// status that may pass, in up to RetryRefused later sessions), with one
// Problem, until the device lists another version of the document.
func TestDeleteRefusedOnce(t *testing.T) {
	const cmd = "Delete Complete/Documents/1111/Document"
	for _, c := range refusedCases {
		t.Run(c.code.String(), func(t *testing.T) {
			ctx := context.Background()
			ev, rec, srv := declaredOne(t, "A0")
			deviceSession(t, srv, "1", func(string) int { return 200 }, heldAt("A0"))
			ev.events = nil
			if err := rec.Remove(ctx, dev1, ids[0]); err != nil {
				t.Fatal(err)
			}
			sends, problems := sessionsRefusing(t, ev, srv, 2, 6, cmd, c.code, heldAt("A0"))
			wantRefusedOnce(t, rec, "Delete", reconcile.DeleteDocument, sends, problems, c.code, c.sends, reconcile.Removing)
			if s := wantDoc(t, rec, ids[0], reconcile.Removing); !strings.Contains(s.Reason, "refused") {
				t.Errorf("reason %q", s.Reason)
			}
			// The device lists another version: its Delete is tried.
			if sends, problems := sessionsRefusing(t, ev, srv, 8, 1, cmd, c.code, heldAt("A9")); sends != 1 || len(problems) != 1 {
				t.Errorf("another version listed: sent in %d sessions, %d Problems; want 1 and 1", sends, len(problems))
			}
		})
	}
}

// removedAfterSession returns the Store, the event recorder and the
// Session of a Reconciler that declared a document, saw it applied in a
// device's session 1, and was then told to remove it (events cleared).
func removedAfterSession(t *testing.T) (*session.MemoryStore, *recorder, *reconcile.Reconciler, *session.Session) {
	t.Helper()
	ctx := context.Background()
	store := session.NewMemoryStore()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{Store: store, OnEvent: ev.on})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
	deviceSession(t, srv, "1", func(string) int { return 200 }, heldAt("A0"))
	if err := rec.Remove(ctx, dev1, ids[0]); err != nil {
		t.Fatal(err)
	}
	ev.events = nil
	return store, ev, rec, srv
}

// A Delete refused in a state of format 3 (which kept its status in the
// refusal of the version) is not sent again by a Reconciler that loads
// that state, nor its refusal reported again.
func TestDeleteRefusedFormat3(t *testing.T) {
	const cmd = "Delete Complete/Documents/1111/Document"
	ctx := context.Background()
	store, ev, _, srv := removedAfterSession(t)
	if sends, problems := sessionsRefusing(t, ev, srv, 2, 1, cmd, syncml.StatusCommandNotAllowed, heldAt("A0")); sends != 1 || len(problems) != 1 {
		t.Fatalf("sent in %d sessions, %d Problems; want 1 and 1", sends, len(problems))
	}
	raw, _, err := store.Load(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	v3, err := reconcile.AsFormat3(raw)
	if err != nil {
		t.Fatal(err)
	}
	old := session.NewMemoryStore()
	if _, err := old.CompareAndSwap(ctx, dev1, 0, v3); err != nil {
		t.Fatal(err)
	}
	upgraded := reconcile.New(reconcile.Config{Store: old, OnEvent: ev.on})
	wantDoc(t, upgraded, ids[0], reconcile.Removing)
	srv = session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: upgraded.BeforeReply})
	if sends, problems := sessionsRefusing(t, ev, srv, 3, 3, cmd, syncml.StatusCommandNotAllowed, heldAt("A0")); sends != 0 || len(problems) != 0 {
		t.Errorf("loaded from format 3: sent in %d sessions, %d Problems; want none", sends, len(problems))
	}
}

// A state of format 3 saved with a Delete in flight (format 3 did not
// keep the version it was sent for): the device refuses it, once the
// state is upgraded. The Delete was sent once more in the same session,
// and its refusal reported twice; it is now sent once, as in format 4.
func TestDeleteInFlightFormat3(t *testing.T) {
	const cmd = "Delete Complete/Documents/1111/Document"
	ctx := context.Background()
	store, ev, rec, srv := removedAfterSession(t)
	m := specMessage(t, "1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`)
	m.Header.SessionID = "2"
	appendSummary(m, heldAt("A0")()...)
	x, err := srv.Handle(ctx, &session.Inbound{Message: m})
	if err != nil {
		t.Fatal(err)
	}
	refuse := func(c string) int {
		if c == cmd {
			return int(syncml.StatusCommandNotAllowed)
		}
		return 200
	}
	sent, body := answers(x, refuse)
	if !slices.Equal(sent, []string{cmd}) {
		t.Fatalf("sent %q, want the Delete", sent)
	}
	// The state as format 3 saved it, the Delete in flight.
	raw, ver, err := store.Load(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	v3, err := reconcile.AsFormat3(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CompareAndSwap(ctx, dev1, ver, v3); err != nil {
		t.Fatal(err)
	}
	reconcile.Forget(rec, dev1)
	sent, ended := sessionFrom(t, srv, "2", specMessage(t, "2", body), 3, refuse, heldAt("A0"))
	problems := refusalProblems(ev)
	for s := 3; s <= 4; s++ {
		more, _ := deviceSessionOf(t, srv, strconv.Itoa(s), refuse, heldAt("A0"))
		sent = append(sent, more...)
		problems = append(problems, refusalProblems(ev)...)
	}
	if n := strings.Count(strings.Join(sent, "\n"), cmd); !ended || n != 0 || len(problems) != 1 {
		t.Errorf("after the upgrade: Delete sent %d times (%q, session ended %v), %d Problems; want none and one", n, sent, ended, len(problems))
	}
	wantRefused(t, "the document's status", wantDoc(t, rec, ids[0], reconcile.Removing), syncml.StatusCommandNotAllowed, reconcile.DeleteDocument)
}
