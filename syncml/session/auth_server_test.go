package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// serverAuthPeers is a Server that authenticates itself to devices as
// "srv" with srvPass, behind a loopback server that records the device's
// Status code for each server SyncHdr and can spoil reply bodies.
type serverAuthPeers struct {
	srv   *Server
	ts    *httptest.Server
	mu    sync.Mutex
	codes []syncml.StatusCode // the device's Status for the server's SyncHdr
	spoil bool                // change one byte of every reply body
}

func newServerAuthPeers(t *testing.T, typ AuthType, srvPass string, devAuth Authenticator) *serverAuthPeers {
	p := &serverAuthPeers{}
	p.srv = NewServer(ServerConfig{Session: Config{
		Authenticator: devAuth,
		ServerAuth: &ServerAuth{Type: typ, Secret: func(_ context.Context, id Identity) (string, string, error) {
			if id.Device != "DEV" {
				return "", "", errors.New("unknown device")
			}
			return "srv", srvPass, nil
		}},
		BeforeReply: func(_ context.Context, _ *Session, m *syncml.Message, _ *Exchange) {
			for _, c := range m.Body.Commands {
				if s, ok := c.(*syncml.Status); ok && s.CmdRef == "0" {
					code, _ := s.Code()
					p.mu.Lock()
					p.codes = append(p.codes, code)
					p.mu.Unlock()
				}
			}
		},
	}})
	p.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		p.srv.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if p.spoil {
			body = bytes.Replace(body, []byte("<Final/>"), []byte("<Final></Final>"), 1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(p.ts.Close)
	return p
}

func (p *serverAuthPeers) take() []syncml.StatusCode {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.codes
	p.codes = nil
	return c
}

func (p *serverAuthPeers) run(t *testing.T, c *Client, sessionID string) error {
	t.Helper()
	if err := p.srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, sessionID)
	return err
}

// The device checks the server's credentials: basic and MD5 in the
// SyncHdr Cred of the server's first message (accepted with 212, MD5 with
// the next session's nonce), HMAC over every reply body with the nonce
// the device gave in its previous message. A wrong password or a reply
// changed on the way stops the session with 401 and a new nonce.
func TestServerAuthentication(t *testing.T) {
	type codes = []syncml.StatusCode
	for _, tt := range []struct {
		typ  AuthType
		good codes // the device's Status codes for the server's SyncHdr in one session
	}{
		{AuthBasic, codes{212}},
		{AuthMD5, codes{212}},
		{AuthHMAC, codes{200}},
	} {
		t.Run(authShort(tt.typ), func(t *testing.T) {
			p := newServerAuthPeers(t, tt.typ, "srv-secret", nil)
			check := &ServerCheck{Type: tt.typ, Name: "srv", Password: "srv-secret"}
			c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: p.ts.URL, Handler: deviceMux(), ServerAuth: check})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"1", "2"} { // the second session with the nonce of the first
				if err := p.run(t, c, id); err != nil {
					t.Fatalf("session %s: %v", id, err)
				}
				if got := p.take(); !slices.Equal(got, tt.good) {
					t.Errorf("session %s: device codes %v, want %v", id, got, tt.good)
				}
			}

			// A server with another password is refused.
			bad := newServerAuthPeers(t, tt.typ, "not-it", nil)
			c, _ = NewClient(ClientConfig{DeviceID: "DEV", ServerURI: bad.ts.URL, Handler: deviceMux(),
				ServerAuth: &ServerCheck{Type: tt.typ, Name: "srv", Password: "srv-secret"}})
			err = bad.run(t, c, "1")
			if !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("wrong server password: %v", err)
			}
			if got := bad.take(); !slices.Equal(got, codes{401}) {
				t.Errorf("wrong server password: device codes %v, want [401]", got)
			}
		})
	}

	// Under HMAC a reply changed on the way is refused.
	p := newServerAuthPeers(t, AuthHMAC, "srv-secret", nil)
	p.spoil = true
	c, _ := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: p.ts.URL, Handler: deviceMux(),
		ServerAuth: &ServerCheck{Type: AuthHMAC, Name: "srv", Password: "srv-secret"}})
	if err := p.run(t, c, "1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("changed reply: %v", err)
	}
}

