package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// settledState returns the state of a device whose three documents
// settled (declared, applied, reported in state 60 in two sessions
// more), as its reconciler saved it, and the device's first message of
// the next session (its summary alone).
func settledState(t testing.TB) ([]byte, []byte) {
	ctx := context.Background()
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{Store: store})
	for _, id := range ids {
		if err := rec.Declare(ctx, dev1, vpnDoc(id, "V1")); err != nil {
			t.Fatal(err)
		}
	}
	l := newLink(t, rec, newSimDevice(t, dev1))
	for range 3 {
		l.session(-1)
	}
	if len(l.errs) > 0 {
		t.Fatal(l.errs)
	}
	raw, _, err := store.Load(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.dev.client.Start(ctx, "S9", l.dev.summaryAlerts()...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw, b
}

// settledWorld is one reconciler over a copy of a settled state, and what
// it does with the messages it is given.
type settledWorld struct {
	rec    *reconcile.Reconciler
	store  *session.MemoryStore
	events []string
	errs   []string
	sent   [][]byte
}

func newSettledWorld(t testing.TB, state []byte, eager bool) *settledWorld {
	w := &settledWorld{store: session.NewMemoryStore()}
	if _, err := w.store.CompareAndSwap(context.Background(), dev1, 0, state); err != nil {
		t.Fatal(err)
	}
	w.rec = reconcile.New(reconcile.Config{Store: w.store, OnEvent: func(_ context.Context, e reconcile.Event) {
		w.events = append(w.events, fmt.Sprintf("%v %s %v %q %v", e.Kind, e.Status.URI.DocID, e.Status.Condition, e.Status.Reason, e.Err))
	}})
	if eager {
		reconcile.Eager(w.rec)
	}
	return w
}

// handle hands the messages to a server session whose BeforeReply runs
// the world's reconciler, and records its replies and errors.
func (w *settledWorld) handle(t *testing.T, msgs [][]byte) {
	ss := session.NewSession(&session.Config{
		Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			reconcile.Forget(w.rec, dev1)
			if _, err := w.rec.Reconcile(ctx, ss, m, x); err != nil {
				w.errs = append(w.errs, err.Error())
			}
		},
	})
	for _, raw := range msgs {
		x, err := ss.Handle(context.Background(), &session.Inbound{Raw: raw})
		if err != nil {
			w.errs = append(w.errs, "Handle: "+err.Error())
			continue
		}
		w.sent = append(w.sent, x.Raw)
	}
}

// sameTwins fails t unless lazy and eager sent the same replies, reported
// the same events and errors, and stored the same state.
func sameTwins(t *testing.T, lazy, eager *settledWorld) {
	t.Helper()
	if !reflect.DeepEqual(lazy.sent, eager.sent) {
		t.Fatalf("replies differ:\nkept as stored %q\n  read in full %q", lazy.sent, eager.sent)
	}
	if !reflect.DeepEqual(lazy.events, eager.events) || !reflect.DeepEqual(lazy.errs, eager.errs) {
		t.Fatalf("events or errors differ:\nkept as stored %q %q\n  read in full %q %q", lazy.events, lazy.errs, eager.events, eager.errs)
	}
	a, _, _ := lazy.store.Load(context.Background(), dev1)
	b, _, _ := eager.store.Load(context.Background(), dev1)
	if !bytes.Equal(a, b) {
		t.Fatalf("stored states differ:\nkept as stored %q\n  read in full %q", a, b)
	}
}

// sameStatus fails t unless lazy and eager show the same status of the
// device, results included, and the tail the documents kept as stored
// share is still zero.
func sameStatus(t *testing.T, lazy, eager *settledWorld) {
	t.Helper()
	ctx := context.Background()
	sa, err1 := lazy.rec.Status(ctx, dev1)
	sb, err2 := eager.rec.Status(ctx, dev1)
	if err1 != nil || err2 != nil {
		t.Fatalf("status: %v, %v", err1, err2)
	}
	ra, err1 := reconcile.Resolved(sa)
	rb, err2 := reconcile.Resolved(sb)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(ra, rb) {
		t.Fatalf("statuses differ (%v, %v):\nkept as stored %+v\n  read in full %+v", err1, err2, ra, rb)
	}
	if reconcile.NoTailChanged() {
		t.Fatal("the tail shared by the documents kept as stored changed")
	}
}

// FuzzSettledTwins hands a device's messages, arbitrary bytes decoded as
// the first and second message of a session, to two reconcilers holding
// the same state of settled documents: one keeps them as stored when it
// loads the state, the other reads every document in full (Eager). No
// message may make either panic; both send the same replies, report the
// same events and errors, store the same bytes and give the same status;
// the documents stay desired.
func FuzzSettledTwins(f *testing.F) {
	state, steady := settledState(f)
	// The steady message then runs on a summary kept unread.
	w := newSettledWorld(f, state, false)
	if ok, err := reconcile.SummaryKept(w.rec, dev1); err != nil || !ok {
		f.Fatalf("the settled state's summary is not kept unread (%v)", err)
	}
	f.Add(steady, []byte(nil))
	drifted := bytes.Replace(steady, []byte(`checksum="V1"`), []byte(`checksum="V0"`), 1)
	f.Add(drifted, steady)
	f.Add(bytes.Replace(steady, []byte(`state="60"`), []byte(`state="61"`), 1), drifted)
	f.Add(bytes.Replace(steady, []byte(`result_checksum="`), []byte(`result_checksum="X`), 2), []byte(nil))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		var msgs [][]byte
		for i, data := range [][]byte{first, second} {
			var m syncml.Message
			if syncml.Unmarshal(data, &m) != nil {
				continue
			}
			m.Header.SessionID, m.Header.MsgID = "S9", fmt.Sprint(i+1)
			m.Header.Source = syncml.Location{LocURI: dev1}
			b, err := syncml.Marshal(&m)
			if err != nil {
				continue
			}
			msgs = append(msgs, b)
		}
		if len(msgs) == 0 {
			return
		}
		ctx := context.Background()
		lazy, eager := newSettledWorld(t, state, false), newSettledWorld(t, state, true)
		lazy.handle(t, msgs)
		eager.handle(t, msgs)
		sameTwins(t, lazy, eager)
		sameStatus(t, lazy, eager)
		docs, err := lazy.rec.Desired(ctx, dev1)
		if err != nil || len(docs) != len(ids) {
			t.Fatalf("desired: %d documents, %v", len(docs), err)
		}
		for _, d := range docs {
			if d.Scope != declaredconfig.Device || d.Document.Checksum != "V1" {
				t.Fatalf("desired document changed: %+v", d)
			}
		}
	})
}
