package declaredconfig

import (
	"strings"
	"testing"
)

func TestEqualDocID(t *testing.T) {
	const id = "DCA000B5-397D-40A1-AABF-40B25078A7F9"
	tests := []struct {
		a, b string
		want bool
	}{
		{id, id, true},
		{id, strings.ToLower(id), true},
		{"dca000b5-397D-40a1-AABF-40b25078a7f9", id, true},
		{id, "DCA000B5-397D-40A1-AABF-40B25078A7F8", false},
		{id, "{" + id + "}", false},
		{id, id + " ", false},
		{"", "", true},
		{"", id, false},
		// Only ASCII letters fold: "K" (U+212A KELVIN SIGN) is not "k".
		{"k", "\u212a", false},
		{"ä", "Ä", false},
		{"MSFT-a", "msft-A", true},
	}
	for _, tt := range tests {
		if got := EqualDocID(tt.a, tt.b); got != tt.want {
			t.Errorf("EqualDocID(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := EqualDocID(tt.b, tt.a); got != tt.want {
			t.Errorf("EqualDocID(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestDocIDRuleEverywhere: Summary.Entry, Evaluate and Validate follow
// the same DocID rule.
func TestDocIDRuleEverywhere(t *testing.T) {
	const id = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	lower := strings.ToLower(id)
	s := &Summary{Documents: []SummaryEntry{{Context: "Device", ID: lower, Checksum: "C1", State: "60"}}}
	if e := s.Entry(id); e == nil || e.ID != lower {
		t.Errorf("Summary.Entry(%q) = %+v, want the entry %q", id, e, lower)
	}
	if e := s.Entry("27FEA311-68B9-4320-9FC4-296F6FDFAFE3"); e != nil {
		t.Errorf("Summary.Entry of another id = %+v, want nil", e)
	}
	r := &Reply{Summary: s}
	ev := r.Evaluate([]Desired{{URI: DocumentURI(Device, Complete, id), Checksum: "C1"}}, nil)
	if got := ev.Documents[0]; !got.Reported || got.Condition != InSync {
		t.Errorf("Evaluate = %+v, want the reported entry in sync", got)
	}
	d := &Document{Schema: "1.0", Context: "Device", ID: lower, Checksum: "C1", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	if err := d.Validate(DocumentURI(Device, Complete, id)); err != nil {
		t.Errorf("Validate of a document whose id differs from the DocID in case only: %v", err)
	}
}
