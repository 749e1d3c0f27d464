package session

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// A MemoryStore keeps a state that resembles one of a few reference
// states as the difference from it: runs of bytes copied from the
// reference, and the bytes between them. The states of a server's devices
// resemble each other (the same commands queued on a first session, the
// same Statuses answered, the same reply kept for a replay, under other
// device and session IDs), so that a new device costs its IDs and a few
// dozen bytes rather than its whole state.
//
// The references are kept in slots, a stored form naming its slot. At
// most maxRefs of them are active: differences are made from those. A
// state of at most refMaxState bytes whose best difference from them is
// poor (over 1/refPoor of it) or none becomes one more, up to maxRefs;
// after that, it may take the place of the active reference fewest stored
// states are differences from, the oldest of those (the first devices
// after a start may be unlike the fleet, and the fleet's states change
// shape when an operator queues new commands). The one replaced is
// retired: kept for as long as a stored state is a difference from it,
// then its slot is freed. Replacements are rate-limited (at most one
// every replaceEvery stores, and none while the last one made is a
// difference of no other state, but for replaceStale times as many), so that
// states unlike each other cannot make the store copy references and
// build their tables over and over, and bounded: none while maxRetired
// references are retired (each up to refMaxState bytes and its table).
//
// The stored form of a state is empty for an empty state; otherwise its
// first byte is 0, and the state follows as it is (a state that is short, long
// or resembles no reference), or k, the state then being the difference
// from the reference in slot k: its length (a uvarint), then runs, each
// the number of bytes that follow as they are (a uvarint) and those
// bytes, then, but after the last run, the offset in the reference of the
// bytes copied and their number less refMatch (uvarints).
//
// A difference is made with no lock held, from the active references as
// they were (a snapshot), and stored under the table's lock (the
// MemoryStore's mu) only if its slot still holds that very reference;
// else the state is stored as it is. The slots and the number of stored
// forms naming each change under that lock, and a load takes the
// reference of its stored form's slot under it, so that a reference a
// stored form names is never freed before it is read.

const (
	// maxRefs is the most active references a MemoryStore keeps.
	maxRefs = 4
	// maxRetired is the most references kept, retired, for stored states
	// that are differences from them: with the active ones, at most
	// (maxRefs+maxRetired) x (refMaxState + the table's 8 KiB) bytes.
	maxRetired = 8
	// refSlots is the number of slots used (markers 1 to refSlots): one
	// is free whenever a reference may be retired.
	refSlots = maxRefs + maxRetired + 1
	// replaceEvery is the fewest stores between two replacements, and
	// replaceStale times as many the fewest after one whose reference is
	// a difference of no other state yet.
	replaceEvery, replaceStale = 256, 16
	// unpinMost is the most stored forms that are made states as they
	// are (kept whole) so that a retired reference they name is freed,
	// when no reference can be replaced for want of a slot (see unpin).
	unpinMost = 16
	// unpinChunk is the most entries unpin looks at in one call: the scan
	// for the stored forms naming the reference it frees goes on over as
	// many stores as it takes, so that mu is never held for the scan of a
	// large table (some milliseconds a million devices).
	unpinChunk = 2048
	// refPoor: a difference of over 1/refPoor of its state is poor; the
	// state may then take a reference's place.
	refPoor = 8
	// refMinState is the size from which a state is kept as a difference,
	// and made a reference.
	refMinState = 256
	// refMaxState is the size of the largest state made a reference.
	refMaxState = 16 << 10
	// refMaxDiff is the size of the largest state kept as a difference: a
	// larger one (a large object on its way, say) is kept as it is, so
	// that the differences tried cost at most a few times what its
	// message did.
	refMaxDiff = 4 * refMaxState
	// refMatch is the least number of bytes copied from a reference: the
	// size of the windows the reference's table is of.
	refMatch = 8
	// refTableBits is the log2 of the number of slots in a reference's
	// table.
	refTableBits = 12
	// refSamples is the number of windows of a state looked up in each
	// reference's table to rank them, and refTries the most references
	// a state's difference is then made from.
	refSamples, refTries = 16, 2
)

