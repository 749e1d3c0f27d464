// Command simdevice runs many simulated Windows devices against an OMA-DM
// server: each device checks in, answers what it is sent (DevInfo,
// DevDetail, the DeclaredConfiguration CSP), applies the documents the
// server declares, and reports them with the 1224 summary in every
// message. It ends with one summary line:
//
//	go run ./examples/simdevice -server http://127.0.0.1:8080/ManagementServer/MDM.svc -devices 1000
//	devices=1000 sessions=1000 messages=2000 errors=0 in_sync=0/0 drifted=0 p50=1.2ms p99=4.5ms elapsed=1.3s
//
// -server is required. -concurrency bounds the devices running at once;
// -session-timeout each session (a server that stops answering fails the
// device's session, it does not hold the run); -drift P is the
// probability that a device (drawn with -seed) gets drift after its
// check-in (-drift-mode repair: the agent sets it back; fail: it cannot,
// the document turns to ConfigCompletedError and the device reports it in
// the sessions its agent asks for; a device drawn that holds no applied
// setting, as against a server that declares nothing, counts an error, and
// a line on stderr says so). http:// is accepted for loopback
// hosts only; https:// for any. The device IDs are fixed (sim.DeviceID:
// device N of every run has the same ID); -run N puts N in their second
// group, so that another run's devices are new to the server. A flag
// that would change nothing is an error (exit 2), not ignored: -token,
// -token-url, -provider and -key without -linked, -token with -token-url,
// -ca-max-bytes without -ca, and a -session-timeout of 0 or less. The -ca
// file is read up to -ca-max-bytes (1 MiB by default): a longer one, or
// one that does not end (/dev/zero), is refused; a pipe that sends nothing
// blocks, as any read of it does.
//
// With -linked, -server is the primary MDM server: the devices answer its
// DMClient LinkedEnrollment commands (package dmclient/device), enroll with
// MS-MDE2 (package discovery/mde2, keys -key ecdsa, the default, or rsa;
// -token is the Entra device token of the Federated policy) and then check
// in with the management URL their enrollment gave. When the server never
// ran the linked enrollment on some devices (no Exec Enroll for
// -provider's nodes came), a line on stderr says on how many, and the
// exit code is 1:
//
//	go run ./examples/simdevice -server http://127.0.0.1:8080/primary -linked -token T -devices 100
//
// Against examples/dmserver (-tls -ca-out root.pem -declare
// examples/dmserver/docs.xml, its sample documents),
// -provider WinDC-dmserver names its primary enrollment's provider (the
// default, MS DM SERVER, is not dmserver's: its devices never enroll),
// -token-url https://…/windc/test-token gets each device's token from its
// test issuer, and -ca root.pem trusts its CA; the WinDC sessions present
// the certificate each device was issued.
//
// Interrupted (Ctrl-C), it prints the summary of what ran and a line
// saying after how many devices it stopped; the sessions it cut off count
// as errors, and the exit code is 1.
//
// The program is wiring only: the devices are package dmclient/device/sim.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
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
	drift := fs.Float64("drift", 0, "probability (0 to 1) that a device gets drift after its check-in (each device drawn with -seed)")
	mode := fs.String("drift-mode", "fail", "repair: the agent sets the value back; fail: it cannot")
	seed := fs.Uint64("seed", 1, "chooses the drifting devices")
	linked := fs.Bool("linked", false, "-server is the primary MDM server; enroll with MS-MDE2 when it runs LinkedEnrollment/Enroll")
	token := fs.String("token", "", "with -linked: the Entra device token sent for AuthPolicy Federated")
	tokenURL := fs.String("token-url", "", "with -linked: get each device's token from `URL`?device=ID instead (a test issuer, such as dmserver's /windc/test-token)")
	provider := fs.String("provider", "MS DM SERVER", "with -linked: the DMClient provider whose LinkedEnrollment nodes the server drives (dmserver: WinDC-dmserver)")
	caFile := fs.String("ca", "", "PEM `FILE` of root certificates to trust for https (such as dmserver's -ca-out), besides the system's")
	caMax := fs.Int64("ca-max-bytes", defaultMaxCABytes, "with -ca: the largest `N` bytes the -ca file may have (a bundle of every public root is about 250 KB)")
	keyType := fs.String("key", "ecdsa", "with -linked: the key each device generates, ecdsa (P-256) or rsa (2048 bits)")
	timeout := fs.Duration("session-timeout", sim.DefaultSessionTimeout, "bounds each session of a device")
	runID := fs.Uint("run", 0, "`N` (0 to 65535) put in the second group of the device IDs, so that this run's devices are new to a server that saw another run's; 0, the default, gives the fixed IDs urn:uuid:5D1C0DE5-0000-4000-8000-<device number in hex>")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *server == "" {
		fmt.Fprintln(stderr, "simdevice: -server is required: the OMA-DM server's URL, such as http://127.0.0.1:8080/ManagementServer/MDM.svc")
		return 2
	}
	if err := checkURL(*server); err != nil {
		fmt.Fprintln(stderr, "simdevice: -server:", err)
		return 2
	}
	modes := map[string]sim.DriftMode{"repair": sim.DriftRepairable, "fail": sim.DriftUnrepairable}
	keys := map[string]mde2.KeyType{"ecdsa": mde2.KeyECDSAP256, "rsa": mde2.KeyRSA2048}
	dm, okMode := modes[*mode]
	kt, okKey := keys[*keyType]
	var bad []string // one line per wrong flag, each named
	if *devices < 1 {
		bad = append(bad, fmt.Sprintf("-devices %d: want at least 1", *devices))
	}
	if *concurrency < 1 {
		bad = append(bad, fmt.Sprintf("-concurrency %d: want at least 1", *concurrency))
	}
	if !(*drift >= 0 && *drift <= 1) { // NaN too
		bad = append(bad, fmt.Sprintf("-drift %v: want a probability from 0 to 1", *drift))
	}
	if !okMode {
		bad = append(bad, fmt.Sprintf("-drift-mode %q: want repair or fail", *mode))
	}
	if !okKey {
		bad = append(bad, fmt.Sprintf("-key %q: want ecdsa or rsa", *keyType))
	}
	if *runID > maxRunID {
		bad = append(bad, fmt.Sprintf("-run %d: want 0 to %d", *runID, maxRunID))
	}
	if *caMax < 1 {
		bad = append(bad, fmt.Sprintf("-ca-max-bytes %d: want at least 1", *caMax))
	}
	if *timeout <= 0 { // sim would take it for its default without a word
		bad = append(bad, fmt.Sprintf("-session-timeout %v: want more than 0", *timeout))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"token", "token-url", "provider", "key"} {
		if set[name] && !*linked { // a flag that would do nothing
			bad = append(bad, fmt.Sprintf("-%s: only with -linked", name))
		}
	}
	if set["ca-max-bytes"] && *caFile == "" {
		bad = append(bad, "-ca-max-bytes: only with -ca")
	}
	if set["token"] && set["token-url"] {
		bad = append(bad, "-token and -token-url: give one (the devices' token, or where they get it)")
	}
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(stderr, "simdevice:", b)
		}
		return 2
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *concurrency
	if *caFile != "" {
		roots, err := readRoots(*caFile, *caMax)
		if err != nil {
			fmt.Fprintln(stderr, "simdevice: -ca:", err)
			return 2
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	if *tokenURL != "" {
		if err := checkURL(*tokenURL); err != nil {
			fmt.Fprintln(stderr, "simdevice: -token-url:", err)
			return 2
		}
	}
	hc := &http.Client{Transport: tr}
	rep, err := sim.RunFleet(ctx, sim.FleetConfig{
		Devices: *devices, Concurrency: *concurrency, Drift: *drift, DriftMode: dm, Seed: *seed,
		Device: func(i int) sim.Config {
			c := sim.Config{
				ServerURL: *server, HTTPClient: hc, SessionTimeout: *timeout,
				DevInfo:   session.DevInfo{DevID: deviceID(*runID, i), Man: "windc simdevice", Mod: "Simulated " + runtime.GOARCH, DmV: "1.3", Lang: "en-US"},
				DevDetail: sim.DevDetail{SwV: osVersion, OEM: "windc", DevTyp: "Simulated", FwV: "1.0", HwV: "1.0"},
			}
			if *linked {
				c.LinkedEnrollment = linkedEnrollment(hc, *provider, c.DevInfo.DevID, kt, tokens(hc, *token, *tokenURL))
			}
			return c
		},
	})
	if rep != nil {
		fmt.Fprintln(stdout, rep)
	}
	if err != nil {
		if rep != nil && ctx.Err() != nil {
			// interrupted: say how far the run got, and that the
			// sessions cut off are among the errors counted
			fmt.Fprintf(stderr, "simdevice: interrupted (%v) after %d of %d devices; the sessions it cut off count in errors=\n",
				err, rep.Devices, *devices)
			return 1
		}
		fmt.Fprintln(stderr, "simdevice:", err)
		return 1
	}
	// A device the server never started the linked enrollment on met no
	// error of its own (the server saw its 404s): the run fails all the
	// same, with a line saying why. errors= keeps counting what the
	// devices met, so that a device whose session failed counts once.
	// (sim's Report.LinkedNotRun; every device has a LinkedEnrollment.)
	if rep.LinkedNotRun > 0 {
		why := fmt.Sprintf("does the server drive another provider's LinkedEnrollment? -provider is %q, dmserver's is WinDC-dmserver", *provider)
		if rep.Errors > 0 {
			why = fmt.Sprintf("errors=%d: the devices' errors (first_error) may be why", rep.Errors)
		}
		fmt.Fprintf(stderr, "simdevice: -linked: the linked enrollment never ran on %d of %d devices: no Exec of %s came (%s)\n",
			rep.LinkedNotRun, rep.Devices, dmclient.LinkedEnrollment{ProviderID: *provider}.Enroll(), why)
	}
	if errors.Is(rep.Err, sim.ErrNoSetting) {
		// every device drawn for -drift that holds no applied setting
		// counts an error: say what such a run lacks
		fmt.Fprintf(stderr, "simdevice: -drift %v: a device drawn to drift held no applied setting (in_sync=%d/%d): does the server declare documents (dmserver: -declare FILE)?\n",
			*drift, rep.InSync, rep.Documents)
	}
	if rep.Errors > 0 || rep.LinkedNotRun > 0 {
		return 1
	}
	return 0
}

// maxRunID is the largest -run: deviceID puts it in 4 hex digits.
const maxRunID = 0xFFFF

// deviceID returns the DevID of device i of run: sim.DeviceID(i) for run
// 0, and for another run the same UUID with the run in its second group,
// so that two runs' devices never share an ID.
func deviceID(run uint, i int) string {
	id := sim.DeviceID(i)
	if run == 0 {
		return id
	}
	// urn:uuid:5D1C0DE5-0000-4000-8000-…: the second group is id[18:22]
	return id[:18] + fmt.Sprintf("%04X", run) + id[22:]
}

// osVersion is the Windows version the devices report.
const osVersion = "10.0.26100.1301"

// linkedEnrollment configures the LinkedEnrollment handler of provider
// of one device: discovery with the device's facts, then MS-MDE2 with a
// new key of type kt and the Entra device token that token returns.
func linkedEnrollment(hc *http.Client, provider, devID string, kt mde2.KeyType, token func(ctx context.Context, id string) ([]byte, error)) *device.Config {
	id := strings.TrimPrefix(devID, "urn:uuid:")
	return &device.Config{
		ProviderID: provider,
		Discovery:  discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Request:    discovery.Request{OSVersion: osVersion, EMMDeviceID: id, EnrollmentType: new(discovery.EnrollmentTypeDevice)},
		Enroller: &device.MDE2{
			Client: &mde2.Client{HTTPClient: hc, KeyType: kt, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
			Device: mde2.Device{DeviceID: id, OSVersion: osVersion, EnrollmentType: "Device"},
			Credentials: func(ctx context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
				if p != discovery.AuthPolicyFederated {
					return mde2.Credentials{}, fmt.Errorf("AuthPolicy %s needs the primary enrollment's certificate, which simulated devices do not have", p)
				}
				tok, err := token(ctx, id)
				return mde2.Credentials{Token: tok}, err
			},
		},
	}
}

// tokens returns where the devices get their Entra device token: token
// itself, or with tokenURL a GET of tokenURL?device=ID, a test issuer that
// stands in for Entra ID (dmserver's /windc/test-token).
func tokens(hc *http.Client, token, tokenURL string) func(ctx context.Context, id string) ([]byte, error) {
	if tokenURL == "" {
		return func(context.Context, string) ([]byte, error) { return []byte(token), nil }
	}
	return func(ctx context.Context, id string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tokenRequestURL(tokenURL, id), nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("device token: %w", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBytes+1))
		switch {
		case err != nil:
			return nil, fmt.Errorf("device token: %w", err)
		case resp.StatusCode != http.StatusOK:
			return nil, fmt.Errorf("device token: %s from %s", resp.Status, tokenURL)
		case len(b) > maxTokenBytes:
			return nil, fmt.Errorf("device token: more than %d bytes from %s", maxTokenBytes, tokenURL)
		}
		return b, nil
	}
}

// tokenRequestURL returns tokenURL with device=id added to its query,
// which it may already have, kept as it is (a "?device=" appended made
// "?tenant=t?device=ID", the tenant "t?device=ID"), and before its
// fragment, if any. A URL that does not parse (checkURL refused it
// already) gets it appended.
func tokenRequestURL(tokenURL, id string) string {
	param := "device=" + url.QueryEscape(id)
	u, err := url.Parse(tokenURL)
	if err != nil {
		return tokenURL + "?" + param
	}
	if u.RawQuery != "" {
		param = u.RawQuery + "&" + param
	}
	u.RawQuery, u.ForceQuery = param, false
	return u.String()
}

// maxTokenBytes bounds a token read from -token-url.
const maxTokenBytes = 16 << 10

// defaultMaxCABytes is the default -ca-max-bytes: four times a bundle
// of every public root.
const defaultMaxCABytes = 1 << 20

// readRoots reads the PEM certificates of file, at most maxBytes of it,
// into a pool with the system's roots. A longer file (or a device or
// pipe that does not end) is refused after maxBytes+1 bytes were read.
func readRoots(file string, maxBytes int64) (*x509.CertPool, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, min(maxBytes, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if int64(len(pem)) > maxBytes {
		return nil, fmt.Errorf("%s: more than %d bytes (-ca-max-bytes)", file, maxBytes)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", file)
	}
	return roots, nil
}

// checkURL accepts https URLs and http URLs to a loopback host, the
// policy discovery applies to its URLs.
func checkURL(raw string) error {
	err := discovery.URLPolicy{AllowLoopbackHTTP: true}.Check(raw)
	if errors.Is(err, discovery.ErrInsecureURL) {
		return fmt.Errorf("%w (want https://, or http:// to a loopback host only: 127.0.0.1, ::1 or localhost)", err)
	}
	return err
}
