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

	"github.com/windc-go/windc/syncml"
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

// TestServerSharesKeptStateUnchanged checks that a Server, whose sessions
// share the states its MemoryStore keeps instead of copying them, never
// writes into one: every state the store held during sessions with large
// objects both ways (chunked to the device and from it), several
// messages each, is as it was saved once the sessions are over.
func TestServerSharesKeptStateUnchanged(t *testing.T) {
	store := NewMemoryStore()
	big := strings.Repeat("<v>&amp; é ]]></v>\n", 150)
	s := NewServer(ServerConfig{Store: store, Session: Config{AnnounceMaxMsgSize: 1500,
		OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
			_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Big"}, Data: syncml.Text(big)}}},
				get("./Vendor/MSFT/Report"))
		}}})
	type kept struct{ state, copy []byte }
	var saved []kept
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		store.mu.Lock()
		for i := range store.n {
			e := store.at(uint32(i))
			st := store.bytesOf(e)[e.keyLen:]
			saved = append(saved, kept{st, bytes.Clone(st)})
		}
		store.mu.Unlock()
	}))
	defer srv.Close()
	var got string
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		got += r.Command.ItemList()[0].Data.Value
		return Response{}
	}))
	mux.Handle("Get", HandlerFunc(func(_ context.Context, r *Request) Response {
		return Response{Results: []syncml.Item{{Source: r.Command.ItemList()[0].Target, Data: syncml.Text(big)}}}
	}))
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL, Handler: mux, MaxMsgSize: 1500})
	if err != nil {
		t.Fatal(err)
	}
	var outs []Outcome
	s.cfg.OnExchange = func(_ context.Context, x *Exchange) { outs = append(outs, x.Outcomes...) }
	for i := range 2 {
		if _, err := c.Run(context.Background(), srv.Client(), srv.URL, fmt.Sprint(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if got != big+big {
		t.Errorf("device got %d bytes of Replace, want %d", len(got), 2*len(big))
	}
	results := 0
	for _, o := range outs {
		for _, r := range o.Results {
			if len(r.Items) == 1 && r.Items[0].Data != nil && r.Items[0].Data.Value == big {
				results++
			}
		}
	}
	if results != 2 {
		t.Errorf("%d whole Results from the device, want 2", results)
	}
	if len(saved) < 10 {
		t.Fatalf("%d states saved: the objects were not chunked", len(saved))
	}
	for i, k := range saved {
		if !bytes.Equal(k.state, k.copy) {
			t.Errorf("state %d of %d changed after it was saved", i+1, len(saved))
		}
	}
}

// TestServerKeptStateWhole: a Server with a MemoryStore saves through
// compareAndSwapKept, and sends the reply from the copy it returns when
// there is one; what the MemoryStore keeps is byte for byte what another
// Store gets from the same exchanges, replies of every size, replays and
// a second session included.
func TestServerKeptStateWhole(t *testing.T) {
	mem, other := NewMemoryStore(), NewMemoryStore()
	cfg := Config{OnStart: func(_ context.Context, s *Session, id Identity, first bool) {
		for i := range len(id.Device) % 5 * 4 {
			_ = s.Queue(get(fmt.Sprintf("./Vendor/MSFT/%s/%d/%s", id.Device, i, strings.Repeat("y", i*23))))
		}
	}}
	servers := []*Server{NewServer(ServerConfig{Store: mem, Session: cfg}), NewServer(ServerConfig{Store: wrappedStore{other}, Session: cfg})}
	post := func(s *Server, dev, session, msg, body string) []byte {
		raw := bytes.Replace(devMsg(session, msg, body), []byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>"+dev+"</LocURI>"), 1)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: HTTP %d", dev, rec.Code)
		}
		return rec.Body.Bytes()
	}
	ctx := context.Background()
	for i := range 10 {
		dev := "DEV" + strings.Repeat("E", i)
		for _, m := range [][3]string{{"1", "1", alert1201}, {"1", "1", alert1201}, {"2", "1", alert1201}} {
			var replies [2][]byte
			for j, s := range servers {
				replies[j] = post(s, dev, m[0], m[1], m[2])
			}
			if !bytes.Equal(replies[0], replies[1]) {
				t.Fatalf("%s session %s: replies differ", dev, m[0])
			}
			a, _, err := mem.Load(ctx, dev)
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := other.Load(ctx, dev)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatalf("%s session %s: MemoryStore keeps\n%q\nanother Store got\n%q", dev, m[0], a, b)
			}
			if !bytes.Contains(a, replies[0]) {
				t.Errorf("%s session %s: the kept state lacks the reply", dev, m[0])
			}
		}
	}
}
