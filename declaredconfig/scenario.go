package declaredconfig

// The osdefinedscenario values the documentation defines. The
// documentation says a device refuses other names ("Invalid scenario
// name"), yet Microsoft's own samples use more (MSFTPolicies), so
// Document.Validate accepts any non-empty name unless given
// StrictScenario.
const (
	ScenarioWiredNetwork             = "MSFTWiredNetwork"             // WiredNetwork CSP
	ScenarioResource                 = "MSFTResource"                 // ActiveSync and other resources
	ScenarioVPN                      = "MSFTVPN"                      // VPN and VPNv2 CSPs
	ScenarioWifi                     = "MSFTWifi"                     // WiFi CSP
	ScenarioInventory                = "MSFTInventory"                // certificate inventory
	ScenarioClientCertificateInstall = "MSFTClientCertificateInstall" // SCEP, PFX, bulk template data
	// ScenarioMIProviderConfig configures an MI provider (DSC); Device only.
	ScenarioMIProviderConfig = "MSFTExtensibilityMIProviderConfig"
	// ScenarioMIProviderInventory reads an MI provider's values; Device only.
	ScenarioMIProviderInventory = "MSFTExtensibilityMIProviderInventory"
)

// Scenarios lists the defined scenario names, in the documentation's order.
func Scenarios() []string {
	return []string{
		ScenarioWiredNetwork, ScenarioResource, ScenarioVPN, ScenarioWifi,
		ScenarioInventory, ScenarioClientCertificateInstall,
		ScenarioMIProviderConfig, ScenarioMIProviderInventory,
	}
}

// knownScenario reports whether s is one of Scenarios, compared exactly.
func knownScenario(s string) bool {
	for _, k := range Scenarios() {
		if s == k {
			return true
		}
	}
	return false
}

// deviceOnlyScenario reports scenarios whose context must be Device.
func deviceOnlyScenario(s string) bool {
	return s == ScenarioMIProviderConfig || s == ScenarioMIProviderInventory
}

// inventoryScenario reports the scenarios whose documents read settings
// (an inventory): their place is the Inventory host.
func inventoryScenario(s string) bool {
	return s == ScenarioInventory || s == ScenarioMIProviderInventory
}

// A HostError reports a document sent to a Host that does not take its
// kind: a document of an inventory scenario (ScenarioInventory,
// ScenarioMIProviderInventory), which reads settings, belongs under the
// Inventory host, and one of the other defined scenarios, which sets
// them, under Complete or BulkTemplate. A scenario that is not one of
// Scenarios is of no known kind and is not checked. It matches
// ErrInvalid.
type HostError struct {
	Scenario string // the document's osdefinedscenario
	Host     Host   // the Host of the node it was sent to
}

// Error says which kind the scenario is and where it belongs.
func (e *HostError) Error() string {
	if inventoryScenario(e.Scenario) {
		return pkg.Prefix() + "invalid: osdefinedscenario " + shown(e.Scenario) +
			" reads settings (an inventory): its host is Inventory, not " + e.Host.String()
	}
	return pkg.Prefix() + "invalid: osdefinedscenario " + shown(e.Scenario) +
		" sets settings: its host is Complete (or BulkTemplate), not " + e.Host.String()
}

// Is reports whether target is ErrInvalid.
func (e *HostError) Is(target error) bool { return target == ErrInvalid }

// checkHost returns a HostError when the kind of scenario s does not fit
// host h; nil for a scenario of no known kind, or a Host that is none of
// the CSP's (the target's error says so).
func checkHost(s string, h Host) error {
	if !knownScenario(s) {
		return nil
	}
	switch h {
	case Inventory:
		if !inventoryScenario(s) {
			return &HostError{Scenario: s, Host: h}
		}
	case Complete, BulkTemplate:
		if inventoryScenario(s) {
			return &HostError{Scenario: s, Host: h}
		}
	}
	return nil
}
