package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestDeclareResultFloor: a document whose result, as small as a device
// that reports each setting writes it, cannot fit Config.MaxResultBytes
// (5000 settings: some 320 KB of result, over the default 256 KiB) is
// refused by Declare with a *LimitError naming MaxResultBytes, matching
// ErrInvalid, and changes nothing; so is one whose result's elements
// cannot fit MaxResultElements. Raised, the bound takes it, and over
// HTTP to an agent its result (which the floor is below) is read. Before,
// Declare took it and its result was never read: one Problem, and the
// document judged by its summary alone.
func TestDeclareResultFloor(t *testing.T) {
	ctx := context.Background()
	big := nu46Big(nu46A, "B1", 5000, 8)
	for _, c := range []struct {
		cfg   reconcile.Config
		limit string // the LimitError Declare gives, "" none
	}{
		{reconcile.Config{}, "MaxResultBytes"},
		{reconcile.Config{MaxResultBytes: 300 << 10}, "MaxResultBytes"}, // the floor is ~309 KB
		{reconcile.Config{MaxResultBytes: 1 << 20, MaxResultElements: 5000}, "MaxResultElements"},
		{reconcile.Config{MaxResultBytes: 1 << 20}, ""},
	} {
		rec := reconcile.New(c.cfg)
		err := rec.Declare(ctx, dev1, big)
		var le *reconcile.LimitError
		switch {
		case c.limit == "" && err != nil:
			t.Errorf("%+v: Declare: %v", c.cfg, err)
		case c.limit != "" && (!errors.As(err, &le) || le.Limit != c.limit || !errors.Is(err, reconcile.ErrInvalid)):
			t.Errorf("%+v: Declare: %v; want ErrInvalid and a LimitError of %s", c.cfg, err, c.limit)
		case c.limit != "":
			if ds, err := rec.Status(ctx, dev1); err == nil && len(ds.Docs) != 0 {
				t.Errorf("%+v: a refused Declare left %d documents", c.cfg, len(ds.Docs))
			}
		}
	}
	// A document of a few settings passes a bound as small as its result.
	if err := reconcile.New(reconcile.Config{MaxResultBytes: 256}).Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Errorf("a 2-setting document, MaxResultBytes 256: %v", err)
	}
	if testing.Short() {
		return
	}
	s := newNu46Server(t, reconcile.Config{MaxResultBytes: 1 << 20})
	d := newNu46Device(t, s.hs.URL, "urn:uuid:nu46-floor")
	if err := s.rec.Declare(ctx, "urn:uuid:nu46-floor", big); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, err := s.rec.Status(ctx, "urn:uuid:nu46-floor")
	if err != nil {
		t.Fatal(err)
	}
	if x := st.Docs[0]; x.Condition != reconcile.InSync || len(x.Settings()) != 5000 {
		t.Errorf("MaxResultBytes 1 MiB: %v (%s), %d settings read; want InSync, 5000", x.Condition, x.Reason, len(x.Settings()))
	}
	for _, e := range s.ev.take() {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
}
