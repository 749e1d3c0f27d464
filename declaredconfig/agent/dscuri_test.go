package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestDSCURIKeysUnambiguous checks that DSCURI names two resources whose
// key values differ by a "," or "=" inside them differently: a value
// holding ",Name=V" must not read as one more key, which would make two
// resources one node (and a Surface that reads the keys back configure
// another resource than the document declares).
func TestDSCURIKeysUnambiguous(t *testing.T) {
	mk := func(key, name string) *declaredconfig.DSC {
		return &declaredconfig.DSC{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
			Keys: []declaredconfig.Param{{Name: "Key", Value: key}, {Name: "ValueName", Value: name}}}
	}
	for _, tc := range [][2]*declaredconfig.DSC{
		{mk(`HKLM\Software\A,ValueName=B`, "C"), mk(`HKLM\Software\A`, "B,ValueName=C")},
		{mk(`A=B`, "C"), mk(`A`, "=B")},
		{mk(`A,`, "C"), mk(`A`, ",C")},
	} {
		x, y := agent.DSCURI(tc[0], "ValueData"), agent.DSCURI(tc[1], "ValueData")
		if x == y {
			t.Errorf("keys %v and %v: both %s", tc[0].Keys, tc[1].Keys, x)
		}
	}
	// Values without "," or "=" are written as before.
	if got, want := agent.DSCURI(mk(`HKLM\Software\Contoso`, "Name 1"), "ValueData"),
		"./Device/DSC/root%2FMicrosoft%2FWindows%2FDesiredStateConfiguration/MSFT_RegistryResource/Key=HKLM%5CSoftware%5CContoso%2CValueName=Name%201/ValueData"; got != want {
		t.Errorf("DSCURI %s, want %s", got, want)
	}
}
