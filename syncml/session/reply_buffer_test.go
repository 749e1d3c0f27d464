package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wrappedStore is a Store that is not a MemoryStore (the Server copies its
// reply out of its buffer instead of sending it from the Store's copy).
type wrappedStore struct{ m *MemoryStore }

func (s wrappedStore) Load(ctx context.Context, d string) ([]byte, uint64, error) {
	return s.m.Load(ctx, d)
}

func (s wrappedStore) CompareAndSwap(ctx context.Context, d string, old uint64, st []byte) (uint64, error) {
	return s.m.CompareAndSwap(ctx, d, old, st)
}

// TestServerReplyOutlivesBuffers checks that the replies a Server hands to
// OnExchange and writes stay as they were sent while later requests reuse
// the buffers the requests are read and the replies encoded in: replies of
// several sizes (one device's first and later sessions, others between),
// with a MemoryStore and with another Store, and replayed.
func TestServerReplyOutlivesBuffers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store Store
	}{{"MemoryStore", NewMemoryStore()}, {"other Store", wrappedStore{NewMemoryStore()}}} {
		t.Run(tc.name, func(t *testing.T) {
			type kept struct{ raw, copy []byte }
			var seen []kept
			s := NewServer(ServerConfig{Store: tc.store,
				Session: Config{OnStart: func(_ context.Context, s *Session, id Identity, first bool) {
					n := len(id.Device) % 7 // queues of different sizes
					for i := range n * 3 {
						_ = s.Queue(get(fmt.Sprintf("./Vendor/MSFT/%s/%d/%s", id.Device, i, strings.Repeat("x", i*17))))
					}
				}},
				OnExchange: func(_ context.Context, x *Exchange) {
					seen = append(seen, kept{x.Raw, bytes.Clone(x.Raw)})
				}})
			var sent [][]byte
			post := func(dev, session, msg, body string) {
				raw := bytes.Replace(devMsg(session, msg, body), []byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>"+dev+"</LocURI>"), 1)
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
				req.Header.Set("Content-Type", ContentType)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: HTTP %d", dev, rec.Code)
				}
				b, _ := io.ReadAll(rec.Body)
				sent = append(sent, b)
			}
			for i := range 12 {
				dev := "DEV" + strings.Repeat("D", i)
				post(dev, "1", "1", alert1201)
				post(dev, "1", "1", alert1201) // replayed: OnExchange not called
				post(dev, "2", "1", alert1201)
			}
			if len(seen) != 24 {
				t.Fatalf("%d exchanges, want 24", len(seen))
			}
			for i, k := range seen {
				if !bytes.Equal(k.raw, k.copy) {
					t.Errorf("reply %d changed after it was handed over:\n%s\nwas\n%s", i, k.raw, k.copy)
				}
				if j := i/2*3 + i%2*2; !bytes.Equal(k.copy, sent[j]) {
					t.Errorf("reply %d is not what was written:\n%s\nwrote\n%s", i, k.copy, sent[j])
				}
			}
			for i := 0; i < len(sent); i += 3 {
				if !bytes.Equal(sent[i], sent[i+1]) {
					t.Errorf("replay %d differs:\n%s\nfirst\n%s", i/3, sent[i+1], sent[i])
				}
			}
		})
	}
}
