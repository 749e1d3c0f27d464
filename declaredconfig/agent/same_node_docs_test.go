package agent_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// decodingSurface is a MemorySurface that names its nodes as the module
// reads LocURIs (syncml.ParseLocURI: escapes decoded), as a Surface over
// a real device's configuration would: ./Vendor/X/A%4Fn is ./Vendor/X/AOn.
type decodingSurface struct {
	setCounter
}

func decoded(uri string) string {
	l, err := syncml.ParseLocURI(uri)
	if err != nil {
		return uri
	}
	return l.String()
}

func (s *decodingSurface) Set(ctx context.Context, uri, value string) error {
	return s.setCounter.Set(ctx, decoded(uri), value)
}

func (s *decodingSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	return s.MemorySurface.Get(ctx, decoded(uri))
}

func (s *decodingSurface) Delete(ctx context.Context, uri string) error {
	return s.MemorySurface.Delete(ctx, decoded(uri))
}

// TestConflictOtherSpelling checks two documents that set one node to
// different values, the second spelling the node with a percent escape
// (Always%4Fn): they conflict as when both spell it alike. The older one
// wins (ConflictResolution unset), the newer one's setting fails with
// 409, and a refresh sets nothing. Before, the agent took them for two
// nodes: both were reported set (60) and every refresh set the node back
// and forth.
func TestConflictOtherSpelling(t *testing.T) {
	ctx := context.Background()
	surface := &decodingSurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	const otherID = "11111111-2222-4333-8444-555555555555"
	first := vpnDoc("A1")
	second := vpnDoc("B1")
	second.ID = otherID
	second.CSPs[0].Settings = []declaredconfig.Setting{{Path: "Contoso/Always%4Fn", Type: "bool", Value: "false"}}
	for _, d := range []*declaredconfig.Document{first, second} {
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String(), text(t, d)); c != 200 {
			t.Fatalf("Add %s: %d", d.ID, c)
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if v, _, _ := surface.Get(ctx, "./Vendor/MSFT/VPNv2/Contoso/AlwaysOn"); v != "true" {
		t.Errorf("AlwaysOn %q, want the older document's true", v)
	}
	if e := entry(a, otherID); e.State != "61" {
		t.Errorf("the newer document's state %s, want 61 (its setting 409)", e.State)
	}
	if n := surface.setsInRefreshes(t, a, 3); n != 0 {
		t.Errorf("%d Sets in 3 refreshes, want 0", n)
	}
}
