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

// agreeCase is a document of one setting: its context, CSP name and path.
type agreeCase struct{ context, csp, path string }

// agreeCases are settings of either verdict, for
// TestValidateAgreesWithAgent.
var agreeCases = []agreeCase{
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"User", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"Device", "./Device/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"User", "./user/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"Device", "Vendor/MSFT/VPNv2", "Contoso/Always%4Fn"},
	// nodes that do not read as a LocURI
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso//AlwaysOn"},
	{"Device", "./Vendor/MSFT/VPNv2", "../Policy/Config/X"},
	{"User", "./Vendor/MSFT/VPNv2", "Contoso/%2e%2e/AlwaysOn"},
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso%2FAlwaysOn"},
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/Always%zzOn"},
	{"Device", "./Vendor/MSFT/VPNv2/", "Contoso/AlwaysOn"},
	// a CSP in the other scope than the document's context
	{"Device", "./User/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"User", "./Device/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"User", "DEVICE/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	{"user", "./USER/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	// nodes a document may not set
	{"Device", "./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn?prop=ACL"},
	{"Device", "./Vendor/MSFT/DeclaredConfiguration", "ManagementServiceConfiguration/RefreshInterval"},
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
		target := declaredconfig.DocumentURI(scope, declaredconfig.Complete, id)
		d := &declaredconfig.Document{Schema: "1.0", Context: tc.context, ID: id, Checksum: "C1", Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{Name: tc.csp, Settings: []declaredconfig.Setting{{Path: tc.path, Type: "chr", Value: "1"}}}}}
		verr := d.Validate(target)
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
		code := r.Code
		if len(r.ItemCodes) > 0 {
			code = r.ItemCodes[0]
		}
		took := code == 0 || code == syncml.StatusOK
		if took != (verr == nil) {
			t.Errorf("%v: agent answers %d, Validate = %v", tc, code, verr)
		}
		_, serr := declaredconfig.SettingNode(tc.context, tc.csp, tc.path)
		var se *declaredconfig.SettingNodeError
		if serr != nil && (!errors.As(serr, &se) || se.Node != agent.SettingURI(tc.context, tc.csp, tc.path)) {
			t.Errorf("%v: SettingNode = %v, want a SettingNodeError whose Node is %q", tc, serr, agent.SettingURI(tc.context, tc.csp, tc.path))
		}
		if strings.Contains(tc.path, "?") && serr == nil {
			t.Errorf("%v: SettingNode took a node holding a \"?\"", tc)
		}
	}
}
