package agent_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// readFailSurface is a MemorySurface whose Get fails for the URIs that
// end with failGet while it is set, and that counts the Sets.
type readFailSurface struct {
	agent.MemorySurface
	mu      sync.Mutex
	failGet string
	sets    int
}

func (s *readFailSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	s.mu.Lock()
	f := s.failGet
	s.mu.Unlock()
	if f != "" && strings.HasSuffix(uri, f) {
		return "", false, errors.New("provider not responding")
	}
	return s.MemorySurface.Get(ctx, uri)
}

func (s *readFailSurface) Set(ctx context.Context, uri, v string) error {
	s.mu.Lock()
	s.sets++
	s.mu.Unlock()
	return s.MemorySurface.Set(ctx, uri, v)
}

// TestRefreshGetError checks that a setting the refresh cannot read is
// not taken for drift: it is not set again, no EventRepaired or
// EventDrifted is told and no session asked for; the document keeps its
// state and result; an EventError names the setting; the next refresh
// checks it again.
func TestRefreshGetError(t *testing.T) {
	ctx := context.Background()
	surface := &readFailSurface{}
	var events []agent.Event
	asked := 0
	a := newAgent(t, agent.Config{Surface: surface, OnEvent: func(e agent.Event) { events = append(events, e) },
		RequestSession: func(string) { asked++ }})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	before := entry(a, vpnID)
	surface.sets, events, asked = 0, nil, 0
	surface.failGet = "/AlwaysOn"
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if surface.sets != 0 {
		t.Errorf("a setting that could not be read was set again (%d Sets)", surface.sets)
	}
	if after := entry(a, vpnID); after.State != before.State || after.ResultChecksum != before.ResultChecksum {
		t.Errorf("a read error changed the summary: %+v -> %+v", before, after)
	}
	if asked != 0 {
		t.Errorf("a read error asked for %d sessions", asked)
	}
	found := false
	for _, e := range events {
		switch {
		case e.Kind == agent.EventRepaired || e.Kind == agent.EventDrifted:
			t.Errorf("a read error told as %v: %+v", e.Kind, e)
		case e.Kind == agent.EventError && strings.HasSuffix(e.URI, "/AlwaysOn") && e.Err != nil:
			found = true
		}
	}
	if !found {
		t.Errorf("no EventError for the setting that could not be read: %+v", events)
	}
	// Read again next time: real drift then is repaired.
	surface.failGet = ""
	if err := surface.MemorySurface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "false"); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.MemorySurface.Get(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"); v != "true" {
		t.Errorf("the next refresh did not repair the drift: %q", v)
	}
}
