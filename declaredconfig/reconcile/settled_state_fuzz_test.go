package reconcile_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/internal/fuzzsteady"
)

// FuzzSettledTwinsState hands arbitrary bytes that make a state a
// Reconciler could have saved (see reconcile.Canonical), as the stored
// state of a device, to two reconcilers: one keeps its settled documents as stored
// and a steady device's summary unread, the other reads every document
// and the summary in full (Eager). A state the second reads, the first
// must use alike: given the settled device's steady message, then one
// that reports a drift, both send the same replies, report the same
// events and errors, store the same bytes and give the same status (seeds:
// the settled state, and with one byte changed at every third offset).
func FuzzSettledTwinsState(f *testing.F) {
	state, steady := settledState(f)
	f.Add(state)
	canonical, seeds := 0, 0
	for i := 0; i < len(state); i += 3 {
		seeds++
		bad := bytes.Clone(state)
		bad[i] ^= 1
		f.Add(bad)
		if reconcile.Canonical(bad) {
			canonical++
		}
	}
	if !reconcile.Canonical(state) || canonical < seeds/4 {
		f.Fatalf("%d of %d seeds are states a Reconciler could have saved: the target tests little", canonical, seeds)
	}
	drifted := bytes.Replace(steady, []byte(`checksum="V1"`), []byte(`checksum="V0"`), 1)
	fuzzsteady.Target(f)
	f.Fuzz(func(t *testing.T, state []byte) {
		fuzzsteady.Input(t)
		if !reconcile.Canonical(state) {
			// Damaged so that its flags no longer say what its fields
			// do (a document marked settled that is not, say): kept
			// as stored, such a document reads as its flags say.
			return
		}
		ctx := context.Background()
		lazy, eager := newSettledWorld(t, state, false), newSettledWorld(t, state, true)
		sb, err := eager.rec.Status(ctx, dev1)
		if err != nil {
			return // refused when read in full: the other may read less of it
		}
		if _, err := reconcile.Resolved(sb); err != nil {
			return
		}
		if _, err := eager.rec.Desired(ctx, dev1); err != nil {
			return
		}
		for _, msgs := range [][][]byte{{steady}, {drifted}} {
			lazy.handle(t, msgs)
			eager.handle(t, msgs)
			sameTwins(t, lazy, eager)
			sa, err1 := lazy.rec.Status(ctx, dev1)
			sb, err2 := eager.rec.Status(ctx, dev1)
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("status: %v, %v", err1, err2)
			}
			if err1 == nil {
				ra, err1 := reconcile.Resolved(sa)
				rb, err2 := reconcile.Resolved(sb)
				if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(ra, rb) {
					t.Fatalf("statuses differ (%v, %v):\nkept as stored %+v\n  read in full %+v", err1, err2, ra, rb)
				}
			}
			if reconcile.NoTailChanged() {
				t.Fatal("the tail shared by the documents kept as stored changed")
			}
		}
	})
}
