package reconcile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// TestEmptyDevice: Declare, Remove and SetRefreshInterval refuse the
// device "" (ErrInvalid), which no session can name (Reconcile refuses
// a message without a device); before, they kept a state under it. A Doc
// of no Host says which Hosts there are.
func TestEmptyDevice(t *testing.T) {
	ctx := context.Background()
	r := New(Config{})
	doc := Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: "11111111-1111-4111-8111-111111111111", Checksum: "A0", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}}
	for name, err := range map[string]error{
		"Declare":            r.Declare(ctx, "", doc),
		"Remove":             r.Remove(ctx, "", doc.Document.ID),
		"SetRefreshInterval": r.SetRefreshInterval(ctx, "", 60),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	doc.Host = 0
	err := r.Declare(ctx, "DEV", doc)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), declaredconfig.Complete.String()) {
		t.Errorf("Host 0: %v, want ErrInvalid naming the Hosts", err)
	}
}
