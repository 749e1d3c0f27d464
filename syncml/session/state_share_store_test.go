package session

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// cacheStore is a Store whose Load hands out the bytes it keeps, the
// same slice to every Load of a device until the next swap (a cache), as
// Store.Load allows of bytes the Store never changes. It remembers every
// slice handed out with a copy of it, to check that no caller wrote into
// one (changed).
type cacheStore struct {
	mu     sync.Mutex
	states map[string][]byte
	vers   map[string]uint64
	out    [][2][]byte // a slice handed out, a copy of it
}

func (s *cacheStore) Load(_ context.Context, device string) ([]byte, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.states[device]
	if len(b) > 0 {
		s.out = append(s.out, [2][]byte{b, bytes.Clone(b)})
	}
	return b, s.vers[device], nil
}

func (s *cacheStore) CompareAndSwap(_ context.Context, device string, old uint64, state []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vers[device] != old {
		return 0, fmt.Errorf("device %s at version %d, not %d: %w", device, s.vers[device], old, ErrConflict)
	}
	s.states[device] = bytes.Clone(state)
	s.vers[device]++
	return s.vers[device], nil
}

// changed returns how many of the slices handed out differ from their
// copies, and how many were handed out.
func (s *cacheStore) changed() (n, of int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.out {
		if !bytes.Equal(o[0], o[1]) {
			n++
		}
	}
	return n, len(s.out)
}

// TestServerLeavesLoadedStateAsIs checks the other half of sharing a
// loaded state (TestServerSharesLoadedState): a Server reads the bytes
// its Store's Load returned and never writes into them, so a Store may
// hand the same unchanging bytes to every Load (see Store.Load). Two
// devices' sessions each take an object in chunks (a state saved and
// loaded at every message) and a Get, then a second session each.
func TestServerLeavesLoadedStateAsIs(t *testing.T) {
	const uri = "./Vendor/MSFT/Big"
	value := strings.Repeat("0123456789abcdef", 2048) // 32 KiB
	cs := &cacheStore{states: map[string][]byte{}, vers: map[string]uint64{}}
	s := NewServer(ServerConfig{Store: cs, Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(value)}}})
		_ = s.Queue(&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}})
	}}})
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	var mu sync.Mutex
	got := map[string]int{}
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, dev := range []string{"DEV1", "DEV2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := HandlerFunc(func(_ context.Context, r *Request) Response {
				if _, ok := r.Command.(*syncml.Get); ok {
					return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text("v")}}}
				}
				if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
					mu.Lock()
					got[dev] += len(it[0].Data.Value)
					mu.Unlock()
				}
				return Response{}
			})
			c, err := NewClient(ClientConfig{DeviceID: dev, ServerURI: "http://dm.test/", Handler: h, MaxMsgSize: 4096, MaxMessages: 256})
			if err != nil {
				t.Error(err)
				return
			}
			for sid := range 2 {
				if _, err := c.Run(ctx, hc, "http://dm.test/", fmt.Sprint(sid+1)); err != nil {
					t.Errorf("%s session %d: %v", dev, sid+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, dev := range []string{"DEV1", "DEV2"} {
		if got[dev] != 2*len(value) {
			t.Errorf("%s got %d bytes of the object, want %d", dev, got[dev], 2*len(value))
		}
	}
	n, of := cs.changed()
	if of < 10 {
		t.Fatalf("only %d states loaded, want the sessions' many", of)
	}
	if n > 0 {
		t.Errorf("%d of the %d states the Store's Load handed out were changed by the Server", n, of)
	}
}
