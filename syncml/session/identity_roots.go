package session

import (
	"bytes"
	"context"
	"crypto/x509"

	"github.com/windc-go/windc/syncml"
)

// ClientCertificateFrom returns an Authenticator like ClientCertificate
// that accepts only a client certificate whose verified chain ends at one
// of roots (compared byte for byte). It is for a listener whose tls.Config
// trusts more than the linked enrollment's certificate authority: the
// ClientCAs of a server that also runs the primary enrollment, whose
// Certificate policy and renewals present the primary MDM's certificates,
// let those reach the sessions too; with ClientCertificate alone such a
// certificate would be taken as the device its common name says. Of the
// chains crypto/tls verified, the first ending at one of roots names the
// device; a message whose chains all end elsewhere is refused with 401
// and handled on an empty state, as one without a certificate. With no
// roots every message is refused. It is a DeviceKeyer. The roots are read
// when it is made: changing them afterwards has no effect.
func ClientCertificateFrom(roots ...*x509.Certificate) Authenticator {
	a := &rootedCertificate{roots: make([][]byte, 0, len(roots))}
	for _, r := range roots {
		if r != nil {
			a.roots = append(a.roots, bytes.Clone(r.Raw))
		}
	}
	return a
}

// rootedCertificate is ClientCertificateFrom's Authenticator: the DER of
// the roots it accepts chains to.
type rootedCertificate struct{ roots [][]byte }

// name returns the common name of the leaf of in's first verified chain
// ending at one of a's roots, "" when there is none.
func (a *rootedCertificate) name(in *AuthInput) string {
	if in.TLS == nil {
		return ""
	}
	for _, chain := range in.TLS.VerifiedChains {
		if len(chain) == 0 || chain[len(chain)-1] == nil {
			continue
		}
		last := chain[len(chain)-1].Raw
		for _, r := range a.roots {
			if len(r) > 0 && bytes.Equal(last, r) {
				return chain[0].Subject.CommonName
			}
		}
	}
	return ""
}

// Authenticate implements Authenticator.
func (a *rootedCertificate) Authenticate(_ context.Context, in *AuthInput) (AuthDecision, error) {
	cn := a.name(in)
	if cn == "" {
		return AuthDecision{Code: syncml.StatusInvalidCredentials, Identity: Identity{Method: "tls"},
			Reason: errorf("no verified client certificate with a common name chaining to the accepted roots%s", unverifiedHint(in))}, nil
	}
	return AuthDecision{Identity: Identity{Device: cn, User: cn, Method: "tls"}}, nil
}

// DeviceKey implements DeviceKeyer.
func (a *rootedCertificate) DeviceKey(_ context.Context, in *AuthInput) (string, error) {
	return a.name(in), nil
}
