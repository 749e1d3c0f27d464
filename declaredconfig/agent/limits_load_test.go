package agent_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestLoadBeyondLimits: Config.Limits lowered below the size of a stored
// document (one accepted under the limits before) must not stop New: the
// device would never start its declared configuration again. The large
// document is kept in ConfigInfraError (62), told as an EventError that
// matches ErrLimit, not applied or refreshed, its recorded settings as
// they were (Unenroll removes them); the other document loads and works
// as before, and a restart loads the same state again.
func TestLoadBeyondLimits(t *testing.T) {
	ctx := context.Background()
	store, surface := &agent.MemoryStore{}, &setCounter{}
	old := newAgent(t, agent.Config{Surface: surface, Store: store})
	big := vpnDoc("L1")
	big.ID = twiceID
	big.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
		{Path: "Contoso2/Servers", Type: "chr", Value: strings.Repeat("vpn.contoso.com;", 512)}}}}
	for _, d := range []*declaredconfig.Document{vpnDoc("A1"), big} {
		if c, _ := serve(t, old, "Add", docURI(declaredconfig.Device, d.ID), text(t, d)); c != 200 {
			t.Fatalf("Add %s: %d", d.ID, c)
		}
	}
	if err := old.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	before := old.Snapshot()
	bigURI := docURI(declaredconfig.Device, twiceID)
	bigNode := "./Device/Vendor/MSFT/VPNv2/Contoso2/Servers"

	lim := declaredconfig.Limits{MaxBytes: 4 << 10} // vpnDoc fits, big does not
	var log eventLog
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock(), Limits: lim, OnEvent: log.add})
	if err != nil {
		t.Fatalf("New with lowered Limits: %v", err)
	}
	want := map[string]string{vpnID: "60", twiceID: "62"}
	if got := states(a); !maps.Equal(got, want) {
		t.Errorf("states after New %v, want %v", got, want)
	}
	if err := surface.MemorySurface.Set(ctx, goodNode, "false"); err != nil {
		t.Fatal(err)
	}
	if err := surface.MemorySurface.Set(ctx, bigNode, "drifted"); err != nil {
		t.Fatal(err)
	}
	if n := surface.setsInRefreshes(t, a, 2); n != 1 {
		t.Errorf("2 refreshes made %d Sets, want 1 (vpnDoc's drift; the document beyond the limits is not refreshed)", n)
	}
	var limitErrs []string
	log.mu.Lock()
	for _, e := range log.events {
		if e.Kind == agent.EventError && errors.Is(e.Err, declaredconfig.ErrLimit) {
			limitErrs = append(limitErrs, e.URI)
		}
	}
	log.mu.Unlock()
	if !slices.Equal(limitErrs, []string{bigURI}) {
		t.Errorf("EventError (ErrLimit) for %v, want one for %s", limitErrs, bigURI)
	}
	after := a.Snapshot()
	for i, r := range after.Documents {
		if r.URI == bigURI && (r.Document != before.Documents[i].Document || !slices.Equal(r.Settings, before.Documents[i].Settings)) {
			t.Errorf("the record of the document beyond the limits changed:\n%+v\nwas\n%+v", r, before.Documents[i])
		}
	}

	// A restart loads the same.
	b, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock(), Limits: lim})
	if err != nil {
		t.Fatalf("New again: %v", err)
	}
	if got := states(b); !maps.Equal(got, want) {
		t.Errorf("states after a restart %v, want %v", got, want)
	}
	// Unenroll removes its node too.
	if err := b.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := surface.Get(ctx, bigNode); ok {
		t.Errorf("after Unenroll %s holds %q", bigNode, v)
	}
}
