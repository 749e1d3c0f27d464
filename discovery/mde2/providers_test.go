package mde2

import (
	"errors"
	"strings"
	"testing"
)

// TestCryptoProvidersRule checks the cryptoProviders rule of
// KeyFromPolicy from the specifications, reading each list from a
// GetPoliciesResponse as a Client does. MS-XCEP: the providers are where
// the private key is made, unordered; a policy without providers MUST
// send the element nil; each name has the syntax of pKIDefaultCSPs
// (MS-CRTD), "<priority>,<name>", while Microsoft's sample sends bare
// names, on their own lines. The rule: a list of CryptoAPI providers
// (CSPs) none of which makes a key of the algorithm (no CSP makes ECDSA
// keys; the DSS ones make DSA keys) is refused with ErrKeyPolicy, before
// a key is made; a list that is nil, absent or empty, or names a key
// storage provider (CNG, which makes RSA and ECDSA keys) or a provider
// not known (an HSM's), decides nothing.
func TestCryptoProvidersRule(t *testing.T) {
	const (
		enhanced = "Microsoft Enhanced Cryptographic Provider v1.0"
		base     = "Microsoft Base Cryptographic Provider v1.0"
		dss      = "Microsoft Base DSS Cryptographic Provider"
	)
	list := func(names ...string) string {
		return "<cryptoProviders><provider>" + strings.Join(names, "</provider><provider>") + "</provider></cryptoProviders>"
	}
	for _, tc := range []struct {
		name      string
		ecdsa     bool   // the policy names ECDSA P-256, else nothing (RSA)
		providers string // the cryptoProviders element, as sent
		refused   bool
	}{
		{"RSA, nil", false, `<cryptoProviders xsi:nil="true"/>`, false},
		{"RSA, absent", false, "", false},
		{"RSA, empty element", false, "<cryptoProviders/>", false},
		{"RSA, an empty provider", false, list(""), false},
		{"RSA, the sample's CSPs on their own lines", false, list("\n"+enhanced, "\n"+base), false},
		{"RSA, DSS only", false, list(dss), true},
		{"RSA, DSS only, pKIDefaultCSPs syntax", false, list("1," + dss), true},
		{"RSA, DSS and an RSA CSP", false, list(dss, "2,"+base), false},
		{"RSA, a key storage provider", false, list("Microsoft Software Key Storage Provider"), false},
		{"ECDSA, nil", true, `<cryptoProviders xsi:nil="true"/>`, false},
		{"ECDSA, absent", true, "", false},
		{"ECDSA, empty element", true, "<cryptoProviders/>", false},
		{"ECDSA, an empty provider", true, list(""), false},
		{"ECDSA, the sample's CSPs on their own lines", true, list("\n"+enhanced, "\n"+base), true},
		{"ECDSA, pKIDefaultCSPs syntax", true, list("1,"+enhanced, "2,"+base), true},
		{"ECDSA, pKIDefaultCSPs syntax with spaces", true, list(" 1 , " + enhanced), true},
		{"ECDSA, a CSP in capitals", true, list(strings.ToUpper(enhanced)), true},
		{"ECDSA, the smart card CSP", true, list("Microsoft Base Smart Card Crypto Provider"), true},
		{"ECDSA, DSS CSP", true, list(dss), true},
		{"ECDSA, software KSP", true, list("Microsoft Software Key Storage Provider"), false},
		{"ECDSA, TPM KSP, pKIDefaultCSPs syntax", true, list("1,Microsoft Platform Crypto Provider"), false},
		{"ECDSA, smart card KSP", true, list("Microsoft Smart Card Key Storage Provider"), false},
		{"ECDSA, a CSP and an unknown provider", true, list(enhanced, "Contoso HSM"), false},
		{"ECDSA, a priority alone", true, list("1,"), false},
		{"ECDSA, not a priority", true, list("1a," + enhanced), false},
	} {
		p := Policy{CommonName: "c", PolicySchema: 3, MinimalKeyLength: 2048, CryptoProviders: []string{"PROVIDERS"}}
		resp := &GetPoliciesResponse{Policies: []Policy{p}}
		if tc.ecdsa {
			resp.Policies[0].MinimalKeyLength, resp.Policies[0].KeyAlgorithmOIDRef = 256, intp(2)
			resp.OIDs = []OID{{Value: oidCurveP256, Group: 3, ReferenceID: 2}}
		}
		b, err := Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		const placeholder = "<cryptoProviders><provider>PROVIDERS</provider></cryptoProviders>"
		if !strings.Contains(string(b), placeholder) {
			t.Fatalf("no %s in %s", placeholder, b)
		}
		var read GetPoliciesResponse
		if err := Unmarshal([]byte(strings.Replace(string(b), placeholder, tc.providers, 1)), &read); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		k, err := keyFor(KeyFromPolicy, &read, DefaultMaxGeneratedRSAKeyBits)
		switch {
		case tc.refused && !errors.Is(err, ErrKeyPolicy):
			t.Errorf("%s (read %q): key %+v, err %v, want ErrKeyPolicy", tc.name, read.Policies[0].CryptoProviders, k, err)
		case !tc.refused && err != nil:
			t.Errorf("%s (read %q): %v", tc.name, read.Policies[0].CryptoProviders, err)
		case !tc.refused && (k.curve != nil) != tc.ecdsa:
			t.Errorf("%s: key %+v, want ECDSA %v", tc.name, k, tc.ecdsa)
		}
	}
}
