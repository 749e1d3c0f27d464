package syncml

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

func TestParseLocURI(t *testing.T) {
	tests := []struct {
		in   string
		want LocURI
		str  string
	}{
		{"./Vendor/MSFT/DMClient", LocURI{ScopeDefault, []string{"Vendor", "MSFT", "DMClient"}}, "./Vendor/MSFT/DMClient"},
		{"Vendor/MSFT/DMClient", LocURI{ScopeDefault, []string{"Vendor", "MSFT", "DMClient"}}, "./Vendor/MSFT/DMClient"},
		{"./Device/Vendor/MSFT/Policy", LocURI{ScopeDevice, []string{"Vendor", "MSFT", "Policy"}}, "./Device/Vendor/MSFT/Policy"},
		{"./device/Vendor/MSFT/Policy", LocURI{ScopeDevice, []string{"Vendor", "MSFT", "Policy"}}, "./Device/Vendor/MSFT/Policy"},
		{"./user/Vendor/MSFT/Policy", LocURI{ScopeUser, []string{"Vendor", "MSFT", "Policy"}}, "./User/Vendor/MSFT/Policy"},
		{"./Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll",
			LocURI{ScopeDefault, []string{"Vendor", "MSFT", "DMClient", "Provider", "MS DM SERVER", "LinkedEnrollment", "Enroll"}},
			"./Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll"},
		{"./DevInfo/DevId", LocURI{ScopeDefault, []string{"DevInfo", "DevId"}}, "./DevInfo/DevId"},
		{"./Device", LocURI{ScopeDefault, []string{"Device"}}, "./Device"},
		{"./a/%25b", LocURI{ScopeDefault, []string{"a", "%b"}}, "./a/%25b"},
		{"./a/%c3%a9", LocURI{ScopeDefault, []string{"a", "é"}}, "./a/%C3%A9"},
	}
	for _, tt := range tests {
		got, err := ParseLocURI(tt.in)
		if err != nil {
			t.Errorf("ParseLocURI(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseLocURI(%q) (-want +got):\n%s", tt.in, diff)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseLocURI(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
	}
}

func TestParseLocURIRejects(t *testing.T) {
	for _, in := range []string{
		"", "/Vendor/MSFT", "./", ".", "./Vendor//MSFT", "./Vendor/MSFT/", "./Vendor/../x",
		"./Vendor/%2e%2e/x", "./Vendor/./x", "./Vendor/%2E/x", "./a/%2Fb", "./a/%zz", "./a/%4",
		" ./Vendor", "./Vendor ", "./a/b\x00", "./a/%00", "./a/\tb",
	} {
		if _, err := ParseLocURI(in); !errors.Is(err, ErrLocURI) {
			t.Errorf("ParseLocURI(%q) = %v, want ErrLocURI", in, err)
		}
	}
}

func TestLocURIEqualAndPrefix(t *testing.T) {
	a, _ := ParseLocURI("./Vendor/MSFT/Policy/Config")
	b, _ := ParseLocURI("./Device/Vendor/MSFT/Policy/Config")
	c, _ := ParseLocURI("./User/Vendor/MSFT/Policy/Config")
	p, _ := ParseLocURI("./Device/Vendor/MSFT/Policy")
	q, _ := ParseLocURI("./Vendor/MSFT/Pol")
	if !a.Equal(b) || a.Equal(c) {
		t.Errorf("Equal: default must equal device and differ from user")
	}
	if !a.HasPrefix(p) || a.HasPrefix(q) || c.HasPrefix(p) {
		t.Errorf("HasPrefix must match whole segments within one scope")
	}
}

// TestLocURIProperties: String is canonical (parse of it gives the same
// value) and normalisation is idempotent.
func TestLocURIProperties(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261126)
	params.MinSuccessfulTests = 1000
	t.Logf("gopter seed %d", params.Seed())
	segment := gen.SliceOfN(6, gen.OneGenOf(gen.AlphaNumChar(), gen.RuneRange(0x20, 0x7e), gen.RuneRange(0xa0, 0x3000))).
		Map(func(rs []rune) string { return string(rs) }).
		SuchThat(func(s string) bool {
			return s != "" && s != "." && s != ".." && utf8.ValidString(s) && !strings.ContainsRune(s, '/')
		})
	props := gopter.NewProperties(params)
	props.Property("parse(String(u)) == u", prop.ForAll(
		func(scope uint8, segs []string) bool {
			u := LocURI{Scope: Scope(scope % 3), Segments: segs}
			if u.Scope != ScopeDefault && len(segs) == 0 {
				return true
			}
			if u.Scope == ScopeDefault && (segs[0] == "Device" || segs[0] == "User") && len(segs) > 1 {
				return true // would read as a scope
			}
			got, err := ParseLocURI(u.String())
			if err != nil {
				t.Logf("%q: %v", u.String(), err)
				return false
			}
			return cmp.Equal(u, got) && got.String() == u.String()
		},
		gen.UInt8(), gen.SliceOfN(4, segment).SuchThat(func(s []string) bool { return len(s) > 0 }),
	))
	props.TestingRun(t)
}
