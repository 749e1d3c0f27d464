package device

import (
	"context"
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
// document (w7 ADDR) and its Data the issued certificate and its private
// key, PEM-encoded (see EnrollmentCertificate): a Store that keeps it
// keeps a secret. A SOAP fault gives LastError its HRESULT.
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
	key, err := x509.MarshalPKCS8PrivateKey(res.Key)
	if err != nil {
		return nil, pkg.Errorf("keep the key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res.Certificate.Raw})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})...)
	if m.OnResult != nil {
		m.OnResult(res)
	}
	return &Enrollment{ManagementURL: res.Address, AuthPolicy: r.Response.AuthPolicy, Data: data}, nil
}

// EnrollmentCertificate returns the client certificate and key an MDE2
// enrollment keeps in its Data, for the TLS of the device's sessions with
// the linked enrollment's server.
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
