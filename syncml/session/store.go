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
	// m maps each device, the key being the MemoryStore's own copy (a
	// device string given to CompareAndSwap is often part of a whole
	// received message, which a map key would keep alive), to the index
	// of its entry in chunks. The map's values hold no pointer, so that
	// it is small and quick for the garbage collector to scan with many
	// devices, and an update changes the entry without touching the map.
	m      map[string]int
	chunks []*[memChunk]memEntry
	n      int // entries in use
}

// memChunk is the number of entries allocated together: a growing
// MemoryStore never copies its entries.
const memChunk = 256

type memEntry struct {
	version uint64
	state   []byte
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]int{}} }

// entry returns the entry of device, nil when it has none. The caller
// holds mu.
func (s *MemoryStore) entry(device string) *memEntry {
	i, ok := s.m[device]
	if !ok {
		return nil
	}
	return &s.chunks[i/memChunk][i%memChunk]
}

// add returns a new entry for device, which has none. The caller holds
// mu.
func (s *MemoryStore) add(device string) *memEntry {
	if s.m == nil {
		s.m = map[string]int{}
	}
	i := s.n
	if i/memChunk == len(s.chunks) {
		s.chunks = append(s.chunks, new([memChunk]memEntry))
	}
	s.n++
	s.m[strings.Clone(device)] = i
	return &s.chunks[i/memChunk][i%memChunk]
}

// Load implements Store.
func (s *MemoryStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	state, version, err := s.loadKept(ctx, device)
	if err != nil {
		return nil, 0, err
	}
	return append([]byte(nil), state...), version, nil
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
	if e := s.entry(device); e != nil {
		return e.state, e.version, nil
	}
	return nil, 0, nil
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
	e := s.entry(device)
	var version uint64
	if e != nil {
		version = e.version
	}
	if version != old {
		return 0, nil, errorf("store %q: version %d, not %d: %w", device, version, old, ErrConflict)
	}
	if e == nil {
		e = s.add(device)
	}
	e.version++
	e.state = kept
	return e.version, kept, nil
}
