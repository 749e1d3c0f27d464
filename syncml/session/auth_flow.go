package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// An authOutcome is what checking a message's credentials found.
type authOutcome int

// The outcomes of a check.
const (
	// authMissing: no credential of the required type.
	authMissing authOutcome = iota + 1
	// authRefused: a wrong, malformed or stale credential, or an unknown user.
	authRefused
	// authAccepted: the credential is valid.
	authAccepted
)

// String names the outcome.
func (o authOutcome) String() string {
	switch o {
	case authMissing:
		return "missing"
	case authRefused:
		return "refused"
	case authAccepted:
		return "accepted"
	}
	return "AuthOutcome(?)"
}

// An authAnswer is what a server puts in the SyncHdr Status for an outcome.
type authAnswer struct {
	Code syncml.StatusCode
	Chal bool // a Chal of the required type goes with the Status
	// NextNonce: the Chal carries a nonce. An acceptance makes a new one,
	// kept from then on; a refusal repeats the device's current nonce, or
	// makes a new one (kept) when the device has none yet (see check).
	NextNonce bool
}

// authAnswers is the server's side of the flow, by type and outcome
// (index outcome-1). Missing credentials are 407, refused ones 401, both
// with a challenge (for MD5 and HMAC with the nonce to use, so that a
// stale nonce gets one more chance). Basic and MD5 are accepted for the
// rest of the session with 212, MD5 with the nonce for the next session;
// HMAC is checked on every message and accepted with 200 and the nonce
// for the next message.
var authAnswers = map[AuthType][3]authAnswer{
	AuthBasic: {
		{Code: syncml.StatusMissingCredentials, Chal: true},
		{Code: syncml.StatusInvalidCredentials, Chal: true},
		{Code: syncml.StatusAuthenticationAccepted},
	},
	AuthMD5: {
		{Code: syncml.StatusMissingCredentials, Chal: true, NextNonce: true},
		{Code: syncml.StatusInvalidCredentials, Chal: true, NextNonce: true},
		{Code: syncml.StatusAuthenticationAccepted, Chal: true, NextNonce: true},
	},
	AuthHMAC: {
		{Code: syncml.StatusMissingCredentials, Chal: true, NextNonce: true},
		{Code: syncml.StatusInvalidCredentials, Chal: true, NextNonce: true},
		{Code: syncml.StatusOK, Chal: true, NextNonce: true},
	},
}

// answerFor returns the server's answer for outcome o under type t. An
// unknown type or outcome matches ErrUnsupportedAuth.
func answerFor(t AuthType, o authOutcome) (authAnswer, error) {
	row, ok := authAnswers[t]
	if !ok || o < authMissing || o > authAccepted {
		return authAnswer{}, pkg.Errorf("no answer for %s, outcome %d: %w", shown(string(t)), int(o), ErrUnsupportedAuth)
	}
	return row[o-1], nil
}

// NewChal returns a challenge of type t (Format b64) with nonce as its
// NextNonce when nonce is not nil.
func newChal(t AuthType, nonce []byte) *syncml.Chal {
	m := &syncml.Meta{Type: string(t), Format: formatB64}
	if nonce != nil {
		m.NextNonce = encodeNonce(nonce)
	}
	return &syncml.Chal{Meta: m}
}

