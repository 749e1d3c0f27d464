package declaredconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Validate refuses a setting whose node holds a "?" (written or %3F, in
// the path or the CSP's name) or lies in the DeclaredConfiguration CSP
// itself (any letter case or scope form, percent-encoded, or through a
// shorter CSP name): the agent refuses such a document, so a server that
// validates with the same rule does not declare one a device refuses.
func TestValidateSettingNode(t *testing.T) {
	id := "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	doc := func(csp, path string) *Document {
		return &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: csp, Settings: []Setting{{Path: "P/Name", Type: "chr", Value: "a?b"}, {Path: path, Type: "chr", Value: "1"}}}}}
	}
	target := DocumentURI(Device, Complete, id)
	for _, tc := range []struct{ csp, path, want string }{
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn?prop=ACL", `holds a "?"`},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn%3fprop=ACL", `holds a "?"`},
		{"./Vendor/MSFT/VPNv2", "Contoso?list=Struct/AlwaysOn", `holds a "?"`},
		{"./Vendor/MSFT/VPNv2?prop=ACL", "Contoso/AlwaysOn", `holds a "?"`},
		{"./Vendor/MSFT/DeclaredConfiguration", "Host/Complete/Documents/" + id + "/Properties/Abandoned", "DeclaredConfiguration CSP"},
		{"./Device/Vendor/MSFT/DeclaredConfiguration", "ManagementServiceConfiguration/RefreshInterval", "DeclaredConfiguration CSP"},
		{"./vendor/msft/declaredconfiguration", "ManagementServiceConfiguration/ConflictResolution", "DeclaredConfiguration CSP"},
		{"./Vendor/MSFT", "DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document", "DeclaredConfiguration CSP"},
		{"Vendor/MSFT/Declared%43onfiguration", "ManagementServiceConfiguration/RefreshInterval", "DeclaredConfiguration CSP"},
	} {
		err := doc(tc.csp, tc.path).Validate(target)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("CSP %q path %q: Validate = %v, want ErrInvalid naming the path and saying %s", tc.csp, tc.path, err, tc.want)
		}
	}
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/DeclaredConfigurationX", "A"},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn%253F"}, // decoded once: "%3F", no "?"
		{"./Vendor/MSFT/VPNv2", "DeclaredConfiguration/A"},
	} {
		if err := doc(tc.csp, tc.path).Validate(target); err != nil {
			t.Errorf("CSP %q path %q: %v", tc.csp, tc.path, err)
		}
	}
	if err := CheckSettingNode(syncml.LocURI{Scope: syncml.ScopeUser, Segments: []string{"Vendor", "MSFT", "DeclaredConfiguration", "X"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("CheckSettingNode of a User DeclaredConfiguration node = %v, want ErrInvalid", err)
	}
}
