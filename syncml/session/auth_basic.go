package session

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// basicCred returns the syncml:auth-basic Cred of username and password:
// Data is B64(username:password). A username holding a colon cannot be
// told from its password on the other side, so it is refused.
func basicCred(username, password string) (*syncml.Cred, error) {
	if strings.IndexByte(username, ':') >= 0 {
		return nil, pkg.Errorf("auth-basic: username contains a colon: %w", ErrMalformedCredentials)
	}
	v := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	return &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthBasic), Format: formatB64}, Data: syncml.Text(v)}, nil
}

// parseBasic reads a syncml:auth-basic Cred and returns its username and
// password. A Cred of another type, without Data, with a Format other than
// b64 (or none), not in Base64, or without a colon is refused with an
// error that matches ErrMalformedCredentials.
func parseBasic(c *syncml.Cred) (username, password string, err error) {
	data, err := authCredData(c, AuthBasic)
	if err != nil {
		return "", "", err
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", "", pkg.Errorf("auth-basic: Cred Data is not Base64: %w", ErrMalformedCredentials)
	}
	u, p, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", pkg.Errorf("auth-basic: Cred Data has no colon: %w", ErrMalformedCredentials)
	}
	return u, p, nil
}

// checkBasic checks a syncml:auth-basic Cred against creds and returns the
// username it authenticates. Refusals match ErrInvalidCredentials (an
// unknown user included, after the same work as a known one); an error of
// creds itself is returned wrapped.
func checkBasic(ctx context.Context, c *syncml.Cred, creds Users) (string, error) {
	u, p, err := parseBasic(c)
	if err != nil {
		return "", err
	}
	key, err := authLookup(ctx, creds, u)
	if err != nil {
		return "", err
	}
	// the reasons differ only in the server's log, as nonceRefusal's
	switch ok := KeyOf(u, p).Equal(key.key); {
	case !key.found:
		return "", pkg.Errorf("auth-basic: unknown user %s: %w", shown(u), ErrInvalidCredentials)
	case !ok:
		return "", pkg.Errorf("auth-basic: user %s: wrong password: %w", shown(u), ErrInvalidCredentials)
	}
	return u, nil
}

// authCredData checks c's type and format and returns its Data text.
func authCredData(c *syncml.Cred, want AuthType) (string, error) {
	if c == nil {
		return "", pkg.Errorf("%s: no Cred: %w", authShort(want), ErrMissingCredentials)
	}
	if c.Meta == nil || AuthType(strings.TrimSpace(c.Meta.Type)) != want {
		got := ""
		if c.Meta != nil {
			got = c.Meta.Type
		}
		return "", pkg.Errorf("%s: Cred type is %s: %w", authShort(want), shown(got), ErrMalformedCredentials)
	}
	if f := strings.TrimSpace(c.Meta.Format); f != "" && f != formatB64 {
		return "", pkg.Errorf("%s: Cred format is %s, not b64: %w", authShort(want), shown(c.Meta.Format), ErrMalformedCredentials)
	}
	if c.Data == nil || strings.TrimSpace(c.Data.Value) == "" {
		return "", pkg.Errorf("%s: Cred has no Data: %w", authShort(want), ErrMalformedCredentials)
	}
	return strings.TrimSpace(c.Data.Value), nil
}

// authShort is the type without its "syncml:" prefix, for messages.
func authShort(t AuthType) string { return strings.TrimPrefix(string(t), "syncml:") }
