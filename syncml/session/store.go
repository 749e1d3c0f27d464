package session

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"math"
	"sync"
)

// A Store keeps the state of every device's session between messages,
// serialized (see Session.MarshalBinary). Updates are compare-and-swap on
// a version, so that several server instances sharing one Store run one
// session correctly: an update made from a stale version fails with
// ErrConflict and the caller reloads and tries again.
//
// A Server also keeps one record of its own in its Store, under the
// reserved name FirstNonceKeyDevice, which no device can have (it holds
// a NUL): the secret its first challenges are derived from, so that it
// keeps nothing for a device before the device's credentials are
// accepted (see AuthInput.FirstNonce). It makes it, with CompareAndSwap
// from version 0, when an Authenticator first asks for a first nonce. A
// Store that lists or expires devices must keep that record.
//
// While a device sends an object in chunks, a Server keeps the data
// received so far in records of their own too, of
// ServerConfig.ObjectSegment (64 KiB by default) or more each,
// under names that begin with a NUL like FirstNonceKeyDevice (the
// state holds their number, length and hash), and empties them (a swap
// to an empty state) once the object is joined or dropped (refused, cut,
// or abandoned: the device's session restarts or is aborted, or its
// unreadable state is replaced, see ServerConfig.ReplaceUnreadableState;
// a device that never sends again keeps them with its state, until
// Server.Forget). A device has
// at most as many such names as its largest object had records; the
// next object reuses them. An emptied record is still a record: Load
// returns no bytes with the version the swap gave, and a later swap goes
// on from it (a Store that deletes the row of an empty state must not
// answer version 0 for it afterwards, as that could let a stale swap
// from 0 succeed; the storetest kit checks this). A Store that expires
// devices may drop those of a device with it. One that damages or drops
// them while the object is received gets the object refused (424), never
// joined wrong.
//
// Instances sharing a Store should run one version of this package: a
// later version reads the states an earlier one wrote, not always the
// reverse. States of format 8, written while an object goes out in
// chunks, do not load in versions before it (ErrStoredState there until
// the object is done); nor do states of format 11, written while a Server
// receives an object kept in segments (largeobj_segs.go).
//
// Implementations must be safe for concurrent use. The function
// storetest.Run checks an implementation against this contract.
type Store interface {
	// Load returns the state kept for device and its version; a device
	// with no state has nil state and version 0 (not an error). The
	// returned bytes are the caller's, which may keep parts of them: a
	// Server's session shares them, without a copy, for as long as it
	// holds the session, and only reads them. So a Store returns a copy,
	// or bytes it never changes nor reuses afterwards (the same unchanging
	// bytes may go to several Loads); bytes valid only until some later
	// call (a pooled buffer, a database page) must be copied.
	Load(ctx context.Context, device string) (state []byte, version uint64, err error)
	// CompareAndSwap replaces the state of device with state if its
	// version is still old (0: no state yet) and returns the new version,
	// which is never 0 and differs from every earlier version of device.
	// Otherwise it returns an error that wraps ErrConflict. The Store
	// keeps its own copy of state.
	CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (version uint64, err error)
}

// MemoryStore is a Store in memory, the default of a Server. It keeps
// the states of devices that resemble each other (a server's devices on
// their first session: the same commands sent, the same reply kept for a
// replay, under other IDs) as their differences from a few of them, so
// that such a device costs about a hundred bytes rather than kilobytes;
// those few are replaced by others as the states change. A Server
// keeps its first-nonce key in it too, under FirstNonceKeyDevice (see
// Store).
type MemoryStore struct {
	mu sync.Mutex
	// index maps the hash of each device (hash) to the index of its
	// entry in chunks, or of the last added of the entries whose devices
	// have that hash (each names the one added before it, next). Neither
	// its keys nor its values hold a pointer, so that the garbage
	// collector never scans it, and it grows without reading the devices
	// again (nor hashing them).
	index  map[uint64]uint32
	seed   maphash.Seed
	chunks []*[memChunk]memEntry
	n      int // entries in use
	// the entries' bytes (store_slabs.go)
	slabs memSlabs
	// the reference states that states are kept as differences from
	// (store_refs.go)
	refs memRefs
	// collide, set by tests, gives every device the same hash.
	collide bool
}

// memChunk is the number of entries allocated together: a growing
// MemoryStore never copies its entries.
const memChunk = 256

