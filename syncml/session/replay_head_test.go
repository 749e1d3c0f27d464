package session

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Server answers a replay from the head of the saved state (replayOf)
// with the very reply and HMAC header of the first answer, runs nothing
// again, calls no OnExchange, and logs it; a message with the same
// SessionID and MsgID but other bytes is no replay. With a MemoryStore
// and with any other Store.
func TestServerReplayFromStateHead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func() Store
	}{
		{"MemoryStore", func() Store { return NewMemoryStore() }},
		{"Store", func() Store { return wrappedStore{NewMemoryStore()} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var served, exchanges int
			var logs bytes.Buffer
			s := NewServer(ServerConfig{
				Store:  tc.store(),
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Session: Config{
					Handler: HandlerFunc(func(context.Context, *Request) Response { served++; return Response{} }),
					ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
						return "srv", "srv-secret", nil
					}},
				},
				OnExchange: func(context.Context, *Exchange) { exchanges++ },
			})
			_ = s.Queue(context.Background(), "DEV1", get("./DevDetail/SwV"))
			post := func(body []byte) ([]byte, string) {
				t.Helper()
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set("Content-Type", ContentType)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
				}
				return rec.Body.Bytes(), rec.Header().Get(HMACHeaderName)
			}
			replace := func(v string) []byte {
				return devMsg("1", "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./X</LocURI></Target><Data>`+v+`</Data></Item></Replace>`)
			}
			first, mac := post(replace("a"))
			if mac == "" || !bytes.Contains(first, []byte("<Get>")) || served != 1 || exchanges != 1 {
				t.Fatalf("first: HMAC %q, served %d, exchanges %d:\n%s", mac, served, exchanges, first)
			}
			again, mac2 := post(replace("a"))
			if !bytes.Equal(again, first) || mac2 != mac {
				t.Errorf("replay differs:\n%s %s\n%s %s", first, mac, again, mac2)
			}
			if served != 1 || exchanges != 1 {
				t.Errorf("replay: served %d, exchanges %d; want 1, 1", served, exchanges)
			}
			if !strings.Contains(logs.String(), "replayed=true") {
				t.Errorf("replay not logged:\n%s", logs.String())
			}
			// the same IDs, other bytes: handled as a message of its own
			other, _ := post(replace("b"))
			if bytes.Equal(other, first) || served != 2 || exchanges != 2 {
				t.Errorf("other bytes: served %d, exchanges %d; reply the same: %v", served, exchanges, bytes.Equal(other, first))
			}
			// and it is the one replayed from then on
			if again, _ := post(replace("b")); !bytes.Equal(again, other) || served != 2 {
				t.Errorf("replay of the second: served %d, same %v", served, bytes.Equal(again, other))
			}
		})
	}
}

// replayOf finds a replay in the head of a saved state, shares a
// MemoryStore's kept reply and copies a Store's, and finds none in a
// state that does not decode, for other bytes, or for an Inbound without
// its Message or bytes (Handle decides those). The rest of the state is
// not read.
func TestReplayOf(t *testing.T) {
	ms := NewMemoryStore()
	s := NewServer(ServerConfig{Store: ms})
	msg := devMsg("1", "1", alert1201)
	reply := postOK(t, s, msg)
	raw, _, err := ms.Load(context.Background(), "DEV1")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	in := func(b []byte) *Inbound {
		in := &Inbound{Raw: b}
		m, _, err := parseInbound(in)
		if err != nil {
			t.Fatal(err)
		}
		in.Message = m
		return in
	}
	for _, kept := range []bool{true, false} {
		x := replayOf("DEV1", raw, kept, in(msg), nil)
		if x == nil || !x.Replayed || !bytes.Equal(x.Raw, reply) || x.Identity.Device != "DEV1" || x.Reply != nil {
			t.Fatalf("kept %v: %+v", kept, x)
		}
		shared := &x.Raw[0] == &raw[bytes.Index(raw, x.Raw)]
		if shared != kept {
			t.Errorf("kept %v: reply shares the state's bytes: %v", kept, shared)
		}
	}
	other := devMsg("1", "1", alert1201+`<Get><CmdID>2</CmdID><Item><Target><LocURI>./A</LocURI></Target></Item></Get>`)
	if x := replayOf("DEV1", raw, true, in(other), nil); x != nil {
		t.Errorf("other bytes replayed")
	}
	if x := replayOf("DEV1", raw, true, &Inbound{Raw: msg}, nil); x != nil {
		t.Errorf("Inbound without its Message replayed")
	}
	// a state cut in its head (the rest is not read)
	r := stateReader{b: raw}
	if _, err := r.head(&state{}); err != nil {
		t.Fatal(err)
	}
	for i := range len(raw) - len(r.b) {
		if x := replayOf("DEV1", raw[:i], true, in(msg), nil); x != nil {
			t.Fatalf("state cut at %d of %d replayed", i, len(raw))
		}
	}
}

