package session

import (
	"context"
	"crypto/tls"
	"net/http"

	"github.com/windc-go/windc/syncml"
)

// An Identity says who is talking: it is decided once per received message
// by the Authenticator and handed to every handler.
type Identity struct {
	// Device is the key the session state is kept under: by default the
	// SyncHdr Source LocURI (the device ID Windows sends); with
	// ClientCertificate the certificate's common name.
	Device string
	// User is the authenticated user name, if credentials were checked.
	User string
	// Method names how the identity was established: "none" when nothing
	// was checked, or "basic", "md5", "hmac", "tls"…
	Method string
}

// AuthInput is what an Authenticator sees of one received message.
type AuthInput struct {
	Message *syncml.Message // the parsed message
	// Raw is the message's bytes exactly as they arrived (HMAC is
	// computed on them). Under a Server they are valid only during the
	// call: the Server may read a request into a reused buffer (one of
	// no announced length).
	Raw    []byte
	Header http.Header          // the HTTP request headers, nil outside HTTP
	TLS    *tls.ConnectionState // the TLS state, nil for plain HTTP or outside HTTP
	// Nonce is the nonce this side last sent the device in NextNonce
	// (kept in the session state), nil when none was sent.
	Nonce []byte
	// Accepted is the Identity accepted with 212 earlier in this session
	// (same SessionID, no session alert since, and no reply of Statuses
	// only, which ends the session), nil when none: a message of an
	// authenticated session needs no credentials.
	Accepted *Identity
	// Owner is the user the device is bound to, kept in its session state
	// across its sessions: the Identity.User of the first of its messages
	// accepted with a user, by any Authenticator, or the user
	// Server.SetOwner bound it to; "" when none yet. The device is the one
	// whose state is loaded: the SyncHdr Source LocURI, or a
	// DeviceKeyer's key. A CredAuthenticator refuses the credentials of
	// another user (see its AnyDevice).
	Owner string
	// srv, under a Server, is for FirstNonce.
	srv *Server
}

// FirstNonce returns the nonces a device without one (Nonce nil) is
// checked against: under a Server, derived from the device's ID (the
// SyncHdr Source LocURI), a time window (ServerConfig.FirstNonceWindow)
// and a secret the Server keeps in its Store (see FirstNonceKeyDevice):
// cur of the present window, prev of the one before. They are the same
// on every Server of the Store and for every message of the device in
// the window, so that nothing need be saved for a device before its
// credentials are accepted. An Authenticator that challenges with nonces
// challenges a device without one with cur, repeating it in its
// challenges and giving no NextNonce with a refusal (the Server then
// saves nothing for a refused device that had no state), and accepts
// credentials computed with cur or prev: a device challenged just before
// a window ends answers in the next. Credentials of an older first nonce
// are refused, so that those captured from a first session are not
// accepted again later. Each is 32 bytes; an Authenticator may use a
// prefix of them (the same for both). It returns nil, nil outside a
// Server and for a device that has a nonce, and an error when the Server
// cannot read or make its secret (a failing Store). The secret is read
// only when an Authenticator asks for it.
func (in *AuthInput) FirstNonce(ctx context.Context) (cur, prev []byte, err error) {
	if in.srv == nil || in.Nonce != nil || in.Message == nil {
		return nil, nil, nil
	}
	return in.srv.firstNonce(ctx, in.Message.Header.Source.LocURI)
}

// An AuthDecision is an Authenticator's answer.
type AuthDecision struct {
	// Identity of the peer; Device empty means the default (the SyncHdr
	// Source LocURI).
	Identity Identity
	// Code is the SyncHdr Status code: 200 or 212 when accepted, 401 or
	// 407 when refused. Zero means 200.
	Code syncml.StatusCode
	// Chal is sent in the SyncHdr Status (with 401, 407, or 212 to
	// announce the next nonce).
	Chal *syncml.Chal
	// NextNonce, when not nil, replaces the nonce kept in the session
	// state (the one sent in Chal's NextNonce).
	NextNonce []byte
	// Reason says why a message was refused, for logs (it never holds a
	// secret); nil when accepted.
	Reason error
}