// A device that signs with HMAC gets replies signed with HMAC: both sides
// authenticate every message.
func TestMutualHMAC(t *testing.T) {
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	p := newServerAuthPeers(t, AuthHMAC, "srv-secret", &CredAuthenticator{Type: AuthHMAC, Users: users})
	var signed []bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			signed = append(signed, resp.Header.Get(HMACHeaderName) != "")
		}
		return resp, err
	})}
	c, _ := NewClient(ClientConfig{DeviceID: "DEV", LocName: "dev", ServerURI: p.ts.URL, Handler: deviceMux(),
		Credentials: &ClientAuth{Username: "dev", Password: "secret"},
		ServerAuth:  &ServerCheck{Type: AuthHMAC, Name: "srv", Password: "srv-secret"}})
	if err := p.srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), hc, p.ts.URL, "1"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(signed, []bool{true, true, true}) {
		t.Errorf("signed replies %v", signed)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A replayed message gets the same signed reply: the same bytes and the
// same x-syncml-hmac, which survive the state's round trip.
func TestServerHMACReplay(t *testing.T) {
	cfg := &Config{ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
		return "srv", "srv-secret", nil
	}}}
	s := NewSession(cfg)
	raw := devMsg("1", "1", alert1201)
	x := handle(t, s, raw)
	v := x.Header.Get(HMACHeaderName)
	h, err := ParseHMACHeader(v)
	if err != nil || h.Username != "srv" || x.Reply.Header.Source.LocName != "srv" {
		t.Fatalf("header %q (%v), LocName %q", v, err, x.Reply.Header.Source.LocName)
	}
	check := &ServerCheck{Type: AuthHMAC, Name: "srv", Password: "srv-secret"}
	if err := verifyHMAC(context.Background(), h, []byte{}, nil, x.Raw, serverUser{check}); err != nil {
		t.Errorf("reply signature: %v", err)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s = NewSession(cfg)
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	y := handle(t, s, raw)
	if !y.Replayed || !bytes.Equal(y.Raw, x.Raw) || y.Header.Get(HMACHeaderName) != v {
		t.Errorf("replay: replayed %v, header %q", y.Replayed, y.Header.Get(HMACHeaderName))
	}
}

// With no Type, the server answers in the device's own way: it signs its
// reply to a signed message, presents an MD5 or basic Cred to a device
// that sent one, and nothing to a device that uses neither.
func TestServerAuthFollowsDevice(t *testing.T) {
	s := NewSession(&Config{ServerAuth: &ServerAuth{Secret: func(context.Context, Identity) (string, string, error) {
		return "srv", "srv-secret", nil
	}}})
	ctx := context.Background()
	signed := http.Header{}
	signed.Set(HMACHeaderName, `algorithm=MD5, username="dev", mac=AAAAAAAAAAAAAAAAAAAAAA==`)
	x, err := s.Handle(ctx, &Inbound{Raw: devMsg("1", "1", alert1201), Header: signed})
	if err != nil {
		t.Fatal(err)
	}
	if x.Header.Get(HMACHeaderName) == "" || x.Reply.Header.Cred != nil {
		t.Errorf("to a signed message: header %v, Cred %v", x.Header, x.Reply.Header.Cred)
	}
	x = handle(t, s, devMsg("2", "1", alert1201))
	if x.Header != nil || x.Reply.Header.Cred != nil || x.Reply.Header.Source.LocName != "" {
		t.Errorf("to a device without credentials: header %v, Cred %v", x.Header, x.Reply.Header.Cred)
	}
	withCred := bytes.Replace(devMsg("3", "1", alert1201), []byte("</Source>"),
		[]byte(`<LocName>dev</LocName></Source><Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type><Format xmlns="syncml:metinf">b64</Format></Meta><Data>AAAAAAAAAAAAAAAAAAAAAA==</Data></Cred>`), 1)
	x = handle(t, s, withCred)
	if c := x.Reply.Header.Cred; c == nil || c.Meta == nil || c.Meta.Type != string(AuthMD5) || x.Header != nil {
		t.Errorf("to an MD5 device: Cred %+v, header %v", c, x.Header)
	}
}
