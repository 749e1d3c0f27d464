package session

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// loadStore is a Store that is not a MemoryStore: a Server loads its
// states with Load, whose bytes it does not own.
type loadStore struct{ m *MemoryStore }

func (s loadStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	return s.m.Load(ctx, device)
}

func (s loadStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	return s.m.CompareAndSwap(ctx, device, old, state)
}

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
		{"Store", func() Store { return loadStore{NewMemoryStore()} }},
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
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(msg))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	raw, _, err := ms.Load(context.Background(), "DEV1")
	if err != nil || rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d, load: %v", rec.Code, err)
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
		if x == nil || !x.Replayed || !bytes.Equal(x.Raw, rec.Body.Bytes()) || x.Identity.Device != "DEV1" || x.Reply != nil {
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