// memRef is a reference state and its table: for each hash of refMatch
// bytes, the offset+1 of the first window of the reference with that
// hash (the first, so that a run of the same bytes is copied whole). Its
// bytes and table never change once made.
type memRef struct {
	b      []byte
	marker byte // its slot+1: the first byte of a difference from it
	// made is the stores counted when it was made; active reports whether
	// it is (not retired). Both are guarded by the table's lock.
	made   uint64
	active bool
	table  [1 << refTableBits]uint16
}

// memRefs are the references of a MemoryStore.
type memRefs struct {
	mu   sync.Mutex                // held while one is made
	list atomic.Pointer[[]*memRef] // the active ones, never changed in place: a new list replaces it
	hint atomic.Uint32             // the marker of the reference the last difference was from
	// stores counts the stored forms written, next is the count from
	// which a reference may be replaced (tried): written under the
	// table's lock, read with none; 64 bits, so that they never wrap
	stores, next atomic.Uint64
	// every is replaceEvery, unless a test set another (before use)
	every uint32
	// replaced counts the replacements, unpinned the references unpin
	// freed (guarded by the table's lock)
	replaced, unpinned int
	// meanwhile, set by tests, is called once a MemoryStore's difference
	// is made, before its table's lock is held; making, once a new
	// reference is made, before its table's lock is held to install it
	meanwhile, making func()
	// the slots, by marker (nil: free; slots[0] is always, 0 naming no
	// reference), the number of stored forms naming each (counts[0]
	// means nothing), the references retired (held, not active) and the
	// last one made in place of another: guarded by the table's lock.
	// They are indexed by a byte: no bounds check.
	slots   [256]*memRef
	counts  [256]uint32
	retired int
	newest  *memRef
	// stuck: a replacement was refused, maxRetired being retired and
	// every active reference named (see unpin); unpinning, the reference
	// unpin is freeing, unpinAt the entry its scan goes on from; chunk is
	// unpinChunk unless a test set another (before use). Guarded by the
	// table's lock.
	stuck     bool
	unpinning *memRef
	unpinAt   uint32
	chunk     uint32
}

// refHash returns the table slot of the refMatch bytes whose
// little-endian value is v.
func refHash(v uint64) uint32 { return uint32((v * 0x9E3779B97F4A7C15) >> (64 - refTableBits)) }

// newMemRef returns the reference of a copy of b, in no slot yet.
func newMemRef(b []byte) *memRef {
	r := &memRef{b: append([]byte(nil), b...)}
	for i := 0; i+refMatch <= len(r.b); i++ {
		if h := refHash(binary.LittleEndian.Uint64(r.b[i:])); r.table[h] == 0 {
			r.table[h] = uint16(i + 1)
		}
	}
	return r
}

// refs returns the active references.
func (rs *memRefs) refs() []*memRef {
	if l := rs.list.Load(); l != nil {
		return *l
	}
	return nil
}

// slot returns the reference of marker, nil when its slot is free. The
// caller holds the table's lock.
func (rs *memRefs) slot(marker byte) *memRef {
	return rs.slots[marker]
}

// appendDiffOf appends to dst the stored form of state when it is a
// difference, and returns the reference it is from; when not, nil, dst
// being as it was (the stored form is then a 0 byte and state, see
// rawForm). A state unlike the active references, or like them only
// poorly, may become one (see addAndDiff); tab is the table's lock, not
// held.
func (rs *memRefs) appendDiffOf(dst, state []byte, tab *sync.Mutex) ([]byte, *memRef) {
	if len(state) < refMinState || len(state) > refMaxDiff {
		return dst, nil
	}
	refs := rs.refs()
	out, r := rs.appendBest(dst, state, refs)
	if r != nil && len(out)-len(dst) <= len(state)/refPoor || len(state) > refMaxState {
		return out, r
	}
	if len(refs) < maxRefs || rs.stores.Load() >= rs.next.Load() {
		// made after the poor one, then moved over it
		if o, nr := rs.addAndDiff(out, state, refs, tab); nr != nil {
			return append(dst, o[len(out):]...), nr
		}
	}
	return out, r
}

