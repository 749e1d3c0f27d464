package session

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"

	"github.com/windc-go/windc/syncml"
)

// tokenPeers is a Server with a CredAuthenticator of one type (user "dev",
// password "secret") behind a loopback httptest server that records the
// session token of every request's URL (SessionTokenParam, "" when none),
// and, by OnExchange, the replies (not replays) and the Results the
// device sent.
type tokenPeers struct {
	srv *Server
	ts  *httptest.Server

	mu      sync.Mutex
	tokens  []string          // of the requests' URLs
	replies []*syncml.Message // the Server's replies, refusals included
	results []string          // the values of the Results the device sent
}

func newTokenPeers(t *testing.T, typ AuthType, on bool, maxMsgSize int) *tokenPeers {
	t.Helper()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	p := &tokenPeers{}
	p.srv = NewServer(ServerConfig{
		Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}, SessionToken: on, MaxMsgSize: maxMsgSize},
		OnExchange: func(_ context.Context, x *Exchange) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.replies = append(p.replies, x.Reply)
			for _, o := range x.Outcomes {
				for _, r := range o.Results {
					for _, it := range r.Items {
						p.results = append(p.results, it.Data.Value)
					}
				}
			}
		},
	})
	p.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.tokens = append(p.tokens, r.URL.Query().Get(SessionTokenParam))
		p.mu.Unlock()
		p.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(p.ts.Close)
	return p
}

// take returns what was recorded since the last call and forgets it.
func (p *tokenPeers) take() (tokens []string, replies []*syncml.Message, results []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tokens, replies, results = p.tokens, p.replies, p.results
	p.tokens, p.replies, p.results = nil, nil, nil
	return
}

