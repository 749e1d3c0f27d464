package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestSummaryGetRefusedThenOther (review): a 5xx refusal of the summary's
// Get is counted (try 1), then in a later session the device refuses the
// same Get with a 404, which the Config doc and summaryRefused's doc say is
// "final at once": the message must read as an empty summary (the
// document lost, sent again). On main the stored 5xx count keeps
// summaryRefused returning true, so nothing is ever decided while the
// device keeps answering 404.
func TestSummaryGetRefusedThenOther(t *testing.T) {
	ctx := context.Background()
	w, _ := inSyncWire(t, reconcile.Config{})
	for session, code := range []syncml.StatusCode{syncml.StatusCommandFailed, syncml.StatusNotFound, syncml.StatusNotFound} {
		w.ev.events = nil
		w.sessionWithoutSummary(session+2, code)
		ds, err := w.rec.Status(ctx, dev1)
		if err != nil {
			t.Fatal(err)
		}
		cond := ds.Docs[0].Condition
		if code == syncml.StatusNotFound && cond == reconcile.InSync {
			t.Errorf("session %d: Get refused %v after an earlier 5xx: %v; a 404 is final at once, want the document taken as lost", session+2, code, cond)
		}
		if code == syncml.StatusNotFound && (ds.SummaryRefused != 0 || ds.SummaryRefusals != 0) {
			t.Errorf("session %d: Get refused %v after an earlier 5xx: status SummaryRefused %v, SummaryRefusals %d; want the 5xx forgotten", session+2, code, ds.SummaryRefused, ds.SummaryRefusals)
		}
	}
}
