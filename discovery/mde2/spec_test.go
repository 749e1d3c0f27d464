package mde2

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	// MS-MDE2's examples are outside code fences (a machine conversion):
	// each runs from a line starting <s:Envelope to its end tag.
	b, err := os.ReadFile(filepath.Join(specDir, "openspecs/ms-mde2/MS-MDE2.md"))
	if err != nil {
		t.Skipf("MS-MDE2.md: %v", err)
	}
	for i, m := range openspecEnvelope.FindAll(b, -1) {
		out[fmt.Sprintf("MS-MDE2.md#%02d", i)] = m
	}
	if len(out) == 0 {
		t.Fatal("no SOAP samples found in the spec pages")
	}
	return out
}

var openspecEnvelope = regexp.MustCompile(`(?is)(?:^|\n)(?:- )?<s:envelope.*?</s:envelope>`)

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

// TestSpecValues checks values that the documented samples carry: each
// must be found in some decoded sample.
func TestSpecValues(t *testing.T) {
	found := map[string]bool{}
	for _, x := range specEnvelopes(t) {
		if !wellFormed(x) {
			continue
		}
		m, err := ReadMessage(x, Limits{})
		if err != nil {
			continue // TestSpecSamples reports it
		}
		switch m := m.(type) {
		case *Discover:
			if m.RequestVersion != "" && m.EmailAddress == "user@contoso.com" && len(m.AuthPolicies) > 0 {
				found["Discover with EmailAddress, RequestVersion and AuthPolicies"] = true
			}
		case *DiscoverResponse:
			if m.AuthPolicy == Federated && strings.HasPrefix(m.AuthenticationServiceURL, "https://") && m.EnrollmentServiceURL != "" {
				found["Federated DiscoverResponse with AuthenticationServiceUrl"] = true
			}
		case *GetPolicies:
			if m.Header.UsernameToken != nil && m.Header.UsernameToken.Username == "user@contoso.com" && m.Header.UsernameToken.Password == "mypassword" {
				found["GetPolicies with a UsernameToken"] = true
			}
			if m.Header.Token != nil && m.Header.Token.ValueType == ValueTypeUserToken {
				found["GetPolicies with a Federated token"] = true
			}
		case *GetPoliciesResponse:
			for _, p := range m.Policies {
				if p.MinimalKeyLength == 2048 && p.ValidityPeriodSeconds == 1209600 && p.HashAlgorithmOIDRef != nil && len(m.OIDs) > 0 {
					found["GetPoliciesResponse with key length, validity and OIDs"] = true
				}
			}
		case *RequestSecurityToken:
			d := m.Context.Device()
			if m.Token.ValueType == ValueTypePKCS10 && d.DeviceType == "CIMClient_Windows" && len(d.MAC) == 2 && d.DeviceID != "" {
				found["RST with PKCS#10 token and typed AdditionalContext"] = true
			}
			if m.RequestType == RequestTypeRenew && m.Token.ValueType == ValueTypePKCS7 {
				found["renewal RST with a PKCS#7 token"] = true
			}
		case *RequestSecurityTokenResponse:
			if m.Token.ValueType == ValueTypeProvisionDoc && m.Header.SOAP11 {
				found["SOAP 1.1 RSTR with the provisioning token"] = true
			}
		case *Fault:
			if m.Code == FaultAuthorization && m.ErrorType == ErrorDeviceCapReached && m.HRESULT() == 0x80180013 {
				found["fault with errortype DeviceCapReached"] = true
			}
		}
	}
	for _, want := range []string{
		"Discover with EmailAddress, RequestVersion and AuthPolicies",
		"Federated DiscoverResponse with AuthenticationServiceUrl",
		"GetPolicies with a UsernameToken",
		"GetPolicies with a Federated token",
		"GetPoliciesResponse with key length, validity and OIDs",
		"RST with PKCS#10 token and typed AdditionalContext",
		"renewal RST with a PKCS#7 token",
		"SOAP 1.1 RSTR with the provisioning token",
		"fault with errortype DeviceCapReached",
	} {
		if !found[want] {
			t.Errorf("no documented sample gave: %s", want)
		}
	}
}
