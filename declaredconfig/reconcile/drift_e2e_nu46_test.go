package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// Drift the agent cannot repair (the node changed and locked), over
// HTTP: the server reads the failing setting and re-declares under a new
// checksum; while the lock holds, the re-declared version fails; once it
// is lifted, the agent's next refresh applies it and the server reports
// it Repaired, in sync.
func TestUnrepairableDriftToAgentNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-drift"
	d := newNu46Device(t, s.hs.URL, dev)
	const node = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"
	if err := s.rec.Declare(ctx, dev, nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0")); err != nil {
		t.Fatal(err)
	}
	d.checkIn(t)
	d.checkIn(t)
	s.ev.take()
	if err := d.surface.Set(ctx, node, "1"); err != nil {
		t.Fatal(err)
	}
	d.surface.Refuse = func(op, uri string) error { return errors.New("locked") }
	if err := d.agent.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	kinds := map[reconcile.EventKind]int{}
	for _, e := range s.ev.take() {
		kinds[e.Kind]++
	}
	st, _ := s.rec.Status(ctx, dev)
	x := st.Docs[0]
	if kinds[reconcile.DriftedEvent] != 1 || x.Checksum == "A1" || len(x.FailedSettings()) != 1 {
		t.Errorf("while locked: events %v, %s %v (%s), %d failed settings", kinds, x.Checksum, x.Condition, x.Reason, len(x.FailedSettings()))
	}
	d.surface.Refuse = nil
	if err := d.agent.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, _ = s.rec.Status(ctx, dev)
	x = st.Docs[0]
	if v, _, _ := d.surface.Get(ctx, node); v != "0" || x.Condition != reconcile.InSync {
		t.Errorf("after the lock: AllowCamera %q, %s %v (%s)", v, x.Checksum, x.Condition, x.Reason)
	}
	kinds = map[reconcile.EventKind]int{}
	for _, e := range s.ev.take() {
		kinds[e.Kind]++
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
	if kinds[reconcile.Repaired] != 1 {
		t.Errorf("after the lock: events %v, want Repaired once", kinds)
	}
}
