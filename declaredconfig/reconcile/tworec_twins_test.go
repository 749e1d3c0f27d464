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

// twinPair is a twin whose messages two reconcilers sharing its store
// reconcile in turn (one holding its last save, one loading the state
// anew for every message), both keeping settled documents as stored.
func twinPair(t *testing.T) (*twin, *reconcile.Reconciler) {
	w := newTwin(t, false, false)
	other := reconcile.New(reconcile.Config{Store: w.store, OnEvent: func(_ context.Context, e reconcile.Event) {
		w.events = append(w.events, fmt.Sprintf("%v %s %v %q %v", e.Kind, e.Status.URI.DocID, e.Status.Condition, e.Status.Reason, e.Err))
	}})
	l, n := w.l, 0
	l.srv = session.NewSession(&session.Config{
		Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			rec := w.rec
			if n++; n%2 == 0 {
				rec = other
				reconcile.Forget(other, dev1)
			}
			if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
				l.errs = append(l.errs, err)
			}
		},
	})
	return w, other
}

// TestTwoReconcilersTwins runs any history (see TestSettledTwins) on
// two reconcilers that share a store and reconcile a device's messages in
// turn, one holding its state, the other loading it anew, both keeping
// settled documents as stored, and on one reconciler reading every
// document in full: they send the same commands, report the same events
// and errors, and both show the status of the one reading in full.
func TestTwoReconcilersTwins(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261204)
	params.MinSuccessfulTests = 150
	if testing.Short() || raceEnabled {
		params.MinSuccessfulTests = 30
	}
	kept := 0
	props := gopter.NewProperties(params)
	props.Property("two reconcilers in turn, kept as stored, as one reading in full", prop.ForAll(func(steps []step) string {
		ctx := context.Background()
		pair, other := twinPair(t)
		eager := newTwin(t, true, true)
		versions := map[string]int{}
		for _, id := range ids {
			versions[id] = 1
		}
		for _, w := range []*twin{pair, eager} {
			for _, id := range ids {
				if err := w.rec.Declare(ctx, dev1, vpnDoc(id, "V1")); err != nil {
					return err.Error()
				}
			}
		}
		steps = append([]step{{opSession, 0}, {opSession, 0}, {opSession, 0}}, steps...)
		for i, s := range steps {
			if s.Op == opNewVersion || s.Op == opRedeclare {
				versions[ids[s.Arg%len(ids)]]++
			}
			for _, w := range []*twin{pair, eager} {
				if err := w.step(t, s, versions); err != nil {
					return err.Error()
				}
			}
			where := fmt.Sprintf("step %d %v of %v", i, s, steps)
			if a, b := pair.l.commands(), eager.l.commands(); !reflect.DeepEqual(a, b) {
				return fmt.Sprintf("%s: sent\n%q\nread in full\n%q", where, a, b)
			}
			if !reflect.DeepEqual(pair.events, eager.events) {
				return fmt.Sprintf("%s: reported\n%q\nread in full\n%q", where, pair.events, eager.events)
			}
			if fmt.Sprint(pair.l.errs) != fmt.Sprint(eager.l.errs) {
				return fmt.Sprintf("%s: errors %v, read in full %v", where, pair.l.errs, eager.l.errs)
			}
			sb, err := eager.rec.Status(ctx, dev1)
			if err != nil {
				return err.Error()
			}
			rb, err := reconcile.Resolved(sb)
			if err != nil {
				return err.Error()
			}
			for _, rec := range []*reconcile.Reconciler{pair.rec, other} {
				sa, err := rec.Status(ctx, dev1)
				if err != nil {
					return err.Error()
				}
				ra, err := reconcile.Resolved(sa)
				if err != nil || !reflect.DeepEqual(ra, rb) {
					return fmt.Sprintf("%s: status %+v (%v)\nread in full %+v", where, ra, err, rb)
				}
			}
			a, _, _ := pair.store.Load(ctx, dev1)
			b, _, _ := eager.store.Load(ctx, dev1)
			if !bytes.Equal(a, b) {
				return fmt.Sprintf("%s: stored\n%q\nread in full\n%q", where, a, b)
			}
			if reconcile.NoTailChanged() {
				return where + ": the tail shared by the documents kept as stored changed"
			}
			n, err := reconcile.Kept(other, dev1)
			if err != nil {
				return err.Error()
			}
			kept += n
			for _, w := range []*twin{pair, eager} {
				w.l.sent, w.events, w.l.errs = nil, nil, nil
			}
		}
		return ""
	}, genSteps()))
	props.TestingRun(t)
	if kept == 0 {
		t.Error("no document kept as stored: the histories test nothing")
	}
}
