package reconcile_test

// Tests of what a hostile device, a failing Store or session, and a
// caller changing its mind mid-session do to the reconciler.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// reconcileSummary has rec read one device message of session "1" that
// carries only a summary of entries, and returns the session with what
// was queued.
func reconcileSummary(t *testing.T, rec *reconcile.Reconciler, msgID string, entries ...declaredconfig.SummaryEntry) (*session.Session, *reconcile.DeviceStatus) {
	t.Helper()
	ss := session.NewSession(nil)
	m := specMessage(t, msgID, "")
	appendSummary(m, entries...)
	st, err := rec.Reconcile(context.Background(), ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}})
	if err != nil {
		t.Fatal(err)
	}
	return ss, st
}

// queued returns "Cmd target" of what ss has queued.
func queued(t *testing.T, ss *session.Session) []string {
	t.Helper()
	reply, err := ss.Handle(context.Background(), &session.Inbound{Message: specMessage(t, "99", "")})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range reply.Reply.Body.Commands {
		if c.ElementName() == "Status" {
			continue
		}
		out = append(out, c.ElementName()+" "+strings.Join(syncml.Targets(c), ","))
	}
	return out
}

// bothScopes returns a new Reconciler to which the same document (vpnDoc
// of ids[0], version A0) is declared on dev1 twice: in the Device scope
// and in the User scope.
func bothScopes(t *testing.T) *reconcile.Reconciler {
	t.Helper()
	rec := reconcile.New(reconcile.Config{})
	dev := vpnDoc(ids[0], "A0")
	usr := vpnDoc(ids[0], "A0")
	usr.Scope, usr.Document.Context = declaredconfig.User, "User"
	if err := rec.Declare(context.Background(), dev1, dev, usr); err != nil {
		t.Fatal(err)
	}
	return rec
}

