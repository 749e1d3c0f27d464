package sim_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/windc-go/windc/dmclient/device/sim"
)

// BenchmarkFleet runs whole fleets against a loopback WinDC server that
// declares one document per device: each device checks in once, applies
// the document and reports it (two sessions). One op is a whole fleet;
// run the 10,000-device case alone with -bench 'Fleet/devices=10000'
// -benchtime 1x. It reports devices/s, sessions per op, the heap obtained
// from the OS (sys-MB) and fails on any error or document out of sync.
func BenchmarkFleet(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run("devices="+strconv.Itoa(n), func(b *testing.B) {
			ws := newWinDCServer(b)
			hc := newHTTPClient(sim.DefaultConcurrency)
			b.ReportAllocs()
			var rep *sim.Report
			for b.Loop() {
				// A new server state per fleet: every device's first session.
				ws.reset()
				var err error
				rep, err = sim.RunFleet(context.Background(), sim.FleetConfig{Devices: n, Device: deviceConfig(ws.URL, hc)})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Errors != 0 || rep.InSync != n || rep.Sessions != 2*n {
					b.Fatalf("fleet: %v", rep)
				}
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "devices/s")
			b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
			b.ReportMetric(float64(rep.P99.Microseconds())/1000, "p99-ms")
			b.Log(rep)
		})
	}
}
