package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestIntNodeValues: the agent's int nodes (RefreshInterval, Abandoned,
// ConflictResolution) read a value as declaredconfig.ParseInt reads an
// int, one rule for all three: XML spaces around ignored, leading zeros
// decimal, 0x hexadecimal, a sign; no other space, nothing past signed
// 32 bits. Before, RefreshInterval took "030" while Abandoned refused
// "01", and both took a U+00A0 around the value.
func TestIntNodeValues(t *testing.T) {
	for _, tc := range []struct {
		in      string
		minutes int // RefreshInterval read back, 0 if refused
		bit     string
	}{
		{"30", 30, ""},
		{"030", 30, ""},
		{" 30\n", 30, ""},
		{"+30", 30, ""},
		{"0x1E", 30, ""},
		{"1", 0, "1"},
		{"01", 0, "1"},
		{" 1", 0, "1"},
		{"0x1", 0, "1"},
		{"-0", 0, "0"},
		{"000", 0, "0"},
		{"\u00a030", 0, ""},
		{"\u00a01", 0, ""},
		{"2", 0, ""},
		{"-1", 0, ""},
		{"4294967295", 0, ""},
		{"4294967297", 0, ""}, // 1 past 2^32, was refused already
		{"x", 0, ""},
		{"", 0, ""},
	} {
		a := newAgent(t, agent.Config{})
		c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, tc.in)
		if want := tc.minutes != 0; (c == 200) != want {
			t.Errorf("RefreshInterval %q: %d, want accepted %v", tc.in, c, want)
		} else if want {
			if _, v := serve(t, a, "Get", declaredconfig.RefreshIntervalURI, ""); v != "30" {
				t.Errorf("RefreshInterval %q read back as %q", tc.in, v)
			}
		}
		c, _ = serve(t, a, "Replace", declaredconfig.ConflictResolutionURI, tc.in)
		if (c == 200) != (tc.bit != "") {
			t.Errorf("ConflictResolution %q: %d, want accepted %v", tc.in, c, tc.bit != "")
		} else if tc.bit != "" {
			if _, v := serve(t, a, "Get", declaredconfig.ConflictResolutionURI, ""); v != tc.bit {
				t.Errorf("ConflictResolution %q read back as %q, want %q", tc.in, v, tc.bit)
			}
		}
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1"))); c != 200 {
			t.Fatalf("Add: %d", c)
		}
		c, _ = serve(t, a, "Replace", declaredconfig.AbandonedURI(declaredconfig.Device, vpnID).String(), tc.in)
		if (c == 200) != (tc.bit != "") {
			t.Errorf("Abandoned %q: %d, want accepted %v", tc.in, c, tc.bit != "")
		} else if tc.bit != "" {
			if _, v := serve(t, a, "Get", declaredconfig.AbandonedURI(declaredconfig.Device, vpnID).String(), ""); v != tc.bit {
				t.Errorf("Abandoned %q read back as %q, want %q", tc.in, v, tc.bit)
			}
		}
	}
}