// The same DocID may be declared in the Device and the User scope: they
// are two documents, and the summary tells them apart by context. A
// Device entry must not stand for the User document.
func TestScopesApart(t *testing.T) {
	ctx := context.Background()
	rec := bothScopes(t)
	// The device holds the Device document only; it also lists a User
	// document the server never declared under the id of a Device one.
	_, st := reconcileSummary(t, rec, "1",
		declaredconfig.SummaryEntry{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R0", State: "60"},
		declaredconfig.SummaryEntry{Context: "user", ID: ids[1], Checksum: "C0", ResultChecksum: "R1", State: "60"})
	var sawUser, sawStray bool
	for _, d := range st.Docs {
		switch {
		case d.URI.Scope == declaredconfig.User && declaredconfig.EqualDocID(d.URI.DocID, ids[0]):
			sawUser = true
			if d.Condition != reconcile.Unknown || d.Reported {
				t.Errorf("the User document, never sent, is %v (%s), reported %v", d.Condition, d.Reason, d.Reported)
			}
		case d.Condition == reconcile.Stray && d.URI.Scope == declaredconfig.User && declaredconfig.EqualDocID(d.URI.DocID, ids[1]):
			sawStray = true
		}
	}
	if !sawUser || !sawStray {
		t.Errorf("user document seen %v, user stray seen %v: %+v", sawUser, sawStray, st.Docs)
	}

	// A Device document being removed is not kept alive by a User entry
	// of the same id.
	rec2 := reconcile.New(reconcile.Config{})
	if err := rec2.Declare(ctx, dev1, vpnDoc(ids[2], "B0")); err != nil {
		t.Fatal(err)
	}
	if err := rec2.Remove(ctx, dev1, ids[2]); err != nil {
		t.Fatal(err)
	}
	ss, st := reconcileSummary(t, rec2, "1",
		declaredconfig.SummaryEntry{Context: "User", ID: ids[2], Checksum: "B0", ResultChecksum: "R", State: "60"})
	if got := queued(t, ss); len(got) != 0 {
		t.Errorf("queued %q for a Device document the device does not list", got)
	}
	if d := st.Doc(ids[2]); d != nil && d.Condition == reconcile.Removing {
		t.Errorf("still removing: %+v", d)
	}
}

// A hostile summary lists thousands of documents never declared, some of
// them several times under the same id written in other letter cases:
// what the reconciler keeps of them is bounded by MaxDocuments, each id
// once, and it says so once.
func TestStraysBounded(t *testing.T) {
	var problems []error
	rec := reconcile.New(reconcile.Config{MaxDocuments: 10, OnEvent: func(_ context.Context, e reconcile.Event) {
		if e.Kind == reconcile.Problem {
			problems = append(problems, e.Err)
		}
	}})
	// Three ids, two of them listed again in other letter cases.
	entries := []declaredconfig.SummaryEntry{
		{Context: "Device", ID: "abcdef00-0000-4000-8000-000000000000", Checksum: "X", ResultChecksum: "Y", State: "60"},
		{Context: "Device", ID: "abcdef00-0000-4000-8000-000000000001", Checksum: "X", ResultChecksum: "Y", State: "60"},
		{Context: "Device", ID: "ABCDEF00-0000-4000-8000-000000000001", State: "61"},
		{Context: "Device", ID: "ABCDEF00-0000-4000-8000-000000000000", State: "999"},
		{Context: "User", ID: "ABCDEF00-0000-4000-8000-000000000000", State: "60"},
	}
	_, st := reconcileSummary(t, rec, "1", entries...)
	if n := len(st.Docs); n != 3 {
		t.Errorf("%d strays kept of 3 ids: %+v", n, st.Docs)
	}
	var many []declaredconfig.SummaryEntry
	for i := range 3000 {
		many = append(many, declaredconfig.SummaryEntry{Context: "Device", ID: "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(strconv.Itoa(i))) + strconv.Itoa(i), State: "60"})
	}
	_, st = reconcileSummary(t, rec, "2", many...)
	if n := len(st.Docs); n > 10 {
		t.Errorf("%d strays kept, MaxDocuments is 10", n)
	}
	_, _ = reconcileSummary(t, rec, "3", many...)
	// The first summary's ids listed again, and its state 999, are
	// Problems of their own (TestSummaryEntryProblems).
	var limit, entry int
	for _, err := range problems {
		var se *reconcile.SummaryError
		switch {
		case strings.Contains(err.Error(), "MaxDocuments"):
			limit++
		case errors.As(err, &se):
			entry++
		}
	}
	if limit != 1 || entry != 3 || len(problems) != 4 {
		t.Errorf("problems %v, want one naming MaxDocuments and 3 SummaryErrors", problems)
	}
}

// A document the device refuses with a status that may pass (500) is
// sent again in the next sessions, Config.RetryRefused times, then
// reported Failed once; one refused with a 4xx is not (TestRefused).
func TestRefusedTransientRetried(t *testing.T) {
	rec, ev, l := setup(t, vpnDoc(ids[0], "A0"))
	l.dev.refuse = syncml.StatusCommandFailed
	for i := range reconcile.DefaultRetryRefused {
		l.session(-1)
		l.noErrors()
		wantCommands(t, l, "Add Complete/Documents/1111/Document", "Get Complete/Results/1111/Document")
		wantEvents(t, ev)
		if d := wantDoc(t, rec, ids[0], reconcile.Pending); d.Refused != syncml.StatusCommandFailed {
			t.Errorf("session %d: Refused = %v", i, d.Refused)
		}
	}
	l.session(-1)
	wantCommands(t, l, "Add Complete/Documents/1111/Document", "Get Complete/Results/1111/Document")
	wantEvents(t, ev, "Failed 1111")
	wantDoc(t, rec, ids[0], reconcile.Failed)
	l.session(-1)
	wantCommands(t, l)
	wantEvents(t, ev)

	// The device gets over it: the next try applies it.
	rec, ev, l = setup(t, vpnDoc(ids[0], "A0"))
	l.dev.refuse = syncml.StatusCommandFailed
	l.session(-1)
	l.dev.refuse = 0
	l.sent = nil
	ev.kinds()
	l.session(-1)
	l.noErrors()
	wantCommands(t, l, "Add Complete/Documents/1111/Document", "Get Complete/Results/1111/Document")
	wantEvents(t, ev, "Applied 1111")
	wantDoc(t, rec, ids[0], reconcile.InSync)
}

// A document declared again while its Delete is on the way: the Delete
// cannot be taken back from the session (it may have gone out already),
// so the device deletes it and the reconciler sends it again in the same
// session; the caller hears Applied once, and no Removed.
func TestDeclaredAgainWhileDeleting(t *testing.T) {
	ctx := context.Background()
	rec, ev, l := setup(t, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "B0"))
	l.session(-1)
	l.sent = nil
	ev.kinds()
	if err := rec.Remove(ctx, dev1, ids[1]); err != nil {
		t.Fatal(err)
	}
	again := true
	l.srv = session.NewSession(&session.Config{
		Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
				t.Error(err)
			}
			if again {
				again = false
				if err := rec.Declare(ctx, dev1, vpnDoc(ids[1], "B0")); err != nil {
					t.Error(err)
				}
			}
		},
	})
	l.session(-1)
	wantCommands(t, l, "Delete Complete/Documents/2222/Document",
		"Add Complete/Documents/2222/Document", "Get Complete/Results/2222/Document")
	wantEvents(t, ev, "Applied 2222")
	wantDoc(t, rec, ids[1], reconcile.InSync)
	if l.dev.docs[ids[1]] == nil {
		t.Error("the device does not hold the document declared again")
	}
	l.session(-1)
	wantCommands(t, l)
	wantEvents(t, ev)
}

