// Command simdevice runs many simulated Windows devices against an OMA-DM
// server: each device checks in, answers what it is sent (DevInfo,
// DevDetail, the DeclaredConfiguration CSP), applies the documents the
// server declares, and reports them with the 1224 summary in every
// message. It ends with one summary line:
//
//	go run ./examples/simdevice -server http://127.0.0.1:8080/ManagementServer/MDM.svc -devices 1000
//	devices=1000 sessions=1000 messages=2000 errors=0 in_sync=0/0 drifted=0 p50=1.2ms p99=4.5ms elapsed=1.3s
//
// -concurrency bounds the devices running at once; -drift F injects drift
// into that share of the devices after their check-in (-drift-mode repair:
// the agent sets it back; fail: it cannot, the document turns to
// ConfigCompletedError and the device reports it in one more session).
// http:// is accepted for loopback hosts only; https:// for any.
//
// The program is wiring only: the devices are package dmclient/device/sim.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"

	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the fleet and prints its summary line to stdout.
// It returns the exit code: 0, 1 when a device met an error, 2 for bad
// arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simdevice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "the OMA-DM server's URL (required)")
	devices := fs.Int("devices", 1, "how many devices check in")
	concurrency := fs.Int("concurrency", sim.DefaultConcurrency, "devices running at once")
	drift := fs.Float64("drift", 0, "share of the devices (0 to 1) that get drift after their check-in")
	mode := fs.String("drift-mode", "fail", "repair: the agent sets the value back; fail: it cannot")
	seed := fs.Uint64("seed", 1, "chooses the drifting devices")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := checkURL(*server); err != nil {
		fmt.Fprintln(stderr, "simdevice: -server:", err)
		return 2
	}
	modes := map[string]sim.DriftMode{"repair": sim.DriftRepairable, "fail": sim.DriftUnrepairable}
	dm, ok := modes[*mode]
	if !ok || *drift < 0 || *drift > 1 || *devices < 1 || *concurrency < 1 {
		fmt.Fprintln(stderr, "simdevice: want -devices ≥ 1, -concurrency ≥ 1, -drift in [0, 1], -drift-mode repair or fail")
		return 2
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *concurrency
	hc := &http.Client{Transport: tr}
	rep, err := sim.RunFleet(ctx, sim.FleetConfig{
		Devices: *devices, Concurrency: *concurrency, Drift: *drift, DriftMode: dm, Seed: *seed,
		Device: func(i int) sim.Config {
			return sim.Config{
				ServerURL: *server, HTTPClient: hc,
				DevInfo:   session.DevInfo{DevID: sim.DeviceID(i), Man: "windc simdevice", Mod: "Simulated " + runtime.GOARCH, DmV: "1.3", Lang: "en-US"},
				DevDetail: sim.DevDetail{SwV: "10.0.26100.1301", OEM: "windc", DevTyp: "Simulated", FwV: "1.0", HwV: "1.0"},
			}
		},
	})
	if rep != nil {
		fmt.Fprintln(stdout, rep)
	}
	if err != nil {
		fmt.Fprintln(stderr, "simdevice:", err)
		return 1
	}
	if rep.Errors > 0 {
		return 1
	}
	return 0
}

// checkURL accepts https URLs and http URLs to a loopback host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("%q: want http or https", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q: http only to a loopback host", raw)
}
