package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func TestAnswerFor(t *testing.T) {
	tests := []struct {
		t    AuthType
		o    authOutcome
		want authAnswer
	}{
		{AuthBasic, authMissing, authAnswer{407, true, false}},
		{AuthBasic, authRefused, authAnswer{401, true, false}},
		{AuthBasic, authAccepted, authAnswer{212, false, false}},
		{AuthMD5, authMissing, authAnswer{407, true, true}},
		{AuthMD5, authRefused, authAnswer{401, true, true}},
		{AuthMD5, authAccepted, authAnswer{212, true, true}},
		{AuthHMAC, authMissing, authAnswer{407, true, true}},
		{AuthHMAC, authRefused, authAnswer{401, true, true}},
		{AuthHMAC, authAccepted, authAnswer{200, true, true}},
	}
	for _, tt := range tests {
		if got, err := answerFor(tt.t, tt.o); err != nil || got != tt.want {
			t.Errorf("AnswerFor(%s, %s) = %+v, %v; want %+v", tt.t, tt.o, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		t AuthType
		o authOutcome
	}{{"syncml:auth-x", authMissing}, {AuthMD5, 0}, {AuthMD5, 4}} {
		if _, err := answerFor(bad.t, bad.o); !errors.Is(err, ErrUnsupportedAuth) {
			t.Errorf("AnswerFor(%q, %d): %v", bad.t, bad.o, err)
		}
	}
}

// authCounter is a deterministic nonce source: 1, 2, 3…
type authCounter byte

func (c *authCounter) Read(p []byte) (int, error) {
	*c++
	for i := range p {
		p[i] = byte(*c)
	}
	return len(p), nil
}

func authServer(t AuthType) *CredAuthenticator {
	creds := &MemoryUsers{}
	creds.Set("dev", "secret")
	return &CredAuthenticator{Type: t, Users: creds, Rand: new(authCounter)}
}

func TestServerCheck(t *testing.T) {
	ctx := context.Background()
	n1 := bytes.Repeat([]byte{9}, 16)
	body := []byte("<SyncML>x</SyncML>")
	basic, _ := basicCred("dev", "secret")
	wrongBasic, _ := basicCred("dev", "Secret")
	hdr := newHMACHeader("dev", "secret", n1, body).String()
	tests := []struct {
		name string
		typ  AuthType
		at   authAttempt
		code syncml.StatusCode
		user string
		want error
	}{
		{"basic missing", AuthBasic, authAttempt{}, 407, "", ErrMissingCredentials},
		{"basic wrong", AuthBasic, authAttempt{Cred: wrongBasic}, 401, "", ErrInvalidCredentials},
		{"basic md5 cred", AuthBasic, authAttempt{Cred: md5Cred("dev", "secret", n1)}, 401, "", ErrInvalidCredentials},
		{"basic ok", AuthBasic, authAttempt{Cred: basic}, 212, "dev", nil},
		{"md5 missing", AuthMD5, authAttempt{Username: "dev", Nonce: n1}, 407, "", ErrMissingCredentials},
		{"md5 stale", AuthMD5, authAttempt{Cred: md5Cred("dev", "secret", []byte("old")), Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 no nonce issued", AuthMD5, authAttempt{Cred: md5Cred("dev", "secret", nil), Username: "dev"}, 401, "", ErrInvalidCredentials},
		{"md5 wrong", AuthMD5, authAttempt{Cred: md5Cred("dev", "Secret", n1), Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 basic cred", AuthMD5, authAttempt{Cred: basic, Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 ok", AuthMD5, authAttempt{Cred: md5Cred("dev", "secret", n1), Username: "dev", Nonce: n1}, 212, "dev", nil},
		{"hmac missing", AuthHMAC, authAttempt{Username: "dev", Nonce: n1, Body: body}, 407, "", ErrMissingCredentials},
		{"hmac malformed", AuthHMAC, authAttempt{HMAC: "username=dev", Nonce: n1, Body: body}, 401, "", ErrMalformedCredentials},
		{"hmac sha", AuthHMAC, authAttempt{HMAC: `algorithm=SHA, username="dev", mac=QQ`, Nonce: n1, Body: body}, 401, "", ErrUnsupportedAuth},
		{"hmac other LocName", AuthHMAC, authAttempt{HMAC: hdr, Username: "eve", Nonce: n1, Body: body}, 401, "", ErrInvalidCredentials},
		{"hmac body changed", AuthHMAC, authAttempt{HMAC: hdr, Username: "dev", Nonce: n1, Body: append(body, ' ')}, 401, "", ErrInvalidCredentials},
		{"hmac stale", AuthHMAC, authAttempt{HMAC: hdr, Username: "dev", Nonce: []byte("x"), Body: body}, 401, "", ErrInvalidCredentials},
		{"hmac ok", AuthHMAC, authAttempt{HMAC: hdr, Username: "dev", Nonce: n1, Body: body}, 200, "dev", nil},
		{"hmac ok without LocName", AuthHMAC, authAttempt{HMAC: hdr, Nonce: n1, Body: body}, 200, "dev", nil},
	}
	for _, tt := range tests {
		s := authServer(tt.typ)
		d, err := s.check(ctx, tt.at)
		if err != nil {
			t.Errorf("%s: Check: %v", tt.name, err)
			continue
		}
		want, _ := answerFor(tt.typ, d.Outcome)
		if d.Code != tt.code || d.authAnswer != want || d.Username != tt.user || !errors.Is(d.Err, tt.want) || (tt.want == nil) != (d.Err == nil) {
			t.Errorf("%s: decision %+v; want code %d user %q err %v", tt.name, d, tt.code, tt.user, tt.want)
		}
		// a refusal of a device that holds a nonce repeats it and keeps
		// it; an acceptance, or a refusal of a device without one, makes
		// a new one
		repeat := want.NextNonce && d.Outcome != authAccepted && tt.at.Nonce != nil
		if want.Chal != (d.Chal != nil) || (want.NextNonce && !repeat) != (d.NextNonce != nil) {
			t.Errorf("%s: Chal %v NextNonce %x against %+v", tt.name, d.Chal, d.NextNonce, want)
		}
		if d.Chal != nil {
			m := d.Chal.Meta
			if m.Type != string(tt.typ) || m.Format != "b64" || (m.NextNonce != "") != want.NextNonce {
				t.Errorf("%s: Chal %+v", tt.name, m)
			}
			switch {
			case repeat:
				if m.NextNonce != encodeNonce(tt.at.Nonce) {
					t.Errorf("%s: nonce %q, want the device's %q repeated", tt.name, m.NextNonce, encodeNonce(tt.at.Nonce))
				}
			case want.NextNonce:
				if len(d.NextNonce) != DefaultNonceSize || m.NextNonce != encodeNonce(d.NextNonce) || bytes.Equal(d.NextNonce, n1) {
					t.Errorf("%s: nonce %x / %q", tt.name, d.NextNonce, m.NextNonce)
				}
			}
		}
	}
}

func TestServerCheckFailures(t *testing.T) {
	ctx := context.Background()
	basic, _ := basicCred("dev", "secret")
	if _, err := (&CredAuthenticator{Type: "syncml:auth-x", Users: &MemoryUsers{}}).check(ctx, authAttempt{}); !errors.Is(err, ErrUnsupportedAuth) {
		t.Errorf("unknown type: %v", err)
	}
	// no Users: the server's own failure (500), which names the field; it
	// is no unsupported type (it wrapped ErrUnsupportedAuth before, whose
	// text misled a new user)
	if _, err := (&CredAuthenticator{Type: AuthBasic}).check(ctx, authAttempt{Cred: basic}); err == nil || errors.Is(err, ErrUnsupportedAuth) || !strings.Contains(err.Error(), "CredAuthenticator.Users is nil") {
		t.Errorf("no Users: %v", err)
	}
	if _, err := (&CredAuthenticator{Type: AuthBasic, Users: authFailing{}}).check(ctx, authAttempt{Cred: basic}); err == nil {
		t.Error("failing source: no error")
	}
	s := authServer(AuthMD5)
	s.Rand = bytes.NewReader(nil)
	if _, err := s.check(ctx, authAttempt{}); err == nil {
		t.Error("no randomness: no error")
	}
}

// authRun plays a session start: the client sends package 1 until the
// server accepts it or the client has answered retries challenges; it
// returns the codes the server sent and the nonce it keeps.
func authRun(t *testing.T, s *CredAuthenticator, c *ClientAuth, nonce []byte, retries int) (codes []syncml.StatusCode, kept []byte) {
	t.Helper()
	ctx := context.Background()
	body := []byte("<SyncML>package 1</SyncML>")
	var chal *syncml.Chal
	for range retries + 1 {
		cr, err := c.Cred(ctx, chal)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		if err := c.Sign(ctx, chal, body, h); err != nil {
			t.Fatal(err)
		}
		d, err := s.check(ctx, authAttempt{Cred: cr, Username: c.Username, Nonce: nonce, HMAC: h.Get(HMACHeaderName), Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if d.NextNonce != nil {
			nonce = d.NextNonce
		}
		codes = append(codes, d.Code)
		if d.Chal != nil {
			chal = d.Chal
		}
		if d.Code.Success() {
			break
		}
	}
	if err := c.take(chal); err != nil {
		t.Fatal(err)
	}
	return codes, nonce
}

func TestClientServerFlow(t *testing.T) {
	tests := []struct {
		name    string
		server  AuthType
		client  ClientAuth
		nonce   []byte
		retries int
		codes   []syncml.StatusCode
	}{
		{"basic challenged", AuthBasic, ClientAuth{Username: "dev", Password: "secret"}, nil, 2, []syncml.StatusCode{407, 212}},
		{"basic preconfigured", AuthBasic, ClientAuth{Username: "dev", Password: "secret", Type: AuthBasic}, nil, 2, []syncml.StatusCode{212}},
		{"basic wrong password", AuthBasic, ClientAuth{Username: "dev", Password: "x"}, nil, 2, []syncml.StatusCode{407, 401, 401}},
		{"md5 challenged", AuthMD5, ClientAuth{Username: "dev", Password: "secret"}, nil, 2, []syncml.StatusCode{407, 212}},
		{"md5 stale nonce", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthMD5, Nonce: []byte("old")}, []byte("new"), 2, []syncml.StatusCode{401, 212}},
		{"md5 current nonce", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthMD5, Nonce: []byte("n")}, []byte("n"), 2, []syncml.StatusCode{212}},
		{"md5 wrong password", AuthMD5, ClientAuth{Username: "dev", Password: "x", Type: AuthMD5}, nil, 3, []syncml.StatusCode{401, 401, 401, 401}},
		{"md5 client sends basic", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthBasic}, nil, 2, []syncml.StatusCode{401, 212}},
		{"hmac challenged", AuthHMAC, ClientAuth{Username: "dev", Password: "secret"}, nil, 2, []syncml.StatusCode{407, 200}},
		{"hmac no nonce yet", AuthHMAC, ClientAuth{Username: "dev", Password: "secret", Type: AuthHMAC}, nil, 2, []syncml.StatusCode{407, 200}},
		{"hmac wrong password", AuthHMAC, ClientAuth{Username: "dev", Password: "y", Type: AuthHMAC, Nonce: []byte("n")}, []byte("n"), 2, []syncml.StatusCode{401, 401, 401}},
	}
	for _, tt := range tests {
		c := tt.client
		codes, kept := authRun(t, authServer(tt.server), &c, tt.nonce, tt.retries)
		if !slices.Equal(codes, tt.codes) {
			t.Errorf("%s: codes %v; want %v", tt.name, codes, tt.codes)
		}
		if tt.server != AuthBasic && !bytes.Equal(c.Nonce, kept) {
			t.Errorf("%s: client keeps nonce %x, server %x", tt.name, c.Nonce, kept)
		}
	}
}

func TestClientAuthChallenge(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		chal *syncml.Chal
		err  error
	}{
		{"unknown type", newChal("syncml:auth-x", nil), ErrUnsupportedAuth},
		{"bad nonce", &syncml.Chal{Meta: &syncml.Meta{Type: string(AuthMD5), NextNonce: "!!"}}, ErrMalformedCredentials},
	}
	for _, tt := range tests {
		c := &ClientAuth{Username: "u", Password: "p"}
		if _, err := c.Cred(ctx, tt.chal); !errors.Is(err, tt.err) {
			t.Errorf("%s: Cred: %v", tt.name, err)
		}
		if err := c.Sign(ctx, tt.chal, nil, http.Header{}); !errors.Is(err, tt.err) {
			t.Errorf("%s: Sign: %v", tt.name, err)
		}
	}
	c := &ClientAuth{Username: "u", Password: "p"}
	if cr, err := c.Cred(ctx, newChal(AuthMD5, []byte("next"))); err != nil || cr == nil || string(c.Nonce) != "next" || c.Type != AuthMD5 {
		t.Errorf("MD5 challenge: %v %v, nonce %q type %q", cr, err, c.Nonce, c.Type)
	}
	h := http.Header{}
	if err := (&ClientAuth{Username: "u", Type: AuthHMAC}).Sign(ctx, nil, []byte("b"), h); err != nil || len(h) != 0 {
		t.Errorf("HMAC without nonce signs: %v %v", h, err)
	}
	if cr, err := (&ClientAuth{Username: "u", Type: AuthHMAC, Nonce: []byte("n")}).Cred(ctx, nil); cr != nil || err != nil {
		t.Errorf("HMAC Cred: %v %v", cr, err)
	}
	if _, err := (&ClientAuth{Type: "syncml:auth-x"}).Cred(ctx, nil); !errors.Is(err, ErrUnsupportedAuth) {
		t.Errorf("unknown client type: %v", err)
	}
}