// A stray document (listed by the device, never declared) is left alone
// until the caller removes it; the summary does not say its Host, so the
// Delete tries Complete, Inventory and BulkTemplate in turn.
func TestRemoveStray(t *testing.T) {
	rec, ev, l := setup(t, vpnDoc(ids[0], "A0"))
	l.dev.hold(declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Inventory, ids[2]))
	l.session(-1)
	l.noErrors()
	l.sent = nil
	ev.kinds()
	wantDoc(t, rec, ids[2], reconcile.Stray)
	l.session(-1)
	wantCommands(t, l) // reported, not deleted
	if err := rec.Remove(context.Background(), dev1, strings.ToLower(ids[2])); err != nil {
		t.Fatal(err)
	}
	wantDoc(t, rec, ids[2], reconcile.Removing)
	l.session(-1)
	l.noErrors()
	wantCommands(t, l, "Delete Complete/Documents/3333/Document", "Delete Inventory/Documents/3333/Document")
	wantEvents(t, ev, "Removed 3333")
	if l.dev.docs[ids[2]] != nil {
		t.Error("the stray document is still on the device")
	}
	if d := status(t, rec).Doc(ids[2]); d != nil {
		t.Errorf("status after removal: %+v", d)
	}
	wantDoc(t, rec, ids[0], reconcile.InSync)
	l.session(-1)
	wantCommands(t, l)
}

// A stray being removed and then declared under another Host is not
// deleted there by the Host probe.
func TestRemoveStrayThenDeclare(t *testing.T) {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{})
	reconcileSummary(t, rec, "1", declaredconfig.SummaryEntry{Context: "Device", ID: ids[2], Checksum: "X", ResultChecksum: "R", State: "60"})
	if err := rec.Remove(ctx, dev1, ids[2]); err != nil {
		t.Fatal(err)
	}
	inv := invDoc(ids[2], "I0")
	if err := rec.Declare(ctx, dev1, inv); err != nil {
		t.Fatal(err)
	}
	ss, st := reconcileSummary(t, rec, "2", declaredconfig.SummaryEntry{Context: "Device", ID: ids[2], Checksum: "X", ResultChecksum: "R", State: "60"})
	for _, c := range queued(t, ss) {
		if strings.HasPrefix(c, "Delete") {
			t.Errorf("queued %s", c)
		}
	}
	if d := st.Doc(ids[2]); d == nil || d.Condition == reconcile.Removing {
		t.Errorf("status %+v", d)
	}
}

// failingStore refuses to save while fail is set.
type failingStore struct {
	*session.MemoryStore
	fail error
}

func (s *failingStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if s.fail != nil {
		return 0, s.fail
	}
	return s.MemoryStore.CompareAndSwap(ctx, device, old, state)
}

// A Store that fails: Reconcile says which device and why (the Store's
// error kept for errors.Is), queues nothing and reports no event; once
// the Store is back, the events come, each once. A Store that always
// conflicts gives ErrConflict after MaxRetries.
func TestStoreFails(t *testing.T) {
	ctx := context.Background()
	errDown := errors.New("store down")
	store := &failingStore{MemoryStore: session.NewMemoryStore()}
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{Store: store, OnEvent: ev.on, MaxRetries: 3})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	store.fail = errDown
	ss := session.NewSession(nil)
	m := specMessage(t, "1", "")
	appendSummary(m)
	_, err := rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}})
	if !errors.Is(err, errDown) || !strings.Contains(err.Error(), dev1) {
		t.Errorf("error %v: want the store's, naming the device", err)
	}
	if ss.Queued() != 0 {
		t.Errorf("%d commands queued though nothing was saved", ss.Queued())
	}
	wantEvents(t, ev)
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[1], "B0")); !errors.Is(err, errDown) {
		t.Errorf("Declare: %v", err)
	}
	store.fail = fmt.Errorf("busy: %w", session.ErrConflict)
	if _, err := rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}}); !errors.Is(err, reconcile.ErrConflict) ||
		!strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("conflicts: %v", err)
	}
	store.fail = nil
	if _, err := rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}}); err != nil {
		t.Fatal(err)
	}
	if ss.Queued() != 2 {
		t.Errorf("%d commands queued, want the Add and the Get", ss.Queued())
	}
}

// A device that answers the Get of the Results with a document larger
// than Config.MaxResultBytes: the result is not kept (a Problem with a
// *LimitError says so, once), the document is judged by its summary
// entry as when the device has no results, and the Get is not repeated.
// The bound is above the least a result of the document takes (227
// bytes, which Declare checks) and below the simulated device's result.
func TestResultTooLarge(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultBytes: 256})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	l := newLink(t, rec, newSimDevice(t, dev1))
	l.session(-1)
	l.noErrors()
	var limits int
	for _, e := range ev.events {
		var le *reconcile.LimitError
		if e.Kind == reconcile.Problem && errors.As(e.Err, &le) && le.Limit == "MaxResultBytes" {
			limits++
		}
	}
	if limits == 0 {
		t.Errorf("no Problem naming MaxResultBytes in %v", ev.events)
	}
	ev.events = slices.DeleteFunc(ev.events, func(e reconcile.Event) bool { return e.Kind == reconcile.Problem })
	wantEvents(t, ev, "Applied 1111")
	if res, err := wantDoc(t, rec, ids[0], reconcile.InSync).Result(); res != nil || err != nil {
		t.Errorf("a result over the limit was kept")
	}
	l.sent = nil
	l.session(-1)
	l.noErrors()
	wantCommands(t, l)
	wantEvents(t, ev)
}

