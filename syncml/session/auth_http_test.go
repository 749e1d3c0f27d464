package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// authPeers is a Server with a CredAuthenticator of one type behind a
// loopback httptest server that records, for every request, the code of
// the reply's SyncHdr Status, its NextNonce, and whether the request
// carried a Cred and an x-syncml-hmac header.
type authPeers struct {
	srv *Server
	ts  *httptest.Server

	mu        sync.Mutex
	codes     []syncml.StatusCode
	nonces    []string
	creds     []bool
	signed    []bool
	ids       []Identity
	refusals  []error
	delivered int // Gets the device answered (not abandoned)

	// refused, when set, is called after each refusal (401 or 407) is
	// recorded, before its reply goes out.
	refused func()
}

func newAuthPeers(t *testing.T, typ AuthType) *authPeers {
	t.Helper()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	p := &authPeers{}
	p.srv = NewServer(ServerConfig{
		Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}},
		OnExchange: func(_ context.Context, x *Exchange) {
			p.mu.Lock()
			defer p.mu.Unlock()
			if x.Refused != nil {
				p.refusals = append(p.refusals, x.Refused)
			} else {
				p.ids = append(p.ids, x.Identity)
			}
			for _, o := range x.Outcomes {
				if !o.Abandoned {
					p.delivered++
				}
			}
		},
	})
	p.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req syncml.Message
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(r.Body)
		_ = syncml.Unmarshal(body.Bytes(), &req)
		r.Body = http.NoBody
		r2 := r.Clone(r.Context())
		r2.Body = readCloser{bytes.NewReader(body.Bytes())}
		rec := httptest.NewRecorder()
		p.srv.ServeHTTP(rec, r2)
		var reply syncml.Message
		if err := syncml.Unmarshal(rec.Body.Bytes(), &reply); err == nil && len(reply.Body.Commands) > 0 {
			if st, ok := reply.Body.Commands[0].(*syncml.Status); ok && st.Cmd == "SyncHdr" {
				code, _ := st.Code()
				nn := ""
				if st.Chal != nil && st.Chal.Meta != nil {
					nn = st.Chal.Meta.NextNonce
				}
				p.mu.Lock()
				p.codes = append(p.codes, code)
				p.nonces = append(p.nonces, nn)
				p.creds = append(p.creds, req.Header.Cred != nil)
				p.signed = append(p.signed, r.Header.Get(HMACHeaderName) != "")
				hook := p.refused
				p.mu.Unlock()
				if hook != nil && (code == syncml.StatusInvalidCredentials || code == syncml.StatusMissingCredentials) {
					hook()
				}
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(p.ts.Close)
	return p
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// run queues a Get for the device and runs one session of c.
func (p *authPeers) run(t *testing.T, c *Client, sessionID string) error {
	t.Helper()
	if err := p.srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, sessionID)
	return err
}

// take returns what was recorded since the last call and forgets it.
func (p *authPeers) take() (codes []syncml.StatusCode, creds, signed []bool, ids []Identity, refusals []error, delivered int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	codes, creds, signed, ids, refusals, delivered = p.codes, p.creds, p.signed, p.ids, p.refusals, p.delivered
	p.codes, p.creds, p.signed, p.ids, p.refusals, p.delivered, p.nonces = nil, nil, nil, nil, nil, 0, nil
	return
}

func authClient(t *testing.T, p *authPeers, creds Credentials) *Client {
	t.Helper()
	c, err := NewClient(ClientConfig{DeviceID: "DEV", LocName: "dev", ServerURI: p.ts.URL, Handler: deviceMux(), Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Two peers over loopback HTTP for every authentication type: the right
// password (challenged, then accepted; the next session with what the
// client learnt), a wrong password, a stale nonce and no credentials.
func TestAuthOverHTTP(t *testing.T) {
	type codes = []syncml.StatusCode
	tests := []struct {
		typ AuthType
		// right: first session (407, then accepted) and second session.
		first, second codes
		// stale: the client starts with a nonce the server never issued.
		stale codes
	}{
		{AuthBasic, codes{407, 212, 200}, codes{212, 200}, codes{212, 200}},
		{AuthMD5, codes{407, 212, 200}, codes{212, 200}, codes{401, 212, 200}},
		{AuthHMAC, codes{407, 200, 200}, codes{200, 200}, codes{401, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(authShort(tt.typ), func(t *testing.T) {
			// Right password.
			p := newAuthPeers(t, tt.typ)
			ca := &ClientAuth{Username: "dev", Password: "secret"}
			c := authClient(t, p, ca)
			if err := p.run(t, c, "1"); err != nil {
				t.Fatal(err)
			}
			got, creds, signed, ids, refusals, delivered := p.take()
			if !slices.Equal(got, tt.first) || delivered != 1 || len(refusals) != 1 || !errors.Is(refusals[0], ErrMissingCredentials) {
				t.Errorf("first session: codes %v, %d delivered, refusals %v; want %v", got, delivered, refusals, tt.first)
			}
			for _, id := range ids {
				if id.User != "dev" || id.Device != "DEV" || id.Method != authMethod(tt.typ) {
					t.Errorf("identity %+v", id)
				}
			}
			// The Cred travels once (basic, md5) or never (hmac); hmac signs
			// every message once a nonce is known.
			wantCreds := []bool{false, tt.typ != AuthHMAC, false}
			wantSigned := []bool{false, tt.typ == AuthHMAC, tt.typ == AuthHMAC}
			if !slices.Equal(creds, wantCreds) || !slices.Equal(signed, wantSigned) {
				t.Errorf("creds %v signed %v; want %v %v", creds, signed, wantCreds, wantSigned)
			}
			if err := p.run(t, c, "2"); err != nil {
				t.Fatal(err)
			}
			if got, _, _, _, refusals, delivered := p.take(); !slices.Equal(got, tt.second) || delivered != 1 || len(refusals) != 0 {
				t.Errorf("second session: codes %v, %d delivered, refusals %v; want %v", got, delivered, refusals, tt.second)
			}

			// Wrong password: refused until the client gives up, nothing
			// delivered.
			p = newAuthPeers(t, tt.typ)
			c = authClient(t, p, &ClientAuth{Username: "dev", Password: "Secret"})
			if err := p.run(t, c, "1"); err == nil {
				t.Error("wrong password: session ran")
			}
			if got, _, _, ids, refusals, delivered := p.take(); !slices.Equal(got, codes{407, 401, 401, 401}) || len(ids) != 0 || delivered != 0 ||
				!errors.Is(refusals[1], ErrInvalidCredentials) {
				t.Errorf("wrong password: codes %v, ids %v, %d delivered, refusals %v", got, ids, delivered, refusals)
			}

			// Stale nonce.
			p = newAuthPeers(t, tt.typ)
			c = authClient(t, p, &ClientAuth{Username: "dev", Password: "secret", Type: tt.typ, Nonce: []byte("stale-nonce")})
			if err := p.run(t, c, "1"); err != nil {
				t.Fatal(err)
			}
			if got, _, _, _, _, delivered := p.take(); !slices.Equal(got, tt.stale) || delivered != 1 {
				t.Errorf("stale nonce: codes %v, %d delivered; want %v", got, delivered, tt.stale)
			}

			// Missing credentials: 407, and a client without credentials
			// stops.
			p = newAuthPeers(t, tt.typ)
			c = authClient(t, p, nil)
			if err := p.run(t, c, "1"); err == nil {
				t.Error("no credentials: session ran")
			}
			if got, _, _, ids, refusals, delivered := p.take(); !slices.Equal(got, codes{407}) || len(ids) != 0 || delivered != 0 ||
				!errors.Is(refusals[0], ErrMissingCredentials) {
				t.Errorf("no credentials: codes %v, ids %v, %d delivered, refusals %v", got, ids, delivered, refusals)
			}
		})
	}
}

func authMethod(t AuthType) string {
	switch t {
	case AuthBasic:
		return "basic"
	case AuthMD5:
		return "md5"
	}
	return "hmac"
}

// The identity accepted with 212 holds for the rest of the session only:
// Alert 1201 again (same SessionID), another SessionID or a message after
// the session's end (a reply of Statuses only) needs credentials again,
// and the accepted identity survives the state's round trip.
func TestAuthAcceptedPerSession(t *testing.T) {
	ctx := context.Background()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	s := NewSession(&Config{Authenticator: &CredAuthenticator{Type: AuthBasic, Users: users}})
	// the session goes on while the server sends commands: ./A, CmdID 3
	// of the reply to message 1 (after the Statuses of the SyncHdr and
	// the Alert), then ./B once ./A is answered; the reply to message 3
	// (./B not answered) has Statuses only: the session is over
	_ = s.Queue(get("./A"))
	answerA := &syncml.Status{MsgRef: "1", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()}
	cred, err := basicCred("dev", "secret")
	if err != nil {
		t.Fatal(err)
	}
	msg := func(sessionID, msgID string, c *syncml.Cred, cmds ...syncml.Command) *Inbound {
		m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sessionID, MsgID: msgID, Cred: c,
			Target: syncml.Location{LocURI: "S"}, Source: syncml.Location{LocURI: "DEV"}}, Body: syncml.Body{Commands: cmds, Final: true}}
		number(m.Body.Commands, new(int))
		return &Inbound{Message: m}
	}
	code := func(in *Inbound) (syncml.StatusCode, Identity) {
		t.Helper()
		x, err := s.Handle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x.Reply.Body.Commands[0].(*syncml.Status).Code()
		// Through the Store's encoding, as a Server does.
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		s = NewSession(s.cfg)
		if err := s.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		return c, x.Identity
	}
	steps := []struct {
		in   *Inbound
		want syncml.StatusCode
		user string
	}{
		{msg("1", "1", cred, NewAlert(syncml.AlertClientInitiated)), 212, "dev"},
		{msg("1", "2", nil, answerA, NewAlert(syncml.AlertClientEvent)), 200, "dev"},
		{msg("1", "3", nil, NewAlert(syncml.AlertClientEvent)), 200, "dev"},
		{msg("1", "4", nil, NewAlert(syncml.AlertClientEvent)), 407, ""},
		{msg("1", "5", nil, NewAlert(syncml.AlertClientInitiated)), 407, ""},
		{msg("1", "6", cred, NewAlert(syncml.AlertClientInitiated)), 212, "dev"},
		{msg("2", "1", nil, NewAlert(syncml.AlertClientEvent)), 407, ""},
	}
	for i, st := range steps {
		if got, id := code(st.in); got != st.want || id.User != st.user {
			t.Errorf("step %d: %d, user %q; want %d, %q", i+1, got, id.User, st.want, st.user)
		}
		if i == 0 {
			_ = s.Queue(get("./B"))
		}
		if i == 1 {
			// The same message again is a replay, by the same identity.
			x, err := s.Handle(ctx, st.in)
			if err != nil || !x.Replayed || x.Identity.User != "dev" {
				t.Errorf("replay: %+v, %v", x, err)
			}
		}
	}
}

// spoilSign is Credentials that sign like ClientAuth but spoil the mac of
// the n-th signed message (1-based), once.
type spoilSign struct {
	*ClientAuth
	n, signed int
}

func (s *spoilSign) Sign(ctx context.Context, chal *syncml.Chal, body []byte, h http.Header) error {
	if err := s.ClientAuth.Sign(ctx, chal, body, h); err != nil {
		return err
	}
	if h.Get(HMACHeaderName) != "" {
		s.signed++
		if s.signed == s.n {
			h.Set(HMACHeaderName, `algorithm=MD5, username="dev", mac=AAAAAAAAAAAAAAAAAAAAAA==`)
		}
	}
	return nil
}

// A message refused in the middle of an HMAC session (a spoilt mac, a
// stale nonce) is sent again, signed with the new nonce, in the same
// session: the client does not start over with package 1, so what the
// server sent is answered, not abandoned.
func TestHMACRefusedMidSession(t *testing.T) {
	p := newAuthPeers(t, AuthHMAC)
	c := authClient(t, p, &spoilSign{ClientAuth: &ClientAuth{Username: "dev", Password: "secret"}, n: 2})
	if err := p.run(t, c, "1"); err != nil {
		t.Fatal(err)
	}
	got, _, signed, _, refusals, delivered := p.take()
	want := []syncml.StatusCode{407, 200, 401, 200}
	if !slices.Equal(got, want) || delivered != 1 || len(refusals) != 2 || !errors.Is(refusals[1], ErrInvalidCredentials) {
		t.Errorf("codes %v, %d delivered, refusals %v; want %v, 1 delivered", got, delivered, refusals, want)
	}
	if !slices.Equal(signed, []bool{false, true, true, true}) {
		t.Errorf("signed %v", signed)
	}
}

// The message sent again after a refusal in the middle of a session
// carries the same commands and EachMessage's once, made anew.
func TestResendWithEachMessage(t *testing.T) {
	ctx := context.Background()
	calls := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "S", Handler: deviceMux(),
		Credentials: &ClientAuth{Username: "dev", Password: "secret", Type: AuthHMAC, Nonce: []byte("n")},
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			calls++
			return []syncml.Command{NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", fmt.Sprint(calls))}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	srv := func(msgID, body string) *syncml.Message {
		var m syncml.Message
		raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>` + msgID +
			`</MsgID><Target><LocURI>DEV</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`
		if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	x, err := c.Handle(ctx, srv("1", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Get><CmdID>2</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get>`))
	if err != nil {
		t.Fatal(err)
	}
	first := summary(x.Reply)
	x, err = c.Handle(ctx, srv("2", `<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>401</Data>`+
		`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-MAC</Type><Format xmlns="syncml:metinf">b64</Format><NextNonce xmlns="syncml:metinf">bmV3</NextNonce></Meta></Chal></Status>`))
	if err != nil {
		t.Fatal(err)
	}
	again := summary(x.Reply)
	if x.Reply.Header.MsgID != "3" || !slices.Equal(first[1:], again[1:]) || len(again) != 4 {
		t.Errorf("sent %v, then again as %s: %v", first, x.Reply.Header.MsgID, again)
	}
	alerts := 0
	for _, cmd := range x.Reply.Body.Commands {
		if a, ok := cmd.(*syncml.Alert); ok {
			alerts++
			if v := a.Items[0].Data.Value; v != fmt.Sprint(calls) {
				t.Errorf("EachMessage's alert %q, want the last made (%d)", v, calls)
			}
		}
	}
	if alerts != 1 {
		t.Errorf("%d EachMessage alerts in the message sent again", alerts)
	}
}
