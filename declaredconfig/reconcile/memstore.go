package reconcile

import (
	"context"
	"strings"
	"sync"

	"github.com/windc-go/windc/syncml/session"
)

// A VersionedStore is a session.Store that also tells the version of a
// device's state without reading the state. The Reconciler keeps the
// decoded state of the devices it served last (Config.MaxCachedDevices);
// with a VersionedStore it reads a state only when it does not hold that
// version. The default store is one.
type VersionedStore interface {
	session.Store
	// Version returns the version of the state of device, 0 for none.
	Version(ctx context.Context, device string) (uint64, error)
}

// memStore is the default Store: in memory, versions counted from 1
// across all devices, so that no version comes back for a device once
// its entry is dropped (see drop). It keeps each state as a string, which
// nothing changes: the Reconciler reads it in place (loadShared), without
// the copy Load hands out.
type memStore struct {
	mu   sync.Mutex
	m    map[string]memEntry
	last uint64 // the last version given
}

type memEntry struct {
	version uint64
	state   string
	// key is the entry's own copy of its device, which it is stored
	// under: a device string is often part of a whole received message,
	// which a map key would keep alive (an update of a Go map replaces a
	// string key with the one given).
	key string
}

func newMemStore() *memStore { return &memStore{m: map[string]memEntry{}} }

// Load implements session.Store.
func (s *memStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, errorf("load %s: %w", shown(device), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	if e.state == "" {
		return nil, e.version, nil
	}
	return []byte(e.state), e.version, nil
}

// loadShared implements sharedLoader.
func (s *memStore) loadShared(ctx context.Context, device string) (string, uint64, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, errorf("load %s: %w", shown(device), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	return e.state, e.version, nil
}

// A sharedLoader is a store that hands out a device's state as a string
// it never changes, which a decoded state may then keep parts of.
type sharedLoader interface {
	loadShared(ctx context.Context, device string) (state string, version uint64, err error)
}

// Version implements VersionedStore.
func (s *memStore) Version(ctx context.Context, device string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, errorf("version of %s: %w", shown(device), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[device].version, nil
}

// CompareAndSwap implements session.Store.
func (s *memStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, errorf("store %s: %w", shown(device), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	if e.version != old {
		return 0, errorf("store %s: version %d, not %d: %w", shown(device), e.version, old, ErrConflict)
	}
	s.last++
	e.version = s.last
	e.state = string(state)
	if e.key == "" {
		e.key = strings.Clone(device)
	}
	s.m[e.key] = e
	return e.version, nil
}

// drop lets go of the entry of device (see Reconciler.Forget): its state
// and version. A compare-and-swap from a version read before fails, as
// no later version is the same.
func (s *memStore) drop(device string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, device)
}