// rawForm is the byte a state kept as it is follows.
var rawForm = []byte{0}

// appendBest appends to dst the smallest difference of state from one of
// refs, when it is at most half of state, and returns the reference it
// is from (nil: none, dst as it was). The references are tried in the
// order of how many of refSamples windows of state each holds (the one
// the last difference was from first among equals), those that hold none
// not at all, and at most refTries of them: a state unlike every
// reference costs a few dozen lookups, one made to resemble them all (a
// device's LocURIs are echoed in its reply) two differences. One of at
// most 1/refPoor of state is taken as it comes.
func (rs *memRefs) appendBest(dst, state []byte, refs []*memRef) ([]byte, *memRef) {
	hint := byte(rs.hint.Load())
	var order [maxRefs]*memRef
	var hits [maxRefs]int
	n := 0
	most := refSamples
	if len(refs) == 1 {
		most = 1 // no order to find: whether it holds any window
	}
	for _, r := range refs {
		h := r.hits(state, most)
		if h == 0 {
			continue
		}
		i := n
		for ; i > 0 && (hits[i-1] < h || hits[i-1] == h && r.marker == hint); i-- {
			order[i], hits[i] = order[i-1], hits[i-1]
		}
		order[i], hits[i] = r, h
		n++
	}
	var best *memRef
	limit := len(state) / 2
	var out []byte // the best so far, at the end of dst; later tries go after it
	for _, r := range order[:min(n, refTries)] {
		base := dst
		if best != nil {
			base = out
		}
		d, ok := r.appendDiff(base, r.marker, state, limit)
		if !ok {
			continue
		}
		// the new best, moved over the previous one
		out, best, limit = append(dst, d[len(base):]...), r, len(d)-len(base)
		if limit <= len(state)/refPoor {
			break
		}
	}
	if best == nil {
		return dst, nil
	}
	if best.marker != hint {
		rs.hint.Store(uint32(best.marker))
	}
	return out, best
}

// hits returns how many of refSamples windows of state (of refMinState
// bytes at least), spread over it, r holds, counting up to most.
func (r *memRef) hits(state []byte, most int) int {
	step := (len(state) - refMatch) / (refSamples - 1)
	h := 0
	ref := r.b
	for s := range refSamples {
		at := s * step
		// sliced to their length, as in seek
		v := binary.LittleEndian.Uint64(state[at : at+refMatch])
		if c := int(r.table[refHash(v)]) - 1; c >= 0 && binary.LittleEndian.Uint64(ref[c:c+refMatch]) == v {
			if h++; h == most {
				break
			}
		}
	}
	return h
}

// addAndDiff appends to dst the difference of state, of at most
// refMaxState bytes, from an active reference made since the caller
// looked at them (seen), when one is close enough (of at most 1/refPoor
// of it: devices checking in at once, none kept yet, would otherwise make
// near copies of one state their references), else from state itself
// made a reference: one more while fewer than maxRefs are active, else
// in place of one when a replacement is due (see replaceable). It returns
// the reference the difference is from, nil when none (dst as it was).
// tab is the table's lock, not held.
func (rs *memRefs) addAndDiff(dst, state []byte, seen []*memRef, tab *sync.Mutex) ([]byte, *memRef) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	refs := rs.refs()
	full := len(refs) >= maxRefs
	var fresh [maxRefs]*memRef
	n := 0
	for _, r := range refs {
		if !slices.Contains(seen, r) {
			fresh[n] = r
			n++
		}
	}
	if n > 0 {
		if out, r := rs.appendBest(dst, state, fresh[:n]); r != nil && len(out)-len(dst) <= len(state)/refPoor {
			return out, r
		}
	}
	if full {
		tab.Lock()
		ok := rs.replaceable()
		tab.Unlock()
		if !ok {
			return dst, nil
		}
	}
	// made with the table's lock not held: a copy and a table, some
	// dozens of microseconds
	r := newMemRef(state)
	if rs.making != nil {
		rs.making()
	}
	tab.Lock()
	// asked again: stores meanwhile may have named the victim, which
	// would then be retired over maxRetired (and the next reference
	// have no free slot)
	if full && !rs.replaceable() {
		tab.Unlock()
		return dst, nil
	}
	rs.install(r)
	tab.Unlock()
	// a state from itself: one copy, whole
	out, _ := r.appendDiff(dst, r.marker, state, len(state))
	return out, r
}