// Accepted reports whether the decision lets the message be processed.
func (d AuthDecision) Accepted() bool {
	return d.Code == 0 || d.Code.Success()
}

// An Authenticator decides who sent a message and whether it is let in.
// It is called once for every received message that is not a replay,
// with the parsed message, its raw bytes and the HTTP headers. A returned
// error aborts the exchange (the HTTP server answers 500).
type Authenticator interface {
	Authenticate(ctx context.Context, in *AuthInput) (AuthDecision, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, in *AuthInput) (AuthDecision, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, in *AuthInput) (AuthDecision, error) {
	return f(ctx, in)
}

// authenticate runs a (nil: accept everyone) and fills the default device.
func authenticate(ctx context.Context, a Authenticator, in *AuthInput) (AuthDecision, error) {
	var d AuthDecision
	if a != nil {
		var err error
		if d, err = a.Authenticate(ctx, in); err != nil {
			return d, errorf("authenticate: %w", err)
		}
	} else {
		d.Identity.Method = "none"
	}
	if d.Identity.Device == "" {
		d.Identity.Device = in.Message.Header.Source.LocURI
	}
	if d.Code == 0 {
		d.Code = syncml.StatusOK
	}
	return d, nil
}

// A DeviceKeyer is an Authenticator that can name the device from the
// request alone, before its session state is loaded: a TLS client
// certificate is such a proof. A Server whose Authenticator is a
// DeviceKeyer keeps the state under that name (the Identity.Device its
// Authenticate returns must be the same), so that a device cannot reach
// another device's session (its queued commands, its last reply) by
// writing that device's LocURI in the SyncHdr. An empty key means the
// request proves no device: it is then handled on an empty state that is
// not saved (the Authenticator refuses it).
type DeviceKeyer interface {
	Authenticator
	DeviceKey(ctx context.Context, in *AuthInput) (string, error)
}

// ClientCertificate is an Authenticator for devices enrolled with a
// certificate, which authenticate by their TLS client certificate: a
// message is accepted when its connection carries a verified client
// certificate (tls.ConnectionState.VerifiedChains not empty) whose
// Subject common name is not empty, with the Identity's Device and User
// set to that common name (the device ID the enrollment server put in
// the certificate, never the SyncHdr Source) and Method "tls"; otherwise
// it is refused with 401 and no challenge. It is a DeviceKeyer: a Server
// keeps each device's state under its certificate's common name, so
// commands are queued with Server.Queue under that name. The server's
// tls.Config must ask for and verify client certificates.
var ClientCertificate Authenticator = clientCertificate{}

type clientCertificate struct{}

// certName returns the common name of the verified client certificate of
// in, "" when there is none.
func certName(in *AuthInput) string {
	if in.TLS == nil || len(in.TLS.VerifiedChains) == 0 || len(in.TLS.VerifiedChains[0]) == 0 {
		return ""
	}
	return in.TLS.VerifiedChains[0][0].Subject.CommonName
}

// unverifiedHint returns, for a connection whose client presented a
// certificate that crypto/tls did not verify (tls.Config.ClientAuth
// RequestClientCert or RequireAnyClientCert), the reason's hint to
// have it verified; "" otherwise.
func unverifiedHint(in *AuthInput) string {
	if in.TLS == nil || len(in.TLS.PeerCertificates) == 0 || len(in.TLS.VerifiedChains) > 0 {
		return ""
	}
	return " (a certificate was presented but not verified: set tls.Config.ClientAuth to VerifyClientCertIfGiven or RequireAndVerifyClientCert)"
}

// Authenticate implements Authenticator.
func (clientCertificate) Authenticate(_ context.Context, in *AuthInput) (AuthDecision, error) {
	cn := certName(in)
	if cn == "" {
		return AuthDecision{Code: syncml.StatusInvalidCredentials, Identity: Identity{Method: "tls"},
			Reason: errorf("no verified client certificate with a common name%s", unverifiedHint(in))}, nil
	}
	return AuthDecision{Identity: Identity{Device: cn, User: cn, Method: "tls"}}, nil
}

// DeviceKey implements DeviceKeyer.
func (clientCertificate) DeviceKey(_ context.Context, in *AuthInput) (string, error) {
	return certName(in), nil
}
