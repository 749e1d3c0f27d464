package sim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// deadlineProbe records whether each request's context has a deadline
// and fails the request, without a network.
type deadlineProbe struct{ requests, withDeadline atomic.Int32 }

func (p *deadlineProbe) RoundTrip(r *http.Request) (*http.Response, error) {
	p.requests.Add(1)
	if _, ok := r.Context().Deadline(); ok {
		p.withDeadline.Add(1)
	}
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("probe: no network")
}

// TestSessionTimeout: a session with a server that never answers ends;
// every session has a deadline by default, and Config.SessionTimeout
// sets it.
func TestSessionTimeout(t *testing.T) {
	p := &deadlineProbe{}
	cfg := sim.Config{ServerURL: "http://127.0.0.1:1/x", HTTPClient: &http.Client{Transport: p},
		DevInfo: session.DevInfo{DevID: sim.DeviceID(1)}}
	d, err := sim.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if st := d.CheckIn(context.Background()); st.Errors == 0 || p.requests.Load() == 0 || p.withDeadline.Load() != p.requests.Load() {
		t.Errorf("%d of %d requests had a deadline (stats %+v)", p.withDeadline.Load(), p.requests.Load(), st)
	}
	cfg.SessionTimeout = 1 // a nanosecond: over before the first message
	d, err = sim.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if st := d.CheckIn(context.Background()); !errors.Is(st.Err, context.DeadlineExceeded) {
		t.Errorf("CheckIn with a spent SessionTimeout: %v", st.Err)
	}
}

// TestLinkedEnrollmentFailureCounted: an enrollment the primary server
// runs and that fails (here the enrollment service refuses) is an error
// of the check-in, with the HRESULT in the report, in both modes; a
// load test against a broken enrollment service does not end errors=0.
func TestLinkedEnrollmentFailureCounted(t *testing.T) {
	for _, async := range []bool{false, true} {
		ds := newDiscoveryServer(t)
		le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
		primary := session.NewServer(session.ServerConfig{})
		ps := httptest.NewServer(primary)
		defer ps.Close()
		hc := newHTTPClient(2).c
		d, err := sim.New(context.Background(), sim.Config{
			ServerURL: ps.URL, HTTPClient: hc, DevInfo: session.DevInfo{DevID: sim.DeviceID(3)},
			LinkedEnrollment: &device.Config{
				ProviderID: le.ProviderID, Async: async,
				Discovery: discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
				Request:   discovery.Request{OSVersion: "10.0.26100.1301"},
				Enroller: device.EnrollerFunc(func(context.Context, *device.EnrollRequest) (*device.Enrollment, error) {
					return nil, errors.New("enrollment service: device cap reached")
				}),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ctx := context.Background()
		if err := primary.Queue(ctx, sim.DeviceID(3), le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll()); err != nil {
			t.Fatal(err)
		}
		st := d.CheckIn(ctx)
		if st.Errors != 1 || st.Err == nil || !strings.Contains(st.Err.Error(), "0x80004005") {
			t.Errorf("async %v: check-in after a failed enrollment: %+v", async, st)
		}
		// The next check-in, with nothing new, has no error.
		if st := d.CheckIn(ctx); st.Errors != 0 {
			t.Errorf("async %v: next check-in: %+v", async, st)
		}
	}
}

// TestInjectDriftKeepsRefuse: unrepairable drift adds its refusal to a
// Refuse hook the MemorySurface already had, instead of dropping it.
func TestInjectDriftKeepsRefuse(t *testing.T) {
	ws := newWinDCServer(t)
	mem := &agent.MemorySurface{}
	var asked atomic.Int32
	mem.Refuse = func(op, uri string) error {
		asked.Add(1)
		return nil
	}
	d, err := sim.New(context.Background(), sim.Config{ServerURL: ws.URL, HTTPClient: newHTTPClient(1).c,
		DevInfo: session.DevInfo{DevID: sim.DeviceID(5)}, Agent: agent.Config{Surface: mem}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if st := d.CheckIn(context.Background()); st.Errors != 0 {
		t.Fatalf("check-in: %+v", st)
	}
	if _, err := d.InjectDrift(context.Background(), sim.DriftUnrepairable); err != nil {
		t.Fatal(err)
	}
	before := asked.Load()
	if err := mem.Set(context.Background(), "./Device/Vendor/MSFT/Other/Node", "1"); err != nil {
		t.Fatal(err)
	}
	if asked.Load() == before {
		t.Errorf("the surface's own Refuse was dropped by InjectDrift")
	}
}
