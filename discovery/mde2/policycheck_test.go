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
	"testing"
)

// TestPolicyKeyKinds: a certificate policy takes an RSA key of its
// minimal length or more (2048 when unset), an ECDSA key on a curve of
// its minimal size or more only when ECDSA is allowed, and no Ed25519
// key, for requests of each kind ParseCertificateRequest reads.
func TestPolicyKeyKinds(t *testing.T) {
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csrOf := func(key crypto.Signer) *CertificateRequest {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "k"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rsa1024, rsa2048, p256, p224r, edr := csrOf(mustRSA1024()), csrOf(testRSAKey), csrOf(testECKey), csrOf(p224), csrOf(ed)
	noEC := DefaultPolicy()
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
		{"P-256", DefaultPolicy(), p256, true},
		{"P-224", DefaultPolicy(), p224r, false},
		{"P-224, minimum unset", unset, p224r, true},
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
	if got := p.response().Policies[0].MinimalKeyLength; got != 2048 {
		t.Errorf("minimalKeyLength announced %d, want 2048", got)
	}
}
