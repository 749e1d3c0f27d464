package nodename

import "testing"

// TestFold: the characters whose folding differs between Windows'
// ordinal ignore-case comparison and Unicode's simple case folding.
func TestFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"DMClient", "dmclient", true},
		{"", "", true},
		{"a", "", false},
		{"σ", "ς", true},
		{"ς", "Σ", true},
		{"µ", "Μ", true},
		{"ǅ", "ǆ", true},
		{"Ǆ", "ǅ", true},
		{"ა", "Ა", true},       // Georgian Mkhedruli and Mtavruli
		{"\u212A", "k", false}, // Kelvin sign
		{"\u212A", "K", false},
		{"ſ", "s", false},
		{"ı", "I", false},
		{"ı", "i", false},
		{"İ", "i", false},
		{"𐐀", "𐐨", false}, // Deseret: two UTF-16 units
		{"ß", "SS", false},
		{"é", "É", true},
		{"\xff", "\xff", true},
		{"\xff", "\xfe", false},
	} {
		if got := EqualFold(c.a, c.b); got != c.same {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := Fold(c.a) == Fold(c.b); got != c.same {
			t.Errorf("Fold(%q) == Fold(%q) is %v, want %v (%q, %q)", c.a, c.b, got, c.same, Fold(c.a), Fold(c.b))
		}
	}
	if n := testing.AllocsPerRun(100, func() { EqualFold("./Vendor/MSFT/DMClient", "./vendor/msft/dmclient") }); n != 0 {
		t.Errorf("EqualFold allocates %v times", n)
	}
}
