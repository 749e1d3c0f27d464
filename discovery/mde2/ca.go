package mde2

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"time"
)

// IssueRequest is what an Issuer signs: a verified request and the
// subject the server chose.
type IssueRequest struct {
	CSR *CertificateRequest
	// Subject is the issued certificate's subject. An Issuer may add to
	// it, but the Server refuses a certificate whose common name is not
	// Subject's (see Server.Issuer).
	Subject pkix.Name
	// Renewal is set when the request renews Previous.
	Renewal  bool
	Previous *x509.Certificate
}

// Issuer issues client certificates. *CA is the implementation here; a
// server with its own PKI implements Issuer over it.
type Issuer interface {
	// Issue returns the issued certificate.
	Issue(ctx context.Context, r *IssueRequest) (*x509.Certificate, error)
	// Root returns the certificate devices must trust for the issued
	// ones (it goes into the provisioning document's Root store).
	Root() *x509.Certificate
}

// CA is an Issuer that signs with a crypto.Signer (a key in memory, an
// HSM, a cloud KMS) under its certificate.
type CA struct {
	cert   *x509.Certificate
	signer crypto.Signer

	// Validity is the issued certificates' lifetime (default one year).
	Validity time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Rand is the randomness for serial numbers and signatures (default
	// crypto/rand); when it is set, issuing is serialized.
	Rand io.Reader

	mu sync.Mutex
}

// NewCA returns a CA signing with signer under cert. The signer's public
// key must be cert's.
func NewCA(cert *x509.Certificate, signer crypto.Signer) *CA {
	return &CA{cert: cert, signer: signer}
}

// NewMemoryCA makes a self-signed ECDSA P-256 root, valid for ten years
// from now, with the given common name: the default for tests and
// examples.
func NewMemoryCA(commonName string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randSerial(rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return NewCA(cert, key), nil
}

// Root returns the CA's certificate; it is nil for a CA not made by NewCA
// or NewMemoryCA, and for a nil *CA, which a Server then refuses to use.
func (ca *CA) Root() *x509.Certificate {
	if ca == nil {
		return nil
	}
	return ca.cert
}

// Signer returns the CA's signer.
func (ca *CA) Signer() crypto.Signer { return ca.signer }

// Issue signs a client-authentication certificate for the request's key.
func (ca *CA) Issue(ctx context.Context, r *IssueRequest) (*x509.Certificate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rnd := ca.Rand
	if rnd == nil {
		rnd = rand.Reader
	} else {
		// a caller's Rand need not be safe for concurrent use
		ca.mu.Lock()
		defer ca.mu.Unlock()
	}
	now := time.Now
	if ca.Now != nil {
		now = ca.Now
	}
	validity := ca.Validity
	if validity <= 0 {
		validity = 365 * 24 * time.Hour
	}
	serial, err := randSerial(rnd)
	if err != nil {
		return nil, err
	}
	t := now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      r.Subject,
		NotBefore:    t.Add(-5 * time.Minute),
		NotAfter:     t.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	der, err := x509.CreateCertificate(rnd, tmpl, ca.cert, r.CSR.PublicKey, ca.signer)
	if err != nil {
		return nil, pkg.Errorf("issuing: %v", err)
	}
	return x509.ParseCertificate(der)
}

func randSerial(r io.Reader) (*big.Int, error) {
	return rand.Int(r, new(big.Int).Lsh(big.NewInt(1), 127))
}

// IssueTLSServer issues a TLS server certificate for hosts (DNS names or
// IP addresses) under the CA, with a new ECDSA P-256 key, so that devices
// that trust the CA's root (the provisioning document installs it) trust
// the server too. It is meant for tests and loopback examples.
func (ca *CA) IssueTLSServer(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, pkg.Errorf("IssueTLSServer needs a host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := randSerial(rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now
	if ca.Now != nil {
		now = ca.Now
	}
	t := now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    t.Add(-5 * time.Minute),
		NotAfter:     t.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.signer)
	if err != nil {
		return tls.Certificate{}, pkg.Errorf("issuing the TLS certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}
