package mde2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestPolicyKeyKinds: a certificate policy takes an RSA key of its
// minimal length or more (2048 when unset), an ECDSA key on a curve of
// its minimal size or more only when ECDSA is allowed (not by
// DefaultPolicy, which announces RSA), and no Ed25519 key, for requests
// of each kind ParseCertificateRequest reads.
func TestPolicyKeyKinds(t *testing.T) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, rsa2048, p256, p224r, p384r, edr := mustParseCSR(t, mustRSA1024()), mustParseCSR(t, testRSAKey), mustParseCSR(t, testECKey),
		mustParseCSR(t, ecKey(t, elliptic.P224())), mustParseCSR(t, ecKey(t, elliptic.P384())), mustParseCSR(t, ed)
	ecP256 := &CertificatePolicy{KeyAlgorithm: PolicyECDSA, AllowECDSA: true}
	ecP384 := &CertificatePolicy{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 300}
	noEC := withECDSA()
	noEC.AllowECDSA = false
	unset := &CertificatePolicy{AllowECDSA: true}
	for _, tt := range []struct {
		name string
		p    *CertificatePolicy
		csr  *CertificateRequest
		ok   bool
	}{
		{"RSA 2048", DefaultPolicy(), rsa2048, true},
		{"RSA 1024", DefaultPolicy(), rsa1024, false},
		{"RSA 1024, minimum unset", unset, rsa1024, false},
		{"RSA 2048, minimum unset", unset, rsa2048, true},
		{"RSA 1024, minimum 1024", &CertificatePolicy{MinimalRSAKeyLength: 1024}, rsa1024, true},
		{"RSA 1024, minimum negative", &CertificatePolicy{MinimalRSAKeyLength: -1}, rsa1024, false},
		{"P-256, DefaultPolicy", DefaultPolicy(), p256, false}, // Changed: it was taken
		{"P-384, DefaultPolicy", DefaultPolicy(), p384r, false},
		{"P-256, ECDSA allowed", withECDSA(), p256, true},
		{"P-224, ECDSA allowed", withECDSA(), p224r, false},
		{"P-224, minimum unset", unset, p224r, false}, // Changed: the minimum is 256 when unset
		{"P-224, minimum 224", &CertificatePolicy{AllowECDSA: true, MinimalECDSAKeyLength: 224}, p224r, true},
		{"ECDSA policy, P-256", ecP256, p256, true},
		{"ECDSA policy, P-384", ecP256, p384r, true},
		{"ECDSA policy, P-224", ecP256, p224r, false},
		{"ECDSA policy, RSA 2048", ecP256, rsa2048, false},
		{"ECDSA policy, Ed25519", ecP256, edr, false},
		{"ECDSA policy of 300 bits, P-256", ecP384, p256, false},
		{"ECDSA policy of 300 bits, P-384", ecP384, p384r, true},
		{"ECDSA policy without AllowECDSA, P-256", &CertificatePolicy{KeyAlgorithm: PolicyECDSA}, p256, true},
		{"P-256, ECDSA not allowed", noEC, p256, false},
		{"Ed25519", DefaultPolicy(), edr, false},
	} {
		err := tt.p.check(tt.csr)
		var f *Fault
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (!errors.As(err, &f) || f.Code != FaultCertificateRequest):
			t.Errorf("%s: %v, want a %s fault", tt.name, err, FaultCertificateRequest)
		}
	}
}

// TestPolicyNegativeRSAMinimum: a negative MinimalRSAKeyLength is the
// default, 2048, as zero is, in the minimalKeyLength announced too; before,
// it took any RSA key and announced the negative length.
func TestPolicyNegativeRSAMinimum(t *testing.T) {
	p := &CertificatePolicy{MinimalRSAKeyLength: -1}
	resp, err := p.response()
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Policies[0].MinimalKeyLength; got != 2048 {
		t.Errorf("minimalKeyLength announced %d, want 2048", got)
	}
}

