package session

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"strings"
)

// DefaultNonceSize is the size of the nonces a CredAuthenticator makes: 16 random
// octets, the minimum the OMA DM security specification recommends.
const DefaultNonceSize = 16

// newNonce returns size bytes from r (crypto/rand when r is nil; size
// DefaultNonceSize when 0 or less). A server makes a new one for every
// session (for HMAC, every message) and never reuses one.
func newNonce(r io.Reader, size int) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	if size <= 0 {
		size = DefaultNonceSize
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, pkg.Errorf("nonce: %w", err)
	}
	return b, nil
}

// encodeNonce returns the NextNonce text of nonce (Base64, Format b64).
func encodeNonce(nonce []byte) string { return base64.StdEncoding.EncodeToString(nonce) }

// decodeNonce reads a NextNonce (Base64, surrounding white space
// ignored). Text that is not Base64 is refused with an error that matches
// ErrMalformedCredentials.
func decodeNonce(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, pkg.Errorf("NextNonce %s is not Base64: %w", shown(s), ErrMalformedCredentials)
	}
	return b, nil
}
