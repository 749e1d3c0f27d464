package ddf

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestAllows(t *testing.T) {
	enum := &AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: "0"}, {Value: "0x2"}, {Value: "true"}}}
	flag := &AllowedValues{Type: ValueFlag, Enums: []Enum{{Value: "0x0"}, {Value: "0x1"}, {Value: "0x4"}}}
	rng := &AllowedValues{Type: ValueRange, Min: -5, Max: 1440}
	re := &AllowedValues{Type: ValueRegEx, Value: `^(\d\.)?(\d)$`, Regexp: regexp.MustCompile(`^(\d\.)?(\d)$`)}
	list := &AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: "a"}, {Value: "b"}}, Delimiter: "\uF000"}
	none := &AllowedValues{Type: ValueNone}
	enumNeg := &AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: "8"}, {Value: "-1"}}}
	flag64 := &AllowedValues{Type: ValueFlag, Enums: []Enum{{Value: "0x1"}, {Value: "0xFFFFFFFFFFFFFFFF"}}}
	enumSp := &AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: " on\n"}}} // a DDF Value with spaces around
	tests := []struct {
		a  *AllowedValues
		v  string
		ok bool
	}{
		{enum, "0", true}, {enum, "2", true}, {enum, "0x2", true}, {enum, "true", true},
		{enum, "1", false}, {enum, "True", false}, {enum, "", false},
		{flag, "5", true}, {flag, "0x5", true}, {flag, "0", true}, {flag, "2", false}, {flag, "x", false},
		{rng, "-5", true}, {rng, "1440", true}, {rng, "1441", false}, {rng, "-6", false}, {rng, "1e3", false},
		{re, "1.0", true}, {re, "9", true}, {re, "10", false}, {re, "1.0.0", false},
		{list, "a\uF000b\uF000a", true}, {list, "a\uF000c", false}, {list, "", true},
		{none, "anything", true}, {nil, "anything", true},
		// Numbers are decimal or 0x hexadecimal, compared by value: a
		// leading 0 is not octal, 0b, 0o and underscores are not numbers,
		// and a 64-bit value does not wrap to a negative one.
		{rng, "010", true}, {rng, "-0x5", true}, {rng, "1_000", false}, {rng, "0b1", false}, {rng, "0o7", false},
		{rng, "18446744073709551615", false}, {rng, "0xFFFFFFFFFFFFFFFF", false},
		{enumNeg, "010", false}, {enumNeg, "0x8", true}, {enumNeg, "-1", true}, {enumNeg, "18446744073709551615", false},
		{enumNeg, "0xFFFFFFFFFFFFFFFF", false}, {enumNeg, "0o10", false},
		{flag64, "0xFFFFFFFFFFFFFFFF", true}, {flag64, "18446744073709551615", true}, {flag64, "0b1", false},
		// The XML spaces around a value are ignored, for ENUM text as for
		// numbers, Range and RegEx; U+00A0 and U+0085 are not such spaces.
		{enum, " true", true}, {enum, "true\r\n", true}, {enum, "\t0x2 ", true}, {enum, " 0 ", true},
		{enum, "\u00a0true", false}, {enum, "true\u0085", false}, {enum, " ", false}, {enum, "tr ue", false},
		{list, " a\uF000b\n", true}, {list, "a \uF000 c", false},
		{enumSp, "on", true}, {enumSp, " on\t", true}, {enumSp, "o n", false},
		{rng, " 5\n", true}, {flag, "\t0x5 ", true}, {re, " 1.0\r\n", true},
	}
	for _, tt := range tests {
		err := tt.a.Allows(tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("%v.Allows(%q) = %v, want ok=%v", tt.a, tt.v, err, tt.ok)
		}
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi int64
		ok     bool
	}{
		{"[1-1440]", 1, 1440, true},
		{" [0-4294967295] ", 0, 4294967295, true},
		{"[-10--1]", -10, -1, true},
		{"[5-1]", 0, 0, false},
		{"1-5", 0, 0, false},
		{"[a-b]", 0, 0, false},
		{"[]", 0, 0, false},
		{"[010-0x20]", 10, 32, true},
		{"[0-18446744073709551615]", 0, 0, false},
		{"[1_0-20]", 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, err := parseRange(tt.in)
		if (err == nil) != tt.ok || lo != tt.lo || hi != tt.hi {
			t.Errorf("parseRange(%q) = %d, %d, %v", tt.in, lo, hi, err)
		}
	}
}

