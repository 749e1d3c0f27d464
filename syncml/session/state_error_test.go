package session

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestStateBadErrStoredState: a state that does not decode is an error
// matching ErrStoredState, from UnmarshalBinary, from the replay of a
// stored reply that does not decode, and from a Server, which logs it
// with the device's ID once per message and answers 500. Before, none of
// these errors had a type, and the Server logged it as any failed
// exchange.
func TestStateBadErrStoredState(t *testing.T) {
	s := NewSession(nil)
	if err := s.Queue(limitReplace("./Vendor/A", 'x', 10)); err != nil {
		t.Fatal(err)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b, []byte("</Replace>"), []byte("</Replacx>"), 1)
	if err := NewSession(nil).UnmarshalBinary(bad); !errors.Is(err, ErrStoredState) {
		t.Errorf("UnmarshalBinary of a damaged queue: %v, want ErrStoredState", err)
	}
	if err := NewSession(nil).UnmarshalBinary(b[:len(b)-1]); !errors.Is(err, ErrStoredState) {
		t.Errorf("UnmarshalBinary of a truncated state: %v, want ErrStoredState", err)
	}

	// a stored reply that no longer decodes fails its replay alike
	raw := devMsg("1", "1", alert1201)
	handle(t, s, raw)
	if b, err = s.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	s2 := NewSession(nil)
	if err := s2.UnmarshalBinary(bytes.Replace(b, []byte("</SyncHdr>"), []byte("</SyncHdx>"), 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Handle(context.Background(), &Inbound{Raw: raw}); !errors.Is(err, ErrStoredState) {
		t.Errorf("replay of a damaged reply: %v, want ErrStoredState", err)
	}

	var logBuf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logBuf}, nil))
	st := NewMemoryStore()
	ctx := context.Background()
	if _, err := st.CompareAndSwap(ctx, "dev-bad", 0, bad); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ServerConfig{Store: st, Logger: log})
	if err := srv.Queue(ctx, "dev-bad", limitReplace("./Vendor/B", 'x', 1)); !errors.Is(err, ErrStoredState) {
		t.Errorf("Server.Queue on a damaged state: %v, want ErrStoredState", err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := NewClient(ClientConfig{DeviceID: "dev-bad", ServerURI: hs.URL, Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, hs.Client(), hs.URL, "1"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("Run on a damaged state: %v, want the server's 500", err)
	}
	mu.Lock()
	out := logBuf.String()
	mu.Unlock()
	if n := strings.Count(out, "stored state does not read"); n != 1 || !strings.Contains(out, "device=dev-bad") {
		t.Errorf("log: %q; want one record of the stored state with device=dev-bad", out)
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
