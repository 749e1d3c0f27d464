package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// TestSettingNodeLocURI checks documents whose setting node is not a
// LocURI the module reads (syncml.ParseLocURI): ".." or "." written as
// percent escapes, an escaped "/" inside a node name, a malformed escape,
// a control character, or a CSP name whose scope is not the document's.
// A Surface that reads its URIs as the module does would take
// "Contoso/%2e%2e/%2e%2e/Policy/…" outside the CSP the document names, as
// TestSettingOutsideItsCSP's plain ".." would: refused in the same reply
// (400), nothing accepted.
func TestSettingNodeLocURI(t *testing.T) {
	for _, tc := range []struct {
		context, csp, path string
	}{
		{"Device", "./Vendor/MSFT/VPNv2", "%2e%2e/%2e%2e/Policy/Config/Camera/AllowCamera"},
		{"Device", "./Vendor/MSFT/VPNv2", "Contoso/%2E/AlwaysOn"},
		{"Device", "./Vendor/MSFT/VPNv2", "Contoso%2F..%2F..%2FPolicy/AlwaysOn"},
		{"Device", "./Vendor/MSFT/VPNv2", "Contoso/%zz/AlwaysOn"},
		{"Device", "./Vendor/MSFT/VPNv2", "Contoso/\x7f/AlwaysOn"},
		{"Device", "./Vendor/MSFT/%2e%2e/%2e%2e/User/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
		{"User", "./Device/Vendor/MSFT/Policy/Config/Camera", "AllowCamera"},
		{"User", "Device/Vendor/MSFT/Policy/Config/Camera", "AllowCamera"},
		{"Device", "./User/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	} {
		a := newAgent(t, agent.Config{})
		scope := declaredconfig.Device
		if tc.context == "User" {
			scope = declaredconfig.User
		}
		d := vpnDoc("A1")
		d.Context = tc.context
		d.CSPs[0].Name, d.CSPs[0].Settings[0].Path = tc.csp, tc.path
		docURI := declaredconfig.DocumentURI(scope, declaredconfig.Complete, vpnID).String()
		if c, _ := serve(t, a, "Replace", docURI, text(t, d)); c != syncml.StatusBadRequest {
			t.Errorf("%s document, CSP %q path %q: %d, want 400", tc.context, tc.csp, tc.path, c)
		}
		if n := len(a.Summary().Documents); n != 0 {
			t.Errorf("CSP %q path %q: %d documents accepted", tc.csp, tc.path, n)
		}
	}
}

// TestBulkVariableEscapedInPath checks instance data that puts a node
// name the module's LocURIs refuse into a bulk template's path ("%2e%2e",
// an escaped "/"): like TestBulkVariableInPath's "..", the setting fails
// with 400 and the Surface is not called for it.
func TestBulkVariableEscapedInPath(t *testing.T) {
	checkBulkPathRefused(t, "%2e%2e", "%2E", "AB%2FCD", "%zz")
}

// TestDSCInUserDocument checks a User document that carries a DSC
// element under a scenario Validate does not tie to Device: its
// parameters are ./Device/DSC nodes, and the extensibility page says the
// target of such settings can only be device wide (context Device). It is
// refused (400), as a User document's CSP name in Device scope is.
func TestDSCInUserDocument(t *testing.T) {
	a := newAgent(t, agent.Config{})
	d := vpnDoc("A1")
	d.Context = "User"
	d.DSCs = []declaredconfig.DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
		Keys: []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso`}}, Values: []declaredconfig.Param{{Name: "ValueData", Value: "1"}}}}
	docURI := declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Replace", docURI, text(t, d)); c != syncml.StatusBadRequest {
		t.Errorf("User document with a DSC element: %d, want 400", c)
	}
}
