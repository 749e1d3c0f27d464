package sim_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

func deviceConfig(url string, hc *httpClient) func(i int) sim.Config {
	return func(i int) sim.Config {
		return sim.Config{
			ServerURL:  url,
			HTTPClient: hc.c,
			DevInfo:    session.DevInfo{DevID: sim.DeviceID(i), Man: "Contoso", Mod: "Sim 1", DmV: "1.3", Lang: "en-US"},
			DevDetail:  sim.DevDetail{SwV: "10.0.26100.1301", OEM: "Contoso", DevTyp: "Sim", FwV: "1", HwV: "1"},
		}
	}
}

func TestFleet(t *testing.T) {
	const n = 24
	for _, tt := range []struct {
		name      string
		drift     float64
		mode      sim.DriftMode
		wantState func(r *sim.Report) map[string]int
		wantCond  func(r *sim.Report) map[string]int
	}{
		{name: "no drift", wantState: func(*sim.Report) map[string]int { return map[string]int{"60": n} },
			wantCond: func(*sim.Report) map[string]int { return map[string]int{"InSync": n} }},
		{name: "repairable drift", drift: 0.5, mode: sim.DriftRepairable,
			wantState: func(*sim.Report) map[string]int { return map[string]int{"60": n} },
			wantCond:  func(*sim.Report) map[string]int { return map[string]int{"InSync": n} }},
		{name: "unrepairable drift", drift: 0.5, mode: sim.DriftUnrepairable,
			wantState: func(r *sim.Report) map[string]int { return map[string]int{"60": n - r.Drifted, "61": r.Drifted} },
			wantCond: func(r *sim.Report) map[string]int {
				return map[string]int{"InSync": n - r.Drifted, "Drifted": r.Drifted}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ws := newWinDCServer(t)
			rep, err := sim.RunFleet(context.Background(), sim.FleetConfig{
				Devices: n, Concurrency: 4, Device: deviceConfig(ws.URL, newHTTPClient(4)),
				Drift: tt.drift, DriftMode: tt.mode, Seed: 7,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if rep.Errors != 0 || rep.Err != nil {
				t.Fatalf("errors: %v", rep)
			}
			if tt.drift > 0 && (rep.Drifted == 0 || rep.Drifted == n) {
				t.Fatalf("seed 7 drifted %d of %d devices; the test needs some of each", rep.Drifted, n)
			}
			// Each device: one session that declares, one that reports
			// the document applied, and one more that reports drift the
			// agent could not repair.
			wantSessions := 2 * n
			wantInSync := n
			if tt.mode == sim.DriftUnrepairable {
				wantSessions += rep.Drifted
				wantInSync -= rep.Drifted
			}
			if rep.Devices != n || rep.Documents != n || rep.InSync != wantInSync || rep.Sessions != wantSessions {
				t.Errorf("report %v: want %d devices and documents, %d in sync, %d sessions", rep, n, wantInSync, wantSessions)
			}
			if rep.Messages < int64(rep.Sessions) || rep.P50 <= 0 || rep.P99 < rep.P50 {
				t.Errorf("report %v: messages or times", rep)
			}
			if diff := cmp.Diff(tt.wantState(rep), ws.states()); diff != "" {
				t.Errorf("what the server read in the summaries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCond(rep), ws.conditions()); diff != "" {
				t.Errorf("declaredconfig.Reply.Evaluate's view (-want +got):\n%s", diff)
			}
		})
	}
}
