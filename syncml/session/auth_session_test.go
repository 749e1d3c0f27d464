package session

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// HMAC is checked on every message, each with the nonce of the previous
// answer; a message re-sent with an older nonce is refused and gets a new
// challenge.
func TestHMACEveryMessage(t *testing.T) {
	ctx := context.Background()
	s := authServer(AuthHMAC)
	s.Rand = nil // crypto/rand
	c := &ClientAuth{Username: "dev", Password: "secret", Type: AuthHMAC, Nonce: []byte("first")}
	issued := []byte("first")
	seen := map[string]bool{}
	var prev struct {
		hdr  string
		body []byte
	}
	var chal *syncml.Chal
	for i := range 4 {
		body := fmt.Appendf(nil, "<SyncML><MsgID>%d</MsgID></SyncML>", i+1)
		h := http.Header{}
		if err := c.Sign(ctx, chal, body, h); err != nil {
			t.Fatal(err)
		}
		hdr := h.Get(HMACHeaderName)
		d, err := s.check(ctx, authAttempt{Username: "dev", Nonce: issued, HMAC: hdr, Body: body})
		if err != nil || d.Code != syncml.StatusOK || d.Username != "dev" {
			t.Fatalf("message %d: %+v, %v", i+1, d, err)
		}
		if seen[string(d.NextNonce)] || bytes.Equal(d.NextNonce, issued) {
			t.Fatalf("message %d: nonce reused", i+1)
		}
		seen[string(d.NextNonce)] = true
		if i > 0 {
			// The previous message again, under the nonce now current.
			r, err := s.check(ctx, authAttempt{Username: "dev", Nonce: issued, HMAC: prev.hdr, Body: prev.body})
			if err != nil || r.Code != syncml.StatusInvalidCredentials || r.Chal == nil || r.Chal.Meta.NextNonce != encodeNonce(issued) || r.NextNonce != nil {
				t.Fatalf("message %d replayed: %+v, %v", i, r, err)
			}
		}
		prev.hdr, prev.body = hdr, body
		issued = d.NextNonce
		chal = d.Chal
	}
	if err := c.take(chal); err != nil || !bytes.Equal(c.Nonce, issued) {
		t.Fatalf("client nonce %x, server %x (%v)", c.Nonce, issued, err)
	}
}

// Every session gets a new nonce from crypto/rand.
func TestNewNoncePerSession(t *testing.T) {
	s := authServer(AuthMD5)
	s.Rand = nil
	seen := map[string]bool{}
	for range 50 {
		d, err := s.check(context.Background(), authAttempt{Username: "dev"})
		if err != nil || d.Code != syncml.StatusMissingCredentials {
			t.Fatal(d, err)
		}
		if len(d.NextNonce) != DefaultNonceSize || seen[string(d.NextNonce)] {
			t.Fatalf("nonce %x", d.NextNonce)
		}
		seen[string(d.NextNonce)] = true
	}
}

// No error or decision shows a password or a key.
func TestNoSecretInErrors(t *testing.T) {
	const pw = "Pa55-w0rd-SECRET"
	ctx := context.Background()
	creds := &MemoryUsers{}
	creds.Set("dev", pw)
	key := KeyOf("dev", pw)
	wrongBasic, _ := basicCred("dev", pw+"x")
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		s := &CredAuthenticator{Type: typ, Users: creds}
		for _, at := range []authAttempt{
			{Cred: wrongBasic, Username: "dev"},
			{Cred: md5Cred("dev", pw+"x", []byte("n")), Username: "dev", Nonce: []byte("n")},
			{HMAC: newHMACHeader("dev", pw+"x", []byte("n"), nil).String(), Username: "dev", Nonce: []byte("n")},
		} {
			d, err := s.check(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{d.Err.Error(), fmt.Sprintf("%+v", d), fmt.Sprintf("%v %#v", key, key)} {
				if strings.Contains(s, pw) || strings.Contains(s, computeHMACB64(key, nil, nil)[:8]) || strings.Contains(s, fmt.Sprint(key[:])) {
					t.Errorf("%s: secret shown in %q", typ, s)
				}
			}
		}
	}
}
