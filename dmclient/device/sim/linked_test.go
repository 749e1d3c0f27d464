package sim_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// TestLinkedEnrollment: the primary server sets DiscoveryEndpoint and
// runs Enroll; the device discovers, enrolls (a fake MS-MDE2 step that
// returns the WinDC server's URL), checks in with the WinDC server, applies
// its document and reports it. Then the primary server runs Unenroll: the
// settings and the documents are rolled back.
func TestLinkedEnrollment(t *testing.T) {
	t.Run("sync", func(t *testing.T) { testLinkedEnrollment(t, false) })
	// As on Windows: Exec answered 202, EnrollStatus moves in the
	// background, CheckIn waits for the end.
	t.Run("async", func(t *testing.T) { testLinkedEnrollment(t, true) })
}

// newDiscoveryServer returns a discovery service on loopback, closed when
// t ends, that answers every request with fixed enrollment URLs and the
// auth policy the request requires.
func newDiscoveryServer(t *testing.T) *httptest.Server {
	t.Helper()
	ds := httptest.NewServer(&discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{EnrollmentServiceURL: "https://e.example/E", EnrollmentPolicyServiceURL: "https://e.example/P",
				AuthenticationServiceURL: "https://e.example/A", AuthPolicy: req.RequiredAuthPolicy()}, nil
		},
	})
	t.Cleanup(ds.Close)
	return ds
}

func testLinkedEnrollment(t *testing.T, async bool) {
	ws := newWinDCServer(t)
	ds := newDiscoveryServer(t)
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	primary := session.NewServer(session.ServerConfig{})
	ps := httptest.NewServer(primary)
	defer ps.Close()

	var got *device.EnrollRequest
	hc := newHTTPClient(2).c
	d, err := sim.New(context.Background(), sim.Config{
		ServerURL: ps.URL, HTTPClient: hc,
		DevInfo: session.DevInfo{DevID: sim.DeviceID(9), Man: "Contoso", Mod: "Sim 1", DmV: "1.3", Lang: "en-US"},
		LinkedEnrollment: &device.Config{
			ProviderID: le.ProviderID,
			Async:      async,
			Discovery:  discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
			Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
			Enroller: device.EnrollerFunc(func(_ context.Context, r *device.EnrollRequest) (*device.Enrollment, error) {
				got = r
				return &device.Enrollment{ManagementURL: ws.URL}, nil
			}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := primary.Queue(ctx, sim.DeviceID(9), le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll()); err != nil {
		t.Fatal(err)
	}
	st := d.CheckIn(ctx)
	if st.Errors != 0 || st.Sessions != 3 {
		t.Fatalf("check-in: %+v", st)
	}
	if got == nil || got.Response.AuthPolicy != discovery.AuthPolicyFederated {
		t.Fatalf("Enroller got %+v", got)
	}
	if s := d.LinkedEnrollment().State(); s.Status != dmclient.StatusEnrollmentSucceeded {
		t.Fatalf("EnrollStatus %v", s.Status)
	}
	if n := ws.states()["60"]; n != 1 {
		t.Fatalf("the WinDC server saw %v", ws.states())
	}
	mem := d.Surface().(interface {
		Nodes(string) map[string]string
	})
	if len(mem.Nodes("./Device/Vendor/MSFT/VPNv2/")) != 2 {
		t.Fatalf("surface %v", mem.Nodes(""))
	}

	if err := primary.Queue(ctx, sim.DeviceID(9), le.ExecUnenroll(), le.GetEnrollStatus()); err != nil {
		t.Fatal(err)
	}
	st = d.CheckIn(ctx)
	if st.Errors != 0 || st.Sessions != 1 {
		t.Fatalf("check-in after Unenroll: %+v", st)
	}
	if s := d.LinkedEnrollment().State(); s.Status != dmclient.StatusUnenrollmentSucceeded || s.Enrollment != nil {
		t.Fatalf("after Unenroll: %+v", s)
	}
	if n := mem.Nodes(""); len(n) != 0 {
		t.Errorf("settings left after Unenroll: %v", n)
	}
	if docs := d.Agent().Snapshot().Documents; len(docs) != 0 {
		t.Errorf("documents left after Unenroll: %d", len(docs))
	}
}
