package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
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

func TestDeclare(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docs.xml")
	doc := `<DeclaredConfiguration schema="1.0" context="Device" id="` + declareID + `" checksum="A0" osdefinedscenario="MSFTVPN">` +
		`<CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP></DeclaredConfiguration>`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := readDeclare(file)
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
	var mu sync.Mutex
	var got []string
	held := ""
	mux := session.NewMux()
	mux.Handle("", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		mu.Lock()
		defer mu.Unlock()
		t := syncml.Targets(r.Command)[0]
		got = append(got, r.Command.ElementName()+" "+t)
		if r.Command.ElementName() == "Add" {
			held = "A0"
		}
		return session.Response{}
	}))
	summary := func() syncml.Command {
		mu.Lock()
		defer mu.Unlock()
		entries := ""
		if held != "" {
			entries = `<DeclaredConfiguration context="Device" id="` + declareID + `" checksum="` + held + `" result_checksum="R" state="60"/>`
		}
		return session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType,
			`<DeclaredConfigurations schema="1.0">`+entries+`</DeclaredConfigurations>`)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV-W", ServerURI: url, Handler: mux,
		BeforeReply: func(_ context.Context, c *session.Client, _ *syncml.Message, _ *session.Exchange) {
			_ = c.Queue(summary())
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), srv.Client(), url, "1", summary()); err != nil {
		t.Fatal(err)
	}
	want := "Add ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + declareID + "/Document"
	if len(got) == 0 || got[0] != want {
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
	if _, err := readDeclare(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: %v", err)
	}
}

// TestDeclareFleet runs simulated devices (package sim, what
// examples/simdevice wires) against the WinDC endpoint of a server with
// -declare: each device gets the document, applies it and reports it in
// sync; a drift the device cannot repair is seen by the server, which
// re-declares the document under a new checksum.
func TestDeclareFleet(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docs.xml")
	doc := `<DeclaredConfiguration schema="1.0" context="Device" id="` + declareID + `" checksum="A0" osdefinedscenario="MSFTVPN">` +
		`<CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP></DeclaredConfiguration>`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := readDeclare(file)
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