// replayOf and Handle's replay give the same Exchange but for Reply
// (bytes, HMAC header, Identity, no Outcomes): for a plain device, one
// authenticated with 212 (the state's Auth), one keyed by its client
// certificate (a DeviceKeyer, its SyncHdr naming another device), one
// whose replies are signed (ServerAuth HMAC), and a state of format 4.
func TestReplayOfAgreesWithHandle(t *testing.T) {
	ctx := context.Background()
	basic := bytes.Replace(devMsg("5", "1", alert1201), []byte("</Source>"), []byte(`</Source><Cred><Meta>`+
		`<Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-basic</Type></Meta>`+
		`<Data>ZGV2OnNlY3JldA==</Data></Cred>`), 1)
	hmacAuth := &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
		return "srv", "srv-secret", nil
	}}
	for _, tc := range []struct {
		name   string
		cfg    Config
		msg    []byte
		cert   string // the client certificate's common name
		device string // the state's key
		id     Identity
	}{
		{"plain", Config{}, devMsg("1", "1", alert1201), "", "DEV1", Identity{Device: "DEV1"}},
		{"basic 212", Config{Authenticator: authServer(AuthBasic)}, basic, "", "DEV1", Identity{Device: "DEV1", User: "dev", Method: "basic"}},
		{"client certificate", Config{Authenticator: ClientCertificate}, locMsg("OTHER", "3"), "CERTDEV", "CERTDEV", Identity{Device: "CERTDEV"}},
		{"signed", Config{ServerAuth: hmacAuth}, devMsg("4", "1", alert1201), "", "DEV1", Identity{Device: "DEV1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := NewMemoryStore()
			s := NewServer(ServerConfig{Store: ms, Session: tc.cfg})
			_ = s.Queue(ctx, tc.device, get("./DevDetail/SwV"))
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, certRequest(tc.msg, tc.cert))
			if rec.Code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
			}
			raw, _, err := ms.Load(ctx, tc.device)
			if err != nil || len(raw) == 0 {
				t.Fatalf("no state under %s: %v", tc.device, err)
			}
			in := &Inbound{Raw: tc.msg}
			if in.Message, _, err = parseInbound(in); err != nil {
				t.Fatal(err)
			}
			fromHead := replayOf(tc.device, raw, false, in, nil)
			sess := NewSession(&s.cfg.Session)
			if err := sess.UnmarshalBinary(raw); err != nil {
				t.Fatal(err)
			}
			sess.key, sess.keyed = tc.device, true
			fromHandle, err := sess.Handle(ctx, in)
			if err != nil || fromHead == nil || !fromHandle.Replayed {
				t.Fatalf("replayOf %+v, Handle %+v, %v", fromHead, fromHandle, err)
			}
			if !bytes.Equal(fromHead.Raw, rec.Body.Bytes()) || !bytes.Equal(fromHandle.Raw, fromHead.Raw) {
				t.Errorf("replies differ:\nsent   %s\nhead   %s\nHandle %s", rec.Body, fromHead.Raw, fromHandle.Raw)
			}
			if got, want := fromHead.Header.Get(HMACHeaderName), rec.Header().Get(HMACHeaderName); got != want || fromHandle.Header.Get(HMACHeaderName) != want ||
				(want == "") != (tc.cfg.ServerAuth == nil) {
				t.Errorf("HMAC header: head %q, Handle %q, sent %q", got, fromHandle.Header.Get(HMACHeaderName), want)
			}
			if fromHead.Identity != tc.id || fromHandle.Identity != tc.id {
				t.Errorf("Identity: head %+v, Handle %+v, want %+v", fromHead.Identity, fromHandle.Identity, tc.id)
			}
			if len(fromHead.Outcomes)+len(fromHandle.Outcomes)+len(fromHead.Unmatched)+len(fromHandle.Unmatched) != 0 ||
				fromHead.Refused != nil || fromHandle.Refused != nil || fromHead.Done != fromHandle.Done {
				t.Errorf("head %+v\nHandle %+v", fromHead, fromHandle)
			}
		})
	}
	t.Run("format 4", func(t *testing.T) {
		v4, err := os.ReadFile(filepath.Join("testdata", "state-v4-checkin.bin"))
		if err != nil {
			t.Fatal(err)
		}
		msg := devMsg("1", "1", alert1201) // what stateV4Sessions's checkin answered
		in := &Inbound{Raw: msg}
		if in.Message, _, err = parseInbound(in); err != nil {
			t.Fatal(err)
		}
		fromHead := replayOf("DEV1", v4, false, in, nil)
		sess := NewSession(nil)
		if err := sess.UnmarshalBinary(v4); err != nil {
			t.Fatal(err)
		}
		sess.key, sess.keyed = "DEV1", true
		fromHandle, err := sess.Handle(ctx, in)
		if err != nil || fromHead == nil || !fromHandle.Replayed || !bytes.Equal(fromHead.Raw, fromHandle.Raw) ||
			fromHead.Identity != fromHandle.Identity {
			t.Fatalf("replayOf %+v\nHandle %+v, %v", fromHead, fromHandle, err)
		}
	})
}

