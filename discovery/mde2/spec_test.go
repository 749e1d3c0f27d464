package mde2

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// specDir holds Microsoft's documents, outside the repository; tests read
// them in place and skip when they are absent.
const specDir = "../../../shared/spec"

var fence = regexp.MustCompile("(?s)```xml\\s*\n(.*?)```")

// specEnvelopes returns the XML samples of the enrollment pages and
// MS-MDE2 that are SOAP envelopes, keyed "file#n".
func specEnvelopes(t *testing.T) map[string][]byte {
	t.Helper()
	pages := []string{
		"ms-docs/client-management/mobile-device-enrollment.md",
		"ms-docs/client-management/federated-authentication-device-enrollment.md",
		"ms-docs/client-management/certificate-authentication-device-enrollment.md",
		"ms-docs/client-management/on-premise-authentication-device-enrollment.md",
		"ms-docs/client-management/certificate-renewal-windows-mdm.md",
	}
	out := map[string][]byte{}
	for _, p := range pages {
		b, err := os.ReadFile(filepath.Join(specDir, p))
		if os.IsNotExist(err) {
			t.Skipf("%s absent", p)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range fence.FindAllSubmatch(b, -1) {
			x := bytes.TrimSpace(m[1])
			// Some samples start with the HTTP request line and headers.
			if j := bytes.Index(x, []byte("<s:Envelope")); j > 0 {
				x = x[j:]
			} else if j := bytes.Index(x, []byte("<s:envelope")); j > 0 {
				x = x[j:]
			}
			if bytes.HasPrefix(x, []byte("<?xml")) {
				if j := bytes.Index(x, []byte("?>")); j > 0 {
					x = bytes.TrimSpace(x[j+2:])
				}
			}
			if !bytes.HasPrefix(bytes.ToLower(x), []byte("<s:envelope")) {
				continue
			}
			out[filepath.Base(p)+"#"+string(rune('0'+i/10))+string(rune('0'+i%10))] = x
		}
	}
	if len(out) == 0 {
		t.Fatal("no SOAP samples found in the spec pages")
	}
	return out
}

// wellFormed reports whether encoding/xml reads b to the end.
func wellFormed(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// TestSpecSamples decodes every well-formed documented envelope and checks
// that decode -> encode -> decode gives the same values.
func TestSpecSamples(t *testing.T) {
	decoded := 0
	for name, x := range specEnvelopes(t) {
		t.Run(name, func(t *testing.T) {
			if !wellFormed(x) {
				t.Skip("sample is not well-formed XML")
			}
			m, err := ReadMessage(x, Limits{})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			decoded++
			enc, err := Marshal(m)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			m2, err := ReadMessage(enc, Limits{})
			if err != nil {
				t.Fatalf("decode of encoded: %v\n%s", err, enc)
			}
			if d := cmp.Diff(m, m2); d != "" {
				t.Errorf("decode -> encode -> decode differs (-first +second):\n%s", d)
			}
		})
	}
	if decoded < 8 {
		t.Errorf("decoded %d documented samples, want at least 8", decoded)
	}
}