// TestPolicyAnnouncesKeyAlgorithm: an ECDSA policy announces its curve
// as the algorithmOIDReference of an OID of group 3 (public key) with the
// curve's length as minimalKeyLength; an RSA policy names no algorithm
// (RSA, as Windows reads nil). A policy it cannot announce is the
// Server's error, for GetPolicies and for a request alike.
func TestPolicyAnnouncesKeyAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		p       *CertificatePolicy
		oid     string // "" for no algorithmOIDReference
		minimal int
	}{
		{DefaultPolicy(), "", 2048},
		{&CertificatePolicy{MinimalRSAKeyLength: 3072}, "", 3072},
		{&CertificatePolicy{KeyAlgorithm: PolicyECDSA}, "1.2.840.10045.3.1.7", 256},
		{&CertificatePolicy{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 257}, "1.3.132.0.34", 384},
		{&CertificatePolicy{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 521}, "1.3.132.0.35", 521},
	} {
		resp, err := tc.p.response()
		if err != nil {
			t.Fatal(err)
		}
		pol := resp.Policies[0]
		if pol.MinimalKeyLength != tc.minimal {
			t.Errorf("%s: minimalKeyLength %d, want %d", tc.oid, pol.MinimalKeyLength, tc.minimal)
		}
		switch {
		case tc.oid == "" && pol.KeyAlgorithmOIDRef != nil:
			t.Errorf("RSA policy names algorithm %d", *pol.KeyAlgorithmOIDRef)
		case tc.oid != "":
			var got *OID
			for i, o := range resp.OIDs {
				if pol.KeyAlgorithmOIDRef != nil && o.ReferenceID == *pol.KeyAlgorithmOIDRef {
					got = &resp.OIDs[i]
				}
			}
			if got == nil || got.Value != tc.oid || got.Group != 3 {
				t.Errorf("algorithm %+v, want %s in group 3", got, tc.oid)
			}
		}
	}
	csr, err := ParseCertificateRequest(mustCSR(t, testECKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*CertificatePolicy{{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 522}, {KeyAlgorithm: 7}} {
		if _, err := p.response(); !isConfigError(err) {
			t.Errorf("%+v: response %v, want a configError", p, err)
		}
		if err := p.check(csr); !isConfigError(err) {
			t.Errorf("%+v: check %v, want a configError", p, err)
		}
	}
}

func isConfigError(err error) bool {
	_, ok := errors.AsType[*configError](err)
	return ok
}

func mustCSR(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "k"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestPolicyTakesWhatItAnnounces: for policies of each algorithm and
// length, a request's key is taken exactly when it is of the algorithm
// and length the policy's GetPoliciesResponse announces, as a device
// reads it from the message (the algorithmOIDReference's OID, RSA when
// nil, and minimalKeyLength), apart from the ECDSA keys AllowECDSA takes
// beyond an RSA announcement. Before, DefaultPolicy took ECDSA P-256
// keys it announced as RSA.
func TestPolicyTakesWhatItAnnounces(t *testing.T) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]crypto.Signer{"RSA 1024": mustRSA1024(), "RSA 2048": testRSAKey, "P-224": ecKey(t, elliptic.P224()), "P-256": testECKey,
		"P-384": ecKey(t, elliptic.P384()), "P-521": ecKey(t, elliptic.P521()), "Ed25519": ed}
	csrs := map[string]*CertificateRequest{}
	for name, k := range keys {
		csrs[name] = mustParseCSR(t, k)
	}
	// The curve a key of this name is on, by the OID a policy names it
	// with, and its length.
	curveOID := map[string]string{"P-256": "1.2.840.10045.3.1.7", "P-384": "1.3.132.0.34", "P-521": "1.3.132.0.35"}
	bits := map[string]int{"RSA 1024": 1024, "RSA 2048": 2048, "P-224": 224, "P-256": 256, "P-384": 384, "P-521": 521}
	var policies []*CertificatePolicy
	for _, allow := range []bool{false, true} {
		for _, n := range []int{-1, 0, 1024, 2048, 3072} {
			policies = append(policies, &CertificatePolicy{MinimalRSAKeyLength: n, AllowECDSA: allow})
		}
		for _, n := range []int{-1, 0, 224, 256, 300, 384, 521} {
			policies = append(policies, &CertificatePolicy{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: n, AllowECDSA: allow})
		}
	}
	policies = append(policies, DefaultPolicy())
	for _, p := range policies {
		resp, err := p.response()
		if err != nil {
			t.Fatal(err)
		}
		// Read the announcement back as a device does.
		data, err := Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var read GetPoliciesResponse
		if err := Unmarshal(data, &read); err != nil {
			t.Fatal(err)
		}
		pol := read.Policies[0]
		alg := ""
		if pol.KeyAlgorithmOIDRef != nil {
			for _, o := range read.OIDs {
				if o.ReferenceID == *pol.KeyAlgorithmOIDRef {
					alg = o.Value
				}
			}
		}
		for name, csr := range csrs {
			var announced bool
			switch {
			case name == "Ed25519":
			case alg == "":
				announced = strings.HasPrefix(name, "RSA") && bits[name] >= pol.MinimalKeyLength
			default:
				// A curve at least as long as the one announced.
				announced = curveOID[name] != "" && bits[name] >= pol.MinimalKeyLength && slices.Contains(slices.Collect(maps.Values(curveOID)), alg)
			}
			beyond := p.AllowECDSA && alg == "" && curveOID[name] != "" && bits[name] >= max(p.MinimalECDSAKeyLength, 256)
			err := p.check(csr)
			switch {
			case (announced || beyond) && err != nil:
				t.Errorf("%+v (announces %q, %d bits): %s refused: %v", *p, alg, pol.MinimalKeyLength, name, err)
			case !announced && !beyond && err == nil:
				t.Errorf("%+v (announces %q, %d bits): %s taken, which it does not announce", *p, alg, pol.MinimalKeyLength, name)
			}
		}
	}
}

// ecKey returns a new ECDSA key on curve.
func ecKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
