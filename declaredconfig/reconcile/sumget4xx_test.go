package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestSummaryGet4xx: a device that holds a document in sync and refuses
// the Get that asks for its summary with a 4xx that does not say the node
// is missing (425 permission denied, 403 forbidden, 417 retry later)
// leaves unknown what it holds: nothing is decided (no Lost event, the
// document stays in sync and is not sent again), the refusal counts in
// SummaryRefused and a Problem tells it, until Config.RetryRefused is
// spent. A 404, 405 or 406 (the node unset, or no such CSP: what a
// device without a document answers) is final at once: the document is
// lost, untold. Before, every 4xx was final at once, a false Lost and
// every document sent again.
func TestSummaryGet4xx(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		code    syncml.StatusCode
		unknown bool
	}{
		{syncml.StatusPermissionDenied, true},
		{syncml.StatusForbidden, true},
		{syncml.StatusRetryLater, true},
		{syncml.StatusNotFound, false},
		{syncml.StatusCommandNotAllowed, false},
		{syncml.StatusOptionalFeatureNotSupported, false},
	} {
		w, _ := inSyncWire(t, reconcile.Config{RetryRefused: 1})
		w.ev.events = nil
		w.sessionWithoutSummary(2, c.code)
		lost, problems := false, 0
		for _, e := range w.ev.events {
			switch e.Kind {
			case reconcile.Lost:
				lost = true
			case reconcile.Problem:
				problems++
			}
		}
		ds, err := w.rec.Status(ctx, dev1)
		if err != nil {
			t.Fatal(err)
		}
		cond := ds.Docs[0].Condition
		if c.unknown {
			if lost || cond != reconcile.InSync || ds.SummaryRefused != c.code || ds.SummaryRefusals != 1 || problems != 1 {
				t.Errorf("%v: lost %v, %v, SummaryRefused %v/%d, %d Problems; want nothing decided, the refusal counted, one Problem",
					c.code, lost, cond, ds.SummaryRefused, ds.SummaryRefusals, problems)
			}
			continue
		}
		if !lost || cond == reconcile.InSync || ds.SummaryRefused != 0 || ds.SummaryRefusals != 0 || problems != 0 {
			t.Errorf("%v: lost %v, %v, SummaryRefused %v/%d, %d Problems; want the document lost at once, untold",
				c.code, lost, cond, ds.SummaryRefused, ds.SummaryRefusals, problems)
		}
	}
}
