package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// An inventory document read from the agent over HTTP: the values the
// device holds come back in the result (InventoryRead, then Status's
// Result), one with a node it does not have as a failing setting.
func TestInventoryFromAgentNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-inv"
	d := newNu46Device(t, s.hs.URL, dev)
	if err := d.surface.Set(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", "1"); err != nil {
		t.Fatal(err)
	}
	inv := reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Inventory,
		Document: &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: nu46B, Checksum: "I1",
			Scenario: declaredconfig.ScenarioInventory,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy", Settings: []declaredconfig.Setting{
				{Path: "Config/Camera/AllowCamera", Type: "int"}, {Path: "Config/Nothing/Here", Type: "int"},
			}}}}}
	if err := s.rec.Declare(ctx, dev, inv); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	read := 0
	for _, e := range s.ev.take() {
		if e.Kind == reconcile.InventoryRead {
			read++
		}
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
	if read != 1 {
		t.Errorf("InventoryRead told %d times, want once", read)
	}
	st, err := s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Docs[0].Result()
	if err != nil || res == nil {
		t.Fatalf("Result: %v, %v (%v %s)", res, err, st.Docs[0].Condition, st.Docs[0].Reason)
	}
	got := map[string]string{}
	for _, c := range res.CSPs {
		for _, u := range c.Settings {
			got[u.Path] = u.Status + " " + u.Value
		}
	}
	if got["Config/Camera/AllowCamera"] != "200 1" || got["Config/Nothing/Here"] == "" || got["Config/Nothing/Here"][:3] == "200" {
		t.Errorf("inventory read %q", got)
	}
}
