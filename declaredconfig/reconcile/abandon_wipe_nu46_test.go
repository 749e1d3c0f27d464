package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// A document the device applied and then abandoned (Abandoned set, 2xx)
// is gone after the device is wiped. When the server takes the
// abandonment back, or declares a new version, the reconciler sends the
// document again; it must not first send the Replace of Abandoned=0 to a
// document the device does not list (as it sends no Abandoned=1 then,
// decide.go), which the device can only refuse (404): that refusal became
// a Problem ("the device refused taking back its abandonment: 404 ...;
// it is not sent again") about a document that ends in sync.
func TestAbandonTakenBackAfterWipeNu46(t *testing.T) {
	ctx := context.Background()
	for i := range 4 {
		// newVersion: a new version is declared with the abandonment
		// taken back; wipeSeen: the device reported its wipe before (else
		// the take-back and the wipe are seen in one run).
		newVersion, wipeSeen := i&1 != 0, i&2 != 0
		s := newNu46Server(t, reconcile.Config{})
		const dev = "urn:uuid:nu46-abandon"
		d := newNu46Device(t, s.hs.URL, dev)
		doc := nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0")
		if err := s.rec.Declare(ctx, dev, doc); err != nil {
			t.Fatal(err)
		}
		d.checkIn(t)
		d.checkIn(t)
		doc.Abandoned = true
		if err := s.rec.Declare(ctx, dev, doc); err != nil {
			t.Fatal(err)
		}
		d.checkIn(t)
		if st, _ := s.rec.Status(ctx, dev); st.Docs[0].Condition != reconcile.Abandoned {
			t.Fatalf("newVersion=%v: not abandoned: %v (%s)", newVersion, st.Docs[0].Condition, st.Docs[0].Reason)
		}
		// Wiped: a new agent, store and surface under the same device ID.
		d = newNu46DeviceOn(t, s.hs.URL, dev, &agent.MemorySurface{}, nil)
		if wipeSeen {
			d.checkIn(t)
		}
		s.ev.take()
		next := doc
		next.Abandoned = false
		if newVersion {
			next = nu46Doc(nu46A, "A2", "Config/Camera/AllowCamera", "1")
		}
		if err := s.rec.Declare(ctx, dev, next); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			d.checkIn(t)
		}
		for _, e := range s.ev.take() {
			if e.Kind == reconcile.Problem {
				t.Errorf("newVersion=%v wipeSeen=%v: Problem: %v", newVersion, wipeSeen, e.Err)
			}
		}
		st, err := s.rec.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		if ds := st.Docs[0]; ds.Condition != reconcile.InSync || ds.Refused != 0 {
			t.Errorf("newVersion=%v wipeSeen=%v: %v (%s), Refused %v %v; want InSync, nothing refused", newVersion, wipeSeen, ds.Condition, ds.Reason, ds.Refused, ds.RefusedCmd)
		}
	}
}
