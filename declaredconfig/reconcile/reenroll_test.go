package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestReenrolledDevice: a device whose documents were in sync is wiped
// and enrolled again under the same ID. It holds nothing, so it sends an
// empty summary, or none at all (as Windows does); its session IDs may
// start over and repeat those of the sessions before. The reconciler
// must see that the device lost the document, say so, and send it again.
func TestReenrolledDevice(t *testing.T) {
	const (
		add     = "Add Complete/Documents/1111/Document"
		results = "Get Complete/Results/1111/Document"
		askRI   = "Get RefreshInterval"
		setRI   = "Replace RefreshInterval"
	)
	for _, tc := range []struct {
		name       string
		quiet      bool   // no summary while it holds nothing
		sameIDs    bool   // its session IDs start over
		refresh    uint32 // the RefreshInterval declared, 0 none
		wantCmds   []string
		wantEvents []string
	}{
		{name: "empty summary", wantCmds: []string{add, results},
			wantEvents: []string{"Lost 1111", "Applied 1111"}},
		{name: "empty summary, session IDs again", sameIDs: true, wantCmds: []string{add, results},
			wantEvents: []string{"Lost 1111", "Applied 1111"}},
		{name: "no summary", quiet: true, wantCmds: []string{askRI, add, results},
			wantEvents: []string{"Lost 1111", "Applied 1111"}},
		{name: "no summary, session IDs again", quiet: true, sameIDs: true, wantCmds: []string{askRI, add, results},
			wantEvents: []string{"Lost 1111", "Applied 1111"}},
		// The device lost its RefreshInterval too: it is set again.
		{name: "empty summary, RefreshInterval", sameIDs: true, refresh: 45, wantCmds: []string{add, results, setRI, askRI},
			wantEvents: []string{"Lost 1111", "Applied 1111"}},
		{name: "no summary, RefreshInterval", quiet: true, sameIDs: true, refresh: 45, wantCmds: []string{askRI, add, results, setRI, askRI},
			wantEvents: []string{"RefreshIntervalRead", "Lost 1111", "RefreshIntervalRead", "Applied 1111"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, ev, l := setup(t, vpnDoc(ids[0], "A0"))
			l.dev.quiet = tc.quiet
			if tc.refresh != 0 {
				if err := rec.SetRefreshInterval(context.Background(), dev1, tc.refresh); err != nil {
					t.Fatal(err)
				}
			}
			l.session(-1)
			l.noErrors()
			l.sent = nil
			ev.kinds()
			wantDoc(t, rec, ids[0], reconcile.InSync)

			// Wiped and enrolled again: an empty device, the same ID.
			l.dev = newSimDevice(t, dev1)
			l.dev.quiet = tc.quiet
			if tc.sameIDs {
				l.n = 0
			}
			l.session(-1)
			l.noErrors()
			wantCommands(t, l, tc.wantCmds...)
			for _, e := range ev.events {
				if s := e.Status; e.Kind == reconcile.Lost && (s.Condition != reconcile.Unknown || s.Reported || !strings.Contains(s.Reason, "lost")) {
					t.Errorf("Lost event status: %+v", s)
				}
			}
			wantEvents(t, ev, tc.wantEvents...)
			wantDoc(t, rec, ids[0], reconcile.InSync)
			if tc.refresh != 0 && l.dev.refresh != "45" {
				t.Errorf("the device's RefreshInterval is %q, want 45", l.dev.refresh)
			}
			if d := l.dev.docs[strings.ToUpper(ids[0])]; d == nil || d.checksum != "A0" {
				t.Errorf("the device holds %+v, want version A0", d)
			}

			// In sync again: the next session sends nothing, reports nothing.
			l.session(-1)
			l.noErrors()
			wantCommands(t, l)
			wantEvents(t, ev)
		})
	}
}
