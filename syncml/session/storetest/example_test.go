package storetest_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/windc-go/windc/syncml/session"
)

// mapStore is the shape of a Store over a database: each device's state
// under a version, replaced only when the caller saw the latest one. A
// database does the same with a conditional update (UPDATE … WHERE
// device = ? AND version = ?) and one affected row.
type mapStore struct {
	mu     sync.Mutex
	states map[string][]byte
	vers   map[string]uint64
	next   uint64
}

func newMapStore() *mapStore {
	return &mapStore{states: map[string][]byte{}, vers: map[string]uint64{}}
}

func (s *mapStore) Load(_ context.Context, device string) ([]byte, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.states[device]...), s.vers[device], nil // the caller's copy
}

func (s *mapStore) CompareAndSwap(_ context.Context, device string, old uint64, state []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vers[device] != old {
		return 0, fmt.Errorf("device %q: version %d, not %d: %w", device, s.vers[device], old, session.ErrConflict)
	}
	s.next++ // never 0, never used before for any device
	s.states[device] = append([]byte(nil), state...)
	s.vers[device] = s.next
	return s.next, nil
}

// A Store's own tests prove it with Run (see TestMapStore):
//
//	func TestMapStore(t *testing.T) {
//		storetest.Run(t, func(*testing.T) session.Store { return newMapStore() })
//	}
//
// A Server then runs on it as on its MemoryStore; two instances sharing
// one store run one session.
func Example() {
	ctx := context.Background()
	st := newMapStore()
	v1, _ := st.CompareAndSwap(ctx, "DEV1", 0, []byte("state 1"))
	_, err := st.CompareAndSwap(ctx, "DEV1", 0, []byte("a stale writer"))
	fmt.Println(v1, err)
	srv := session.NewServer(session.ServerConfig{Store: st})
	_ = srv // its http.Handler serves devices, their states in st
	// Output:
	// 1 device "DEV1": version 1, not 0: store version conflict
}