// junkStore is a Store whose Load returns the state with a byte after
// its end: its head decodes, the whole of it does not.
type junkStore struct{ wrappedStore }

func (s junkStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	b, v, err := s.m.Load(ctx, device)
	if len(b) > 0 {
		b = append(b, 0)
	}
	return b, v, err
}

// A state whose head decodes but whose rest does not still answers a
// replay (a replay reads the head alone and saves nothing: the device
// gets the bytes it was sent), and the next message, which needs the
// whole state, fails with the decoding error, as it did before replays
// were answered from the head.
func TestServerReplayStateBadRest(t *testing.T) {
	ms := NewMemoryStore()
	var logs bytes.Buffer
	post := func(s *Server, body []byte) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	good := NewServer(ServerConfig{Store: ms})
	_ = good.Queue(context.Background(), "DEV1", get("./DevDetail/SwV"))
	msg := devMsg("1", "1", alert1201)
	code, first := post(good, msg)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, first)
	}
	bad := NewServer(ServerConfig{Store: junkStore{wrappedStore{ms}}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if code, again := post(bad, msg); code != http.StatusOK || !bytes.Equal(again, first) {
		t.Errorf("replay on a state with a bad rest: HTTP %d, same bytes %v", code, bytes.Equal(again, first))
	}
	next := devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`)
	if code, b := post(bad, next); code != http.StatusInternalServerError || !strings.Contains(logs.String(), "after the end") {
		t.Errorf("next message on a state with a bad rest: HTTP %d %s\n%s", code, b, logs.String())
	}
}