// A device whose summary gives another checksum in every message gets
// the declared version once per session, however many messages it sends.
func TestChecksumFlips(t *testing.T) {
	rec := reconcile.New(reconcile.Config{})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	sends := 0
	for i := range 20 {
		ss, _ := reconcileSummary(t, rec, strconv.Itoa(i+1), declaredconfig.SummaryEntry{Context: "Device", ID: ids[0],
			Checksum: "F" + strconv.Itoa(i), ResultChecksum: "R" + strconv.Itoa(i), State: strconv.Itoa(60 + i%2)})
		for _, c := range queued(t, ss) {
			if strings.HasPrefix(c, "Replace") || strings.HasPrefix(c, "Add") {
				sends++
			}
		}
	}
	if sends != 1 {
		t.Errorf("the document was sent %d times in one session", sends)
	}
}

// A session that refuses the commands (its MaxQueue) makes Reconcile
// fail, but what the reconciler saved as reported still reaches OnEvent:
// an event is never recorded as given and then lost.
func TestQueueRefusedKeepsEvents(t *testing.T) {
	ctx := context.Background()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "B0")); err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove(ctx, dev1, ids[1]); err != nil {
		t.Fatal(err)
	}
	// The device lists B being removed; then it lists nothing: B is gone
	// (Removed) and A needs an Add and a Get, more than the session takes.
	reconcileSummary(t, rec, "1", declaredconfig.SummaryEntry{Context: "Device", ID: ids[1], Checksum: "B0", ResultChecksum: "R", State: "60"})
	ev.kinds()
	ss := session.NewSession(&session.Config{MaxQueue: 1})
	m := specMessage(t, "1", "")
	m.Header.SessionID = "2"
	appendSummary(m)
	if _, err := rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}}); err == nil {
		t.Error("a session that refuses the commands: no error")
	}
	wantEvents(t, ev, "Removed 2222")
}

// A device whose summary does not read (cut short, or over a limit) says
// nothing of what it holds: its documents are not taken for lost, sent
// again or reported, in the first message of a session or any later one;
// Reconcile says why (the decode error kept for errors.As). Once the
// summary reads again, the document in sync needs nothing.
func TestUnreadableSummary(t *testing.T) {
	ctx := context.Background()
	rec, ev, l := setup(t, vpnDoc(ids[0], "A0"))
	l.session(-1)
	l.noErrors()
	wantCommands(t, l, "Add Complete/Documents/1111/Document", "Get Complete/Results/1111/Document")
	wantEvents(t, ev, "Applied 1111")
	bad := session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType,
		`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration id="`+ids[0]+`"`)
	for sess := range 2 {
		for msg := range 3 {
			m := specMessage(t, strconv.Itoa(msg+1), "")
			m.Header.SessionID = strconv.Itoa(sess + 10)
			m.Body.Commands = append(m.Body.Commands, bad)
			ss := session.NewSession(nil)
			_, err := rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}})
			var de *declaredconfig.DecodeError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), dev1) {
				t.Errorf("session %d message %d: error %v, want the summary's decode error naming the device", sess, msg+1, err)
			}
			if got := queued(t, ss); len(got) != 0 {
				t.Errorf("session %d message %d: queued %q on a summary that does not read", sess, msg+1, got)
			}
			wantEvents(t, ev)
		}
	}
	wantDoc(t, rec, ids[0], reconcile.InSync)
	l.session(-1)
	l.noErrors()
	wantCommands(t, l)
	wantEvents(t, ev)
}

// A device that sends thousands of Statuses answering nothing the server
// sent gets a Problem event for each of the first Config.MaxProblems of a
// message, and one more with a *LimitError naming MaxProblems that
// counts them all: an operator's log or alerting is not flooded, one
// event per Status.
func TestProblemsBounded(t *testing.T) {
	ctx := context.Background()
	var body strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&body, `<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`, i+1, i+100)
	}
	for _, max := range []int{0, 3} {
		ev := &recorder{}
		rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxProblems: max})
		srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
		m := specMessage(t, "1", body.String())
		appendSummary(m)
		if _, err := srv.Handle(ctx, &session.Inbound{Message: m}); err != nil {
			t.Fatal(err)
		}
		want := max
		if want == 0 {
			want = reconcile.DefaultMaxProblems
		}
		if len(ev.events) != want+1 {
			t.Fatalf("MaxProblems %d: %d events for 5000 Statuses, want %d", max, len(ev.events), want+1)
		}
		var le *reconcile.LimitError
		last := ev.events[want]
		if last.Kind != reconcile.Problem || !errors.As(last.Err, &le) || le.Limit != "MaxProblems" || le.Count != 5000 || le.Offset != -1 ||
			!strings.Contains(last.Err.Error(), dev1) {
			t.Errorf("MaxProblems %d: last event %v: %v, want a Problem naming the device with a limit MaxProblems at 5000", max, last.Kind, last.Err)
		}
	}
}

