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
