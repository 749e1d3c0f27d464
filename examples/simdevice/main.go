// Command simdevice runs many simulated Windows devices against an OMA-DM
// server: each device checks in, answers what it is sent (DevInfo,
// DevDetail, the DeclaredConfiguration CSP), applies the documents the
// server declares, and reports them with the 1224 summary in every
// message. It ends with one summary line:
//
//	go run ./examples/simdevice -server http://127.0.0.1:8080/ManagementServer/MDM.svc -devices 1000
//	devices=1000 sessions=1000 messages=2000 errors=0 in_sync=0/0 drifted=0 p50=1.2ms p99=4.5ms elapsed=1.3s
//
// -concurrency bounds the devices running at once; -session-timeout each
// session (a server that stops answering fails the device's session, it
// does not hold the run); -drift F injects drift
// into that share of the devices after their check-in (-drift-mode repair:
// the agent sets it back; fail: it cannot, the document turns to
// ConfigCompletedError and the device reports it in one more session).
// http:// is accepted for loopback hosts only; https:// for any.
//
// With -linked, -server is the primary MDM server: the devices answer its
// DMClient LinkedEnrollment commands (package dmclient/device), enroll with
// MS-MDE2 (package discovery/mde2, keys -key ecdsa, the default, or rsa;
// -token is the Entra device token of the Federated policy) and then check
// in with the management URL their enrollment gave:
//
//	go run ./examples/simdevice -server http://127.0.0.1:8080/primary -linked -token T -devices 100
//
// The program is wiring only: the devices are package dmclient/device/sim.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient/device"
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
	linked := fs.Bool("linked", false, "-server is the primary MDM server; enroll with MS-MDE2 when it runs LinkedEnrollment/Enroll")
	token := fs.String("token", "", "with -linked: the Entra device token sent for AuthPolicy Federated")
	keyType := fs.String("key", "ecdsa", "with -linked: the key each device generates, ecdsa (P-256) or rsa (2048 bits)")
	timeout := fs.Duration("session-timeout", sim.DefaultSessionTimeout, "bounds each session of a device")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := checkURL(*server); err != nil {
		fmt.Fprintln(stderr, "simdevice: -server:", err)
		return 2
	}
	modes := map[string]sim.DriftMode{"repair": sim.DriftRepairable, "fail": sim.DriftUnrepairable}
	keys := map[string]mde2.KeyType{"ecdsa": mde2.KeyECDSAP256, "rsa": mde2.KeyRSA2048}
	dm, ok := modes[*mode]
	kt, okKey := keys[*keyType]
	if !ok || !okKey || *drift < 0 || *drift > 1 || *devices < 1 || *concurrency < 1 {
		fmt.Fprintln(stderr, "simdevice: want -devices ≥ 1, -concurrency ≥ 1, -drift in [0, 1], -drift-mode repair or fail, -key ecdsa or rsa")
		return 2
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *concurrency
	hc := &http.Client{Transport: tr}
	rep, err := sim.RunFleet(ctx, sim.FleetConfig{
		Devices: *devices, Concurrency: *concurrency, Drift: *drift, DriftMode: dm, Seed: *seed,
		Device: func(i int) sim.Config {
			c := sim.Config{
				ServerURL: *server, HTTPClient: hc, SessionTimeout: *timeout,
				DevInfo:   session.DevInfo{DevID: sim.DeviceID(i), Man: "windc simdevice", Mod: "Simulated " + runtime.GOARCH, DmV: "1.3", Lang: "en-US"},
				DevDetail: sim.DevDetail{SwV: osVersion, OEM: "windc", DevTyp: "Simulated", FwV: "1.0", HwV: "1.0"},
			}
			if *linked {
				c.LinkedEnrollment = linkedEnrollment(hc, c.DevInfo.DevID, kt, *token)
			}
			return c
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

// osVersion is the Windows version the devices report.
const osVersion = "10.0.26100.1301"

// linkedEnrollment configures the LinkedEnrollment handler of one device:
// discovery with the device's facts, then MS-MDE2 with a new key of type kt
// and token as the Entra device token.
func linkedEnrollment(hc *http.Client, devID string, kt mde2.KeyType, token string) *device.Config {
	id := strings.TrimPrefix(devID, "urn:uuid:")
	return &device.Config{
		ProviderID: "MS DM SERVER",
		Discovery:  discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Request:    discovery.Request{OSVersion: osVersion, EMMDeviceID: id, EnrollmentType: new(discovery.EnrollmentTypeDevice)},
		Enroller: &device.MDE2{
			Client: &mde2.Client{HTTPClient: hc, KeyType: kt},
			Device: mde2.Device{DeviceID: id, OSVersion: osVersion, EnrollmentType: "Device"},
			Credentials: func(_ context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
				if p != discovery.AuthPolicyFederated {
					return mde2.Credentials{}, fmt.Errorf("AuthPolicy %s needs the primary enrollment's certificate, which simulated devices do not have", p)
				}
				return mde2.Credentials{Token: []byte(token)}, nil
			},
		},
	}
}

// checkURL accepts https URLs and http URLs to a loopback host, the
// policy discovery applies to its URLs.
func checkURL(raw string) error {
	return discovery.URLPolicy{AllowLoopbackHTTP: true}.Check(raw)
}
