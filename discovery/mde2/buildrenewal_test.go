package mde2

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"testing"
)

// failingSigner is a key whose signing fails, as a smart card or TPM
// key may.
type failingSigner struct{ crypto.Signer }

var errSignFails = errors.New("the key cannot sign now")

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errSignFails
}

// TestBuildRenewalRequestErrors: what BuildRenewalRequest cannot build
// from is an error matching ErrPKCS7, under the package's prefix once,
// never a panic: no certificate or key, an Ed25519 key, a certificate
// without a serial number, and a key that fails to sign, whose error is
// wrapped. Nor is a token no server verifies built: one signed by a key
// that is not the certificate's, or naming a certificate without its
// encoding (a struct filled by hand).
func TestBuildRenewalRequestErrors(t *testing.T) {
	ca, err := NewMemoryCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	cert := issueFor(t, ca, testECKey, "dev1")
	noSerial := *cert
	noSerial.SerialNumber = nil
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr := handCSR(t, testECKey, windowsCN, 19, false)
	for _, tt := range []struct {
		name string
		do   func() ([]byte, error)
		also error
	}{
		{"no certificate", func() ([]byte, error) { return BuildRenewalRequest(csr, nil, testECKey, nil) }, nil},
		{"no key", func() ([]byte, error) { return BuildRenewalRequest(csr, cert, nil, nil) }, nil},
		{"Ed25519 key", func() ([]byte, error) { return BuildRenewalRequest(csr, cert, ed, nil) }, nil},
		{"no serial number", func() ([]byte, error) { return BuildRenewalRequest(csr, &noSerial, testECKey, nil) }, nil},
		{"a key not the certificate's", func() ([]byte, error) { return BuildRenewalRequest(csr, cert, testRSAKey, nil) }, nil},
		{"a certificate not read from DER", func() ([]byte, error) {
			return BuildRenewalRequest(csr, &x509.Certificate{SerialNumber: cert.SerialNumber, PublicKey: cert.PublicKey}, testECKey, nil)
		}, nil},
		{"signing fails", func() ([]byte, error) { return BuildRenewalRequest(csr, cert, failingSigner{testECKey}, nil) }, errSignFails},
	} {
		b, err := tt.do()
		if b != nil || !errors.Is(err, ErrPKCS7) || (tt.also != nil && !errors.Is(err, tt.also)) {
			t.Errorf("%s: %d bytes, %v; want ErrPKCS7", tt.name, len(b), err)
			continue
		}
		if msg := err.Error(); strings.Count(msg, "mde2: ") != 1 || !strings.HasPrefix(msg, "mde2: ") {
			t.Errorf("%s: %q, want one \"mde2: \" prefix", tt.name, msg)
		}
	}
}
