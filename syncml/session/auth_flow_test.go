package session

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func TestAnswerFor(t *testing.T) {
	tests := []struct {
		t    AuthType
		o    AuthOutcome
		want AuthAnswer
	}{
		{AuthBasic, AuthMissing, AuthAnswer{407, true, false}},
		{AuthBasic, AuthRefused, AuthAnswer{401, true, false}},
		{AuthBasic, AuthAccepted, AuthAnswer{212, false, false}},
		{AuthMD5, AuthMissing, AuthAnswer{407, true, true}},
		{AuthMD5, AuthRefused, AuthAnswer{401, true, true}},
		{AuthMD5, AuthAccepted, AuthAnswer{212, true, true}},
		{AuthHMAC, AuthMissing, AuthAnswer{407, true, true}},
		{AuthHMAC, AuthRefused, AuthAnswer{401, true, true}},
		{AuthHMAC, AuthAccepted, AuthAnswer{200, true, true}},
	}
	for _, tt := range tests {
		if got, err := AnswerFor(tt.t, tt.o); err != nil || got != tt.want {
			t.Errorf("AnswerFor(%s, %s) = %+v, %v; want %+v", tt.t, tt.o, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		t AuthType
		o AuthOutcome
	}{{"syncml:auth-x", AuthMissing}, {AuthMD5, 0}, {AuthMD5, 4}} {
		if _, err := AnswerFor(bad.t, bad.o); !errors.Is(err, ErrUnsupportedAuth) {
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

func authServer(t AuthType) *ServerAuth {
	creds := &MemoryCredentials{}
	creds.Set("dev", "secret")
	return &ServerAuth{Type: t, Credentials: creds, Rand: new(authCounter)}
}

func TestServerCheck(t *testing.T) {
	ctx := context.Background()
	n1 := bytes.Repeat([]byte{9}, 16)
	body := []byte("<SyncML>x</SyncML>")
	basic, _ := BasicCred("dev", "secret")
	wrongBasic, _ := BasicCred("dev", "Secret")
	hdr := NewHMACHeader("dev", "secret", n1, body).String()
	tests := []struct {
		name string
		typ  AuthType
		at   AuthAttempt
		code syncml.StatusCode
		user string
		want error
	}{
		{"basic missing", AuthBasic, AuthAttempt{}, 407, "", ErrMissingCredentials},
		{"basic wrong", AuthBasic, AuthAttempt{Cred: wrongBasic}, 401, "", ErrInvalidCredentials},
		{"basic md5 cred", AuthBasic, AuthAttempt{Cred: MD5Cred("dev", "secret", n1)}, 401, "", ErrInvalidCredentials},
		{"basic ok", AuthBasic, AuthAttempt{Cred: basic}, 212, "dev", nil},
		{"md5 missing", AuthMD5, AuthAttempt{Username: "dev", Nonce: n1}, 407, "", ErrMissingCredentials},
		{"md5 stale", AuthMD5, AuthAttempt{Cred: MD5Cred("dev", "secret", []byte("old")), Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 no nonce issued", AuthMD5, AuthAttempt{Cred: MD5Cred("dev", "secret", nil), Username: "dev"}, 401, "", ErrInvalidCredentials},
		{"md5 wrong", AuthMD5, AuthAttempt{Cred: MD5Cred("dev", "Secret", n1), Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 basic cred", AuthMD5, AuthAttempt{Cred: basic, Username: "dev", Nonce: n1}, 401, "", ErrInvalidCredentials},
		{"md5 ok", AuthMD5, AuthAttempt{Cred: MD5Cred("dev", "secret", n1), Username: "dev", Nonce: n1}, 212, "dev", nil},
		{"hmac missing", AuthHMAC, AuthAttempt{Username: "dev", Nonce: n1, Body: body}, 407, "", ErrMissingCredentials},
		{"hmac malformed", AuthHMAC, AuthAttempt{HMAC: "username=dev", Nonce: n1, Body: body}, 401, "", ErrMalformedCredentials},
		{"hmac sha", AuthHMAC, AuthAttempt{HMAC: `algorithm=SHA, username="dev", mac=QQ`, Nonce: n1, Body: body}, 401, "", ErrUnsupportedAuth},
		{"hmac other LocName", AuthHMAC, AuthAttempt{HMAC: hdr, Username: "eve", Nonce: n1, Body: body}, 401, "", ErrInvalidCredentials},
		{"hmac body changed", AuthHMAC, AuthAttempt{HMAC: hdr, Username: "dev", Nonce: n1, Body: append(body, ' ')}, 401, "", ErrInvalidCredentials},
		{"hmac stale", AuthHMAC, AuthAttempt{HMAC: hdr, Username: "dev", Nonce: []byte("x"), Body: body}, 401, "", ErrInvalidCredentials},
		{"hmac ok", AuthHMAC, AuthAttempt{HMAC: hdr, Username: "dev", Nonce: n1, Body: body}, 200, "dev", nil},
		{"hmac ok without LocName", AuthHMAC, AuthAttempt{HMAC: hdr, Nonce: n1, Body: body}, 200, "dev", nil},
	}
	for _, tt := range tests {
		s := authServer(tt.typ)
		d, err := s.Check(ctx, tt.at)
		if err != nil {
			t.Errorf("%s: Check: %v", tt.name, err)
			continue
		}
		want, _ := AnswerFor(tt.typ, d.Outcome)
		if d.Code != tt.code || d.AuthAnswer != want || d.Username != tt.user || !errors.Is(d.Err, tt.want) || (tt.want == nil) != (d.Err == nil) {
			t.Errorf("%s: decision %+v; want code %d user %q err %v", tt.name, d, tt.code, tt.user, tt.want)
		}
		if want.Chal != (d.Chal != nil) || want.NextNonce != (d.NextNonce != nil) {
			t.Errorf("%s: Chal %v NextNonce %x against %+v", tt.name, d.Chal, d.NextNonce, want)
		}
		if d.Chal != nil {
			m := d.Chal.Meta
			if m.Type != string(tt.typ) || m.Format != "b64" || (m.NextNonce != "") != want.NextNonce {
				t.Errorf("%s: Chal %+v", tt.name, m)
			}
			if want.NextNonce && (len(d.NextNonce) != DefaultNonceSize || m.NextNonce != EncodeNonce(d.NextNonce) || bytes.Equal(d.NextNonce, n1)) {
				t.Errorf("%s: nonce %x / %q", tt.name, d.NextNonce, m.NextNonce)
			}
		}
	}
}

func TestServerCheckFailures(t *testing.T) {
	ctx := context.Background()
	basic, _ := BasicCred("dev", "secret")
	if _, err := (&ServerAuth{Type: "syncml:auth-x", Credentials: &MemoryCredentials{}}).Check(ctx, AuthAttempt{}); !errors.Is(err, ErrUnsupportedAuth) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := (&ServerAuth{Type: AuthBasic}).Check(ctx, AuthAttempt{Cred: basic}); !errors.Is(err, ErrUnsupportedAuth) {
		t.Errorf("no credentials: %v", err)
	}
	if _, err := (&ServerAuth{Type: AuthBasic, Credentials: authFailing{}}).Check(ctx, AuthAttempt{Cred: basic}); err == nil {
		t.Error("failing source: no error")
	}
	s := authServer(AuthMD5)
	s.Rand = bytes.NewReader(nil)
	if _, err := s.Check(ctx, AuthAttempt{}); err == nil {
		t.Error("no randomness: no error")
	}
}

// authRun plays a session start: the client sends package 1 until the server
// accepts it or the client gives up; it returns the codes the server sent.
func authRun(t *testing.T, s *ServerAuth, c *ClientAuth, nonce []byte) (codes []syncml.StatusCode, last ClientAction, kept []byte) {
	t.Helper()
	body := []byte("<SyncML>package 1</SyncML>")
	for range 6 {
		cr, err := c.Cred()
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.Header(body)
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.Check(context.Background(), AuthAttempt{Cred: cr, Username: c.Username, Nonce: nonce, HMAC: h, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if d.NextNonce != nil {
			nonce = d.NextNonce
		}
		codes = append(codes, d.Code)
		st := &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Chal: d.Chal, Data: d.Code.Data()}
		last, err = c.OnStatus(st)
		if last != ClientResend {
			return codes, last, nonce
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("no end")
	return
}

func TestClientServerFlow(t *testing.T) {
	eq := func(a, b []syncml.StatusCode) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	tests := []struct {
		name   string
		server AuthType
		client ClientAuth
		nonce  []byte
		codes  []syncml.StatusCode
		last   ClientAction
	}{
		{"basic challenged", AuthBasic, ClientAuth{Username: "dev", Password: "secret"}, nil, []syncml.StatusCode{407, 212}, ClientAuthenticated},
		{"basic preconfigured", AuthBasic, ClientAuth{Username: "dev", Password: "secret", Type: AuthBasic}, nil, []syncml.StatusCode{212}, ClientAuthenticated},
		{"basic wrong password", AuthBasic, ClientAuth{Username: "dev", Password: "x"}, nil, []syncml.StatusCode{407, 401, 401}, ClientGiveUp},
		{"md5 challenged", AuthMD5, ClientAuth{Username: "dev", Password: "secret"}, nil, []syncml.StatusCode{407, 212}, ClientAuthenticated},
		{"md5 stale nonce", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthMD5, Nonce: []byte("old")}, []byte("new"), []syncml.StatusCode{401, 212}, ClientAuthenticated},
		{"md5 current nonce", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthMD5, Nonce: []byte("n")}, []byte("n"), []syncml.StatusCode{212}, ClientAuthenticated},
		{"md5 wrong password", AuthMD5, ClientAuth{Username: "dev", Password: "x", Type: AuthMD5, MaxChallenges: 3}, nil, []syncml.StatusCode{401, 401, 401, 401}, ClientGiveUp},
		{"md5 client sends basic", AuthMD5, ClientAuth{Username: "dev", Password: "secret", Type: AuthBasic}, nil, []syncml.StatusCode{401, 212}, ClientAuthenticated},
		{"hmac challenged", AuthHMAC, ClientAuth{Username: "dev", Password: "secret"}, nil, []syncml.StatusCode{407, 200}, ClientContinue},
		{"hmac wrong password", AuthHMAC, ClientAuth{Username: "dev", Password: "y", Type: AuthHMAC}, nil, []syncml.StatusCode{401, 401, 401}, ClientGiveUp},
	}
	for _, tt := range tests {
		c := tt.client
		codes, last, kept := authRun(t, authServer(tt.server), &c, tt.nonce)
		if !eq(codes, tt.codes) || last != tt.last {
			t.Errorf("%s: codes %v, %s; want %v, %s", tt.name, codes, last, tt.codes, tt.last)
		}
		if tt.server != AuthBasic && !bytes.Equal(c.Nonce, kept) {
			t.Errorf("%s: client keeps nonce %x, server %x", tt.name, c.Nonce, kept)
		}
		if last == ClientAuthenticated {
			if cr, err := c.Cred(); cr != nil || err != nil {
				t.Errorf("%s: Cred after 212: %v %v", tt.name, cr, err)
			}
		}
	}
}

func TestClientOnStatus(t *testing.T) {
	st := func(cmd string, code string, chal *syncml.Chal) *syncml.Status {
		return &syncml.Status{Cmd: cmd, Data: syncml.Text(code), Chal: chal}
	}
	tests := []struct {
		name string
		st   *syncml.Status
		want ClientAction
		err  bool
	}{
		{"nil", nil, 0, true},
		{"not SyncHdr", st("Get", "200", nil), 0, true},
		{"no code", st("SyncHdr", "x", nil), 0, true},
		{"200", st("SyncHdr", "200", nil), ClientContinue, false},
		{"401 without Chal", st("SyncHdr", "401", nil), ClientGiveUp, true},
		{"407 unknown type", st("SyncHdr", "407", NewChal("syncml:auth-x", nil)), ClientGiveUp, true},
		{"bad nonce", st("SyncHdr", "407", &syncml.Chal{Meta: &syncml.Meta{Type: string(AuthMD5), NextNonce: "!!"}}), ClientGiveUp, true},
		{"500", st("SyncHdr", "500", nil), ClientGiveUp, true},
		{"212 keeps nonce", st("SyncHdr", "212", NewChal(AuthMD5, []byte("next"))), ClientAuthenticated, false},
	}
	for _, tt := range tests {
		c := &ClientAuth{Username: "u", Password: "p"}
		got, err := c.OnStatus(tt.st)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: OnStatus = %s, %v", tt.name, got, err)
		}
	}
	c := &ClientAuth{}
	c.OnStatus(st("SyncHdr", "212", NewChal(AuthMD5, []byte("next"))))
	if string(c.Nonce) != "next" {
		t.Errorf("nonce not kept: %q", c.Nonce)
	}
	if _, err := (&ClientAuth{Type: "syncml:auth-x"}).Cred(); !errors.Is(err, ErrUnsupportedAuth) {
		t.Errorf("unknown client type: %v", err)
	}
}