// memEntry is the entry of one device. Its bytes, the device (a copy: a
// device string given to CompareAndSwap is often part of a whole received
// message, which would stay alive with it) then the state, are a record
// in a slab (store_slabs.go), never changed in place. An entry holds no
// pointer, so that the garbage collector never looks at the devices one
// by one.
type memEntry struct {
	version uint64
	slab    uint32 // the index of the slab of its record
	off     uint32 // the offset of its bytes in the slab, past the header; 0: no record yet
	n       uint32 // the number of its bytes (0 for device "" and no state)
	keyLen  uint32
	next    uint32 // the index+1 of the entry added before it with the same hash, 0: none
	ref     byte   // the first byte of its stored form when a difference (store_refs.go), else 0
	// own is set when a Server saved the state from its own session
	// (Server.exchange), not through CompareAndSwap: the texts its
	// session holds apart were checked when they came in, and are not
	// checked again when it loads (see putTexts)
	own bool
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// hash returns the hash of device. The caller holds mu, and index is
// made.
func (s *MemoryStore) hash(device string) uint64 {
	if s.collide {
		return 1
	}
	return maphash.String(s.seed, device)
}

// at returns the entry of index i. The caller holds mu.
func (s *MemoryStore) at(i uint32) *memEntry { return &s.chunks[i/memChunk][i%memChunk] }

// entry returns the entry of device, of hash h, and its index; nil when
// it has none, the index being then the index+1 of the last entry added
// with hash h (0: none), for add. The caller holds mu.
func (s *MemoryStore) entry(device string, h uint64) (uint32, *memEntry) {
	i, ok := s.index[h]
	if !ok {
		return 0, nil
	}
	for last := i + 1; ; {
		e := s.at(i)
		if string(s.bytesOf(e)[:e.keyLen]) == device {
			return i, e
		}
		if e.next == 0 {
			return last, nil
		}
		i = e.next - 1
	}
}

// add returns a new entry for device, of hash h, which has none, and its
// index; its bytes are to be written. last is what entry returned with
// no entry: the index+1 of the last entry added with hash h, 0 when none
// (one lookup of h, not two). The caller holds mu.
func (s *MemoryStore) add(device string, h uint64, last uint32) (uint32, *memEntry) {
	i := s.n
	if i/memChunk == len(s.chunks) {
		s.chunks = append(s.chunks, new([memChunk]memEntry))
	}
	s.n++
	e := s.at(uint32(i))
	e.next = last
	s.index[h] = uint32(i)
	e.keyLen = uint32(len(device))
	return uint32(i), e
}

// init makes the index and its seed, when not made yet. The caller
// holds mu.
func (s *MemoryStore) init() {
	if s.index == nil {
		s.index, s.seed = map[uint64]uint32{}, maphash.MakeSeed()
	}
}

// Load implements Store.
func (s *MemoryStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	state, version, fresh, _, err := s.load(ctx, device)
	if err != nil || fresh {
		return state, version, err
	}
	return append([]byte(nil), state...), version, nil
}

// LoadShared is Load without a copy of the state kept for device when it
// is kept as it is, which the MemoryStore never changes in place (an
// update replaces it with a new copy); a state kept as a difference from
// another is made anew. The caller must not change it. A
// reader that keeps parts of the state (a Server's session, a reconcile
// Reconciler) reads it so, rather than copying the whole state on every
// message.
func (s *MemoryStore) LoadShared(ctx context.Context, device string) ([]byte, uint64, error) {
	state, version, _, err := s.loadKept(ctx, device)
	return state, version, err
}

// loadKept is LoadShared (a Server's session shares the state kept, see
// unmarshalState), also reporting whether a Server saved the state from
// its own session (compareAndSwapKept with own set).
func (s *MemoryStore) loadKept(ctx context.Context, device string) ([]byte, uint64, bool, error) {
	state, version, _, own, err := s.load(ctx, device)
	return state, version, own, err
}

// load returns the state of device and its version, whether the state
// was made anew (else it is the one kept), and whether a Server saved it
// from its own session (see memEntry.own).
func (s *MemoryStore) load(ctx context.Context, device string) ([]byte, uint64, bool, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, false, false, errorf("load %s: %w", shown(device), err)
	}
	s.mu.Lock()
	if s.index == nil {
		s.mu.Unlock()
		return nil, 0, false, false, nil
	}
	_, e := s.entry(device, s.hash(device))
	if e == nil {
		s.mu.Unlock()
		return nil, 0, false, false, nil
	}
	// the reference too: its slot may be freed once mu is released
	stored, version, ref, own := s.bytesOf(e)[e.keyLen:], e.version, s.refs.slot(e.ref), e.own
	s.mu.Unlock()
	// stored is never changed in place, nor is ref: read without mu
	state, err := stateOf(stored, ref)
	if err != nil {
		return nil, 0, false, false, errorf("load %s: %w", shown(device), err)
	}
	return state, version, len(stored) > 0 && stored[0] != 0, own, nil
}

