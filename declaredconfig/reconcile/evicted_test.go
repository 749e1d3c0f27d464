package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// TestSteadyEvicted serves three devices of 17 documents, message by
// message in turn, from a Reconciler that holds the decoded states of two
// devices at most (each evicted and loaded again, its summary kept unread,
// as it comes back, while it may still hold its last summary) and from
// one that reads every state in full: through sessions, drifts and new
// versions, both send the same commands, report the same events, store
// the same bytes and give the same status; steady at last, each state
// keeps its summary unread when loaded.
func TestSteadyEvicted(t *testing.T) {
	ctx := context.Background()
	const devices, docs = 3, 17
	type world struct {
		rec    *reconcile.Reconciler
		store  *session.MemoryStore
		links  []*link
		events map[string][]string
	}
	newWorld := func(eager bool) *world {
		w := &world{store: session.NewMemoryStore(), events: map[string][]string{}}
		cfg := reconcile.Config{Store: w.store, OnEvent: func(_ context.Context, e reconcile.Event) {
			w.events[e.Device] = append(w.events[e.Device], fmt.Sprintf("%v %s %v %q %v", e.Kind, e.Status.URI.DocID, e.Status.Condition, e.Status.Reason, e.Err))
		}}
		if !eager {
			cfg.MaxCachedDevices = 2
		}
		w.rec = reconcile.New(cfg)
		if eager {
			reconcile.Eager(w.rec)
		}
		for i := range devices {
			dev := newSimDevice(t, fmt.Sprintf("urn:uuid:evicted-%d", i))
			for k := range docs {
				if err := w.rec.Declare(ctx, dev.id, vpnDoc(sizeID(k), "V1")); err != nil {
					t.Fatal(err)
				}
			}
			w.links = append(w.links, newLink(t, w.rec, dev))
		}
		return w
	}
	lazy, eager := newWorld(false), newWorld(true)
	kept := 0
	for round := range 10 {
		for i := range devices {
			for _, w := range []*world{lazy, eager} {
				l := w.links[i]
				switch {
				case round == 5 && i == 1:
					l.dev.drift(sizeID(round))
				case round == 7 && i == 2:
					if err := w.rec.Declare(ctx, l.dev.id, vpnDoc(sizeID(3), "V2")); err != nil {
						t.Fatal(err)
					}
				}
				l.session(-1)
			}
			a, b := lazy.links[i], eager.links[i]
			id := a.dev.id
			where := fmt.Sprintf("round %d, %s", round, id)
			if x, y := a.commands(), b.commands(); !reflect.DeepEqual(x, y) {
				t.Fatalf("%s: sent\n%q\nread in full\n%q", where, x, y)
			}
			if x, y := lazy.events[id], eager.events[id]; !reflect.DeepEqual(x, y) {
				t.Fatalf("%s: reported\n%q\nread in full\n%q", where, x, y)
			}
			if fmt.Sprint(a.errs) != fmt.Sprint(b.errs) {
				t.Fatalf("%s: errors %v, read in full %v", where, a.errs, b.errs)
			}
			x, _, _ := lazy.store.Load(ctx, id)
			y, _, _ := eager.store.Load(ctx, id)
			if !bytes.Equal(x, y) {
				t.Fatalf("%s: stored\n%q\nread in full\n%q", where, x, y)
			}
			sa, err1 := lazy.rec.Status(ctx, id)
			sb, err2 := eager.rec.Status(ctx, id)
			if err1 != nil || err2 != nil || !reflect.DeepEqual(sa, sb) {
				t.Fatalf("%s: status %+v (%v)\nread in full %+v (%v)", where, sa, err1, sb, err2)
			}
			if ok, err := reconcile.SummaryKept(lazy.rec, id); err != nil {
				t.Fatal(err)
			} else if ok {
				kept++
			}
			for _, w := range []*world{lazy, eager} {
				w.links[i].sent, w.links[i].errs, w.events[id] = nil, nil, nil
			}
		}
	}
	if reconcile.NoTailChanged() {
		t.Error("the tail shared by the documents kept as stored changed")
	}
	if kept < devices*5 {
		t.Errorf("%d states with the summary kept unread: the test tests little", kept)
	}
	// Steady at last: each state keeps its summary unread when loaded.
	for i := range devices {
		if ok, err := reconcile.SummaryKept(lazy.rec, lazy.links[i].dev.id); err != nil || !ok {
			t.Errorf("%s steady: summary kept unread %v (%v)", lazy.links[i].dev.id, ok, err)
		}
	}
}