// replaceable reports whether an active reference may be replaced now:
// replaceEvery stores since the last replacement or refusal (a refusal
// defers the next try as long), the last one made a difference of
// another state or replaceStale stores old, and a slot free for the new
// one once the one replaced is retired. The caller holds rs.mu and the
// table's lock.
func (rs *memRefs) replaceable() bool {
	stores := rs.stores.Load()
	if stores < rs.next.Load() {
		return false // another replaced one meanwhile
	}
	nw := rs.newest
	ok := nw == nil || !nw.active || rs.counts[nw.marker] >= 2 || stores-nw.made >= replaceStale*uint64(rs.replaceEvery())
	if ok && rs.retired >= maxRetired {
		v := rs.victim()
		ok = rs.counts[v.marker] == 0
		rs.stuck = !ok
	}
	if !ok {
		rs.next.Store(stores + uint64(rs.replaceEvery()))
	}
	return ok
}

// replaceEvery returns the fewest stores between two replacements.
func (rs *memRefs) replaceEvery() uint32 {
	if rs.every != 0 {
		return rs.every
	}
	return replaceEvery
}

// victim returns the active reference a new one is to take the place of:
// the one fewest stored forms name, the oldest of those. The caller holds
// the table's lock, and maxRefs are active.
func (rs *memRefs) victim() *memRef {
	var v *memRef
	for _, r := range rs.refs() {
		if v == nil || rs.counts[r.marker] < rs.counts[v.marker] ||
			rs.counts[r.marker] == rs.counts[v.marker] && r.made < v.made {
			v = r
		}
	}
	return v
}

// install makes r an active reference, in a free slot: one more, or in
// place of the victim when maxRefs are active (see replaceable), which
// is then retired, or freed when no stored form names it. The caller
// holds rs.mu and the table's lock.
func (rs *memRefs) install(r *memRef) {
	refs := rs.refs()
	free := 1 + slices.Index(rs.slots[1:refSlots+1], nil) // there is one: see refSlots
	rs.slots[free] = r
	r.marker, r.made, r.active = byte(free), rs.stores.Load(), true
	l := append(make([]*memRef, 0, maxRefs), refs...)
	if len(l) < maxRefs {
		l = append(l, r)
	} else {
		v := rs.victim()
		l[slices.Index(l, v)] = r
		v.active = false
		rs.retired++
		if rs.counts[v.marker] == 0 {
			rs.free(v)
		}
		rs.newest, rs.replaced = r, rs.replaced+1
		rs.next.Store(r.made + uint64(rs.replaceEvery()))
	}
	rs.list.Store(&l)
	rs.hint.Store(uint32(r.marker))
}

// free frees the slot of r, a retired reference no stored form names.
// The caller holds the table's lock.
func (rs *memRefs) free(r *memRef) {
	rs.slots[r.marker] = nil
	rs.retired--
}