// CredAuthenticator is the Authenticator of OMA DM credentials: it checks
// the SyncHdr Cred (syncml:auth-basic, syncml:auth-md5) or the
// x-syncml-hmac header over the raw body (syncml:auth-MAC) against Users.
//
// Missing credentials are answered 407 and wrong, stale or malformed ones
// 401, both with a Chal of Type (for MD5 and HMAC with the device's
// current nonce). Basic and MD5 are accepted with 212 and not checked
// again in the session (MD5 with the nonce of the next session in the
// Chal); HMAC is checked on every message and accepted with 200 and the
// nonce of the next message. Nonces are kept per device in the session
// state, made anew from Rand on every acceptance (212 for MD5, every
// accepted message for HMAC; see below for refusals), and compared in
// constant time. For MD5 and HMAC the user is the SyncHdr
// Source LocName. The Identity of an accepted message has the user name in
// User and "basic", "md5" or "hmac" in Method.
//
// A refusal does not replace the device's nonce: it repeats it in the
// Chal, which tells a device with a stale nonce the one to use and leaves
// the device's next credentials good, so that anyone posting a message
// under a device's ID cannot make its next session fail. A device that
// has no nonce yet (none was ever accepted from it) is challenged with
// its first nonce (AuthInput.FirstNonce) and checked against it and the
// one of the time window before: under a Server derived from its ID and
// the time, not stored, so that refused messages under new device IDs
// leave nothing in the Store; outside a Server (a bare Session, which has
// no first nonce) a refusal gives it a new one, kept.
// A nonce is replaced when credentials are accepted, which is also what
// makes a captured credential useless.
//
// A device is bound to its owner, the first user accepted for it or the
// one Server.SetOwner names (see AuthInput.Owner): the credentials of
// another user, valid as they are, are refused for it with 401 and a Chal,
// as a wrong password is, the Reason saying that the user may not speak
// for the device; so one user's credentials do not reach another device's
// session (its queued commands, its last reply) by writing that device's
// ID in the SyncHdr Source. In Windows MDM the DM credentials
// are per device, set at enrollment. AnyDevice turns the binding off. An
// identity accepted with 212 earlier in the session (AuthInput.Accepted)
// stays accepted.
//
// A CredAuthenticator is safe for concurrent use when its Users and Rand
// are; it must not change while in use.
type CredAuthenticator struct {
	// Type is the authentication required (AuthBasic, AuthMD5 or AuthHMAC).
	Type AuthType
	// Users looks up the users' keys (required).
	Users Users
	// Rand is the source of nonces; nil means crypto/rand.
	Rand io.Reader
	// NonceSize is the size of new nonces; 0 means DefaultNonceSize.
	NonceSize int
	// MaxHeaderBytes bounds the x-syncml-hmac header value; 0 means
	// DefaultMaxHMACHeaderBytes.
	MaxHeaderBytes int
	// AnyDevice, when true, lets any user speak for any device: the
	// binding of a device to its owner is not checked. It is for
	// deployments whose users are shared by devices.
	AnyDevice bool
}

// Authenticate implements Authenticator. Refused credentials are a
// decision (401 or 407 with a Chal); the error is for failures of the
// server itself (no or failing Users, no randomness, an unsupported Type).
func (a *CredAuthenticator) Authenticate(ctx context.Context, in *AuthInput) (AuthDecision, error) {
	method := strings.TrimPrefix(authShort(a.Type), "auth-")
	if a.Type == AuthHMAC {
		method = "hmac"
	}
	if in.Accepted != nil && a.Type != AuthHMAC {
		return AuthDecision{Identity: *in.Accepted, Code: syncml.StatusOK}, nil
	}
	if in.Message == nil {
		return AuthDecision{}, pkg.Errorf("authenticate: no message")
	}
	h := &in.Message.Header
	at := authAttempt{Cred: h.Cred, Username: h.Source.LocName, Nonce: in.Nonce, Body: in.Raw, Device: h.Source.LocURI}
	if at.Nonce == nil && (a.Type == AuthMD5 || a.Type == AuthHMAC) {
		// the nonce a Server challenges a device without one with (its
		// NonceSize first bytes): a refusal repeats it, as it repeats a
		// nonce kept, and keeps nothing; the previous window's is
		// accepted too
		cur, prev, err := in.FirstNonce(ctx)
		if err != nil {
			return AuthDecision{}, err
		}
		size := a.NonceSize
		if size <= 0 {
			size = DefaultNonceSize
		}
		if cur != nil {
			at.Nonce = cur[:min(size, len(cur))]
		}
		if prev != nil {
			at.Prev = prev[:min(size, len(prev))]
		}
	}
	if !a.AnyDevice {
		at.Owner = in.Owner
	}
	if in.Header != nil {
		at.HMAC = in.Header.Get(HMACHeaderName)
	}
	r, err := a.check(ctx, at)
	if err != nil {
		return AuthDecision{}, err
	}
	d := AuthDecision{Code: r.Code, Chal: r.Chal, NextNonce: r.NextNonce, Reason: r.Err, Identity: Identity{Method: method}}
	if r.Outcome == authAccepted {
		d.Identity.User = r.Username
	}
	return d, nil
}

// An authAttempt is what a message offers for checking.
type authAttempt struct {
	Cred     *syncml.Cred // the SyncHdr Cred, or nil
	Username string       // the SyncHdr Source LocName (the user for MD5 and HMAC)
	Nonce    []byte       // the nonce last issued to this device, nil if none
	Prev     []byte       // the device's first nonce of the previous window, also accepted, or nil
	HMAC     string       // the x-syncml-hmac header value, "" when absent
	Body     []byte       // the raw message body, for HMAC
	Device   string       // the SyncHdr Source LocURI, for the reason of a refusal
	Owner    string       // the only user accepted for the device, "" for any
}

