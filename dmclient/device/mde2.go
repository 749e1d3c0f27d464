package device

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
)

// MDE2 is the Enroller that runs MS-MDE2 with a client of package
// discovery/mde2 at the URLs discovery returned (GetPolicies, then
// RequestSecurityToken with a new key), under the AuthPolicy it returned.
// The Enrollment's ManagementURL is the DM server of the provisioning
// document (w7 ADDR) and its Data, PEM-encoded, the issued certificate
// with the intermediate authorities the document installs, its private
// key and the roots the document installs (see EnrollmentCertificate and
// EnrollmentRoots): a Store that keeps it keeps a secret. A SOAP fault
// gives LastError its HRESULT. MDE2 is a Renewer: Handler.Renew renews
// the certificate.
type MDE2 struct {
	// Client runs the protocol; nil means a zero mde2.Client (ECDSA P-256
	// keys, http.DefaultClient).
	Client *mde2.Client
	// Device is what the device says of itself in the request.
	Device mde2.Device
	// Credentials returns the credential for the AuthPolicy discovery
	// returned: for Federated the Entra device token (Token), for
	// Certificate the primary enrollment's MDM certificate (required).
	Credentials func(ctx context.Context, p discovery.AuthPolicy) (mde2.Credentials, error)
	// OnResult, when set, is given the whole result of each enrollment
	// (certificate, key, roots, provisioning document), before the
	// Handler checks its ManagementURL: an enrollment the Handler then
	// refuses was still given to OnResult.
	OnResult func(*mde2.Result)
}

// Enroll implements Enroller.
func (m *MDE2) Enroll(ctx context.Context, r *EnrollRequest) (*Enrollment, error) {
	if m.Credentials == nil {
		return nil, pkg.Errorf("%w: MDE2 needs Credentials", ErrConfig)
	}
	if r == nil || r.Response == nil {
		return nil, pkg.Errorf("%w: MDE2 needs the discovery response", ErrConfig)
	}
	cred, err := m.Credentials(ctx, r.Response.AuthPolicy)
	if err != nil {
		return nil, pkg.Errorf("credentials for %s: %w", r.Response.AuthPolicy, err)
	}
	c := m.Client
	if c == nil {
		c = &mde2.Client{}
	}
	dev := m.Device
	res, err := c.EnrollLinked(ctx, r.Response, &dev, cred)
	if err != nil {
		return nil, err
	}
	data, err := resultData(res)
	if err != nil {
		return nil, err
	}
	if m.OnResult != nil {
		m.OnResult(res)
	}
	return &Enrollment{ManagementURL: res.Address, AuthPolicy: r.Response.AuthPolicy, EnrollmentServiceURL: r.Response.EnrollmentServiceURL, Data: data}, nil
}

// Renew implements Renewer: it renews the certificate e's Data holds at
// e's EnrollmentServiceURL with mde2.Client.Renew (a new key, its request
// signed with the current key, over a connection that presents the
// current certificate), with Device as the device's word (its DeviceID
// is required, as for Enroll). The Enrollment returned is e with the new
// certificate and key in Data; the intermediate authorities and roots
// stay those e holds unless the renewal's document installs others.
// OnResult, when set, is given the result.
func (m *MDE2) Renew(ctx context.Context, e *Enrollment) (*Enrollment, error) {
	if e == nil {
		return nil, pkg.Errorf("renew: %w", ErrNotEnrolled)
	}
	if e.EnrollmentServiceURL == "" {
		return nil, pkg.Errorf("%w: renew: the enrollment records no EnrollmentServiceURL (saved before it was recorded?)", ErrConfig)
	}
	cur, err := EnrollmentCertificate(e)
	if err != nil {
		return nil, pkg.Errorf("renew: %w", err)
	}
	key, ok := cur.PrivateKey.(crypto.Signer)
	if !ok || cur.Leaf == nil {
		return nil, pkg.Errorf("renew: enrollment data: the key %T cannot sign", cur.PrivateKey)
	}
	c := m.Client
	if c == nil {
		c = &mde2.Client{}
	}
	roots, err := enrollmentRoots(e)
	if err != nil {
		return nil, pkg.Errorf("renew: %w", err)
	}
	prev := &mde2.Result{Certificate: cur.Leaf, Key: key, Roots: roots, EnrollmentURL: e.EnrollmentServiceURL,
		AuthPolicy: mde2.AuthPolicy(e.AuthPolicy), Address: e.ManagementURL}
	for _, der := range cur.Certificate[1:] {
		ic, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, pkg.Errorf("renew: enrollment data: intermediate: %w", err)
		}
		prev.Intermediates = append(prev.Intermediates, ic)
	}
	dev := m.Device
	res, err := c.Renew(ctx, prev, &dev)
	if err != nil {
		return nil, pkg.Errorf("renew at %s: %w", e.EnrollmentServiceURL, err)
	}
	data, err := resultData(res)
	if err != nil {
		return nil, err
	}
	if m.OnResult != nil {
		m.OnResult(res)
	}
	next := e.clone()
	next.Data = data
	return next, nil
}

// pemRoot is the PEM type of the roots in an MDE2 enrollment's Data:
// tls.X509KeyPair skips it, so that the roots are not presented.
const pemRoot = "ROOT CERTIFICATE"

// resultData is the Data of an Enrollment that res set up, PEM-encoded:
// the chain its TLSCertificate presents (the certificate, then the
// intermediate authorities), its private key, and its roots.
func resultData(res *mde2.Result) ([]byte, error) {
	key, err := x509.MarshalPKCS8PrivateKey(res.Key)
	if err != nil {
		return nil, pkg.Errorf("keep the key: %w", err)
	}
	chain := res.TLSCertificate().Certificate
	var data []byte
	for _, der := range chain {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})...)
	for _, c := range res.Roots {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: pemRoot, Bytes: c.Raw})...)
	}
	return data, nil
}

// EnrollmentCertificate returns the client certificate and key an MDE2
// enrollment keeps in its Data, for the TLS of the device's sessions with
// the linked enrollment's server: the certificate, then the intermediate
// authorities the provisioning document installed, with Leaf set.
func EnrollmentCertificate(e *Enrollment) (tls.Certificate, error) {
	if e == nil {
		return tls.Certificate{}, pkg.Errorf("no enrollment")
	}
	c, err := tls.X509KeyPair(e.Data, e.Data)
	if err != nil {
		return tls.Certificate{}, pkg.Errorf("enrollment data: %w", err)
	}
	return c, nil
}

// EnrollmentRoots returns a pool of the roots an MDE2 enrollment's
// provisioning document installed, which the device trusts from then on:
// the tls.Config.RootCAs of its sessions with the linked enrollment's
// server, whose certificate chains to them. The pool is empty, never nil,
// when there are none (a nil RootCAs would trust the system's roots), as
// for an enrollment saved by a build before the roots were kept in Data
// (such an enrollment holds no intermediates either): that device must
// take its roots from elsewhere, or enroll again.
func EnrollmentRoots(e *Enrollment) (*x509.CertPool, error) {
	roots, err := enrollmentRoots(e)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	return pool, nil
}

// enrollmentRoots reads the roots in e's Data.
func enrollmentRoots(e *Enrollment) ([]*x509.Certificate, error) {
	if e == nil {
		return nil, pkg.Errorf("no enrollment")
	}
	var roots []*x509.Certificate
	for rest := e.Data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return roots, nil
		}
		if b.Type != pemRoot {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, pkg.Errorf("enrollment data: root %d: %w", len(roots)+1, err)
		}
		roots = append(roots, c)
	}
}
