package provisioning

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// propSeed is fixed so that failures reproduce; each test logs it.
const propSeed = 20261203

func properties(t *testing.T) *gopter.Properties {
	t.Logf("gopter seed %d", propSeed)
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = 1000
	return gopter.NewProperties(p)
}

// diff returns "" when x and y are equal, else cmp's report.
func diff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

// TestPropertyValues is exactness rule 1: for every Document d,
// Unmarshal(Marshal(d)) == d with no field ignored.
func TestPropertyValues(t *testing.T) {
	props := properties(t)
	props.Property("Unmarshal(Marshal(d)) == d", prop.ForAll(func(d *Document) bool {
		b, err := Marshal(d)
		if err != nil {
			t.Logf("Marshal: %v\n%#v", err, d)
			return false
		}
		var got Document
		if err := Unmarshal(b, &got); err != nil {
			t.Logf("Unmarshal: %v\n%s", err, b)
			return false
		}
		if s := diff(d, &got); s != "" {
			t.Logf("(-d +got)\n%s\n%s", s, b)
			return false
		}
		return true
	}, gen(genDocument)))
	props.TestingRun(t)
}

// TestPropertyCanonical is exactness rule 2 (Marshal is a fixed point
// from any accepted input) and rule 3 (the input and the canonical text
// say the same, by sameTree), on inputs written by noisy, which varies
// everything the format allows; reading noisy input also gives the same
// Document.
func TestPropertyCanonical(t *testing.T) {
	props := properties(t)
	props.Property("noisy input: same value, canonical fixed point, same tree", prop.ForAll(func(d *Document, seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		in := noisy(r, d)
		wire := []byte(in)
		if r.Intn(4) == 0 {
			// without a byte order mark, UTF-16 is recognised by its first "<"
			text := strings.TrimPrefix(in, "\uFEFF")
			wire = toUTF16(text, r.Intn(2) == 0, r.Intn(2) == 0 || !strings.HasPrefix(text, "<"))
		}
		var got Document
		if err := Unmarshal(wire, &got); err != nil {
			t.Logf("Unmarshal: %v\n%q", err, in)
			return false
		}
		if s := diff(d, &got); s != "" {
			t.Logf("(-d +got)\n%s\n%q", s, in)
			return false
		}
		c, err := Marshal(&got)
		if err != nil {
			t.Logf("Marshal: %v", err)
			return false
		}
		var again Document
		if err := Unmarshal(c, &again); err != nil {
			t.Logf("Unmarshal(c): %v", err)
			return false
		}
		c2, err := Marshal(&again)
		if err != nil || string(c2) != string(c) {
			t.Logf("not a fixed point: %v\n%s\n%s", err, c, c2)
			return false
		}
		if err := sameTree(in, string(c)); err != nil {
			t.Logf("%v\n%q\n%s", err, in, c)
			return false
		}
		return true
	}, gen(genDocument), gen(func(r *rand.Rand) int64 { return r.Int63() })))
	props.TestingRun(t)
}

// toUTF16 encodes s as UTF-16, little or big endian, with or without a
// byte order mark.
func toUTF16(s string, le, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if le {
			b = append(b, byte(u), byte(u>>8))
		} else {
			b = append(b, byte(u>>8), byte(u))
		}
	}
	return b
}

// TestPropertyEnrollment: the typed view survives Build, Marshal,
// Unmarshal and Enrollment, for values that reach every field.
func TestPropertyEnrollment(t *testing.T) {
	props := properties(t)
	props.Property("Enrollment(Unmarshal(Marshal(Build(e)))) == e", prop.ForAll(func(e *Enrollment) bool {
		d, err := Build(e)
		if err != nil {
			t.Logf("Build: %v", err)
			return false
		}
		b, err := d.MarshalText()
		if err != nil {
			t.Logf("Marshal: %v", err)
			return false
		}
		var back Document
		if err := back.UnmarshalText(b); err != nil {
			t.Logf("Unmarshal: %v\n%s", err, b)
			return false
		}
		if s := diff(d, &back); s != "" {
			t.Logf("Document (-built +read)\n%s", s)
			return false
		}
		got, err := back.Enrollment()
		if err != nil {
			t.Logf("Enrollment: %v\n%s", err, b)
			return false
		}
		if s := diff(e, got); s != "" {
			t.Logf("(-e +got)\n%s\n%s", s, b)
			return false
		}
		return true
	}, gen(genEnrollment)))
	props.TestingRun(t)
}

// TestSameTreeFails: the comparison is not blind.
func TestSameTreeFails(t *testing.T) {
	base := `<wap-provisioningdoc><characteristic type="a"><parm name="p" value="v"/><!--c--><e>t<f/></e></characteristic></wap-provisioningdoc>`
	for _, other := range []string{
		`<wap-provisioningdoc><characteristic type="b"><parm name="p" value="v"/><!--c--><e>t<f/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><parm name="p" value="w"/><!--c--><e>t<f/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><parm name="p"/><!--c--><e>t<f/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><parm name="p" value="v"/><!--d--><e>t<f/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><parm name="p" value="v"/><!--c--><e>t <f/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><parm name="p" value="v"/><!--c--><e>t<g/></e></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="a"><!--c--><parm name="p" value="v"/><e>t<f/></e></characteristic></wap-provisioningdoc>`,
	} {
		if sameTree(base, other) == nil {
			t.Errorf("no difference found with %s", other)
		}
	}
	if err := sameTree(base, "\n"+base[:len(base)-len("</wap-provisioningdoc>")]+"\n </wap-provisioningdoc>"); err != nil {
		t.Errorf("formatting counted: %v", err)
	}
}