// A device lists documents whose ids are no GUIDs (braces, a path; an
// entry without one names no document, see TestSummaryEntryWithoutID):
// they are reported as strays, but no Delete can name them, so Remove
// refuses them (ErrInvalid, naming the id) and changes nothing, rather
// than keeping them Removing for ever, counted against MaxDocuments.
func TestRemoveStrayNotAGUID(t *testing.T) {
	ctx := context.Background()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxDocuments: 3})
	bad := []string{"{" + ids[2] + "}", "x/../../../DMClient"}
	var es []declaredconfig.SummaryEntry
	for _, id := range bad {
		es = append(es, declaredconfig.SummaryEntry{Context: "Device", ID: id, Checksum: "X", ResultChecksum: "R", State: "60"})
	}
	_, st := reconcileSummary(t, rec, "1", es...)
	if len(st.Docs) != len(bad) {
		t.Fatalf("%d strays, want %d: %+v", len(st.Docs), len(bad), st.Docs)
	}
	for _, id := range bad {
		err := rec.Remove(ctx, dev1, ids[0], id)
		if !errors.Is(err, reconcile.ErrInvalid) || !strings.Contains(err.Error(), strconv.Quote(id)) {
			t.Errorf("Remove %q: %v, want ErrInvalid naming it", id, err)
		}
	}
	ss, st := reconcileSummary(t, rec, "2", es...)
	if got := queued(t, ss); len(got) != 0 {
		t.Errorf("queued %q", got)
	}
	for _, d := range st.Docs {
		if d.Condition != reconcile.Stray {
			t.Errorf("%q is %v (%s), want Stray", d.URI.DocID, d.Condition, d.Reason)
		}
	}
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Errorf("Declare: %v", err)
	}
	wantEvents(t, ev)
}

// A device whose summary is longer than Config.MaxSummaryBytes (here of
// entries no device holds, 1 MB of them): the summary is not read nor
// kept, in memory or in the Store, where it took twice its size in every
// device's state; Reconcile says which limit, and nothing is decided of
// the documents, as for a summary that does not read.
func TestSummaryTooLarge(t *testing.T) {
	ctx := context.Background()
	for _, max := range []int{0, 4096} {
		store := session.NewMemoryStore()
		ev := &recorder{}
		rec := reconcile.New(reconcile.Config{Store: store, OnEvent: ev.on, MaxSummaryBytes: max})
		if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		l := newLink(t, rec, newSimDevice(t, dev1))
		l.session(-1)
		l.noErrors()
		wantEvents(t, ev, "Applied 1111")
		want := max
		if want == 0 {
			want = reconcile.DefaultMaxSummaryBytes
		}
		sum := l.dev.summary()
		e := sum.Documents[0]
		for i := 0; i < 2*want/40; i++ {
			sum.Documents = append(sum.Documents, declaredconfig.SummaryEntry{})
		}
		text, err := sum.MarshalText()
		if err != nil || len(text) <= want {
			t.Fatalf("summary of %d bytes: %v", len(text), err)
		}
		before, _, _ := store.Load(ctx, dev1)
		m := specMessage(t, "1", "")
		m.Header.SessionID = "9"
		m.Body.Commands = append(m.Body.Commands, session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, string(text)))
		ss := session.NewSession(nil)
		_, err = rec.Reconcile(ctx, ss, m, &session.Exchange{Identity: session.Identity{Device: dev1}})
		var le *reconcile.LimitError
		if !errors.As(err, &le) || le.Limit != "MaxSummaryBytes" || le.Max != int64(want) {
			t.Errorf("MaxSummaryBytes %d: a summary of %d bytes: %v", max, len(text), err)
		}
		if got := queued(t, ss); len(got) != 0 {
			t.Errorf("queued %q", got)
		}
		wantEvents(t, ev)
		if after, _, _ := store.Load(ctx, dev1); len(after) > len(before)+64 {
			t.Errorf("the stored state grew from %d to %d bytes on a summary of %d", len(before), len(after), len(text))
		}
		if d := wantDoc(t, rec, ids[0], reconcile.InSync); d.DeviceChecksum != e.Checksum {
			t.Errorf("device checksum %q, want %q", d.DeviceChecksum, e.Checksum)
		}
	}
}