// post posts raw to u and returns the reply, parsed.
func (p *tokenPeers) post(t *testing.T, u string, raw []byte) *syncml.Message {
	t.Helper()
	resp, err := p.ts.Client().Post(u, ContentType, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s %q, %v", u, resp.Status, body, err)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// state returns the Server's state of device DEV.
func (p *tokenPeers) state(t *testing.T) (*state, byte) {
	t.Helper()
	raw, _, err := p.srv.cfg.Store.Load(context.Background(), "DEV")
	if err != nil || len(raw) == 0 {
		t.Fatalf("state of DEV: %d bytes, %v", len(raw), err)
	}
	s := NewSession(nil)
	if err := s.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	return &s.st, raw[0]
}

// hdrCode returns the code of the SyncHdr Status of reply m.
func hdrCode(t *testing.T, m *syncml.Message) syncml.StatusCode {
	t.Helper()
	st, ok := m.Body.Commands[0].(*syncml.Status)
	if !ok || st.Cmd != "SyncHdr" {
		t.Fatalf("reply %s starts with %s, not the SyncHdr's Status", m.Header.MsgID, m.Body.Commands[0].ElementName())
	}
	code, _ := st.Code()
	return code
}

// tokenOf returns the SessionTokenParam of a reply's RespURI, "" when none.
func tokenOf(t *testing.T, m *syncml.Message) string {
	t.Helper()
	if m.Header.RespURI == "" {
		return ""
	}
	u, err := url.Parse(m.Header.RespURI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(SessionTokenParam)
}

// With SessionToken, basic and MD5 sessions of several messages (a reply
// spread over messages the device asks for with Alert 1222, Gets answered
// with Results) run over loopback HTTP with the library's own Client,
// which follows the RespURI: every message after the one accepted with 212
// goes to a URL carrying the session's token, the same throughout the
// session, and is accepted without credentials. The next session gets
// another token, and the state of a session over keeps none (format 6).
// Without SessionToken no request carries a token, and this fails.
func TestSessionTokenOverHTTP(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5} {
		t.Run(authShort(typ), func(t *testing.T) {
			p := newTokenPeers(t, typ, true, 900)
			c := authClient(t, &authPeers{ts: p.ts}, &ClientAuth{Username: "dev", Password: "secret"})
			var prev string
			for _, sid := range []string{"1", "2"} {
				uris := []string{"./DevDetail/A", "./DevDetail/B", "./DevDetail/C", "./DevDetail/D", "./DevDetail/E",
					"./DevDetail/F", "./DevDetail/G", "./DevDetail/H", "./DevDetail/I", "./DevDetail/J"}
				if err := p.srv.Queue(context.Background(), "DEV", NewGets(uris...)...); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, sid); err != nil {
					t.Fatal(err)
				}
				tokens, replies, results := p.take()
				if len(results) != len(uris) {
					t.Errorf("session %s: %d Results, want %d", sid, len(results), len(uris))
				}
				// the replies up to the 212, refusals, carry no token; every
				// one after it the session's, to which the device posts
				at := -1
				for i, r := range replies {
					if hdrCode(t, r) == syncml.StatusAuthenticationAccepted {
						at = i
						break
					}
				}
				if at < 0 {
					t.Fatalf("session %s: no 212", sid)
				}
				token := tokenOf(t, replies[at])
				if len(token) < 22 || token == prev {
					t.Fatalf("session %s: token %q (the last session's %q)", sid, token, prev)
				}
				prev = token
				asked := 0
				for i, r := range replies {
					code, got := hdrCode(t, r), tokenOf(t, r)
					if i < at && got != "" || i >= at && got != token {
						t.Errorf("session %s: reply %d (%d) has token %q, want the session's %q after the 212", sid, i, code, got, token)
					}
					if i > at && code != syncml.StatusOK {
						t.Errorf("session %s: reply %d: %d, want 200", sid, i, code)
					}
					for _, cmd := range r.Body.Commands {
						if _, ok := cmd.(*syncml.Get); ok {
							asked++
							break
						}
					}
				}
				if asked < 3 {
					t.Errorf("session %s: Gets in %d replies, want a package of several messages", sid, asked)
				}
				for i, got := range tokens {
					if i <= at && got != "" || i > at && got != token {
						t.Errorf("session %s: request %d posted with token %q, want %q after the 212", sid, i, got, token)
					}
				}
				if st, format := p.state(t); st.Auth != nil || format != stateFormatNoToken {
					t.Errorf("session %s over: state of format %d keeps Auth %v", sid, format, st.Auth)
				}
			}
		})
	}
}

// The hole SessionToken closes: once a basic or MD5 session is accepted
// with 212, a message with the device's Source and the session's
// SessionID, without credentials, posted to the server's plain URL is
// taken as the accepted user: it answers the Get the device was sent and
// gets the command queued for the device meanwhile in its reply. With
// SessionToken, that message, and one with a wrong token, is challenged
// (407, and a reply of that Status alone); the device, posting to the
// RespURI, goes on with the session and gets the command (a byte-identical
// replay of its message is answered as before at the session's URL, and
// challenged at the plain URL: the token is part of what a replay repeats).
func TestSessionTokenAttack(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []AuthType{AuthBasic, AuthMD5} {
		for _, on := range []bool{false, true} {
			name := authShort(typ) + "/off"
			if on {
				name = authShort(typ) + "/on"
			}
			t.Run(name, func(t *testing.T) {
				p := newTokenPeers(t, typ, on, 0)
				if err := p.srv.Queue(ctx, "DEV", NewGets("./DevDetail/SwV")...); err != nil {
					t.Fatal(err)
				}
				c := authClient(t, &authPeers{ts: p.ts}, &ClientAuth{Username: "dev", Password: "secret"})
				m, err := c.Start(ctx, "7")
				if err != nil {
					t.Fatal(err)
				}
				// the device up to the reply that accepts it (212), which
				// carries the Get; m is then its answer, not posted yet
				at := p.ts.URL
				var accepted *syncml.Message
				for i := 0; accepted == nil; i++ {
					if i == 3 {
						t.Fatal("no 212")
					}
					raw, err := syncml.Marshal(m)
					if err != nil {
						t.Fatal(err)
					}
					reply := p.post(t, at, raw)
					if hdrCode(t, reply) == syncml.StatusAuthenticationAccepted {
						accepted = reply
					}
					x, err := c.Handle(ctx, reply)
					if err != nil {
						t.Fatal(err)
					}
					m = x.Reply
					if at, err = c.nextURL(p.ts.URL, reply.Header.RespURI); err != nil {
						t.Fatal(err)
					}
				}
				getID := cmdIDOf(accepted, "Get")
				if getID == "" {
					t.Fatal("the accepted reply carries no Get")
				}
				// the server queues a command for the device meanwhile
				if err := p.srv.Queue(ctx, "DEV", NewGets("./DevDetail/Secret")...); err != nil {
					t.Fatal(err)
				}
				p.take()
				// the attacker: the device's Source, the session's SessionID,
				// no credentials, the Status of the Get
				attack := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
					`<SessionID>7</SessionID><MsgID>9</MsgID><Target><LocURI>` + p.ts.URL + `</LocURI></Target>` +
					`<Source><LocURI>DEV</LocURI></Source></SyncHdr><SyncBody>` +
					`<Status><CmdID>1</CmdID><MsgRef>` + accepted.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
					`<Status><CmdID>2</CmdID><MsgRef>` + accepted.Header.MsgID + `</MsgRef><CmdRef>` + getID + `</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
					`<Final/></SyncBody></SyncML>`)
				urls := []string{p.ts.URL}
				if on {
					urls = []string{p.ts.URL + "?" + SessionTokenParam + "=" + strings.Repeat("A", 22), p.ts.URL}
				}
				for _, u := range urls {
					reply := p.post(t, u, attack)
					code := hdrCode(t, reply)
					secret := bytes.Contains(mustMarshal(t, reply), []byte("Secret"))
					if !on {
						// the hole
						if code != syncml.StatusOK || !secret {
							t.Fatalf("without SessionToken: the attacker's message got %d, the queued Get %v; want 200 and the Get", code, secret)
						}
						return
					}
					if code != syncml.StatusMissingCredentials || len(reply.Body.Commands) != 1 || secret || tokenOf(t, reply) != "" {
						t.Errorf("attacker at %s: %d, %d commands, the queued Get %v, RespURI %q; want 407 alone", u, code, len(reply.Body.Commands), secret, reply.Header.RespURI)
					}
				}
				if tokens, _, results := p.take(); len(results) != 0 || len(tokens) != 2 {
					t.Errorf("the attacker's messages: %d requests, Results %v", len(tokens), results)
				}
				// the device goes on at the RespURI: its answer, then the
				// queued Get
				if _, err := url.Parse(at); err != nil || !strings.Contains(at, SessionTokenParam+"=") {
					t.Fatalf("the device's next URL %q carries no token", at)
				}
				done := false
				for i := 0; m != nil; i++ {
					if i == 5 {
						t.Fatal("the session does not end")
					}
					raw, err := syncml.Marshal(m)
					if err != nil {
						t.Fatal(err)
					}
					reply := p.post(t, at, raw)
					if code := hdrCode(t, reply); code != syncml.StatusOK {
						t.Fatalf("the device's message %s: %d", m.Header.MsgID, code)
					}
					if i == 0 {
						// a byte-identical replay at the session's URL (the
						// device's retry) gets the reply as sent; the same
						// bytes at the plain URL are not a replay (the token
						// is part of what authenticates them): challenged,
						// without the token or the Get
						if again := p.post(t, at, raw); !bytes.Equal(mustMarshal(t, again), mustMarshal(t, reply)) {
							t.Errorf("replay at the session's URL:\n%s\nwant\n%s", mustMarshal(t, again), mustMarshal(t, reply))
						}
						if !on {
							break // at is the plain URL
						}
						again := p.post(t, p.ts.URL, raw)
						if code := hdrCode(t, again); code != syncml.StatusMissingCredentials || tokenOf(t, again) != "" || len(again.Body.Commands) != 1 {
							t.Errorf("the device's bytes at the plain URL: %d, token %q, %d commands; want 407 alone", code, tokenOf(t, again), len(again.Body.Commands))
						}
					}
					if done {
						break
					}
					x, err := c.Handle(ctx, reply)
					if err != nil {
						t.Fatal(err)
					}
					m, done = x.Reply, x.Done
					if at, err = c.nextURL(p.ts.URL, reply.Header.RespURI); err != nil {
						t.Fatal(err)
					}
				}
				if _, _, results := p.take(); len(results) != 2 || !strings.Contains(results[1], "Secret") {
					t.Errorf("the device's Results %q, want SwV and Secret", results)
				}
			})
		}
	}
}

// mustURL parses s.
func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A bare Session makes the RespURI of the message's URL (Inbound.URL),
// keeping the rest of its query and putting the token in place of the one
// it came with; a reply that fails puts the token before back, as the
// device never saw the new one: after a restart of the session (Alert 1201
// with credentials) whose reply fails, the device's next message at the
// URL it has is accepted. Kept, the new token refused it (407). A restart
// whose reply goes out has a new token.
func TestSessionTokenFailedReply(t *testing.T) {
	ctx := context.Background()
	signer := "srv"
	s := signFailing(&signer)
	s.cfg.Authenticator = authServer(AuthMD5)
	s.cfg.SessionToken = true
	_ = s.Queue(get("./DevDetail/SwV")) // the session goes on after the 212
	d := &nonceDevice{t: t, typ: AuthMD5}
	at := mustURL(t, "http://dm.test/mdm?tenant=x")
	handleAt := func(u *url.URL, raw []byte) (*Exchange, error) {
		return s.Handle(ctx, &Inbound{Raw: raw, URL: u})
	}
	raw, _ := d.msg("1", "1", alert1201, false)
	if x, err := handleAt(at, raw); err != nil || d.take(x.Reply) != syncml.StatusMissingCredentials || x.Reply.Header.RespURI != "" {
		t.Fatalf("message without credentials: %v", err)
	}
	raw, _ = d.msg("1", "2", alert1201, true)
	x, err := handleAt(at, raw)
	if err != nil || d.take(x.Reply) != syncml.StatusAuthenticationAccepted {
		t.Fatalf("message with credentials: %v", err)
	}
	token := s.st.token()
	if want := "http://dm.test/mdm?tenant=x&" + SessionTokenParam + "=" + token; len(token) != 22 || x.Reply.Header.RespURI != want {
		t.Fatalf("RespURI %q, want %q", x.Reply.Header.RespURI, want)
	}
	at = mustURL(t, x.Reply.Header.RespURI)
	// the restart's reply fails: the device keeps the URL it has
	signer = "!"
	raw, _ = d.msg("1", "3", alert1201, true)
	if _, err := handleAt(at, raw); err == nil {
		t.Fatal("the reply did not fail")
	}
	if s.st.token() != token {
		t.Errorf("after the failed reply: token %q, want the device's %q", s.st.token(), token)
	}
	signer = "srv"
	raw, _ = d.msg("1", "4", "", false)
	x, err = handleAt(at, raw)
	if err != nil {
		t.Fatal(err)
	}
	if code := d.take(x.Reply); code != syncml.StatusOK || x.Reply.Header.RespURI != at.String() {
		t.Errorf("the device's next message at its URL: %d, RespURI %q; want 200, %q", code, x.Reply.Header.RespURI, at)
	}
	// the restart whose reply goes out: a new token, and the old one
	// opens the session no more
	_ = s.Queue(get("./DevDetail/OEM")) // the session goes on after the 212
	raw, _ = d.msg("1", "5", alert1201, true)
	if x, err = handleAt(at, raw); err != nil || d.take(x.Reply) != syncml.StatusAuthenticationAccepted {
		t.Fatalf("restart: %v", err)
	}
	if s.st.token() == token || !strings.HasSuffix(x.Reply.Header.RespURI, "="+s.st.token()) {
		t.Errorf("restart: token %q (the one before %q), RespURI %q", s.st.token(), token, x.Reply.Header.RespURI)
	}
	raw, _ = d.msg("1", "6", "", false)
	if x, err = handleAt(at, raw); err != nil || d.take(x.Reply) != syncml.StatusMissingCredentials {
		t.Errorf("a message at the URL of the token before the restart: %v", err)
	}
}

// SessionToken needs a URL to make the RespURI of: a bare Session whose
// Inbound has no absolute URL, without a RespURI hook, is an error, with
// the state unchanged; with the hook, the token goes in the URL it gives.
func TestSessionTokenNeedsURL(t *testing.T) {
	ctx := context.Background()
	cred, err := basicCred("dev", "secret")
	if err != nil {
		t.Fatal(err)
	}
	msg := func(msgID string) *Inbound {
		m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID, Cred: cred,
			Target: syncml.Location{LocURI: "S"}, Source: syncml.Location{LocURI: "DEV"}}, Body: syncml.Body{Final: true,
			Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}}}
		number(m.Body.Commands, new(int))
		return &Inbound{Message: m}
	}
	s := NewSession(&Config{Authenticator: authServer(AuthBasic), SessionToken: true})
	for _, u := range []*url.URL{nil, mustURL(t, "/mdm"), mustURL(t, "ftp://dm.test/mdm")} {
		in := msg("1")
		in.URL = u
		if _, err := s.Handle(ctx, in); err == nil || !strings.Contains(err.Error(), "SessionToken") {
			t.Errorf("URL %v: %v, want an error", u, err)
		}
		if s.st.SessionID != "" || s.st.token() != "" {
			t.Errorf("URL %v: state changed: %+v", u, s.st)
		}
	}
	s.cfg.RespURI = func(context.Context, Identity, *syncml.Message) string {
		return "https://dm.test/s/1?a=1&" + SessionTokenParam + "=old#f"
	}
	_ = s.Queue(get("./DevDetail/SwV")) // the session goes on after the 212
	x, err := s.Handle(ctx, msg("1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://dm.test/s/1?a=1&" + SessionTokenParam + "=" + s.st.token(); x.Reply.Header.RespURI != want {
		t.Errorf("RespURI %q, want %q", x.Reply.Header.RespURI, want)
	}
}

// TestStateFormat7: the state of a session with a token, saved by this
// code, is byte for byte testdata/state-v7-token.bin (a change of the
// format needs a new format number; the token comes from a deterministic
// crypto/rand), and loads with its token; saved again, the same bytes.
// The token is the last field: without it (cut off, as the state of a
// session without token is saved) the rest is the state of format 6.
func TestStateFormat7(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 7)
	s := NewSession(&Config{Authenticator: authServer(AuthBasic), SessionToken: true})
	_ = s.Queue(NewGets("./DevDetail/SwV", "./DevInfo/Mod")...)
	var m syncml.Message
	if err := syncml.Unmarshal(devMsg("1", "1", alert1201), &m); err != nil {
		t.Fatal(err)
	}
	cred, err := basicCred("dev", "secret")
	if err != nil {
		t.Fatal(err)
	}
	m.Header.Cred = cred
	if _, err := s.Handle(context.Background(), &Inbound{Message: &m, URL: mustURL(t, "http://dm.test/mdm")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "state-v7-token.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("state of format %d\n%q\nwant\n%q", got[0], got, want)
	}
	token := s.st.token()
	loaded := NewSession(nil)
	if err := loaded.UnmarshalBinary(want); err != nil || loaded.st.token() != token || loaded.st.Auth == nil || loaded.Pending() != 2 {
		t.Fatalf("loaded: token %q (want %q), Auth %v, %d pending, %v", loaded.st.token(), token, loaded.st.Auth, loaded.Pending(), err)
	}
	if again, err := loaded.MarshalBinary(); err != nil || !bytes.Equal(again, want) {
		t.Errorf("loaded and saved again:\n%q, %v", again, err)
	}
	// without the token: format 6
	loaded.st.Auth.Token = ""
	v6, err := loaded.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(want) - 1 - len(token); v6[0] != 6 || !bytes.Equal(v6[1:], want[1:n]) || want[n] != byte(len(token)) {
		t.Errorf("without its token\n%q\nwant the format 7 state but for the format and the token", v6)
	}
	// a token cut short is an error
	if err := NewSession(nil).UnmarshalBinary(want[:len(want)-1]); err == nil {
		t.Error("a state whose token is cut short loaded")
	}
}

// token returns the session's token, "" when none.
func (st *state) token() string {
	if st.Auth == nil {
		return ""
	}
	return st.Auth.Token
}
