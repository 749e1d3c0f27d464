package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// A setting whose node holds a "?" (written or as %3F) addresses a property
// of a node (?prop=ACL) or a listing in OMA-DM, not a node: a document
// that names one is refused (400) when it arrives, in a setting's path or
// the CSP's name, and a bulk template's instance data that puts one in a
// path makes that setting fail (400), the Surface never called for it.
func TestSettingNodeWithQuery(t *testing.T) {
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn?prop=ACL"},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn%3Fprop=ACL"},
		{"./Vendor/MSFT/VPNv2", "Contoso?list=Struct/AlwaysOn"},
		{"./Vendor/MSFT/VPNv2?prop=ACL", "Contoso/AlwaysOn"},
	} {
		d := vpnDoc("A1")
		d.CSPs[0].Name = tc.csp
		d.CSPs[0].Settings[0].Path = tc.path
		a := newAgent(t, agent.Config{})
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, d)); c != 400 {
			t.Errorf("CSP %q path %q: Add answered %d, want 400", tc.csp, tc.path, c)
		}
	}
	checkBulkPathRefused(t, "813A?prop=ACL", "813A%3Fprop=ACL")
	// A "?" in a value is only a value.
	d := vpnDoc("A1")
	d.CSPs[0].Settings[0] = declaredconfig.Setting{Path: "Contoso/Proxy/AutoConfigUrl", Type: "chr", Value: "https://p.example/?a=b"}
	a := newAgent(t, agent.Config{})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, d)); c != 200 {
		t.Errorf("a value with a query: Add answered %d, want 200", c)
	}
}

// A document that sets a node of the DeclaredConfiguration CSP (the
// agent's own: another document's Abandoned property, the refresh
// interval), in any letter case or scope form, is refused (400).
func TestSettingInDeclaredConfiguration(t *testing.T) {
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/DeclaredConfiguration", "Host/Complete/Documents/" + vpnID + "/Properties/Abandoned"},
		{"./Device/Vendor/MSFT/DeclaredConfiguration", "ManagementServiceConfiguration/RefreshInterval"},
		{"./vendor/msft/declaredconfiguration", "ManagementServiceConfiguration/ConflictResolution"},
		{"./Vendor/MSFT", "DeclaredConfiguration/Host/Complete/Documents/" + vpnID + "/Document"},
		{"./Vendor/MSFT/Declared%43onfiguration", "ManagementServiceConfiguration/RefreshInterval"},
	} {
		d := vpnDoc("A1")
		d.ID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
		d.CSPs[0] = declaredconfig.CSP{Name: tc.csp, Settings: []declaredconfig.Setting{{Path: tc.path, Type: "chr", Value: "1"}}}
		a := newAgent(t, agent.Config{})
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String(), text(t, d)); c != 400 {
			t.Errorf("CSP %q path %q: Add answered %d, want 400", tc.csp, tc.path, c)
		}
	}
	// A CSP whose name only starts alike is another CSP.
	d := vpnDoc("A1")
	d.CSPs[0] = declaredconfig.CSP{Name: "./Vendor/MSFT/DeclaredConfigurationX", Settings: []declaredconfig.Setting{{Path: "A", Type: "chr", Value: "1"}}}
	if c, _ := serve(t, newAgent(t, agent.Config{}), "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, d)); c != 200 {
		t.Errorf("CSP DeclaredConfigurationX: Add answered %d, want 200", c)
	}
}
