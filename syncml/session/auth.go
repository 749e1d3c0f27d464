package session

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"

	"github.com/windc-go/windc/internal/xmlerr"
)

// An AuthType is the authentication type of a Cred or Chal (its Meta Type).
type AuthType string

// The authentication types of OMA DM.
const (
	// AuthBasic: Cred Data is B64(username:password).
	AuthBasic AuthType = "syncml:auth-basic"
	// AuthMD5: Cred Data is B64(H(B64(H(username:password)):nonce)), H
	// being MD5; the username travels in the SyncHdr Source LocName.
	AuthMD5 AuthType = "syncml:auth-md5"
	// AuthHMAC: HMAC-MD5 over the message body in the x-syncml-hmac
	// transport header, never in a Cred.
	AuthHMAC AuthType = "syncml:auth-MAC"
)

// formatB64 is the Meta Format of every Cred and Chal this package makes.
const formatB64 = "b64"

// Sentinels of refused credentials (test with errors.Is). A Decision's Err
// wraps one of them.
var (
	// ErrMissingCredentials: the message carries no credential of the
	// required type (answered 407).
	ErrMissingCredentials = errors.New("credentials missing")
	// ErrInvalidCredentials: the credential does not match the user's
	// secret, names an unknown user or another user than the device's
	// owner (see CredAuthenticator), or was computed with a nonce that is
	// not the current one (answered 401).
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrMalformedCredentials: a Cred or header that cannot be read (bad
	// Base64, no colon, wrong type); it also matches ErrInvalidCredentials.
	ErrMalformedCredentials error = &malformedCred{}
	// ErrUnknownUser: a Users source has no secret for the user.
	ErrUnknownUser = errors.New("unknown user")
	// ErrUnsupportedAuth: an authentication type or HMAC algorithm this
	// package does not implement.
	ErrUnsupportedAuth = errors.New("unsupported authentication type")
)

type malformedCred struct{}

func (*malformedCred) Error() string { return "malformed credentials" }

// Is reports that malformed credentials are invalid credentials.
func (*malformedCred) Is(target error) bool { return target == ErrInvalidCredentials }

// KeySize is the size of a Key, an MD5 hash.
const KeySize = md5.Size

// A Key is H(username:password), the MD5 hash that every OMA DM
// credential type can be checked against, so a server need not keep
// passwords. Its String, GoString and LogValue never show its bytes.
type Key [KeySize]byte

// KeyOf returns H(username:password).
func KeyOf(username, password string) Key {
	h := md5.New()
	h.Write([]byte(username))
	h.Write([]byte{':'})
	h.Write([]byte(password))
	var k Key
	h.Sum(k[:0])
	return k
}

// Equal compares k and o in constant time.
func (k Key) Equal(o Key) bool { return subtle.ConstantTimeCompare(k[:], o[:]) == 1 }

// String hides the key.
func (Key) String() string { return "session.Key(REDACTED)" }

// GoString hides the key from %#v.
func (k Key) GoString() string { return k.String() }

// LogValue hides the key from log/slog.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// b64 returns B64(k), the shared secret of the MD5 digest and the HMAC.
func (k Key) b64() []byte {
	b := make([]byte, base64.StdEncoding.EncodedLen(KeySize))
	base64.StdEncoding.Encode(b, k[:])
	return b
}

// xmlerrSyntax is the shared syntax sentinel (ErrMalformedHeader matches it).
var xmlerrSyntax = xmlerr.ErrSyntax
