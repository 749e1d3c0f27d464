package session

import (
	"context"
	"strings"
	"sync"
)

// A Store keeps the state of every device's session between messages,
// serialized (see Session.MarshalBinary). Updates are compare-and-swap on
// a version, so that several server instances sharing one Store run one
// session correctly: an update made from a stale version fails with
// ErrConflict and the caller reloads and tries again.
//
// Implementations must be safe for concurrent use. The function
// storetest.Run checks an implementation against this contract.
type Store interface {
	// Load returns the state kept for device and its version; a device
	// with no state has nil state and version 0 (not an error).
	Load(ctx context.Context, device string) (state []byte, version uint64, err error)
	// CompareAndSwap replaces the state of device with state if its
	// version is still old (0: no state yet) and returns the new version,
	// which is never 0 and differs from every earlier version of device.
	// Otherwise it returns an error that wraps ErrConflict. The Store
	// keeps its own copy of state.
	CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (version uint64, err error)
}

// MemoryStore is a Store in memory, the default of a Server.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]memEntry
}

type memEntry struct {
	version uint64
	state   []byte
	// key is the entry's own copy of its device, the key it is stored
	// under: a device string given to CompareAndSwap is often part of a
	// whole received message, which a map key would keep alive (and a Go
	// map replaces a string key with the one given on every update).
	key string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]memEntry{}} }

// Load implements Store.
func (s *MemoryStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, errorf("load %q: %w", device, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	return append([]byte(nil), e.state...), e.version, nil
}

// LoadShared is Load without the copy: it returns the state kept for
// device itself, which the MemoryStore never changes in place (an update
// replaces it with a new copy). The caller must not change it. A reader
// that keeps parts of the state (a Server's session, a reconcile
// Reconciler) reads it so, rather than copying the whole state on every
// message.
func (s *MemoryStore) LoadShared(ctx context.Context, device string) ([]byte, uint64, error) {
	return s.loadKept(ctx, device)
}

// loadKept is LoadShared (a Server's session shares the state kept, see
// unmarshalState).
func (s *MemoryStore) loadKept(ctx context.Context, device string) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, errorf("load %q: %w", device, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	return e.state, e.version, nil
}

// CompareAndSwap implements Store.
func (s *MemoryStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	v, _, err := s.compareAndSwapKept(ctx, device, old, state)
	return v, err
}

// compareAndSwapKept is CompareAndSwap for the state made of parts one
// after another, returning the copy kept, which is never changed in
// place: a Server whose Store is a MemoryStore sends its reply from that
// copy rather than copying it once more, and hands the reply in as a part
// of its own rather than copying it into the state first (see
// Server.exchange).
func (s *MemoryStore) compareAndSwapKept(ctx context.Context, device string, old uint64, parts ...[]byte) (uint64, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, errorf("store %q: %w", device, err)
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	kept := make([]byte, 0, n) // copied outside the lock
	for _, p := range parts {
		kept = append(kept, p...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]memEntry{}
	}
	e := s.m[device]
	if e.version != old {
		return 0, nil, errorf("store %q: version %d, not %d: %w", device, e.version, old, ErrConflict)
	}
	e.version++
	e.state = kept
	if e.key == "" {
		e.key = strings.Clone(device)
	}
	s.m[e.key] = e
	return e.version, kept, nil
}
