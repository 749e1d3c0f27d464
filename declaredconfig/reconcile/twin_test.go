package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// twin is a reconciler serving a simulated device, whose state is loaded
// anew from its store for every message (forget) or held from the last
// save, and kept as stored where settled, or read in full (eager).
type twin struct {
	rec    *reconcile.Reconciler
	store  *session.MemoryStore
	dev    *simDevice
	l      *link
	events []string
}

func newTwin(t *testing.T, eager, forget bool) *twin {
	w := &twin{store: session.NewMemoryStore()}
	w.rec = reconcile.New(reconcile.Config{Store: w.store, OnEvent: func(_ context.Context, e reconcile.Event) {
		w.events = append(w.events, fmt.Sprintf("%v %s %v %q %v", e.Kind, e.Status.URI.DocID, e.Status.Condition, e.Status.Reason, e.Err))
	}})
	if eager {
		reconcile.Eager(w.rec)
	}
	w.dev = newSimDevice(t, dev1)
	w.l = newLink(t, w.rec, w.dev)
	l := w.l
	l.srv = session.NewSession(&session.Config{
		Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			if forget {
				reconcile.Forget(w.rec, dev1)
			}
			if _, err := w.rec.Reconcile(ctx, ss, m, x); err != nil {
				l.errs = append(l.errs, err)
			}
		},
	})
	return w
}

// step runs one step of a history (see history) on w.
func (w *twin) step(t *testing.T, s step, versions map[string]int) error {
	ctx := context.Background()
	id := ids[s.Arg%len(ids)]
	switch s.Op {
	case opSession:
		w.l.session(-1)
	case opLost:
		w.l.session(s.Arg % 3)
	case opReplay:
		w.l.replay()
	case opDrift:
		w.dev.drift(id)
	case opFailing:
		w.dev.failApply = true
	case opTransient:
		w.dev.transient = true
	case opSettle:
		w.dev.failApply, w.dev.transient, w.dev.refuse, w.dev.noResults = false, false, 0, false
		w.dev.settle()
	case opRefuse:
		w.dev.refuse = syncml.StatusForbidden
	case opNoResults:
		w.dev.noResults = true
	case opNewVersion, opRedeclare:
		return w.rec.Declare(ctx, dev1, vpnDoc(id, fmt.Sprintf("V%d", versions[id])))
	case opRemove:
		return w.rec.Remove(ctx, dev1, id)
	case opReenroll:
		w.dev = newSimDevice(t, dev1)
		w.dev.quiet = s.Arg%2 == 1
		w.l.dev, w.l.n = w.dev, 0
	case opLoseDoc:
		if w.dev.docs[id] != nil {
			delete(w.dev.docs, id)
			for j, k := range w.dev.order {
				if k == id {
					w.dev.order = append(w.dev.order[:j:j], w.dev.order[j+1:]...)
					break
				}
			}
		}
	}
	return nil
}

// TestSettledTwins runs any history of device reports and server changes
// on three reconcilers: two keep their settled documents as stored, one
// loading the device's state anew for every message, one holding it from
// its last save; the third loads the state anew for every message and
// reads every document in full. They send the same commands, report the
// same events and statuses, and store the same bytes.
func TestSettledTwins(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261203)
	params.MinSuccessfulTests = 300
	if testing.Short() || raceEnabled {
		params.MinSuccessfulTests = 60
	}
	t.Logf("seed %d", params.Seed())
	kept, heldKept, sums := 0, 0, 0
	props := gopter.NewProperties(params)
	props.Property("kept as stored or read in full, the same", prop.ForAll(func(steps []step) string {
		ctx := context.Background()
		lazy, held, eager := newTwin(t, false, true), newTwin(t, false, false), newTwin(t, true, true)
		worlds := []*twin{lazy, held, eager}
		versions := map[string]int{}
		for _, id := range ids {
			versions[id] = 1
		}
		for _, w := range worlds {
			for _, id := range ids {
				if err := w.rec.Declare(ctx, dev1, vpnDoc(id, "V1")); err != nil {
					return err.Error()
				}
			}
		}
		// Three sessions first, so that the documents settle.
		steps = append([]step{{opSession, 0}, {opSession, 0}, {opSession, 0}}, steps...)
		for i, s := range steps {
			if s.Op == opNewVersion || s.Op == opRedeclare {
				versions[ids[s.Arg%len(ids)]]++
			}
			for _, w := range worlds {
				if err := w.step(t, s, versions); err != nil {
					return err.Error()
				}
			}
			where := fmt.Sprintf("step %d %v of %v", i, s, steps)
			for _, w := range []*twin{lazy, held} {
				name := map[*twin]string{lazy: "loaded anew", held: "held"}[w]
				if a, b := w.l.commands(), eager.l.commands(); !reflect.DeepEqual(a, b) {
					return fmt.Sprintf("%s: %s, sent\n%q\nread in full\n%q", where, name, a, b)
				}
				if !reflect.DeepEqual(w.events, eager.events) {
					return fmt.Sprintf("%s: %s, reported\n%q\nread in full\n%q", where, name, w.events, eager.events)
				}
				if fmt.Sprint(w.l.errs) != fmt.Sprint(eager.l.errs) {
					return fmt.Sprintf("%s: %s, errors %v, read in full %v", where, name, w.l.errs, eager.l.errs)
				}
				a, _, _ := w.store.Load(ctx, dev1)
				b, _, _ := eager.store.Load(ctx, dev1)
				if !bytes.Equal(a, b) {
					return fmt.Sprintf("%s: %s, stored\n%q\nread in full\n%q", where, name, a, b)
				}
				sa, err1 := w.rec.Status(ctx, dev1)
				sb, err2 := eager.rec.Status(ctx, dev1)
				if err1 != nil || err2 != nil || !reflect.DeepEqual(sa, sb) {
					return fmt.Sprintf("%s: %s, status %+v (%v)\nread in full %+v (%v)", where, name, sa, err1, sb, err2)
				}
			}
			if reconcile.NoTailChanged() {
				return where + ": the tail shared by the documents kept as stored changed"
			}
			n, err := reconcile.Kept(lazy.rec, dev1)
			if err != nil {
				return err.Error()
			}
			kept += n
			heldKept += reconcile.Held(held.rec, dev1)
			if ok, err := reconcile.SummaryKept(lazy.rec, dev1); err != nil {
				return err.Error()
			} else if ok {
				sums++
			}
			for _, w := range worlds {
				w.l.sent, w.events, w.l.errs = nil, nil, nil
			}
		}
		return ""
	}, genSteps()))
	props.TestingRun(t)
	if kept == 0 || heldKept == 0 || sums == 0 {
		t.Errorf("documents kept as stored: %d loaded, %d held, summaries kept unread %d: the histories test nothing", kept, heldKept, sums)
	}
	t.Logf("documents kept as stored after a step: %d loaded, %d held; summaries kept unread: %d", kept, heldKept, sums)
}
