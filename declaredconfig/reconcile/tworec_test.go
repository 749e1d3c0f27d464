package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// TestTwoReconcilersSameSummary serves a device that lists a stray (its
// summary read in full when loaded) by two Reconcilers sharing a Store,
// the second holding the device's summary from a message before the
// first saved the state, against one Reconciler serving it all: both
// store the same bytes.
func TestTwoReconcilersSameSummary(t *testing.T) {
	ctx := context.Background()
	type world struct {
		store *session.MemoryStore
		recs  [2]*reconcile.Reconciler
		links [2]*link
	}
	newWorld := func(two bool) *world {
		w := &world{store: session.NewMemoryStore()}
		w.recs[0] = reconcile.New(reconcile.Config{Store: w.store})
		w.recs[1] = w.recs[0]
		if two {
			w.recs[1] = reconcile.New(reconcile.Config{Store: w.store})
		}
		dev := newSimDevice(t, dev1)
		dev.hold(declaredconfig.URI{Scope: declaredconfig.Device, Host: declaredconfig.Complete, DocID: sizeID(1 << 20), Node: declaredconfig.NodeDocument})
		for i := range w.links {
			w.links[i] = newLink(t, w.recs[i], dev)
		}
		for k := range 5 {
			if err := w.recs[0].Declare(ctx, dev1, vpnDoc(sizeID(k), "V1")); err != nil {
				t.Fatal(err)
			}
		}
		return w
	}
	one, two := newWorld(false), newWorld(true)
	n := 0
	session := func(i int, where string) {
		t.Helper()
		n++
		for _, w := range []*world{one, two} {
			w.links[i].n = n
			w.links[i].session(-1)
			if len(w.links[i].errs) > 0 {
				t.Fatalf("%s: %v", where, w.links[i].errs)
			}
		}
		a, _, _ := one.store.Load(ctx, dev1)
		b, _, _ := two.store.Load(ctx, dev1)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: stored by two\n%q\nby one\n%q", where, b, a)
		}
		sa, err1 := one.recs[0].Status(ctx, dev1)
		sb, err2 := two.recs[1].Status(ctx, dev1)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(sa, sb) {
			t.Fatalf("%s: status by two %+v (%v)\nby one %+v (%v)", where, sb, err2, sa, err1)
		}
	}
	for i := range 3 {
		session(0, fmt.Sprint("session ", i+1))
	}
	session(1, "steady, by the second")
	for _, w := range []*world{one, two} {
		if err := w.recs[0].SetRefreshInterval(ctx, dev1, 60); err != nil {
			t.Fatal(err)
		}
	}
	session(1, "setting RefreshInterval, by the second")
	session(0, "reading RefreshInterval, by the first")
	session(1, "steady again, by the second")
}
