package session

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"

	"github.com/windc-go/windc/syncml"
)

// mD5Digest returns the OMA DM MD5 digest H(B64(key):nonce), where key is
// H(username:password) and nonce is the nonce's bytes (the decoded
// NextNonce). Cred Data carries it in Base64.
func md5Digest(key Key, nonce []byte) [md5.Size]byte {
	h := md5.New()
	h.Write(key.b64())
	h.Write([]byte{':'})
	h.Write(nonce)
	var d [md5.Size]byte
	h.Sum(d[:0])
	return d
}

// mD5Cred returns the syncml:auth-md5 Cred of username and password for
// nonce. The username itself goes in the SyncHdr Source LocName.
func md5Cred(username, password string, nonce []byte) *syncml.Cred {
	d := md5Digest(KeyOf(username, password), nonce)
	return &syncml.Cred{
		Meta: &syncml.Meta{Type: string(AuthMD5), Format: formatB64},
		Data: syncml.Text(base64.StdEncoding.EncodeToString(d[:])),
	}
}

// checkMD5 checks a syncml:auth-md5 Cred sent by username (the SyncHdr
// Source LocName) against creds and the nonce the checker issued, or prev
// when not nil (a device's first nonce of the previous window, see
// AuthInput.FirstNonce). Refusals match ErrInvalidCredentials (also for
// an unknown user, after the same work, and for a nonce of nil: none was
// issued, so none can match); an error of creds itself is returned
// wrapped.
func checkMD5(ctx context.Context, c *syncml.Cred, username string, nonce, prev []byte, creds Users) error {
	data, err := authCredData(c, AuthMD5)
	if err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(got) != md5.Size {
		return pkg.Errorf("auth-md5: Cred Data is not the Base64 of an MD5 digest: %w", ErrMalformedCredentials)
	}
	key, err := authLookup(ctx, creds, username)
	if err != nil {
		return err
	}
	want := md5Digest(key.key, nonce)
	ok := subtle.ConstantTimeCompare(got, want[:])
	if prev != nil {
		want = md5Digest(key.key, prev)
		ok |= subtle.ConstantTimeCompare(got, want[:])
	}
	return nonceRefusal("auth-md5", "digest", username, nonce, prev != nil, key.found, ok == 1)
}

// nonceRefusal is the refusal of a credential computed over a nonce
// (auth-md5's digest, HMAC's mac) by user, nil when it matches (ok, of a
// user found, under a nonce issued; first: the device's first nonces,
// see AuthInput.FirstNonce). The reasons differ only in the server's
// log: the device is told 401 and a challenge whichever it is.
func nonceRefusal(auth, what, user string, nonce []byte, first, found, ok bool) error {
	switch {
	case nonce == nil:
		return pkg.Errorf("%s: user %s: no nonce was issued to this device yet (its first session, or the server lost its state), so none can match: %w", auth, shown(user), ErrInvalidCredentials)
	case !found:
		return pkg.Errorf("%s: unknown user %s: %w", auth, shown(user), ErrInvalidCredentials)
	case !ok && first:
		return pkg.Errorf("%s: user %s: the %s does not match the device's first nonce, of this time window or the one before (a wrong password, a challenge answered two windows or more later, or a device's first message, sent before it was challenged): %w", auth, shown(user), what, ErrInvalidCredentials)
	case !ok:
		return pkg.Errorf("%s: user %s: the %s does not match (a wrong password, a nonce other than the one last issued, or a device's first message, sent before it was challenged): %w", auth, shown(user), what, ErrInvalidCredentials)
	}
	return nil
}
