package declaredconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	base := func() *Document {
		return &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{
				{Path: "P/AlwaysOn", Type: "bool", Value: "True"},
				{Path: "P/Protocol", Type: "Int", Value: "2"},
				{Path: "P/Blob", Type: "b64", Value: "AAEC"},
				{Path: "P/T/@#x#/V", Type: "int", Value: "@#v#"},
			}}}}
	}
	target := DocumentURI(Device, Complete, id)
	if err := base().Validate(target); err != nil {
		t.Fatalf("valid document: %v", err)
	}
	tests := []struct {
		name   string
		edit   func(d *Document)
		target URI
		want   string
	}{
		{"id differs", func(d *Document) { d.ID = "27FEA311-68B9-4320-9FC4-296F6FDFAFE3" }, target, "differs from the DocID"},
		{"id not a GUID", func(d *Document) { d.ID = "33333333-1861-4131-96e8-44444444" }, DocumentURI(Device, Complete, "33333333-1861-4131-96e8-44444444"), "not a GUID"},
		{"user context in device scope", func(d *Document) { d.Context = "user" }, target, "does not match the Device scope"},
		{"device context in user scope", nil, DocumentURI(User, Complete, id), "does not match the User scope"},
		{"bad context", func(d *Document) { d.Context = "Machine" }, target, "neither Device nor User"},
		{"empty scenario", func(d *Document) { d.Scenario = "" }, target, "osdefinedscenario is missing"},
		{"bad target node", nil, URI{Scope: Device, Host: Complete, DocID: id}, "unknown node"},
		{"MI provider in user scope", func(d *Document) { d.Context = "User"; d.Scenario = ScenarioMIProviderConfig }, DocumentURI(User, Complete, id), "needs context Device"},
		{"duplicate path", func(d *Document) { d.CSPs[0].Settings[1].Path = "P/AlwaysOn" }, target, "more than once"},
		{"bad bool", func(d *Document) { d.CSPs[0].Settings[0].Value = "yes" }, target, "not a bool"},
		{"bad int", func(d *Document) { d.CSPs[0].Settings[1].Value = "two" }, target, "not an int"},
		{"int out of range", func(d *Document) { d.CSPs[0].Settings[1].Value = "4294967296" }, target, "32-bit range"},
		{"bad b64", func(d *Document) { d.CSPs[0].Settings[2].Value = "!!" }, target, "not base64"},
		{"unknown type", func(d *Document) { d.CSPs[0].Settings[2].Type = "blob" }, target, "unknown type"},
		{"no settings", func(d *Document) { d.CSPs = nil }, target, "no CSP or DSC"},
		{"results node", nil, ResultsURI(Device, Complete, id), "not a Document node"},
		{"missing schema", func(d *Document) { d.Schema = "" }, target, "schema is missing"},
		{"DSC in a User document", func(d *Document) {
			d.Context, d.Scenario = "User", "Contoso"
			d.DSCs = []DSC{{Namespace: "root/x", ClassName: "C", Keys: []Param{{Name: "K", Value: "k"}}, Values: []Param{{Name: "V", Value: "v"}}}}
		}, DocumentURI(User, Complete, id), "DSC elements need context Device"},
		{"DSC without key", func(d *Document) { d.DSCs = []DSC{{Namespace: "root/x", ClassName: "C"}} }, target, "has no Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			if tt.edit != nil {
				tt.edit(d)
			}
			err := d.Validate(tt.target)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not match ErrInvalid: %v", err)
			}
		})
	}
}