// A device that answers the Get of RefreshInterval with what is no number
// of minutes (here 200 KB of text): the value is neither kept in the
// device's state nor reported as read (where an OnEvent would log all of
// it, each time it changes); a Problem says so, with the value cut short.
func TestRefreshIntervalNotANumber(t *testing.T) {
	ctx := context.Background()
	store := session.NewMemoryStore()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{Store: store, OnEvent: ev.on})
	srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
	// Package 1, without a summary: the server asks for RefreshInterval.
	x, err := srv.Handle(ctx, &session.Inbound{Message: specMessage(t, "1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`)})
	if err != nil {
		t.Fatal(err)
	}
	var get syncml.Command
	for _, c := range x.Reply.Body.Commands {
		if c.ElementName() == "Get" {
			get = c
		}
	}
	if get == nil {
		t.Fatal("no Get of RefreshInterval")
	}
	before, _, _ := store.Load(ctx, dev1)
	huge := strings.Repeat("9", 200<<10)
	m := specMessage(t, "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>`+get.ID()+`</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>`+get.ID()+`</CmdRef><Item><Source><LocURI>`+declaredconfig.RefreshIntervalURI+
		`</LocURI></Source><Data>`+huge+`</Data></Item></Results>`)
	appendSummary(m)
	if _, err := srv.Handle(ctx, &session.Inbound{Message: m}); err != nil {
		t.Fatal(err)
	}
	if after, _, _ := store.Load(ctx, dev1); len(after) > len(before)+256 {
		t.Errorf("the stored state grew from %d to %d bytes", len(before), len(after))
	}
	if st := status(t, rec); st.RefreshInterval != "" {
		t.Errorf("RefreshInterval of %d bytes kept", len(st.RefreshInterval))
	}
	if len(ev.events) != 1 || ev.events[0].Kind != reconcile.Problem || len(ev.events[0].Err.Error()) > 512 ||
		!strings.Contains(ev.events[0].Err.Error(), "RefreshInterval") {
		for _, e := range ev.events {
			t.Errorf("event %v (%d bytes of RefreshInterval): %.200v", e.Kind, len(e.RefreshInterval), e.Err)
		}
		t.Errorf("%d events, want one short Problem naming RefreshInterval", len(ev.events))
	}
}

// ackingSession runs one session of a device that answers every command
// 200 (Results of nothing) and lists entry in every message; it returns
// the commands the server sent.
func ackingSession(t *testing.T, srv *session.Session, sessionID string, entry declaredconfig.SummaryEntry) []string {
	t.Helper()
	sent, _ := deviceSession(t, srv, sessionID, func(string) int { return 200 },
		func() []declaredconfig.SummaryEntry { return []declaredconfig.SummaryEntry{entry} })
	return sent
}

// deviceSession runs one session of a device that answers each command
// with the status code(name of the command) gives (Results of nothing)
// and lists entries() in each message, for at most 12 messages; it
// returns the commands the server sent and whether the session ended.
func deviceSession(t *testing.T, srv *session.Session, sessionID string, code func(string) int, entries func() []declaredconfig.SummaryEntry) ([]string, bool) {
	t.Helper()
	return deviceSessionOf(t, srv, sessionID, func(cmd string) int {
		name, _, _ := strings.Cut(cmd, " ")
		return code(name)
	}, entries)
}

// deviceSessionOf is deviceSession with the status code(cmd) gives, cmd
// the command as it returns them ("Replace Complete/Documents/1111/...").
func deviceSessionOf(t *testing.T, srv *session.Session, sessionID string, code func(string) int, entries func() []declaredconfig.SummaryEntry) ([]string, bool) {
	t.Helper()
	m := specMessage(t, "1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`)
	return sessionFrom(t, srv, sessionID, m, 2, code, entries)
}

// sessionFrom is deviceSessionOf from the device's message m, numbered
// msg-1, on.
func sessionFrom(t *testing.T, srv *session.Session, sessionID string, m *syncml.Message, msg int, code func(string) int, entries func() []declaredconfig.SummaryEntry) ([]string, bool) {
	t.Helper()
	ctx := context.Background()
	var sent []string
	for ; msg <= 12; msg++ {
		m.Header.SessionID = sessionID
		appendSummary(m, entries()...)
		x, err := srv.Handle(ctx, &session.Inbound{Message: m})
		if err != nil {
			t.Fatal(err)
		}
		cmds, body := answers(x, code)
		sent = append(sent, cmds...)
		if len(cmds) == 0 {
			return sent, true
		}
		m = specMessage(t, strconv.Itoa(msg), body)
	}
	return sent, false
}

// answers returns the commands of x's reply (as deviceSessionOf returns
// them) and the Statuses a device answers them with, code(cmd) each.
func answers(x *session.Exchange, code func(string) int) ([]string, string) {
	var body strings.Builder
	var sent []string
	for _, c := range x.Reply.Body.Commands {
		if c.ElementName() == "Status" {
			continue
		}
		cmd := short(c.ElementName() + " " + target(c))
		sent = append(sent, cmd)
		fmt.Fprintf(&body, `<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%d</Data></Status>`,
			len(sent), x.Reply.Header.MsgID, c.ID(), c.ElementName(), code(cmd))
	}
	return sent, body.String()
}

func target(c syncml.Command) string {
	if ts := syncml.Targets(c); len(ts) > 0 {
		return ts[0]
	}
	return ""
}

// A device that acknowledges the document (200) but goes on listing
// another version of it was sent the document again in every session,
// for ever, with no event: it is now sent again in up to
// Config.RetryRefused later sessions, as a document refused with a
// status that may pass, then reported Failed (once) and left alone until
// it is declared anew or the device reports it.
func TestAckedNeverReported(t *testing.T) {
	ev, rec, srv := declaredOne(t, "A0")
	other := declaredconfig.SummaryEntry{Context: "Device", ID: ids[0], Checksum: "Z", ResultChecksum: "R", State: "60"}
	sends := 0
	for s := range reconcile.DefaultRetryRefused + 3 {
		sent := ackingSession(t, srv, strconv.Itoa(s+1), other)
		if slices.Contains(sent, "Replace Complete/Documents/1111/Document") {
			sends++
		}
		switch kinds := ev.kinds(); {
		case s == reconcile.DefaultRetryRefused+1:
			if !slices.Equal(kinds, []string{"Failed 1111"}) {
				t.Errorf("session %d: events %q, want Failed", s+1, kinds)
			}
		case len(kinds) != 0:
			t.Errorf("session %d: events %q", s+1, kinds)
		}
	}
	if sends != 1+reconcile.DefaultRetryRefused {
		t.Errorf("the document was sent in %d sessions, want %d", sends, 1+reconcile.DefaultRetryRefused)
	}
	if d := wantDoc(t, rec, ids[0], reconcile.Failed); !strings.Contains(d.Reason, "acknowledged") {
		t.Errorf("reason %q", d.Reason)
	}
	// The device reports the version at last: in sync.
	sent := ackingSession(t, srv, "99", declaredconfig.SummaryEntry{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R", State: "60"})
	if !slices.Equal(sent, []string{"Get Complete/Results/1111/Document"}) {
		t.Errorf("sent %q once reported", sent)
	}
	wantDoc(t, rec, ids[0], reconcile.InSync)
}

// A device that answers an Add 418 (it exists) and a Replace 404 (it does
// not) had the reconciler try the one and the other, by turns, for as
// long as the session went on (for ever: the session did not end). The
// other command is now tried once a session: a second contradiction is a
// refusal (4xx: Failed, once), and the session ends.
func TestAddReplaceContradiction(t *testing.T) {
	ev, rec, srv := declaredOne(t, "A0")
	contradict := func(name string) int {
		switch name {
		case "Add":
			return int(syncml.StatusAlreadyExists)
		case "Replace":
			return int(syncml.StatusNotFound)
		}
		return 200
	}
	none := func() []declaredconfig.SummaryEntry { return nil }
	sent, ended := deviceSession(t, srv, "1", contradict, none)
	if !ended || len(sent) > 4 {
		t.Errorf("session ended %v after %q", ended, sent)
	}
	wantEvents(t, ev, "Failed 1111")
	wantDoc(t, rec, ids[0], reconcile.Failed)
	if sent, ended := deviceSession(t, srv, "2", contradict, none); !ended || len(sent) != 0 {
		t.Errorf("next session: ended %v after %q", ended, sent)
	}
	wantEvents(t, ev)
}

// A device whose summary gives the document, in sync, another
// result_checksum in every message was asked for its results in every
// message, and the session never ended. The results of a version are now
// asked for at most twice a session (with the document, and for one
// result_checksum); those of a later result_checksum in the next session.
func TestResultChecksumFlips(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
	n := 0
	flip := func() []declaredconfig.SummaryEntry {
		n++
		return []declaredconfig.SummaryEntry{{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R" + strconv.Itoa(n), State: "60"}}
	}
	for s := range 3 {
		sent, ended := deviceSession(t, srv, strconv.Itoa(s+1), func(string) int { return 200 }, flip)
		gets := 0
		for _, c := range sent {
			if strings.HasPrefix(c, "Get Complete/Results/") {
				gets++
			}
		}
		if !ended || gets > 2 {
			t.Errorf("session %d: ended %v; sent %q", s+1, ended, sent)
		}
	}
}

// A device that refuses the Delete of a document no longer desired (405,
// in every session): the caller, who heard nothing of it, now gets one
// Problem naming the document and the status, and the Delete is not sent
// again (TestDeleteRefusedOnce: until the device lists another version).
func TestDeleteRefusedReported(t *testing.T) {
	ctx := context.Background()
	ev, rec, srv := declaredOne(t, "A0")
	held := func() []declaredconfig.SummaryEntry {
		return []declaredconfig.SummaryEntry{{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R", State: "60"}}
	}
	refuse := func(name string) int {
		if name == "Delete" {
			return int(syncml.StatusCommandNotAllowed)
		}
		return 200
	}
	deviceSession(t, srv, "1", refuse, held)
	ev.kinds()
	if err := rec.Remove(ctx, dev1, ids[0]); err != nil {
		t.Fatal(err)
	}
	for s := range 3 {
		sent, ended := deviceSession(t, srv, strconv.Itoa(s+2), refuse, held)
		wantSent := []string{"Delete Complete/Documents/1111/Document"}
		if s > 0 {
			wantSent = nil
		}
		if !ended || !slices.Equal(sent, wantSent) {
			t.Errorf("session %d: ended %v after %q, want %q", s+2, ended, sent, wantSent)
		}
		var problems []reconcile.Event
		for _, e := range ev.events {
			if e.Kind == reconcile.Problem {
				problems = append(problems, e)
			}
		}
		ev.events = nil
		want := 0
		if s == 0 {
			want = 1
		}
		if len(problems) != want {
			t.Errorf("session %d: %d Problems, want %d", s+2, len(problems), want)
		}
		for _, e := range problems {
			if e.Status.URI.DocID != ids[0] || e.Status.Condition != reconcile.Removing || !strings.Contains(e.Err.Error(), "405") {
				t.Errorf("Problem %+v: %v", e.Status, e.Err)
			}
		}
	}
	wantDoc(t, rec, ids[0], reconcile.Removing)
}

// A document whose last version the device refused (405) and which is
// then no longer desired: the device refusing its Delete with the same
// status is still told, once. The code of the version's refusal, kept
// when the document moved to the removed ones, read as the Delete's
// refusal already told.
func TestDeleteRefusedAfterRefusedVersion(t *testing.T) {
	ctx := context.Background()
	ev, rec, srv := declaredOne(t, "A1")
	held := func() []declaredconfig.SummaryEntry { // an older version
		return []declaredconfig.SummaryEntry{{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R", State: "60"}}
	}
	refuse := func(name string) int {
		if name == "Delete" || name == "Replace" || name == "Add" {
			return int(syncml.StatusCommandNotAllowed)
		}
		return 200
	}
	deviceSession(t, srv, "1", refuse, held)
	if d := wantDoc(t, rec, ids[0], reconcile.Failed); d.Refused != syncml.StatusCommandNotAllowed || d.RefusedCmd != reconcile.SendDocument {
		t.Fatalf("the version refused %v (%v), want 405 (SendDocument)", d.Refused, d.RefusedCmd)
	}
	ev.events = nil
	if err := rec.Remove(ctx, dev1, ids[0]); err != nil {
		t.Fatal(err)
	}
	for s := range 2 {
		sent, _ := deviceSession(t, srv, strconv.Itoa(s+2), refuse, held)
		if got := slices.Contains(sent, "Delete Complete/Documents/1111/Document"); got != (s == 0) {
			t.Errorf("session %d: Delete sent %v in %q, want %v (not again once refused)", s+2, got, sent, s == 0)
		}
		var problems []reconcile.Event
		for _, e := range ev.events {
			if e.Kind == reconcile.Problem && strings.Contains(e.Err.Error(), "refused its Delete") {
				problems = append(problems, e)
			}
		}
		ev.events = nil
		want := 0
		if s == 0 {
			want = 1
		}
		if len(problems) != want {
			t.Errorf("session %d: %d Problems of the Delete, want %d", s+2, len(problems), want)
		}
	}
	wantDoc(t, rec, ids[0], reconcile.Removing)
}

// declaredOne returns a Reconciler that declares vpnDoc(ids[0],
// checksum) to dev1, its events' recorder, and a server Session (every
// command accepted) that runs it before each reply.
func declaredOne(t *testing.T, checksum string) (*recorder, *reconcile.Reconciler, *session.Session) {
	t.Helper()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], checksum)); err != nil {
		t.Fatal(err)
	}
	return ev, rec, session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
}

// A device that answers the Add of a document with a status code that no
// SyncML status is (0, 999, one beyond 32 bits) had it recorded as the
// version's refusal: 0 read as acknowledged, 999 as a refusal, and one
// beyond 32 bits saved a state that did not load again (every later
// message of the device failed). It is now a Status that does not read:
// one Problem says so, and nothing is recorded.
func TestStatusCodeNotSyncML(t *testing.T) {
	for _, code := range []int{0, 999, 1 << 32} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			ev, rec, srv := declaredOne(t, "A0")
			answer := func(name string) int {
				if name == "Add" {
					return code
				}
				return 200
			}
			deviceSession(t, srv, "1", answer, func() []declaredconfig.SummaryEntry { return nil })
			var problems []string
			for _, e := range ev.events {
				if e.Kind == reconcile.Problem {
					problems = append(problems, e.Err.Error())
				}
			}
			if len(problems) != 1 || !strings.Contains(problems[0], "not a SyncML status code") {
				t.Errorf("Problems %q, want one saying the status code is not SyncML's", problems)
			}
			st, err := rec.Status(context.Background(), dev1)
			if err != nil {
				t.Fatal(err)
			}
			if d := st.Doc(ids[0]); d == nil || d.Refused != 0 || d.RefusedCmd != 0 || d.Condition != reconcile.Unknown {
				t.Errorf("status %+v, want Unknown, not refused", d)
			}
		})
	}
}
