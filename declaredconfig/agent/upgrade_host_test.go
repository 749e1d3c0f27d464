package agent_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestUpgradeHostKind: a VPN document an older build took under the
// Inventory host (before Validate held a scenario to its Host, it was
// read there as an inventory) is kept by New in GetInfraError (82: the
// state of an inventory the agent cannot serve), which the summary
// reports, with an EventError whose Err is the declaredconfig.HostError;
// it is not read again. This is what reconcile's documentation tells a
// server of such a device.
func TestUpgradeHostKind(t *testing.T) {
	ctx := context.Background()
	store, surface := &agent.MemoryStore{}, &setCounter{}
	old := newAgent(t, agent.Config{Surface: surface, Store: store})
	uri := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, vpnID).String()
	if c, _ := serve(t, old, "Add", uri, text(t, vpnDoc("A1"))); c != 400 {
		t.Fatalf("Add under Inventory: %d, want 400 (the check this test is about)", c)
	}
	if err := old.PutUnchecked(ctx, uri, vpnDoc("A1")); err != nil {
		t.Fatal(err)
	}
	if err := old.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	var log eventLog
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock(), OnEvent: log.add})
	if err != nil {
		t.Fatalf("New on the older build's store: %v", err)
	}
	if got := states(a)[vpnID]; got != "82" {
		t.Errorf("state %q after New, want 82 (GetInfraError)", got)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if got := states(a)[vpnID]; got != "82" {
		t.Errorf("state %q after ApplyPending, want 82", got)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	n := 0
	for _, e := range log.events {
		var he *declaredconfig.HostError
		if e.Kind == agent.EventError && errors.As(e.Err, &he) {
			n++
			if he.Host != declaredconfig.Inventory || he.Scenario != declaredconfig.ScenarioVPN || e.URI != uri {
				t.Errorf("EventError of %s: %+v", e.URI, he)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d EventErrors with a HostError, want 1: %+v", n, log.events)
	}
}
