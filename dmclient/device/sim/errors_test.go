package sim_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestFleetErrors: what a device meets is counted and the first error is
// in the report.
func TestFleetErrors(t *testing.T) {
	t.Run("server refuses the DevInfo Replace", func(t *testing.T) {
		srv := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{
			Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
				if r.Command.ElementName() == "Replace" {
					return session.Response{Code: syncml.StatusForbidden}
				}
				return session.Response{}
			}),
		}}))
		defer srv.Close()
		rep, err := sim.RunFleet(context.Background(), sim.FleetConfig{Devices: 3, Concurrency: 2, Device: deviceConfig(srv.URL, newHTTPClient(2))})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Errors != 3 || rep.Sessions != 3 || rep.Err == nil || !strings.Contains(rep.String(), "403") {
			t.Errorf("report %v", rep)
		}
	})
	t.Run("server down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		rep, err := sim.RunFleet(context.Background(), sim.FleetConfig{Devices: 2, Device: deviceConfig(url, newHTTPClient(2))})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Errors != 2 || rep.Err == nil {
			t.Errorf("report %v", rep)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rep, err := sim.RunFleet(ctx, sim.FleetConfig{Devices: 100, Device: deviceConfig("http://127.0.0.1:1/x", newHTTPClient(2))})
		if !errors.Is(err, context.Canceled) || rep == nil || rep.Devices == 100 {
			t.Errorf("RunFleet after cancel: %v %v", rep, err)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		if _, err := sim.RunFleet(context.Background(), sim.FleetConfig{}); !errors.Is(err, sim.ErrConfig) {
			t.Errorf("empty FleetConfig: %v", err)
		}
		if _, err := sim.New(context.Background(), sim.Config{ServerURL: "http://127.0.0.1:1/"}); !errors.Is(err, sim.ErrConfig) {
			t.Errorf("no DevID: %v", err)
		}
	})
}

func TestInjectDriftWithoutDocument(t *testing.T) {
	d, err := sim.New(context.Background(), sim.Config{ServerURL: "http://127.0.0.1:1/", DevInfo: session.DevInfo{DevID: sim.DeviceID(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.InjectDrift(context.Background(), sim.DriftRepairable); !errors.Is(err, sim.ErrNoSetting) {
		t.Errorf("InjectDrift: %v", err)
	}
}

// TestDriftConfigRefused: a Drift outside 0 to 1 (NaN included) or a
// DriftMode that is neither of the two is refused with ErrConfig, before
// any device is made. Before, a Drift over 1 ran as 1, under 0 or NaN as
// 0, and another mode as DriftRepairable, without a word.
func TestDriftConfigRefused(t *testing.T) {
	for _, cfg := range []sim.FleetConfig{
		{Drift: 1.5}, {Drift: -0.1}, {Drift: math.NaN()}, {Drift: math.Inf(1)},
		{Drift: 0.5, DriftMode: sim.DriftMode(2)}, {DriftMode: -1},
	} {
		made := 0
		cfg.Devices = 2
		cfg.Device = func(int) sim.Config { made++; return sim.Config{} }
		rep, err := sim.RunFleet(context.Background(), cfg)
		if !errors.Is(err, sim.ErrConfig) || rep != nil || made != 0 {
			t.Errorf("Drift %v, DriftMode %d: RunFleet = %v, %v (%d devices made); want ErrConfig and none", cfg.Drift, cfg.DriftMode, rep, err, made)
		}
	}
	d, err := sim.New(context.Background(), sim.Config{ServerURL: "http://127.0.0.1:1/", DevInfo: session.DevInfo{DevID: sim.DeviceID(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.InjectDrift(context.Background(), sim.DriftMode(7)); !errors.Is(err, sim.ErrConfig) {
		t.Errorf("InjectDrift(DriftMode(7)) = %v, want ErrConfig", err)
	}
}
