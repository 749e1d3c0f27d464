package declaredconfig

import (
	"errors"
	"testing"
)

// TestParseInt: one reading of an int node value, syncml/ddf's: signed
// 32-bit, decimal (leading zeros kept decimal) or 0x hexadecimal, a sign,
// XML spaces around ignored and no others.
func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int32
		ok   bool
	}{
		{"30", 30, true},
		{"030", 30, true},
		{"010", 10, true},
		{" 30", 30, true},
		{"\t30\r\n", 30, true},
		{"+30", 30, true},
		{"-0", 0, true},
		{"0x1E", 30, true},
		{"0X1e", 30, true},
		{"2147483647", 2147483647, true},
		{"-2147483648", -2147483648, true},
		{"0x7FFFFFFF", 2147483647, true},
		{"2147483648", 0, false},
		{"4294967295", 0, false},
		{"-2147483649", 0, false},
		{"0xFFFFFFFF", 0, false},
		{"", 0, false},
		{" ", 0, false},
		{"x", 0, false},
		{"3 0", 0, false},
		{"\u00a030", 0, false},
		{"30\v", 0, false},
		{"1_000", 0, false},
		{"0x", 0, false},
		{"--1", 0, false},
		{"1.0", 0, false},
	} {
		got, err := ParseInt(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseInt(%q) = %d, %v, want %d", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseInt(%q) = %d, %v, want ErrInvalid", tc.in, got, err)
		}
		// Validate reads an int setting the same way.
		d := &Document{Schema: "1.0", Context: "Device", ID: "27FEA311-68B9-4320-9FC4-296F6FDFAFE2", Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/N", Type: "int", Value: tc.in}}}}}
		if err := d.Validate(DocumentURI(Device, Complete, d.ID)); (err == nil) != tc.ok {
			t.Errorf("Validate of an int setting %q: %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}
