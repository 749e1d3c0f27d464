package sim_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// TestFleetLinkedNotRun: a fleet whose primary server starts the linked
// enrollment on some devices only (on the others it drives another
// provider's LinkedEnrollment nodes, which they answer 404) reports how
// many never ran it (Report.LinkedNotRun, Device.LinkedEnrollmentRan),
// with no error: those devices met none. Before, only examples/simdevice
// counted them.
func TestFleetLinkedNotRun(t *testing.T) {
	ws := newWinDCServer(t)
	ds := newDiscoveryServer(t)
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	other := dmclient.LinkedEnrollment{ProviderID: "WinDC-other"}
	const n = 7
	start := map[string]bool{sim.DeviceID(0): true, sim.DeviceID(3): true, sim.DeviceID(4): true}
	ps := httptest.NewServer(session.NewServer(session.ServerConfig{
		Session: session.Config{OnStart: func(_ context.Context, s *session.Session, id session.Identity, first bool) {
			switch {
			case !first:
			case start[id.Device]:
				_ = s.Queue(le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll())
			default:
				_ = s.Queue(other.ReplaceDiscoveryEndpoint(ds.URL), other.ExecEnroll())
			}
		}},
	}))
	defer ps.Close()
	hc := newHTTPClient(3).c
	rep, err := sim.RunFleet(context.Background(), sim.FleetConfig{
		Devices: n, Concurrency: 3,
		Device: func(i int) sim.Config {
			return sim.Config{
				ServerURL: ps.URL, HTTPClient: hc,
				DevInfo: session.DevInfo{DevID: sim.DeviceID(i), Man: "Contoso", Mod: "Sim 1", DmV: "1.3", Lang: "en-US"},
				LinkedEnrollment: &device.Config{
					ProviderID: le.ProviderID,
					Discovery:  discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
					Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
					Enroller: device.EnrollerFunc(func(context.Context, *device.EnrollRequest) (*device.Enrollment, error) {
						return &device.Enrollment{ManagementURL: ws.URL}, nil
					}),
				},
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 || rep.LinkedNotRun != n-len(start) || rep.InSync != len(start) {
		t.Errorf("report %v, LinkedNotRun %d: want no error, %d not run, %d in sync", rep, rep.LinkedNotRun, n-len(start), len(start))
	}
	// Without a LinkedEnrollment nothing is counted.
	rep, err = sim.RunFleet(context.Background(), sim.FleetConfig{Devices: 2, Device: deviceConfig(ws.URL, newHTTPClient(2))})
	if err != nil || rep.LinkedNotRun != 0 {
		t.Errorf("without LinkedEnrollment: %v, LinkedNotRun %d, %v", rep, rep.LinkedNotRun, err)
	}
}
