package session

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestMD5RefusalReasons: an MD5 refusal says in the server's log why,
// though the device is told 401 and a challenge alike: a device with no
// nonce yet (every device's first contact), an unknown user, and a digest
// that does not match (a wrong password or a stale nonce). Before, all
// three read `auth-md5: user "dev": invalid credentials`, and an operator
// could not tell a new device from a wrong password.
func TestMD5RefusalReasons(t *testing.T) {
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	nonce := []byte("issued")
	for _, tc := range []struct {
		name, user, password string
		used, held           []byte // the nonce the device used, the one the server holds
		want                 string
	}{
		{"first contact", "dev", "secret", []byte{}, nil, "no nonce was issued to this device yet"},
		{"unknown user", "eve", "secret", nonce, nonce, `unknown user "eve"`},
		{"wrong password", "dev", "guess", nonce, nonce, "the digest does not match"},
		{"stale nonce", "dev", "secret", []byte("old"), nonce, "the digest does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkMD5(context.Background(), md5Cred(tc.user, tc.password, tc.used), tc.user, tc.held, nil, users)
			if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want ErrInvalidCredentials saying %q", err, tc.want)
			}
		})
	}
	if err := checkMD5(context.Background(), md5Cred("dev", "secret", nonce), "dev", nonce, nil, users); err != nil {
		t.Errorf("the right digest: %v", err)
	}
	// a device's first nonces, of this window and the one before: either
	// is accepted, an older one refused with a reason saying so
	cur, prev := []byte("first, now"), []byte("first, before")
	for _, used := range [][]byte{cur, prev} {
		if err := checkMD5(context.Background(), md5Cred("dev", "secret", used), "dev", cur, prev, users); err != nil {
			t.Errorf("the first nonce %q: %v", used, err)
		}
	}
	err := checkMD5(context.Background(), md5Cred("dev", "secret", []byte("first, long ago")), "dev", cur, prev, users)
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), "first nonce, of this time window or the one before") {
		t.Errorf("an older first nonce: %v, want ErrInvalidCredentials saying so", err)
	}
}

// TestHMACAndBasicRefusalReasons: HMAC and Basic refusals say in the
// server's log why, as MD5's do (TestMD5RefusalReasons), the device being
// told 401 and a challenge alike: HMAC has MD5's three reasons (no nonce
// yet, an unknown user, a mac that does not match), Basic two (an unknown
// user, a wrong password). Before, each read `hmac: user "dev": invalid
// credentials` or `auth-basic: user "dev": invalid credentials`.
func TestHMACAndBasicRefusalReasons(t *testing.T) {
	ctx := context.Background()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	nonce, body := []byte("issued"), []byte("<SyncML/>")
	for _, tc := range []struct {
		name, user, password string
		used, held           []byte // the nonce the device used, the one the server holds
		want                 string
	}{
		{"first contact", "dev", "secret", []byte{}, nil, "no nonce was issued to this device yet"},
		{"unknown user", "eve", "secret", nonce, nonce, `unknown user "eve"`},
		{"wrong password", "dev", "guess", nonce, nonce, "the mac does not match"},
		{"stale nonce", "dev", "secret", []byte("old"), nonce, "the mac does not match"},
	} {
		t.Run("hmac "+tc.name, func(t *testing.T) {
			err := verifyHMAC(ctx, newHMACHeader(tc.user, tc.password, tc.used, body), tc.held, nil, body, users)
			if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want ErrInvalidCredentials saying %q", err, tc.want)
			}
		})
	}
	if err := verifyHMAC(ctx, newHMACHeader("dev", "secret", nonce, body), nonce, nil, body, users); err != nil {
		t.Errorf("the right mac: %v", err)
	}
	cur, prev := []byte("first, now"), []byte("first, before")
	for _, used := range [][]byte{cur, prev} {
		if err := verifyHMAC(ctx, newHMACHeader("dev", "secret", used, body), cur, prev, body, users); err != nil {
			t.Errorf("hmac: the first nonce %q: %v", used, err)
		}
	}
	err := verifyHMAC(ctx, newHMACHeader("dev", "secret", []byte("first, long ago"), body), cur, prev, body, users)
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), "first nonce, of this time window or the one before") {
		t.Errorf("hmac: an older first nonce: %v, want ErrInvalidCredentials saying so", err)
	}
	for _, tc := range []struct{ name, user, password, want string }{
		{"unknown user", "eve", "secret", `unknown user "eve"`},
		{"wrong password", "dev", "guess", `user "dev": wrong password`},
	} {
		t.Run("basic "+tc.name, func(t *testing.T) {
			c, err := basicCred(tc.user, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			_, err = checkBasic(ctx, c, users)
			if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want ErrInvalidCredentials saying %q", err, tc.want)
			}
		})
	}
}