// stored counts a stored form written with marker m (0: none) in place
// of one with marker old, freeing old's slot when it is retired and no
// stored form names it any more. The caller holds the table's lock.
func (rs *memRefs) stored(old, m byte) {
	rs.counts[m]++
	if rs.counts[old]--; rs.counts[old] == 0 && old != 0 && !rs.slots[old].active {
		rs.free(rs.slots[old])
	}
	rs.stores.Add(1)
}

// unpin frees the retired reference fewest stored forms name, when at
// most unpinMost do, by storing their states as they are (under the same
// versions): the references retired are otherwise each named by a state
// of a device that never stores another (decommissioned, or one that
// means to pin them), and once maxRetired are, none is replaced again.
// It starts once a replacement was refused so (see replaceable), at most
// once every replaceEvery stores, and looks at unpinChunk entries a call
// (a call a store) until the reference is freed or every entry was
// looked at. The caller holds mu.
func (s *MemoryStore) unpin() {
	rs := &s.refs
	if rs.unpinning == nil {
		rs.stuck = false
		m := byte(0)
		for k, r := range rs.slots[1 : refSlots+1] {
			if c := rs.counts[k+1]; r != nil && !r.active && c <= unpinMost && (m == 0 || c < rs.counts[m]) {
				m = byte(k + 1)
			}
		}
		if m == 0 {
			return
		}
		rs.unpinning, rs.unpinAt = rs.slots[m], 0
		rs.unpinned++
	}
	ref := rs.unpinning
	m := ref.marker
	chunk := rs.chunk
	if chunk == 0 {
		chunk = unpinChunk
	}
	end := uint32(s.n)
	if end-rs.unpinAt > chunk {
		end = rs.unpinAt + chunk
	}
	// until the last one naming it is made whole (its slot then freed)
	i := rs.unpinAt
	for ; i < end && rs.slots[m] == ref; i++ {
		e := s.at(i)
		if e.ref != m {
			continue
		}
		b := s.bytesOf(e)
		state, err := stateOf(b[e.keyLen:], ref)
		if err != nil {
			continue // kept as it is, and the reference with it
		}
		device := string(b[:e.keyLen])
		rs.stored(m, 0)
		e.ref = 0
		s.write(i, e, device, [][]byte{rawForm, state}, len(device)+1+len(state))
	}
	rs.unpinAt = i
	if rs.slots[m] != ref || i >= uint32(s.n) {
		// freed, or named still by a stored form behind the scan (made
		// from it before it was retired): a later refusal starts again
		rs.unpinning = nil
	}
}

// appendDiff appends marker and the difference of state from r to dst,
// unless it would be over limit bytes.
func (r *memRef) appendDiff(dst []byte, marker byte, state []byte, limit int) ([]byte, bool) {
	start := len(dst)
	dst = append(dst, marker)
	dst = binary.AppendUvarint(dst, uint64(len(state)))
	ref := r.b
	lit := 0 // the start of the bytes not copied yet
	for i := 0; ; {
		var c int
		if i, c = r.seek(state, i, lit); c < 0 {
			break
		}
		for i > lit && c > 0 && state[i-1] == ref[c-1] {
			i, c = i-1, c-1
		}
		n := refMatchLen(state[i:], ref[c:])
		dst = binary.AppendUvarint(dst, uint64(i-lit))
		dst = append(dst, state[lit:i]...)
		dst = binary.AppendUvarint(dst, uint64(c))
		dst = binary.AppendUvarint(dst, uint64(n-refMatch))
		if len(dst)-start > limit {
			return dst[:start], false
		}
		i += n
		lit = i
	}
	dst = binary.AppendUvarint(dst, uint64(len(state)-lit))
	dst = append(dst, state[lit:]...)
	if len(dst)-start > limit {
		return dst[:start], false
	}
	return dst, true
}

