package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

const declareID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"

// declareDoc is a VPN document of DocID declareID, version A0.
const declareDoc = `<DeclaredConfiguration schema="1.0" context="Device" id="` + declareID + `" checksum="A0" osdefinedscenario="MSFTVPN">` +
	`<CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP></DeclaredConfiguration>`

func TestDeclare(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docs.xml")
	if err := os.WriteFile(file, []byte(declareDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := readDeclare(file, defaultMaxDeclareBytes)
	if err != nil || len(docs) != 1 {
		t.Fatalf("readDeclare: %v, %d documents", err, len(docs))
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	routes := newMux(log, nil)
	handleWinDC(routes, log, nil, docs)
	srv := httptest.NewServer(routes)
	defer srv.Close()
	url := srv.URL + PathWinDC

	// A device that accepts everything and lists the document once it
	// was sent, in sync.
	dev := &heldDevice{}
	c := dev.client(t, "DEV-W", url)
	if _, err := c.Run(context.Background(), srv.Client(), url, "1", dev.summary()); err != nil {
		t.Fatal(err)
	}
	want := "Add ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + declareID + "/Document"
	if got := dev.commands(); len(got) == 0 || got[0] != want {
		t.Errorf("the device got %q, want %q first", got, want)
	}
	if !strings.Contains(logs.String(), "event=Applied") {
		t.Errorf("log lacks the Applied event:\n%s", logs.String())
	}

	// A bad file is refused with its name.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte("<Other/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readDeclare(bad, defaultMaxDeclareBytes); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: %v", err)
	}
}

// TestReadDeclareBound: a -declare file is read up to its bound: a longer
// one, or one that never ends (/dev/zero), is refused naming the bound.
func TestReadDeclareBound(t *testing.T) {
	docs, err := readDeclare("docs.xml", defaultMaxDeclareBytes)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat("docs.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readDeclare("docs.xml", fi.Size()); err != nil || len(got) != len(docs) {
		t.Errorf("a file of exactly the bound: %d documents, %v; want %d", len(got), err, len(docs))
	}
	files := []string{"docs.xml"}
	if _, err := os.Stat("/dev/zero"); err == nil {
		files = append(files, "/dev/zero")
	}
	for _, f := range files {
		if _, err := readDeclare(f, fi.Size()-1); err == nil || !strings.Contains(err.Error(), "-declare-max-bytes") {
			t.Errorf("%s over the bound: %v, want an error naming -declare-max-bytes", f, err)
		}
	}
}

// heldDevice is a device of the WinDC endpoint that takes every command
// and, once an Add brought it, lists document declareID in its summary,
// in sync (state 60), in every message.
type heldDevice struct {
	mu   sync.Mutex
	got  []string // the commands taken: element and first target
	held string   // the checksum held; "" for none
}

// client returns a session client of the device, as ID device, that
// posts to url.
func (d *heldDevice) client(t *testing.T, device, url string) *session.Client {
	t.Helper()
	mux := session.NewMux()
	mux.Handle("", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.got = append(d.got, r.Command.ElementName()+" "+syncml.Targets(r.Command)[0])
		if r.Command.ElementName() == "Add" {
			d.held = "A0"
		}
		return session.Response{}
	}))
	c, err := session.NewClient(session.ClientConfig{DeviceID: device, ServerURI: url, Handler: mux,
		BeforeReply: func(_ context.Context, c *session.Client, _ *syncml.Message, _ *session.Exchange) {
			_ = c.Queue(d.summary())
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// summary returns the device's summary alert.
func (d *heldDevice) summary() syncml.Command {
	d.mu.Lock()
	defer d.mu.Unlock()
	entries := ""
	if d.held != "" {
		entries = `<DeclaredConfiguration context="Device" id="` + declareID + `" checksum="` + d.held + `" result_checksum="R" state="60"/>`
	}
	return session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType,
		`<DeclaredConfigurations schema="1.0">`+entries+`</DeclaredConfigurations>`)
}

// commands returns the commands the device took, each its element and
// first target.
func (d *heldDevice) commands() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

// drop makes the device hold no document.
func (d *heldDevice) drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.held = ""
}

// TestDeclareFleet runs simulated devices (package sim, what
// examples/simdevice wires) against the WinDC endpoint of a server with
// -declare: each device gets the document, applies it and reports it in
// sync; a drift the device cannot repair is seen by the server, which
// re-declares the document under a new checksum.
func TestDeclareFleet(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docs.xml")
	if err := os.WriteFile(file, []byte(declareDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := readDeclare(file, defaultMaxDeclareBytes)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	rep, out := runFleet(t, docs, sim.FleetConfig{Devices: n, Concurrency: 4, Drift: 0.5, DriftMode: sim.DriftUnrepairable, Seed: 1})
	if rep.Errors != 0 || rep.Documents != n || rep.Drifted == 0 || rep.InSync != n-rep.Drifted {
		t.Errorf("fleet: %v (%v)", rep, rep.Err)
	}
	count := func(s string) int { return strings.Count(out, s) }
	if count("event=Applied") != n || count("event=Drifted") != rep.Drifted || count("checksum=A0") < n {
		t.Errorf("events: %d Applied, %d Drifted (want %d, %d):\n%s", count("event=Applied"), count("event=Drifted"), n, rep.Drifted, out)
	}
	if strings.Contains(out, "level=WARN") || strings.Contains(out, "level=ERROR") {
		t.Errorf("problems:\n%s", out)
	}
}

// runFleet runs fc's simulated devices (package sim, what
// examples/simdevice wires) against the WinDC endpoint of a server that
// declares docs, and returns their report and what the server logged.
func runFleet(t *testing.T, docs []reconcile.Doc, fc sim.FleetConfig) (*sim.Report, string) {
	t.Helper()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	mux := newMux(log, nil)
	handleWinDC(mux, log, nil, docs)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	fc.Device = func(i int) sim.Config {
		return sim.Config{ServerURL: srv.URL + PathWinDC, HTTPClient: srv.Client(),
			DevInfo: session.DevInfo{DevID: sim.DeviceID(i), Man: "Contoso", Mod: "Sim", DmV: "1.3", Lang: "en-US"}}
	}
	rep, err := sim.RunFleet(context.Background(), fc)
	if err != nil {
		t.Fatal(err)
	}
	return rep, logs.String()
}