// compareAndSwapOwn is compareAndSwapKept, own set, for a state laid
// out in rec after ownRoom(device) bytes (see appendStateOwn), which
// nothing else uses: a large one (over refMaxDiff, never kept as a
// difference) becomes its record as it is, without a copy: a state as
// large as an object going out in chunks is not copied once more at
// every message. A smaller one, or one whose rec has much room unused,
// is copied as compareAndSwapKept copies it.
func (s *MemoryStore) compareAndSwapOwn(ctx context.Context, device string, old uint64, rec []byte) (uint64, []byte, error) {
	pre := ownRoom(device)
	state := rec[pre:]
	if len(state) <= refMaxDiff || cap(rec)-len(rec) > len(rec)/8 {
		v, kept, _, err := s.compareAndSwapKept(ctx, device, old, state, nil, true)
		return v, kept, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, errorf("store %s: %w", shown(device), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, i, e, err := s.entryAt(device, old)
	if err != nil {
		return 0, nil, err
	}
	n := len(rec) - recHdr
	i, e, err = s.admit(device, h, i, e, n)
	if err != nil {
		return 0, nil, err
	}
	e.version++
	e.own = true
	s.refs.stored(e.ref, 0)
	e.ref = 0
	binary.LittleEndian.PutUint32(rec, i)
	binary.LittleEndian.PutUint32(rec[4:], uint32(n))
	copy(rec[recHdr:], device)
	rec[pre-1] = rawForm[0]
	s.writeOwn(e, rec)
	if s.refs.stuck || s.refs.unpinning != nil {
		s.unpin()
	}
	return e.version, s.bytesOf(e)[e.keyLen+1:], nil
}

// entryAt returns device's hash, its entry (nil when it has none: i is then
// the last entry of its hash) and index, or ErrConflict when the entry's
// version (0 for none) is not old. The caller holds mu.
func (s *MemoryStore) entryAt(device string, old uint64) (uint64, uint32, *memEntry, error) {
	s.init()
	h := s.hash(device)
	i, e := s.entry(device, h)
	var version uint64
	if e != nil {
		version = e.version
	}
	if version != old {
		return 0, 0, nil, errorf("store %s: version %d, not %d: %w", shown(device), version, old, ErrConflict)
	}
	return h, i, e, nil
}

// admit returns the entry a record of n bytes of device and state is
// to be written for: e (index i), or a new entry when e is nil (i is
// then the last entry of device's hash, h). It refuses a record over
// maxRecord, or a new device over the entries a MemoryStore keeps. The
// caller holds mu.
func (s *MemoryStore) admit(device string, h uint64, i uint32, e *memEntry, n int) (uint32, *memEntry, error) {
	// what an entry can name (compared as uint64: int may be 32 bits)
	if uint64(n) > maxRecord {
		return 0, nil, errorf("store %s: %d bytes of device and state, over the %d a MemoryStore keeps", shown(device), n, uint64(maxRecord))
	}
	if e == nil {
		if uint64(s.n) >= math.MaxUint32-1 {
			return 0, nil, errorf("store %s: over the %d devices a MemoryStore keeps", shown(device), uint64(math.MaxUint32-1))
		}
		i, e = s.add(device, h, i)
	}
	return i, e, nil
}

// ownRoom is the room compareAndSwapOwn takes before a state of device:
// a record's header, the device and the byte of a state kept as it is.
func ownRoom(device string) int { return recHdr + len(device) + len(rawForm) }

// CompareAndSwap implements Store.
func (s *MemoryStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	sp := scratch.Get().(*[]byte)
	v, _, b, err := s.compareAndSwapKept(ctx, device, old, state, *sp, false)
	putScratch(sp, b)
	return v, err
}

// compareAndSwapKept is CompareAndSwap returning the copy kept when the
// state is kept as it is (nil when kept as a difference, store_refs.go),
// which is never changed in place: a Server whose Store is a MemoryStore
// sends its reply from that copy rather than copying it once more (see
// Server.exchange). A difference is made after what buf holds, which is
// returned grown (for the caller's pool) and otherwise unchanged; state
// may lie in buf, before its length. own is set by a Server saving the
// state of its own session (see memEntry.own); CompareAndSwap clears it.
func (s *MemoryStore) compareAndSwapKept(ctx context.Context, device string, old uint64, state, buf []byte, own bool) (uint64, []byte, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, buf, errorf("store %s: %w", shown(device), err)
	}
	// the stored form, a difference made before mu is held (it takes a
	// microsecond or so) after what buf holds, or state as it is,
	// written from where it is
	start := len(buf)
	buf, ref := s.refs.appendDiffOf(buf, state, &s.mu)
	if s.refs.meanwhile != nil {
		s.refs.meanwhile()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, i, e, err := s.entryAt(device, old)
	if err != nil {
		return 0, nil, buf, err
	}
	// a difference from a reference its slot no longer holds (replaced
	// meanwhile, and freed) is not stored: the state is, as it is
	parts, marker := [][]byte{buf[start:]}, byte(0)
	if ref != nil && s.refs.slots[ref.marker] == ref {
		marker = ref.marker
	} else if len(state) > 0 {
		parts = [][]byte{rawForm, state}
	}
	n := len(device)
	for _, p := range parts {
		n += len(p)
	}
	i, e, err = s.admit(device, h, i, e, n)
	if err != nil {
		return 0, nil, buf, err
	}
	e.version++
	e.own = own
	s.refs.stored(e.ref, marker)
	e.ref = marker
	s.write(i, e, device, parts, n)
	if s.refs.stuck || s.refs.unpinning != nil {
		s.unpin()
	}
	if marker != 0 || len(state) == 0 {
		return e.version, nil, buf, nil
	}
	return e.version, s.bytesOf(e)[e.keyLen+1:], buf, nil
}
