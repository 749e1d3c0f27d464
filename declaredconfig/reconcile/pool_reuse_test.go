package reconcile_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// showDoc prints d with its result read, so that what a status holds
// is compared, not where it is held.
func showDoc(t *testing.T, d reconcile.DocStatus) string {
	t.Helper()
	res, err := d.Result()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %q %d %v %q %v %v %q %q %v %+v", d.URI, d.Checksum, d.Redeclared, d.Condition, d.Reason,
		d.Reported, d.State, d.DeviceChecksum, d.ResultChecksum, d.Refused, res)
}

// showStatus prints ds as showDoc prints each of its documents.
func showStatus(t *testing.T, ds *reconcile.DeviceStatus) string {
	t.Helper()
	if ds == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%s %q %d", ds.Device, ds.RefreshInterval, ds.Queued)
	for _, d := range ds.Docs {
		s += "\n" + showDoc(t, d)
	}
	return s
}

// showEvent prints e as showDoc prints its document.
func showEvent(t *testing.T, e reconcile.Event) string {
	t.Helper()
	return fmt.Sprintf("%v %s %q %v %s", e.Kind, e.Device, e.RefreshInterval, e.Err, showDoc(t, e.Status))
}

// TestPooledRunsLeaveResults keeps every status Reconcile returns and
// every event it reports, with how each read when it was given, while a
// device goes through sessions, drifts, new versions and removals (the
// runs and the clones of its state going to their pools and back, its
// state loaded anew or held): each still reads the same after all of them.
func TestPooledRunsLeaveResults(t *testing.T) {
	for _, forget := range []bool{false, true} {
		t.Run(fmt.Sprint("forget=", forget), func(t *testing.T) {
			ctx := context.Background()
			type kept struct {
				ev   reconcile.Event
				ds   *reconcile.DeviceStatus
				then string
			}
			var all []kept
			rec := reconcile.New(reconcile.Config{Store: session.NewMemoryStore(), OnEvent: func(_ context.Context, e reconcile.Event) {
				all = append(all, kept{ev: e, then: showEvent(t, e)})
			}})
			dev := newSimDevice(t, dev1)
			l := newLink(t, rec, dev)
			l.srv = session.NewSession(&session.Config{
				Handler: session.Accept,
				BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
					if forget {
						reconcile.Forget(rec, dev1)
					}
					ds, err := rec.Reconcile(ctx, ss, m, x)
					if err != nil {
						l.errs = append(l.errs, err)
					}
					all = append(all, kept{ds: ds, then: showStatus(t, ds)})
				},
			})
			const n = 17
			for i := range n {
				if err := rec.Declare(ctx, dev1, vpnDoc(sizeID(i), "V1")); err != nil {
					t.Fatal(err)
				}
			}
			for round := range 12 {
				l.session(-1)
				switch round % 4 {
				case 0:
					dev.drift(sizeID(round % n))
				case 1:
					if err := rec.Declare(ctx, dev1, vpnDoc(sizeID(round%n), fmt.Sprint("V", round))); err != nil {
						t.Fatal(err)
					}
				case 2:
					if err := rec.Remove(ctx, dev1, sizeID((round+3)%n)); err != nil {
						t.Fatal(err)
					}
				}
				ds, err := rec.Status(ctx, dev1)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, kept{ds: ds, then: showStatus(t, ds)})
			}
			if len(l.errs) > 0 {
				t.Fatal(l.errs)
			}
			evs := 0
			for i, k := range all {
				now := showStatus(t, k.ds)
				if k.ds == nil {
					now = showEvent(t, k.ev)
					evs++
				}
				if now != k.then {
					t.Fatalf("%d: given\n%s\nreads after\n%s", i, k.then, now)
				}
			}
			if evs == 0 || len(all)-evs < 12 {
				t.Fatalf("%d events, %d statuses: nothing tested", evs, len(all)-evs)
			}
			if reconcile.NoTailChanged() {
				t.Error("the tail shared by the documents kept as stored changed")
			}
		})
	}
}