// An authResult is the result of check.
type authResult struct {
	authAnswer
	Outcome   authOutcome
	Username  string       // the authenticated user (authAccepted)
	Chal      *syncml.Chal // the challenge for the SyncHdr Status, or nil
	NextNonce []byte       // the new nonce to keep for this device, or nil (keep the one it has)
	Err       error        // why the credentials were refused or missing
}

// check checks at under a.Type. The returned error is for failures of the
// server itself; refused credentials are a result (Outcome, Code 401 or
// 407, Chal, Err), not an error.
func (a *CredAuthenticator) check(ctx context.Context, at authAttempt) (authResult, error) {
	if _, ok := authAnswers[a.Type]; !ok {
		return authResult{}, pkg.Errorf("CredAuthenticator.Type %q is not %s, %s or %s: %w", string(a.Type), AuthBasic, AuthMD5, AuthHMAC, ErrUnsupportedAuth)
	}
	if a.Users == nil {
		// the server's configuration, not the device's credentials
		return authResult{}, pkg.Errorf("CredAuthenticator.Users is nil: no %s credentials can be checked", string(a.Type))
	}
	var user string
	var err error
	switch a.Type {
	case AuthBasic:
		user, err = checkBasic(ctx, at.Cred, a.Users)
	case AuthMD5:
		user = at.Username
		err = checkMD5(ctx, at.Cred, at.Username, at.Nonce, at.Prev, a.Users)
	case AuthHMAC:
		user, err = a.checkHMAC(ctx, at)
	}
	if err == nil && at.Owner != "" && user != at.Owner {
		err = pkg.Errorf("user %s may not speak for device %s: %w", shown(user), shown(at.Device), ErrInvalidCredentials)
	}
	var o authOutcome
	switch {
	case err == nil:
		o = authAccepted
	case errors.Is(err, ErrMissingCredentials):
		o = authMissing
	case errors.Is(err, ErrInvalidCredentials):
		o = authRefused
	default:
		return authResult{}, err
	}
	ans := authAnswers[a.Type][o-1]
	d := authResult{authAnswer: ans, Outcome: o, Err: err}
	if o == authAccepted {
		d.Username = user
	}
	chal := []byte(nil) // the Chal's NextNonce
	switch {
	case !ans.NextNonce:
	case o != authAccepted && at.Nonce != nil:
		// a refusal repeats the current nonce and keeps it: a new one
		// would make the device's next credentials stale, whoever sent
		// the message refused (see CredAuthenticator)
		chal = at.Nonce
	default:
		n, err := newNonce(a.Rand, a.NonceSize)
		if err != nil {
			return authResult{}, err
		}
		d.NextNonce, chal = n, n
	}
	if ans.Chal {
		d.Chal = newChal(a.Type, chal)
	}
	return d, nil
}

// checkHMAC checks the header of at: missing, malformed, of another user
// than the LocName, or wrong.
func (a *CredAuthenticator) checkHMAC(ctx context.Context, at authAttempt) (string, error) {
	if strings.TrimSpace(at.HMAC) == "" {
		return "", pkg.Errorf("hmac: no %s header: %w", HMACHeaderName, ErrMissingCredentials)
	}
	h, err := hmacLimits{MaxBytes: a.MaxHeaderBytes}.Parse(at.HMAC)
	if err != nil {
		return "", pkg.Errorf("hmac: %w: %w", ErrMalformedCredentials, err)
	}
	if at.Username != "" && h.Username != at.Username {
		return "", pkg.Errorf("hmac: header user %s is not the LocName %s: %w", shown(h.Username), shown(at.Username), ErrInvalidCredentials)
	}
	err = verifyHMAC(ctx, h, at.Nonce, at.Prev, at.Body, a.Users)
	if errors.Is(err, ErrUnsupportedAuth) {
		return "", pkg.Errorf("%w: %w", ErrMalformedCredentials, err)
	}
	return h.Username, err
}

// DefaultMaxNonceBytes is the default of ClientAuth.MaxNonceBytes and
// ServerAuth.MaxNonceBytes: far above the nonces peers send (a Server
// makes DefaultNonceSize bytes, Windows' servers 16 to 64).
const DefaultMaxNonceBytes = 1024

