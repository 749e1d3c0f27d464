package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// -session-token needs -auth basic or md5: without -auth nothing is
// checked, and hmac proves every message.
func TestSessionTokenFlag(t *testing.T) {
	file := usersFile(t, "dev:secret\n")
	for _, kind := range []string{"", "hmac", "basic", "md5"} {
		auth, err := authenticator(kind, file, false)
		if err != nil {
			t.Fatal(err)
		}
		auth, err = withSessionToken(auth)
		if ok := kind == "basic" || kind == "md5"; ok != (err == nil) || ok != isTokenAuth(auth) {
			t.Errorf("-auth %q -session-token: %v, %v", kind, auth, err)
		}
	}
}

// With -auth md5 -session-token, a device's first session (its Gets and
// the linked enrollment, spread over messages by the device's MaxMsgSize)
// runs with the library's Client, which follows the RespURI: its messages
// after the 212 go to a URL carrying the session's token. A message of the open session without
// credentials at the plain path, which -auth md5 alone accepts (its
// Statuses and Results taken as the device's), is challenged (407, alone).
func TestSessionTokenDMServer(t *testing.T) {
	file := usersFile(t, "dev:secret\n")
	for _, on := range []bool{false, true} {
		auth, err := authenticator("md5", file, false)
		if err != nil {
			t.Fatal(err)
		}
		if on {
			if auth, err = withSessionToken(auth); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		var tokens []string // of the requests' URLs
		h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), auth))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			tokens = append(tokens, r.URL.Query().Get(session.SessionTokenParam))
			mu.Unlock()
			h.ServeHTTP(w, r)
		}))
		defer srv.Close()
		url := srv.URL + Path
		ctx := context.Background()
		c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV", LocName: "dev", ServerURI: url, MaxMsgSize: 1500,
			Credentials: &session.ClientAuth{Username: "dev", Password: "secret"}})
		if err != nil {
			t.Fatal(err)
		}
		post := func(to string, m *syncml.Message) *syncml.Message {
			t.Helper()
			return postMessage(t, srv.Client(), to, m)
		}
		code := func(m *syncml.Message) string { return m.Body.Commands[0].(*syncml.Status).Data.Value }
		// the device up to the 212 (after a 407 for its nonce)
		m, err := c.Start(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		var reply *syncml.Message
		for i := 0; reply == nil || code(reply) != "212"; i++ {
			if i == 3 {
				t.Fatal("no 212")
			}
			reply = post(url, m)
			x, err := c.Handle(ctx, reply)
			if err != nil {
				t.Fatal(err)
			}
			m = x.Reply
		}
		// someone else: the device's answer, without credentials, at the
		// plain path
		forged := *m
		forged.Header.MsgID = "9"
		got := post(url, &forged)
		if !on {
			if code(got) != "200" {
				t.Fatalf("without -session-token: %s; want 200 (its Statuses and Results taken as the device's)", code(got))
			}
			continue
		}
		if code(got) != "407" || len(got.Body.Commands) != 1 || got.Header.RespURI != "" {
			t.Errorf("message without the token: %s, %d commands, RespURI %q; want 407 alone", code(got), len(got.Body.Commands), got.Header.RespURI)
		}
		// the device goes on at the RespURI, to the session's end
		mu.Lock()
		tokens = nil
		mu.Unlock()
		at, done := reply.Header.RespURI, false
		for i := 0; m != nil; i++ {
			if i == 20 {
				t.Fatal("the session does not end")
			}
			r := post(at, m)
			if code(r) != "200" {
				t.Fatalf("the device's message %s: %s", m.Header.MsgID, code(r))
			}
			if done {
				break
			}
			x, err := c.Handle(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			m, done = x.Reply, x.Done
			if at = r.Header.RespURI; at == "" {
				at = url
			}
		}
		mu.Lock()
		if len(tokens) < 2 {
			t.Errorf("%d messages after the 212, want the session's several", len(tokens))
		}
		for i, tok := range tokens {
			if len(tok) < 22 || tok != tokens[0] {
				t.Errorf("message %d after the 212 posted with token %q", i+2, tok)
			}
		}
		mu.Unlock()
	}
}

// TestSessionTokenWinDC: -session-token closes the sessions of the WinDC
// endpoint too: the reply that accepts the device (212, basic) carries the
// token in its RespURI, and a message of the session without credentials
// at the plain path is challenged (407) with nothing else in its reply.
func TestSessionTokenWinDC(t *testing.T) {
	file := usersFile(t, "dev:secret\n")
	auth, err := authenticator("basic", file, false)
	if err != nil {
		t.Fatal(err)
	}
	if auth, err = withSessionToken(auth); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newWinDCServer(slog.New(slog.DiscardHandler), auth, newReconciler(slog.New(slog.DiscardHandler)), nil))
	defer srv.Close()
	url := srv.URL + PathWinDC
	ctx := context.Background()
	c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV", LocName: "dev", ServerURI: url,
		Credentials: &session.ClientAuth{Type: session.AuthBasic, Username: "dev", Password: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	post := func(m *syncml.Message) *syncml.Message { t.Helper(); return postMessage(t, srv.Client(), url, m) }
	code := func(m *syncml.Message) string { return m.Body.Commands[0].(*syncml.Status).Data.Value }
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	reply := post(m)
	if code(reply) != "212" || !strings.Contains(reply.Header.RespURI, session.SessionTokenParam+"=") {
		t.Fatalf("first message: %s, RespURI %q; want 212 and the session's token", code(reply), reply.Header.RespURI)
	}
	x, err := c.Handle(ctx, reply)
	if err != nil {
		t.Fatal(err)
	}
	forged := *x.Reply
	forged.Header.Cred = nil
	got := post(&forged)
	if code(got) != "407" || len(got.Body.Commands) != 1 {
		t.Errorf("message without the token: %s, %d commands; want 407 alone", code(got), len(got.Body.Commands))
	}
}

// postMessage posts m to url with Windows' Content-Type and returns the
// reply, failing the test when it is no SyncML message.
func postMessage(t *testing.T, c *http.Client, url string, m *syncml.Message) *syncml.Message {
	t.Helper()
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Post(url, windowsContentType, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var reply syncml.Message
	if err := syncml.Unmarshal(b, &reply); err != nil {
		t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	return &reply
}
