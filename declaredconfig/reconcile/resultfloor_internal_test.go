package reconcile

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// TestResultFloorBelowResult: resultFloor is what the least result that
// reports each setting (its path, status, a one-digit state and its
// type, nothing else) takes, to the byte, when no path holds a bulk
// variable or an escape; never more than it when they do (a variable
// filled with one byte, "&" escaped); and counts its elements.
func TestResultFloorBelowResult(t *testing.T) {
	for _, c := range []struct {
		paths []string // of a second CSP; the first has two plain ones
		types []string
		exact bool
	}{
		{[]string{"A/B", "C"}, []string{"int", ""}, true},
		{[]string{"PFX/@#thumb#/Blob", "@#x#", "Z/@#y#/@#z#"}, []string{"chr", "b64", ""}, false},
		{[]string{"A&B/<C>", `D"E`}, []string{"chr", "chr"}, false},
	} {
		doc := &declaredconfig.Document{CSPs: []declaredconfig.CSP{
			{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool"}, {Path: "P/Servers", Type: "chr"}}},
			{Name: "./Vendor/MSFT/ClientCertificateInstall"},
		}}
		for i, p := range c.paths {
			doc.CSPs[1].Settings = append(doc.CSPs[1].Settings, declaredconfig.Setting{Path: p, Type: c.types[i]})
		}
		res := &declaredconfig.Result{}
		elems := 1
		for _, csp := range doc.CSPs {
			rc := declaredconfig.CSPResult{Name: csp.Name}
			for _, s := range csp.Settings {
				filled := s.Path
				for {
					i := strings.Index(filled, "@#")
					if i < 0 {
						break
					}
					j := strings.IndexByte(filled[i+2:], '#')
					filled = filled[:i] + "v" + filled[i+3+j:]
				}
				rc.Settings = append(rc.Settings, declaredconfig.SettingResult{Path: filled, Status: "200", State: "0", Type: s.Type})
			}
			res.CSPs = append(res.CSPs, rc)
			elems += 1 + len(csp.Settings)
		}
		text, err := res.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		size, n := resultFloor(doc)
		if size > len(text) || c.exact && size != len(text) || n != elems {
			t.Errorf("%q: floor %d bytes, %d elements; the least result %d bytes (exact %v), %d elements:\n%s",
				c.paths, size, n, len(text), c.exact, elems, text)
		}
	}
}

// BenchmarkResultFloor is what Declare adds to a 5000-setting document:
// no allocation, a pass over its settings (its MarshalText, which
// Declare makes as well, for scale).
func BenchmarkResultFloor(b *testing.B) {
	doc := &declaredconfig.Document{CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy"}}}
	for i := range 5000 {
		doc.CSPs[0].Settings = append(doc.CSPs[0].Settings, declaredconfig.Setting{Path: "Config/Big/S" + strings.Repeat("x", i%7), Type: "chr", Value: "v"})
	}
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resultFloor(doc)
		}
	})
	b.Run("MarshalText", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := doc.MarshalText(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
