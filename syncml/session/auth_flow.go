package session

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// An AuthOutcome is what checking a message's credentials found.
type AuthOutcome int

// The outcomes of a check.
const (
	// AuthMissing: no credential of the required type.
	AuthMissing AuthOutcome = iota + 1
	// AuthRefused: a wrong, malformed or stale credential, or an unknown user.
	AuthRefused
	// AuthAccepted: the credential is valid.
	AuthAccepted
)

// String names the outcome.
func (o AuthOutcome) String() string {
	switch o {
	case AuthMissing:
		return "missing"
	case AuthRefused:
		return "refused"
	case AuthAccepted:
		return "accepted"
	}
	return "AuthOutcome(?)"
}

// An AuthAnswer is what a server puts in the SyncHdr Status for an outcome.
type AuthAnswer struct {
	Code      syncml.StatusCode
	Chal      bool // a Chal of the required type goes with the Status
	NextNonce bool // a new nonce is made, sent as the Chal's NextNonce and kept
}

// authAnswers is the server's side of the flow, by type and outcome
// (index outcome-1). Missing credentials are 407, refused ones 401, both
// with a challenge (with a new nonce for MD5 and HMAC, so that a stale
// nonce gets one more chance). Basic and MD5 are accepted for the rest of
// the session with 212, MD5 with the nonce for the next session; HMAC is
// checked on every message and accepted with 200 and the nonce for the
// next message.
var authAnswers = map[AuthType][3]AuthAnswer{
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

// AnswerFor returns the server's answer for outcome o under type t. An
// unknown type or outcome matches ErrUnsupportedAuth.
func AnswerFor(t AuthType, o AuthOutcome) (AuthAnswer, error) {
	row, ok := authAnswers[t]
	if !ok || o < AuthMissing || o > AuthAccepted {
		return AuthAnswer{}, authPkg.Errorf("no answer for %q, outcome %d: %w", string(t), int(o), ErrUnsupportedAuth)
	}
	return row[o-1], nil
}

// NewChal returns a challenge of type t (Format b64) with nonce as its
// NextNonce when nonce is not nil.
func NewChal(t AuthType, nonce []byte) *syncml.Chal {
	m := &syncml.Meta{Type: string(t), Format: FormatB64}
	if nonce != nil {
		m.NextNonce = EncodeNonce(nonce)
	}
	return &syncml.Chal{Meta: m}
}

// ServerAuth is the server's side of authentication: it checks the
// credentials of a device's message and decides the SyncHdr Status. The
// caller keeps, per device, the last NextNonce of a decision and passes it
// as AuthAttempt.Nonce of the next check. A ServerAuth is safe for
// concurrent use when its Credentials and Rand are.
type ServerAuth struct {
	// Type is the authentication the server requires.
	Type AuthType
	// Credentials looks up users' keys.
	Credentials Credentials
	// Rand is the source of nonces; nil means crypto/rand.
	Rand io.Reader
	// NonceSize is the size of new nonces; 0 means DefaultNonceSize.
	NonceSize int
	// HMACLimits bounds the x-syncml-hmac header.
	HMACLimits HMACLimits
}

// An AuthAttempt is what a message offers for checking.
type AuthAttempt struct {
	Cred     *syncml.Cred // the SyncHdr Cred, or nil
	Username string       // the SyncHdr Source LocName (the user for MD5 and HMAC)
	Nonce    []byte       // the nonce last issued to this device, nil if none
	HMAC     string       // the x-syncml-hmac header value, "" when absent
	Body     []byte       // the raw message body, for HMAC
}

// An AuthDecision is the result of ServerAuth.Check.
type AuthDecision struct {
	AuthAnswer
	Outcome   AuthOutcome
	Username  string       // the authenticated user (AuthAccepted)
	Chal      *syncml.Chal // the challenge for the SyncHdr Status, or nil
	NextNonce []byte       // the new nonce to keep for this device, or nil
	Err       error        // why the credentials were refused or missing
}

// Check checks at under a.Type and returns the decision. The returned
// error is for failures of the server itself (no or failing Credentials,
// no randomness, an unsupported Type); refused credentials are a decision
// (Outcome, Code 401 or 407, Chal, Err), not an error. Basic and MD5 are
// checked until accepted (212), then no more in the session; HMAC is
// checked on every message.
func (a *ServerAuth) Check(ctx context.Context, at AuthAttempt) (AuthDecision, error) {
	if _, ok := authAnswers[a.Type]; !ok {
		return AuthDecision{}, authPkg.Errorf("server type %q: %w", string(a.Type), ErrUnsupportedAuth)
	}
	if a.Credentials == nil {
		return AuthDecision{}, authPkg.Errorf("server type %q: no Credentials: %w", string(a.Type), ErrUnsupportedAuth)
	}
	var user string
	var err error
	switch a.Type {
	case AuthBasic:
		user, err = CheckBasic(ctx, at.Cred, a.Credentials)
	case AuthMD5:
		user = at.Username
		err = CheckMD5(ctx, at.Cred, at.Username, at.Nonce, a.Credentials)
	case AuthHMAC:
		user, err = a.checkHMAC(ctx, at)
	}
	var o AuthOutcome
	switch {
	case err == nil:
		o = AuthAccepted
	case errors.Is(err, ErrMissingCredentials):
		o = AuthMissing
	case errors.Is(err, ErrInvalidCredentials):
		o = AuthRefused
	default:
		return AuthDecision{}, err
	}
	ans := authAnswers[a.Type][o-1]
	d := AuthDecision{AuthAnswer: ans, Outcome: o, Err: err}
	if o == AuthAccepted {
		d.Username = user
	}
	if ans.NextNonce {
		n, err := NewNonce(a.Rand, a.NonceSize)
		if err != nil {
			return AuthDecision{}, err
		}
		d.NextNonce = n
	}
	if ans.Chal {
		d.Chal = NewChal(a.Type, d.NextNonce)
	}
	return d, nil
}

// checkHMAC checks the header of at: missing, malformed, of another user
// than the LocName, or wrong.
func (a *ServerAuth) checkHMAC(ctx context.Context, at AuthAttempt) (string, error) {
	if strings.TrimSpace(at.HMAC) == "" {
		return "", authPkg.Errorf("hmac: no %s header: %w", HMACHeaderName, ErrMissingCredentials)
	}
	h, err := a.HMACLimits.Parse(at.HMAC)
	if err != nil {
		return "", authPkg.Errorf("hmac: %w: %w", ErrMalformedCredentials, err)
	}
	if at.Username != "" && h.Username != at.Username {
		return "", authPkg.Errorf("hmac: header user %q is not the LocName %q: %w", h.Username, at.Username, ErrInvalidCredentials)
	}
	err = VerifyHMAC(ctx, h, at.Nonce, at.Body, a.Credentials)
	if errors.Is(err, ErrUnsupportedAuth) {
		return "", authPkg.Errorf("%w: %w", ErrMalformedCredentials, err)
	}
	return h.Username, err
}

// DefaultMaxChallenges is how many challenges a ClientAuth answers in a
// session before it gives up.
const DefaultMaxChallenges = 2

// A ClientAction is what a client does after the SyncHdr Status.
type ClientAction int

// The client's actions.
const (
	// ClientContinue: 200; send the same kind of credential with the next
	// message (for MD5 and HMAC with the NextNonce received, if any).
	ClientContinue ClientAction = iota + 1
	// ClientAuthenticated: 212; no credential is needed for the rest of
	// the session (a NextNonce received is kept for the next session).
	ClientAuthenticated
	// ClientResend: 401 or 407 with a Chal; resend package 1 (Alert and
	// DevInfo) with a credential of the challenged type.
	ClientResend
	// ClientGiveUp: refused without a usable challenge, or challenged more
	// than MaxChallenges times; end the session.
	ClientGiveUp
)

// String names the action.
func (c ClientAction) String() string {
	switch c {
	case ClientContinue:
		return "continue"
	case ClientAuthenticated:
		return "authenticated"
	case ClientResend:
		return "resend"
	case ClientGiveUp:
		return "give up"
	}
	return "ClientAction(?)"
}

// ClientAuth is the client's side of authentication: it makes the Cred or
// the x-syncml-hmac header of each message and follows the server's
// challenges. It is not safe for concurrent use (one per session); the
// caller keeps Nonce across sessions. For MD5 and HMAC the caller also
// puts Username in the SyncHdr Source LocName, where the server looks for
// it.
type ClientAuth struct {
	Username, Password string
	// Type is the credential to send; "" sends none until challenged.
	Type AuthType
	// Nonce is the last NextNonce received, for MD5 and HMAC.
	Nonce []byte
	// MaxChallenges bounds the challenges answered; 0 means
	// DefaultMaxChallenges.
	MaxChallenges int

	challenges    int
	authenticated bool
}

// Cred returns the SyncHdr Cred for the next message: nil when Type is ""
// or AuthHMAC (which travels in a header) or once the session is
// authenticated (212).
func (c *ClientAuth) Cred() (*syncml.Cred, error) {
	if c.authenticated {
		return nil, nil
	}
	switch c.Type {
	case "", AuthHMAC:
		return nil, nil
	case AuthBasic:
		return BasicCred(c.Username, c.Password)
	case AuthMD5:
		return MD5Cred(c.Username, c.Password, c.Nonce), nil
	}
	return nil, authPkg.Errorf("client type %q: %w", string(c.Type), ErrUnsupportedAuth)
}

// Header returns the x-syncml-hmac header value for body when Type is
// AuthHMAC, and "" otherwise.
func (c *ClientAuth) Header(body []byte) (string, error) {
	if c.Type != AuthHMAC {
		return "", nil
	}
	return NewHMACHeader(c.Username, c.Password, c.Nonce, body).Format()
}

// OnStatus reads the server's Status for the SyncHdr and returns what to
// do next, keeping a NextNonce from its Chal (a nonce is taken even from
// a refusal: it is what the next credential needs). A Status that is not
// for the SyncHdr or has no readable code is an error.
func (c *ClientAuth) OnStatus(st *syncml.Status) (ClientAction, error) {
	if st == nil || st.Cmd != "SyncHdr" {
		return 0, authPkg.Errorf("OnStatus: not the Status of the SyncHdr: %w", syncml.ErrStructure)
	}
	code, err := st.Code()
	if err != nil {
		return 0, authPkg.Errorf("OnStatus: %w", err)
	}
	var chalType AuthType
	if st.Chal != nil && st.Chal.Meta != nil {
		chalType = AuthType(strings.TrimSpace(st.Chal.Meta.Type))
		if nn := st.Chal.Meta.NextNonce; nn != "" {
			n, err := DecodeNonce(nn)
			if err != nil {
				return ClientGiveUp, err
			}
			c.Nonce = n
		}
	}
	switch code {
	case syncml.StatusAuthenticationAccepted:
		c.authenticated = true
		return ClientAuthenticated, nil
	case syncml.StatusInvalidCredentials, syncml.StatusMissingCredentials:
		max := c.MaxChallenges
		if max <= 0 {
			max = DefaultMaxChallenges
		}
		if _, ok := authAnswers[chalType]; !ok {
			return ClientGiveUp, authPkg.Errorf("server answered %d with challenge type %q: %w", int(code), string(chalType), ErrUnsupportedAuth)
		}
		if c.challenges >= max {
			return ClientGiveUp, authPkg.Errorf("server answered %d after %d challenges: %w", int(code), c.challenges, ErrInvalidCredentials)
		}
		c.challenges++
		c.Type = chalType
		return ClientResend, nil
	}
	if code.Success() {
		return ClientContinue, nil
	}
	return ClientGiveUp, authPkg.Errorf("server answered %d to the SyncHdr", int(code))
}
