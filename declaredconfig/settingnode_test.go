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

// Validate refuses a setting whose node does not read as a LocURI (an
// empty, "." or ".." segment, written or percent-encoded, an escaped "/",
// a malformed escape, a control character), as the agent does, with a
// *SettingError naming the CSP and the path that unwraps to the
// syncml.ErrLocURI error; its message stays bounded for a long path.
func TestValidateUnreadableNode(t *testing.T) {
	id := "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	target := DocumentURI(Device, Complete, id)
	long := strings.Repeat("x", 100000)
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/VPNv2", "Contoso//AlwaysOn"},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn/"},
		{"./Vendor/MSFT/VPNv2", "../Policy/Config/X"},
		{"./Vendor/MSFT/VPNv2", "Contoso/%2e%2E/AlwaysOn"},
		{"./Vendor/MSFT/VPNv2", "Contoso%2FAlwaysOn"},
		{"./Vendor/MSFT/VPNv2", "Contoso/Always%zzOn"},
		{"./Vendor/MSFT/VPNv2", "Contoso/Always\x01On"},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn "},
		{"./Vendor//MSFT/VPNv2", "Contoso/AlwaysOn"},
		{"./Vendor/MSFT/VPNv2", long + "/%zz/" + long},
	} {
		d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: tc.csp, Settings: []Setting{{Path: tc.path, Type: "chr", Value: "1"}}}}}
		err := d.Validate(target)
		var se *SettingError
		if !errors.As(err, &se) || se.CSP != tc.csp || se.Path != tc.path || !errors.Is(err, ErrInvalid) || !errors.Is(err, syncml.ErrLocURI) {
			t.Errorf("CSP %q path %.40q: Validate = %.300v, want a SettingError naming both, matching ErrInvalid and syncml.ErrLocURI", tc.csp, tc.path, err)
			continue
		}
		if n := len(se.Error()); n > 2*maxShown+maxShownCause+200 {
			t.Errorf("CSP %q path %.40q: message of %d bytes", tc.csp, tc.path, n)
		}
		if !strings.HasPrefix(se.Error(), "declaredconfig: invalid: ") || strings.Count(se.Error(), "declaredconfig:") != 1 {
			t.Errorf("message %.300q", se.Error())
		}
	}
}

// Validate refuses a setting whose CSP names the other scope than the
// document's context (./User/… in a Device document, ./Device/… in a User
// one), as the agent does, with a *SettingError saying so; a CSP
// without a scope, or with the context's (any letter case), is taken.
func TestValidateSettingScope(t *testing.T) {
	id := "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	for _, tc := range []struct {
		context, csp string
		bad          bool
	}{
		{"Device", "./User/Vendor/MSFT/VPNv2", true},
		{"device", "User/Vendor/MSFT/VPNv2", true},
		{"User", "./Device/Vendor/MSFT/VPNv2", true},
		{"user", "./device/Vendor/MSFT/VPNv2", true},
		{"Device", "./Device/Vendor/MSFT/VPNv2", false},
		{"User", "./uSeR/Vendor/MSFT/VPNv2", false},
		{"User", "./Vendor/MSFT/VPNv2", false},
		{"Device", "Vendor/MSFT/VPNv2", false},
	} {
		scope := Device
		if strings.EqualFold(tc.context, "User") {
			scope = User
		}
		d := &Document{Schema: "1.0", Context: tc.context, ID: id, Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: tc.csp, Settings: []Setting{{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"}}}}}
		err := d.Validate(DocumentURI(scope, Complete, id))
		if !tc.bad {
			if err != nil {
				t.Errorf("context %s CSP %s: Validate = %v, want nil", tc.context, tc.csp, err)
			}
			continue
		}
		var se *SettingError
		if !errors.As(err, &se) || se.CSP != tc.csp || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "scope") {
			t.Errorf("context %s CSP %s: Validate = %v, want a SettingError about the scope", tc.context, tc.csp, err)
		}
	}
}