// seek returns the first window of state from i whose bytes r holds, and
// the offset in r of those bytes; -1 when none. The windows looked at are
// farther apart after many bytes with no match (from lit), so that a state
// unlike the reference costs little. (A loop of its own, inlined: within
// appendDiff's, with what a copy needs, the compiler kept the window's
// variables in memory, a third more instructions a window.)
func (r *memRef) seek(state []byte, i, lit int) (int, int) {
	ref := r.b
	for i+refMatch <= len(state) {
		// sliced to their length, so that no slice of none is made
		v := binary.LittleEndian.Uint64(state[i : i+refMatch])
		if c := int(r.table[refHash(v)]) - 1; c >= 0 && binary.LittleEndian.Uint64(ref[c:c+refMatch]) == v {
			return i, c
		}
		i += 1 + (i-lit)>>5
	}
	return i, -1
}

// refMatchLen returns the number of bytes a and b have in common at their
// start, at least refMatch.
func refMatchLen(a, b []byte) int {
	n, m := refMatch, min(len(a), len(b))
	// a word first: a state made to match in short runs (a device's
	// LocURIs, echoed) would otherwise cost a block compare per run
	if n+8 <= m {
		if x := binary.LittleEndian.Uint64(a[n:n+8]) ^ binary.LittleEndian.Uint64(b[n:n+8]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	// then blocks of doubling size, a run copied being often a thousand
	// bytes and more (a compare costs about as much to call as to do on
	// 64 bytes), the one that differs (or runs past the end) halved then
	// down to 64 bytes: a run of n bytes costs about 2 log2(n/64) compares
	// of 4n bytes in all, not n/64 compares
	size := 64
	for n+size <= m && bytes.Equal(a[n:n+size], b[n:n+size]) {
		n += size
		size *= 2
	}
	for size > 64 {
		size /= 2
		if n+size <= m && bytes.Equal(a[n:n+size], b[n:n+size]) {
			n += size
		}
	}
	for n+8 <= m {
		if x := binary.LittleEndian.Uint64(a[n:n+8]) ^ binary.LittleEndian.Uint64(b[n:n+8]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < m && a[n] == b[n] {
		n++
	}
	return n
}

// stateOf returns the state whose stored form is b, given the reference
// its first byte names (nil: none, or its slot is free): a part of b
// (which the caller must not change) when stored as it is, else a new
// slice.
func stateOf(b []byte, r *memRef) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] == 0 {
		return b[1:], nil
	}
	if r == nil || r.marker != b[0] {
		return nil, errorf("stored state: reference %d not kept", b[0])
	}
	ref := r.b
	b = b[1:]
	size, n := binary.Uvarint(b)
	if n <= 0 || size > uint64(maxRecord) {
		return nil, errorf("stored state: bad length")
	}
	b = b[n:]
	// a run takes a byte at least, a copy two more and makes at most the
	// reference: a length over what the bytes could make is not allocated
	if size > uint64(len(b))*(uint64(len(ref))/3+1) {
		return nil, errorf("stored state: length %d of %d bytes", size, len(b))
	}
	out := make([]byte, 0, size)
	for {
		lit, n := binary.Uvarint(b)
		if n <= 0 || lit > uint64(len(b)-n) || lit > size-uint64(len(out)) {
			return nil, errorf("stored state: bad run at %d", len(out))
		}
		out = append(out, b[n:n+int(lit)]...)
		b = b[n+int(lit):]
		if uint64(len(out)) == size {
			if len(b) != 0 {
				return nil, errorf("stored state: %d bytes past its end", len(b))
			}
			return out, nil
		}
		off, n1 := binary.Uvarint(b)
		if n1 <= 0 {
			return nil, errorf("stored state: bad copy at %d", len(out))
		}
		cnt, n2 := binary.Uvarint(b[n1:])
		if n2 <= 0 || cnt > size || off > uint64(len(ref)) || cnt+refMatch > uint64(len(ref))-off || cnt+refMatch > size-uint64(len(out)) {
			return nil, errorf("stored state: bad copy at %d", len(out))
		}
		out = append(out, ref[off:off+cnt+refMatch]...)
		b = b[n1+n2:]
	}
}
