package mde2

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"os"
	"testing"
)

func issueFor(t testing.TB, ca *CA, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(context.Background(), &IssueRequest{CSR: csr, Subject: pkix.Name{CommonName: cn}})
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestRenewalRequest(t *testing.T) {
	ca, err := NewMemoryCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []crypto.Signer{testECKey, testRSAKey} {
		cert := issueFor(t, ca, key, "dev1")
		newCSR := handCSR(t, testECKey, windowsCN, 19, false)
		p7, err := BuildRenewalRequest(newCSR, cert, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseRenewalRequest(p7)
		if err != nil {
			t.Fatalf("%T: %v", key, err)
		}
		if !r.Signer.Equal(cert) || string(r.CSR.Raw) != string(newCSR) {
			t.Errorf("%T: signer or request differ", key)
		}
		// A signature by another key does not verify.
		other := issueFor(t, ca, testECKey, "dev2")
		if key != crypto.Signer(testECKey) {
			// BuildRenewalRequest refuses a key that is not the
			// certificate's: one that claims the certificate's public key
			// and signs with another gets past it.
			forged, err := BuildRenewalRequest(newCSR, cert, claimedKey{testECKey, cert.PublicKey}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseRenewalRequest(forged); !errors.Is(err, ErrPKCS7) {
				t.Errorf("forged: %v, want ErrPKCS7", err)
			}
		}
		_ = other
		for i := 0; i < len(p7); i += 7 {
			bad := append([]byte(nil), p7...)
			bad[i] ^= 0x10
			r, err := ParseRenewalRequest(bad)
			if err == nil && string(r.CSR.Raw) != string(newCSR) {
				t.Errorf("byte %d flipped: accepted a different request", i)
			}
			// "mde2: " once: before, a signature that did not verify
			// read "mde2: bad PKCS#7 renewal token: signature: mde2:
			// bad certificate request: …".
			if err != nil && !errtest.PrefixOnce(err.Error(), "mde2: ") {
				t.Errorf("byte %d flipped: %q, want %q once", i, err, "mde2: ")
			}
		}
	}
}

// TestRenewalRequestOpenSSL reads SignedData made by another implementation
// (openssl cms -sign -nodetach -binary, with and without -noattr; ECDSA
// P-256 signer "dev", request "new").
func TestRenewalRequestOpenSSL(t *testing.T) {
	for _, f := range []string{"testdata/withattrs.p7", "testdata/noattrs.p7"} {
		der, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseRenewalRequest(der)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r.Signer.Subject.CommonName != "dev" || r.CSR.CommonName() != "new" {
			t.Errorf("%s: signer %q, request %q", f, r.Signer.Subject.CommonName, r.CSR.CommonName())
		}
	}
}

// claimedKey signs with its Signer but gives pub as its public key: a
// forger's key, for tokens BuildRenewalRequest would not build otherwise.
type claimedKey struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (k claimedKey) Public() crypto.PublicKey { return k.pub }