// ClientAuth is the Credentials of a Client that authenticates with a user
// name and password: the Cred of package 1 (basic or MD5) and the
// x-syncml-hmac header of every message (HMAC), of the type and with the
// nonce of the server's last challenge. It keeps the last challenged type
// and NextNonce it is given, so one ClientAuth serves the sessions of one
// device; it is not safe for concurrent use. For MD5 the server reads the
// user from the SyncHdr Source LocName: a Client sends Username there
// unless its ClientConfig.LocName says otherwise.
//
// A challenge it cannot follow (a type it does not know, a NextNonce
// that is not Base64 or decodes to more than MaxNonceBytes) is refused
// whole: Type and Nonce stay as they were, and the Client keeps its last
// challenge (see Credentials).
type ClientAuth struct {
	Username, Password string
	// Type is the credential sent before any challenge; "" sends none
	// until challenged.
	Type AuthType
	// Nonce is the last NextNonce received, for MD5 and HMAC.
	Nonce []byte
	// MaxNonceBytes bounds a NextNonce, decoded; 0 is
	// DefaultMaxNonceBytes. A longer one is refused with an error holding
	// a *LimitError (ErrLimit) (Changed: any length was taken).
	MaxNonceBytes int
}

// parse returns the type and the NextNonce chal sets (set false for no
// NextNonce), or why c cannot follow it; it changes nothing.
func (c *ClientAuth) parse(chal *syncml.Chal) (t AuthType, nonce []byte, set bool, err error) {
	if chal == nil || chal.Meta == nil {
		return "", nil, false, nil
	}
	if t = AuthType(strings.TrimSpace(chal.Meta.Type)); t != "" {
		if _, ok := authAnswers[t]; !ok {
			return "", nil, false, pkg.Errorf("challenge of type %s: %w", shown(string(t)), ErrUnsupportedAuth)
		}
	}
	if nn := chal.Meta.NextNonce; nn != "" {
		if nonce, err = decodeNonce(nn); err != nil {
			return "", nil, false, err
		}
		max := c.MaxNonceBytes
		if max <= 0 {
			max = DefaultMaxNonceBytes
		}
		if len(nonce) > max {
			return "", nil, false, pkg.Errorf("challenge: %w", pkg.LimitCount("MaxNonceBytes", int64(max), int64(len(nonce)), "Chal/Meta/NextNonce"))
		}
		set = true
	}
	return t, nonce, set, nil
}

// take records the type and NextNonce of chal, or none of them when it
// cannot follow it.
func (c *ClientAuth) take(chal *syncml.Chal) error {
	t, nonce, set, err := c.parse(chal)
	if err != nil {
		return err
	}
	if t != "" {
		c.Type = t
	}
	if set {
		c.Nonce = nonce
	}
	return nil
}

// CheckChallenge implements ChallengeChecker: it returns why c cannot
// follow chal (a type other than AuthBasic, AuthMD5 and AuthHMAC, a
// NextNonce that is not Base64 or decodes to more than MaxNonceBytes),
// nil when it can or chal is nil. It changes nothing: Cred and Sign take
// the challenge.
func (c *ClientAuth) CheckChallenge(chal *syncml.Chal) error {
	_, _, _, err := c.parse(chal)
	return err
}

// Cred implements Credentials: the Cred of package 1 for the server's last
// challenge chal (nil before any): none for HMAC, which travels in a
// header, or before any type is known.
func (c *ClientAuth) Cred(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
	if err := c.take(chal); err != nil {
		return nil, err
	}
	switch c.Type {
	case "", AuthHMAC:
		return nil, nil
	case AuthBasic:
		return basicCred(c.Username, c.Password)
	case AuthMD5:
		return md5Cred(c.Username, c.Password, c.Nonce), nil
	}
	return nil, pkg.Errorf("client type %s: %w", shown(string(c.Type)), ErrUnsupportedAuth)
}

// Sign implements Credentials: under HMAC, once a nonce is known, it sets
// the x-syncml-hmac header of body in h.
func (c *ClientAuth) Sign(_ context.Context, chal *syncml.Chal, body []byte, h http.Header) error {
	if err := c.take(chal); err != nil {
		return err
	}
	if c.Type != AuthHMAC || c.Nonce == nil {
		return nil
	}
	v, err := newHMACHeader(c.Username, c.Password, c.Nonce, body).Format()
	if err != nil {
		return err
	}
	h.Set(HMACHeaderName, v)
	return nil
}
