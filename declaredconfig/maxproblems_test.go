package declaredconfig

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestValidateMaxProblems: a document with a problem in each of many
// settings gets the first MaxProblems of them and one error counting the
// rest, all matching ErrInvalid; AllProblems gets every one. The worst
// case a default-limited text allows (as many settings as fit in
// DefaultMaxBytes, each with an unknown type, under a CSP name longer than
// a message shows) is measured against its text.
func TestValidateMaxProblems(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	target := DocumentURI(Device, Complete, id)
	doc := func(csp string, n int) *Document {
		d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN, CSPs: []CSP{{Name: csp}}}
		for i := range n {
			d.CSPs[0].Settings = append(d.CSPs[0].Settings, Setting{Path: "P/" + strconv.Itoa(i), Type: "q"})
		}
		return d
	}
	d := doc("./Vendor/MSFT/VPNv2", 1000)
	err := d.Validate(target)
	got := leaves(err)
	if len(got) != MaxProblems+1 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("1000 problems: %d reported, want %d", len(got), MaxProblems+1)
	}
	for i, e := range got {
		if !errors.Is(e, ErrInvalid) {
			t.Errorf("problem %d: %v does not match ErrInvalid", i, e)
		}
	}
	if last := got[len(got)-1].Error(); !strings.Contains(last, strconv.Itoa(1000-MaxProblems)+" more problems") {
		t.Errorf("last error %q does not count the %d others", last, 1000-MaxProblems)
	}
	if n := len(leaves(d.Validate(target, AllProblems))); n != 1000 {
		t.Errorf("AllProblems: %d reported, want 1000", n)
	}
	if n := len(leaves(doc("./Vendor/MSFT/VPNv2", MaxProblems).Validate(target))); n != MaxProblems {
		t.Errorf("%d problems: %d reported", MaxProblems, n)
	}

	csp := "./Vendor/MSFT/" + strings.Repeat("V", 300)
	per := len(`<URI path="P/00000" type="q"/>`)
	w := doc(csp, (DefaultMaxBytes-200)/per)
	text, err := w.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var r Document
	if err := r.UnmarshalText(text); err != nil {
		t.Fatalf("worst case does not read: %v", err)
	}
	short, all := len(r.Validate(target).Error()), len(r.Validate(target, AllProblems).Error())
	t.Logf("%d settings in %d bytes: message %d bytes, %d with AllProblems", len(r.CSPs[0].Settings), len(text), short, all)
	if short > 64<<10 {
		t.Errorf("message of %d bytes for a text of %d", short, len(text))
	}
}
