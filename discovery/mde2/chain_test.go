package mde2

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// TestResultIntermediates: under an issuing CA below a root, the
// document installs the intermediate (CA store); the Result holds it and
// TLSCertificate presents it, and a renewal whose document carries the
// new certificate only keeps it, as it keeps the roots.
func TestResultIntermediates(t *testing.T) {
	f := newFixture(t, true)
	root := f.ca
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "issuing CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}, root.Root(), &key.PublicKey, root.Signer())
	if err != nil {
		t.Fatal(err)
	}
	inter, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Issuer = NewCA(inter, key)
	f.srv.Certificate = func(_ context.Context, chain []*x509.Certificate) (*Identity, error) {
		return &Identity{Name: chain[0].Subject.CommonName}, nil
	}
	f.srv.Provision = func(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		pe, err := f.srv.DefaultProvision(ctx, r, cert)
		if err == nil && !r.Renewal {
			pe.RootCerts, pe.CACerts = [][]byte{root.Root().Raw}, [][]byte{inter.Raw}
		}
		return pe, err
	}
	r, n := f.enrollAndRenew(t)
	for name, res := range map[string]*Result{"enrolled": r, "renewed": n} {
		if len(res.Intermediates) != 1 || !res.Intermediates[0].Equal(inter) {
			t.Errorf("%s: Intermediates %v", name, res.Intermediates)
		}
		if c := res.TLSCertificate(); len(c.Certificate) != 2 || !bytes.Equal(c.Certificate[1], inter.Raw) {
			t.Errorf("%s: TLSCertificate presents %d certificates, want the certificate and the intermediate", name, len(c.Certificate))
		}
		if len(res.Roots) != 1 || !res.Roots[0].Equal(root.Root()) {
			t.Errorf("%s: Roots %v", name, res.Roots)
		}
	}
}