// TestValidateScenario: a scenario name the documentation does not list
// (MSFTPolicies is in Microsoft's own sample) is accepted by default and
// refused under StrictScenario, with the known names in the error.
func TestValidateScenario(t *testing.T) {
	id := "99988660-9080-3433-96e8-f32e85011999"
	d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: "MSFTPolicies",
		CSPs: []CSP{{Name: "./Vendor/MSFT/Policy", Settings: []Setting{{Path: "Config/X/Y", Type: "int", Value: "1"}}}}}
	target := DocumentURI(Device, Complete, id)
	if err := d.Validate(target); err != nil {
		t.Errorf("default: Validate = %v, want nil", err)
	}
	err := d.Validate(target, StrictScenario)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"MSFTPolicies"`) {
		t.Fatalf("strict: Validate = %v, want ErrInvalid naming MSFTPolicies", err)
	}
	for _, k := range Scenarios() {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("strict: error does not list %s: %v", k, err)
		}
	}
	for _, k := range Scenarios() {
		d.Scenario = k
		host := Complete // each under the host of its kind (TestValidateHost)
		d.CSPs[0].Settings[0].Value = "1"
		if k == ScenarioInventory || k == ScenarioMIProviderInventory {
			host = Inventory
			d.CSPs[0].Settings[0].Value = "" // an inventory's settings carry no value
		}
		if err := d.Validate(DocumentURI(Device, host, id), StrictScenario); err != nil {
			t.Errorf("strict: known scenario %s: %v", k, err)
		}
	}
	d.CSPs[0].Settings[0].Value = "1"
	// The Device-only rule holds for the known MI provider scenarios in
	// both modes, and an unknown name is not held to it.
	d.Context, d.Scenario = "User", ScenarioMIProviderInventory
	if err := d.Validate(DocumentURI(User, Inventory, id)); !errors.Is(err, ErrInvalid) {
		t.Errorf("MI provider scenario in User context: %v, want ErrInvalid", err)
	}
	d.Scenario = "MSFTPolicies"
	if err := d.Validate(DocumentURI(User, Complete, id)); err != nil {
		t.Errorf("unknown scenario in User context: %v, want nil", err)
	}
}

// TestValidateTargetIsInvalid: a target that is not a node of the CSP is
// reported as ErrInvalid, as Validate says, and keeps ErrURI.
func TestValidateTargetIsInvalid(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	for _, u := range []URI{
		{Scope: Device, Host: Complete, DocID: id},
		{Scope: 7, Host: Complete, DocID: id, Node: NodeDocument},
		{Scope: Device, Host: 9, DocID: id, Node: NodeDocument},
		{Scope: Device, Host: Inventory, DocID: id, Node: NodeAbandoned},
	} {
		err := d.Validate(u)
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrURI) {
			t.Errorf("%+v: Validate = %v, want ErrInvalid and ErrURI", u, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if strings.Count(line, "declaredconfig:") != 1 {
				t.Errorf("%+v: prefix not once in %q", u, line)
			}
		}
	}
}

// TestValidateHost: a defined scenario must fit the Host of the target,
// as the CSP keeps configuration (Host/Complete, Host/BulkTemplate) and
// inventory (Host/Inventory) documents apart: a configuration document
// under Inventory, or an inventory one under Complete or BulkTemplate, is
// a *HostError naming the scenario and the Host, which matches
// ErrInvalid. A scenario of no known kind is not held to it.
func TestValidateHost(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	for _, tc := range []struct {
		scenario string
		host     Host
		bad      bool
	}{
		{ScenarioVPN, Complete, false},
		{ScenarioVPN, BulkTemplate, false},
		{ScenarioVPN, Inventory, true},
		{ScenarioClientCertificateInstall, Inventory, true},
		{ScenarioMIProviderConfig, Inventory, true},
		{ScenarioInventory, Inventory, false},
		{ScenarioInventory, Complete, true},
		{ScenarioInventory, BulkTemplate, true},
		{ScenarioMIProviderInventory, Inventory, false},
		{ScenarioMIProviderInventory, Complete, true},
		{"MSFTPolicies", Complete, false},
		{"MSFTPolicies", Inventory, false},
	} {
		d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: tc.scenario,
			CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
		if tc.host == Inventory && !tc.bad {
			d.CSPs[0].Settings[0].Value = "" // an inventory's settings carry no value
		}
		err := d.Validate(DocumentURI(Device, tc.host, id))
		var he *HostError
		if !tc.bad {
			if err != nil {
				t.Errorf("%s under %v: Validate = %v, want nil", tc.scenario, tc.host, err)
			}
			continue
		}
		if !errors.As(err, &he) || he.Scenario != tc.scenario || he.Host != tc.host || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s under %v: Validate = %v, want a HostError naming both, matching ErrInvalid", tc.scenario, tc.host, err)
			continue
		}
		if msg := err.Error(); strings.Count(msg, "declaredconfig:") != 1 || !strings.Contains(msg, tc.scenario) || !strings.Contains(msg, tc.host.String()) {
			t.Errorf("%s under %v: message %q", tc.scenario, tc.host, msg)
		}
	}
}

// An inventory names the nodes to read: its settings carry a type and no
// value (white space alone, an element written over lines, is none),
// whatever the type. A value it does carry is refused with a
// *SettingError (a device reads the node and would drop the value), its
// type still checked; a configuration document sent to Inventory is told
// by its HostError alone. Under Complete an empty int or bool is still
// refused.
func TestValidateInventoryEmptyValue(t *testing.T) {
	id := "6E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F306"
	inv := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "I1", Scenario: ScenarioInventory,
		CSPs: []CSP{{Name: "./Vendor/MSFT/CertificateStore", Settings: []Setting{
			{Path: "My/Count", Type: "int"}, {Path: "My/On", Type: "BOOL"}, {Path: "My/Blob", Type: "b64"}, {Path: "My/Name", Type: "chr"}}}}}
	if err := inv.Validate(DocumentURI(Device, Inventory, id)); err != nil {
		t.Errorf("inventory without values: %v", err)
	}
	for _, s := range []Setting{
		{Path: "My/Count", Type: "int", Value: "7"},
		{Path: "My/Name", Type: "chr", Value: " x "},
		{Path: "My/Doc", Type: "xml", Value: "<a/>", Markup: true},
		{Path: "My/Odd", Type: "nope", Value: "x"},
	} {
		bad := *inv
		bad.CSPs = []CSP{{Name: "./Vendor/MSFT/CertificateStore", Settings: []Setting{s}}}
		err := bad.Validate(DocumentURI(Device, Inventory, id))
		var se *SettingError
		if !errors.As(err, &se) || se.Path != s.Path || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "carries a value in an inventory") {
			t.Errorf("inventory setting %+v: Validate = %v, want a SettingError about its value", s, err)
		}
		if s.Type == "nope" && !strings.Contains(err.Error(), `unknown type "nope"`) {
			t.Errorf("inventory setting %+v: the type is not checked: %v", s, err)
		}
	}
	// white space alone is an element written over lines: no value
	spaced := *inv
	spaced.CSPs = []CSP{{Name: "./Vendor/MSFT/CertificateStore", Settings: []Setting{
		{Path: "My/Count", Type: "int", Value: "\n\t"}, {Path: "My/Name", Type: "chr", Value: " "}}}}
	if err := spaced.Validate(DocumentURI(Device, Inventory, id)); err != nil {
		t.Errorf("inventory of settings written over lines: %v", err)
	}
	bad := *inv
	bad.CSPs = []CSP{{Name: "./Vendor/MSFT/CertificateStore", Settings: []Setting{{Path: "My/Odd", Type: "nope"}, {Path: "My/None"}}}}
	err := bad.Validate(DocumentURI(Device, Inventory, id))
	for _, want := range []string{`"My/Odd": unknown type "nope"`, `"My/None": type is missing`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("inventory: error %v does not say %s", err, want)
		}
	}
	vpn := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	if err := vpn.Validate(DocumentURI(Device, Inventory, id)); err == nil || strings.Contains(err.Error(), "carries a value") {
		t.Errorf("configuration document under Inventory: %v, want its HostError alone", err)
	}
	cfg := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool"}}}}}
	if err := cfg.Validate(DocumentURI(Device, Complete, id)); !errors.Is(err, ErrInvalid) {
		t.Errorf("complete with an empty bool: %v, want ErrInvalid", err)
	}
}

// An inventory of an MI provider (MSFTExtensibilityMIProviderInventory
// under Inventory) names the parameters to read in its Value elements and
// picks the instance with the values of its Keys: a Value carrying text
// or markup (white space alone is none) is refused with a *ParamError
// naming it, as a CSP setting carrying a value is; a Key's value is kept.
// Under Complete the same Value is taken.
func TestValidateInventoryDSCValue(t *testing.T) {
	id := "6E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F307"
	doc := func(scenario string, values ...Param) *Document {
		return &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "I1", Scenario: scenario,
			DSCs: []DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_FileDirectoryConfiguration",
				Keys: []Param{{Name: "DestinationPath", Value: `c:\data\x.tmp`}}, Values: values}}}
	}
	inv := DocumentURI(Device, Inventory, id)
	if err := doc(ScenarioMIProviderInventory, Param{Name: "Contents"}, Param{Name: "Size", Value: "\n  "}).Validate(inv); err != nil {
		t.Errorf("inventory with empty Values: %v", err)
	}
	for _, p := range []Param{
		{Name: "Contents", Value: "TestFileContent1"},
		{Name: "Contents", Value: " x"},
		{Name: "Contents", Value: "<a/>", Markup: true},
	} {
		err := doc(ScenarioMIProviderInventory, Param{Name: "Other"}, p).Validate(inv)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Name != p.Name || pe.ClassName != "MSFT_FileDirectoryConfiguration" ||
			!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "carries a value in an inventory") {
			t.Errorf("inventory Value %+v: Validate = %v, want a ParamError about its value", p, err)
		}
		if len(leaves(err)) != 1 {
			t.Errorf("inventory Value %+v: %v, want the one error", p, err)
		}
		if err := doc(ScenarioMIProviderConfig, p).Validate(DocumentURI(Device, Complete, id)); err != nil {
			t.Errorf("configuration Value %+v: %v", p, err)
		}
	}
	// a parameter without a name or named twice is a ParamError too
	err := doc(ScenarioMIProviderConfig, Param{Name: "DestinationPath"}, Param{}).Validate(DocumentURI(Device, Complete, id))
	var pe *ParamError
	if n := len(leaves(err)); n != 2 || !errors.As(err, &pe) {
		t.Errorf("parameter twice and without a name: %v (%d errors), want two ParamErrors", err, n)
	}
	for _, e := range leaves(err) {
		if !errors.As(e, &pe) {
			t.Errorf("%v is not a ParamError", e)
		}
	}
}
