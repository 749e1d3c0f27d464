package session

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sync"
	"sync/atomic"
)

// A MemoryStore keeps a state that resembles one of a few reference
// states as the difference from it: runs of bytes copied from the
// reference, and the bytes between them. The states of a server's devices
// resemble each other (the same commands queued on a first session, the
// same Statuses answered, the same reply kept for a replay, under other
// device and session IDs), so that a new device costs its IDs and a few
// dozen bytes rather than its whole state. The first states that resemble
// none of the references kept yet become references, up to maxRefs of
// them, kept for as long as the store is.
//
// The stored form of a state is empty for an empty state; otherwise its
// first byte is 0, and the state follows as it is (a state that is short, long
// or resembles no reference), or k, the state then being the difference
// from reference k-1: its length (a uvarint), then runs, each the number
// of bytes that follow as they are (a uvarint) and those bytes, then, but
// after the last run, the offset in the reference of the bytes copied and
// their number less refMatch (uvarints).

const (
	// maxRefs is the most references a MemoryStore keeps.
	maxRefs = 4
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
// hash (the first, so that a run of the same bytes is copied whole). It
// never changes once made.
type memRef struct {
	b     []byte
	table [1 << refTableBits]uint16
}

// memRefs are the references of a MemoryStore.
type memRefs struct {
	mu   sync.Mutex                // held while adding one
	list atomic.Pointer[[]*memRef] // never changed in place: a new list replaces it
	hint atomic.Uint32             // the index of the reference the last difference was from
}

// refHash returns the table slot of the refMatch bytes whose
// little-endian value is v.
func refHash(v uint64) uint32 { return uint32((v * 0x9E3779B97F4A7C15) >> (64 - refTableBits)) }

// newMemRef returns the reference of a copy of b.
func newMemRef(b []byte) *memRef {
	r := &memRef{b: append([]byte(nil), b...)}
	for i := 0; i+refMatch <= len(r.b); i++ {
		if h := refHash(binary.LittleEndian.Uint64(r.b[i:])); r.table[h] == 0 {
			r.table[h] = uint16(i + 1)
		}
	}
	return r
}

// refs returns the references kept.
func (rs *memRefs) refs() []*memRef {
	if l := rs.list.Load(); l != nil {
		return *l
	}
	return nil
}

// appendStored appends the stored form of state to dst and reports
// whether it is a difference (not state as it is).
func (rs *memRefs) appendStored(dst, state []byte) ([]byte, bool) {
	if out, ok := rs.appendDiffOf(dst, state); ok || len(state) == 0 {
		return out, ok
	}
	return append(append(dst, 0), state...), false
}

// appendDiffOf appends to dst the stored form of state when it is a
// difference, and reports whether it is; when not, dst is as it was
// (the stored form is then a 0 byte and state, see rawForm).
func (rs *memRefs) appendDiffOf(dst, state []byte) ([]byte, bool) {
	if len(state) < refMinState || len(state) > refMaxDiff {
		return dst, false
	}
	refs := rs.refs()
	if out, ok := rs.appendBest(dst, state, refs, 0); ok {
		return out, true
	}
	if len(refs) < maxRefs && len(state) <= refMaxState {
		return rs.addAndDiff(dst, state, len(refs))
	}
	return dst, false
}

// rawForm is the byte a state kept as it is follows.
var rawForm = []byte{0}

// appendBest appends to dst the smallest difference of state from one of
// refs[from:], when it is at most half of state. The references are
// tried in the order of how many of refSamples windows of state each
// holds (the one the last difference was from first among equals), those
// that hold none not at all, and at most refTries of them: a state unlike
// every reference costs a few dozen lookups, one made to resemble them all
// (a device's LocURIs are echoed in its reply) two differences. One of at
// most an eighth of state is taken as it comes.
func (rs *memRefs) appendBest(dst, state []byte, refs []*memRef, from int) ([]byte, bool) {
	hint := int(rs.hint.Load())
	var order, hits [maxRefs]int
	n := 0
	for k := from; k < len(refs); k++ {
		h := refs[k].hits(state)
		if h == 0 {
			continue
		}
		i := n
		for ; i > 0 && (hits[i-1] < h || hits[i-1] == h && k == hint); i-- {
			order[i], hits[i] = order[i-1], hits[i-1]
		}
		order[i], hits[i] = k, h
		n++
	}
	best, limit := -1, len(state)/2
	var out []byte // the best so far, at the end of dst; later tries go after it
	for _, k := range order[:min(n, refTries)] {
		base := dst
		if best >= 0 {
			base = out
		}
		d, ok := refs[k].appendDiff(base, byte(k+1), state, limit)
		if !ok {
			continue
		}
		// the new best, moved over the previous one
		out, best, limit = append(dst, d[len(base):]...), k, len(d)-len(base)
		if limit <= len(state)/8 {
			break
		}
	}
	if best < 0 {
		return dst, false
	}
	if best != hint {
		rs.hint.Store(uint32(best))
	}
	return out, true
}

// hits returns how many of refSamples windows of state (of refMinState
// bytes at least), spread over it, r holds.
func (r *memRef) hits(state []byte) int {
	step := (len(state) - refMatch) / (refSamples - 1)
	h := 0
	for s := range refSamples {
		v := binary.LittleEndian.Uint64(state[s*step:])
		if c := int(r.table[refHash(v)]) - 1; c >= 0 && binary.LittleEndian.Uint64(r.b[c:]) == v {
			h++
		}
	}
	return h
}

// addAndDiff appends to dst the difference of state from a reference
// added since the caller looked at those kept (from on), when one is
// close enough (devices checking in at once, none kept yet, would
// otherwise make near copies of one state their references), else from
// state itself made a reference, unless maxRefs are kept already.
func (rs *memRefs) addAndDiff(dst, state []byte, from int) ([]byte, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	refs := rs.refs()
	if out, ok := rs.appendBest(dst, state, refs, from); ok {
		return out, true
	}
	if len(refs) >= maxRefs {
		return dst, false
	}
	r := newMemRef(state)
	l := append(refs[:len(refs):len(refs)], r)
	rs.list.Store(&l)
	rs.hint.Store(uint32(len(l) - 1))
	// a state from itself: one copy, whole
	return r.appendDiff(dst, byte(len(l)), state, len(state))
}

// appendDiff appends marker and the difference of state from r to dst,
// unless it would be over limit bytes.
func (r *memRef) appendDiff(dst []byte, marker byte, state []byte, limit int) ([]byte, bool) {
	start := len(dst)
	dst = append(dst, marker)
	dst = binary.AppendUvarint(dst, uint64(len(state)))
	ref := r.b
	lit := 0 // the start of the bytes not copied yet
	for i := 0; i+refMatch <= len(state); {
		v := binary.LittleEndian.Uint64(state[i:])
		c := int(r.table[refHash(v)]) - 1
		if c < 0 || binary.LittleEndian.Uint64(ref[c:]) != v {
			// farther on after many bytes with no match, so that a state
			// unlike the reference costs little
			i += 1 + (i-lit)>>5
			continue
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

// refMatchLen returns the number of bytes a and b have in common at their
// start, at least refMatch.
func refMatchLen(a, b []byte) int {
	n, m := refMatch, min(len(a), len(b))
	// a word first: a state made to match in short runs (a device's
	// LocURIs, echoed) would otherwise cost a block compare per run
	if n+8 <= m {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	// then blocks: a run copied is often a thousand bytes and more
	for n+64 <= m && bytes.Equal(a[n:n+64], b[n:n+64]) {
		n += 64
	}
	for n+8 <= m {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < m && a[n] == b[n] {
		n++
	}
	return n
}

// state returns the state whose stored form is b: a part of b (which the
// caller must not change) when stored as it is, else a new slice.
func (rs *memRefs) state(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] == 0 {
		return b[1:], nil
	}
	refs := rs.refs()
	if int(b[0]) > len(refs) {
		return nil, errorf("stored state: reference %d of %d", b[0], len(refs))
	}
	ref := refs[b[0]-1].b
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
