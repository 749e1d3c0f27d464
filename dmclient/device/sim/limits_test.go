package sim_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

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
