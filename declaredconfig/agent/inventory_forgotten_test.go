package agent_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// TestInventoryForgottenSecret: a bulk template's PFX password came from
// instance data the agent dropped after the apply (KeepInstanceData off:
// it keeps only its hash). An inventory that names that node must not
// read it back from the Surface into its result, which the store keeps
// and the server gets: the setting is answered 405 (as a Get of a
// password node is on Windows), the other settings are read as usual.
// Before, the result held the password.
func TestInventoryForgottenSecret(t *testing.T) {
	ctx := context.Background()
	a := bulkAgent(t, nil, blob([2]string{"813A", "pfx-secret-1"}))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/ClientCertificateInstall", Settings: []declaredconfig.Setting{
			{Path: "PFXCertInstall/813A/KeyLocation", Type: "chr"},
			{Path: "PFXCertInstall/813A/PFXCertPassword", Type: "chr"}}}}}
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, invID).String(), text(t, inv)); c != 200 {
		t.Fatalf("Add inventory %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Inventory, invID))
	if got, want := statuses(r), "PFXCertInstall/813A/KeyLocation 200 80 2|PFXCertInstall/813A/PFXCertPassword 405 81"; got != want {
		t.Errorf("inventory %s, want %s", got, want)
	}
	b, err := json.Marshal(a.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "pfx-secret-1") {
		t.Errorf("the state holds the dropped password: %s", b)
	}
}
