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
	srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil, docs...))
	defer srv.Close()
	url := srv.URL + WinDCPath

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