func TestAppliesTo(t *testing.T) {
	le := &Applicability{OSBuilds: []string{"10.0.22621", "10.0.22000.918", "10.0.19044.2193", "10.0.19043.2193", "10.0.19042.2193"}}
	backportOnly := &Applicability{OSBuilds: []string{"10.0.19044.2193", "10.0.22000.918"}}
	tests := []struct {
		a     *Applicability
		build string
		want  bool
	}{
		{le, "10.0.22621.1", true},
		{le, "10.0.26100.2033", true},
		{le, "10.0.22000.918", true},
		{le, "10.0.22000.917", false},
		{le, "10.0.19044.3000", true},
		{le, "10.0.19045.3000", false},
		{le, "10.0.17763.1", false},
		{le, "junk", false},
		{backportOnly, "10.0.22631.1", true},
		{backportOnly, "10.0.19044.1", false},
		{&Applicability{}, "10.0.1.1", true},
		{nil, "10.0.1.1", true},
	}
	for _, tt := range tests {
		if got := tt.a.AppliesTo(tt.build); got != tt.want {
			t.Errorf("AppliesTo(%v, %q) = %v, want %v", tt.a, tt.build, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	if s := (AccessAdd | AccessGet | AccessReplace).String(); s != "Add,Get,Replace" {
		t.Errorf("AccessType.String = %q", s)
	}
	if AccessFor("Exec") != AccessExec || AccessFor("Alert") != 0 {
		t.Error("AccessFor")
	}
	if OccurrenceOneOrN.String() != "OneOrN" || OccurrenceKind(99).String() != "OccurrenceKind(99)" {
		t.Error("OccurrenceKind.String")
	}
	if ScopeDynamic.String() != "Dynamic" || NamingClientInventory.String() != "ClientInventory" || NamingKind(9).String() != "NamingKind(9)" {
		t.Error("Scope/NamingKind.String")
	}
}

// TestAllowsRegExWhole: a RegEx constrains the whole value (the XML spaces
// around it aside), whether or not the pattern anchors itself. Unanchored,
// the DocID pattern of DeclaredConfiguration took any text holding a GUID.
func TestAllowsRegExWhole(t *testing.T) {
	re := func(p string) *AllowedValues {
		return &AllowedValues{Type: ValueRegEx, Value: p, Regexp: regexp.MustCompile(p)}
	}
	digits := re(`[0-9]+`)
	alt := re(`a|ab`) // leftmost-first finds "a" in "ab": the whole must still match
	multi := re(`(?m)^x$`)
	list := &AllowedValues{Type: ValueRegEx, Value: `[a-z]+`, Regexp: regexp.MustCompile(`[a-z]+`), Delimiter: ","}
	tests := []struct {
		a  *AllowedValues
		v  string
		ok bool
	}{
		{digits, "123", true}, {digits, "12a", false}, {digits, "a12", false}, {digits, "", false},
		{digits, " 12\r\n", true}, {digits, "12\u00a0", false}, {digits, "1 2", false},
		{alt, "a", true}, {alt, "ab", true}, {alt, "abb", false}, {alt, "ba", false},
		{multi, "x", true}, {multi, "x\ny", false}, {multi, "y\nx", false},
		{list, "ab,cd", true}, {list, "ab,c1", false}, {list, "ab, cd", true},
	}
	for _, tt := range tests {
		err := tt.a.Allows(tt.v)
		if (err == nil) != tt.ok {
			t.Errorf("RegEx %q Allows(%q) = %v, want ok=%v", tt.a.Value, tt.v, err, tt.ok)
		}
	}
}

// TestAllowsRegExSpec runs the RegEx patterns of the spec DDFs, read in
// place, over values their nodes' descriptions call for and near misses.
// A pattern without cases here fails the test, so that a new one gets
// some.
func TestAllowsRegExSpec(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.xml"))
	if len(files) == 0 {
		t.Skip("no DDF files in " + specDir)
	}
	const guid = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	cases := map[string][]struct {
		v  string
		ok bool
	}{
		// DeclaredConfiguration's DocID: "should be a GUID"
		`[0-9A-Fa-f]{8}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{12}`: {
			{guid, true}, {"47e88660-1861-4131-96e8-f32e85011e55", true}, {"\n\t" + guid + " ", true},
			{"{" + guid + "}", false}, {guid + "0", false}, {"x" + guid, false}, {guid + "/Document", false},
			{guid + "\u00a0", false}, {"", false}, {"27FEA311-68B9-4320-9FC4", false},
		},
		// DMClient's SyncApplicationVersion: "1.0" or "2.0"
		`^(\d\.)?(\d)$`: {
			{"1.0", true}, {"2.0", true}, {"2", true}, {" 2.0\n", true},
			{"10", false}, {"1.0.0", false}, {"1.", false}, {"v2.0", false}, {"", false},
		},
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		tree.Walk(func(n *Node) bool {
			a := n.Allowed
			if a == nil || a.Type != ValueRegEx {
				return true
			}
			seen++
			if a.Regexp == nil {
				t.Errorf("%s %s: RegEx %q did not compile: %v", filepath.Base(f), n.Path(), a.Value, a.RegexpErr)
				return true
			}
			cs, ok := cases[a.Value]
			if !ok {
				t.Errorf("%s %s: RegEx %q has no cases here", filepath.Base(f), n.Path(), a.Value)
			}
			for _, c := range cs {
				if err := a.Allows(c.v); (err == nil) != c.ok {
					t.Errorf("%s %s: Allows(%q) = %v, want ok=%v", filepath.Base(f), n.Path(), c.v, err, c.ok)
				}
			}
			return true
		})
	}
	if seen == 0 {
		t.Error("no RegEx AllowedValues in the spec DDFs")
	}
}

// TestAllowsShownQuoted: the DDF's own texts an error shows (ENUM and
// Flag values, a RegEx) are quoted when they hold a control character or
// a line separator, as a peer's value is: a DDF may come from a peer, and
// its text must not break or forge log lines.
func TestAllowsShownQuoted(t *testing.T) {
	for _, tt := range []struct {
		a *AllowedValues
		v string
	}{
		{&AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: "on\nlevel=ERROR"}, {Value: "off"}}}, "x"},
		{&AllowedValues{Type: ValueFlag, Enums: []Enum{{Value: "0x1\r"}}}, "0x2"},
		{&AllowedValues{Type: ValueENUM, Enums: []Enum{{Value: "a\u2029"}}, Delimiter: ";"}, "b"},
		{&AllowedValues{Type: ValueRegEx, Value: "^a\u2028$", Regexp: regexp.MustCompile("^a\u2028$")}, "b"},
	} {
		err := tt.a.Allows(tt.v)
		if err == nil {
			t.Fatalf("%v Allows(%q) = nil, want an error", tt.a.Type, tt.v)
		}
		if i := strings.IndexFunc(err.Error(), breaksLine); i >= 0 {
			t.Errorf("%v Allows(%q) = %q: raw %q at byte %d", tt.a.Type, tt.v, err, err.Error()[i:], i)
		}
	}
	// a dynamic node's path in a NameError
	e := &NameError{LocURI: "./A/b", Node: "./A/\r<x>", Segment: 2, Offset: 4, Err: ErrValue, Detail: "d"}
	if strings.IndexFunc(e.Error(), breaksLine) >= 0 {
		t.Errorf("NameError = %q: its Node is shown raw", e.Error())
	}
}
