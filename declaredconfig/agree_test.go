package declaredconfig_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// agreeCase is a document of one setting: its context, CSP name, path
// and value; an inventory (MSFTInventory under Inventory) when value is
// "-" or "inventory:" starts it.
type agreeCase struct{ context, csp, path, value string }

// agreeCases are settings of either verdict, for
// TestValidateAgreesWithAgent.
var agreeCases = []agreeCase{
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"User", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"Device", "./Device/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"User", "./user/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"Device", "Vendor/MSFT/VPNv2", "Contoso/Always%4Fn", "1"},
	// nodes that do not read as a LocURI
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso//AlwaysOn", "1"},
	{"Device", "./Vendor/MSFT/VPNv2", "../Policy/Config/X", "1"},
	{"User", "./Vendor/MSFT/VPNv2", "Contoso/%2e%2e/AlwaysOn", "1"},
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso%2FAlwaysOn", "1"},
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/Always%zzOn", "1"},
	{"Device", "./Vendor/MSFT/VPNv2/", "Contoso/AlwaysOn", "1"},
	// a CSP in the other scope than the document's context
	{"Device", "./User/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"User", "./Device/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"User", "DEVICE/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	{"user", "./USER/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn", "1"},
	// an inventory's setting carries no value
	{"Device", "./Vendor/MSFT/CertificateStore", "My/System", "-"},
	{"Device", "./Vendor/MSFT/CertificateStore", "My/System", "inventory:ABC"},
	// nodes a document may not set
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn?prop=ACL", "1"},
	{"Device", "./Vendor/MSFT/DeclaredConfiguration", "ManagementServiceConfiguration/RefreshInterval", "1"},
}

// TestValidateAgreesWithAgent: for documents of one setting, Validate
// refuses exactly those the agent refuses (an Add answered other than
// 200), and SettingNode joins the node the agent sets (SettingURI).
func TestValidateAgreesWithAgent(t *testing.T) {
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	for _, tc := range agreeCases {
		scope := declaredconfig.Device
		if tc.context == "User" {
			scope = declaredconfig.User
		}
		host, scenario, value := declaredconfig.Complete, declaredconfig.ScenarioVPN, tc.value
		if v, ok := strings.CutPrefix(value, "inventory:"); ok || value == "-" {
			host, scenario, value = declaredconfig.Inventory, declaredconfig.ScenarioInventory, v
		}
		target := declaredconfig.DocumentURI(scope, host, id)
		d := &declaredconfig.Document{Schema: "1.0", Context: tc.context, ID: id, Checksum: "C1", Scenario: scenario,
			CSPs: []declaredconfig.CSP{{Name: tc.csp, Settings: []declaredconfig.Setting{{Path: tc.path, Type: "chr", Value: value}}}}}
		verr := d.Validate(target)
		code := agentAdds(t, target, d)
		took := code == 0 || code == syncml.StatusOK
		if took != (verr == nil) {
			t.Errorf("%v: agent answers %d, Validate = %v", tc, code, verr)
		}
		_, serr := declaredconfig.SettingNode(tc.context, tc.csp, tc.path)
		var se *declaredconfig.SettingError
		if serr != nil && (!errors.As(serr, &se) || se.Node != declaredconfig.SettingURI(tc.context, tc.csp, tc.path)) {
			t.Errorf("%v: SettingNode = %v, want a SettingError whose Node is %q", tc, serr, declaredconfig.SettingURI(tc.context, tc.csp, tc.path))
		}
		if strings.Contains(tc.path, "?") && serr == nil {
			t.Errorf("%v: SettingNode took a node holding a \"?\"", tc)
		}
	}
}

// TestValidateAgreesWithAgentDSC: for DSC documents of one Key and one
// Value, under Complete (MSFTExtensibilityMIProviderConfig) and
// Inventory (MSFTExtensibilityMIProviderInventory), Validate refuses
// exactly those the agent refuses.
func TestValidateAgreesWithAgentDSC(t *testing.T) {
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F308"
	for _, tc := range []struct {
		host       declaredconfig.Host
		key, value string
		markup     bool
		refused    bool
	}{
		{declaredconfig.Complete, "c:\\x.tmp", "TestFileContent1", false, false},
		{declaredconfig.Inventory, "c:\\x.tmp", "", false, false},
		{declaredconfig.Inventory, "c:\\x.tmp", "TestFileContent1", false, true},
		{declaredconfig.Inventory, "c:\\x.tmp", "\n  ", false, false},
		{declaredconfig.Inventory, "c:\\x.tmp", " x ", false, true},
		{declaredconfig.Inventory, "c:\\x.tmp", "<a/>", true, true},
	} {
		scenario := declaredconfig.ScenarioMIProviderConfig
		if tc.host == declaredconfig.Inventory {
			scenario = declaredconfig.ScenarioMIProviderInventory
		}
		target := declaredconfig.DocumentURI(declaredconfig.Device, tc.host, id)
		d := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: scenario,
			DSCs: []declaredconfig.DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_FileDirectoryConfiguration",
				Keys:   []declaredconfig.Param{{Name: "DestinationPath", Value: tc.key}},
				Values: []declaredconfig.Param{{Name: "Contents", Value: tc.value, Markup: tc.markup}}}}}
		verr := d.Validate(target)
		if (verr != nil) != tc.refused {
			t.Errorf("%+v: Validate = %v", tc, verr)
		}
		code := agentAdds(t, target, d)
		if took := code == 0 || code == syncml.StatusOK; took != (verr == nil) {
			t.Errorf("%+v: agent answers %d, Validate = %v", tc, code, verr)
		}
	}
}

// TestValidateAgreesWithAgentDSCUser: a User document with a DSC element,
// under a scenario Validate does not tie to Device, is refused by both
// (the rule is Validate's alone; the agent refused it and Validate took
// it before).
func TestValidateAgreesWithAgentDSCUser(t *testing.T) {
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F308"
	target := declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, id)
	d := &declaredconfig.Document{Schema: "1.0", Context: "User", ID: id, Checksum: "C1", Scenario: "Contoso",
		DSCs: []declaredconfig.DSC{{Namespace: "root/x", ClassName: "MSFT_F",
			Keys:   []declaredconfig.Param{{Name: "K", Value: "k"}},
			Values: []declaredconfig.Param{{Name: "V", Value: "v"}}}}}
	verr := d.Validate(target)
	if !errors.Is(verr, declaredconfig.ErrInvalid) {
		t.Errorf("Validate = %v, want ErrInvalid", verr)
	}
	if code := agentAdds(t, target, d); code != syncml.StatusBadRequest {
		t.Errorf("agent answers %d, want 400", code)
	}
}

// agentAdds gives a new agent an Add of d, as MarshalText writes it, at
// target, and returns the code it answers (0 when it gives none).
func agentAdds(t *testing.T, target declaredconfig.URI, d *declaredconfig.Document) syncml.StatusCode {
	t.Helper()
	text, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := &syncml.Add{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: target.String()}, Data: syncml.Text(string(text))}}}
	r := a.ServeCommand(context.Background(), &session.Request{Command: cmd})
	if len(r.ItemCodes) > 0 {
		return r.ItemCodes[0]
	}
	return r.Code
}
