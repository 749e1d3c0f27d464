package session

import (
	"encoding/binary"
	"math"
)

// A MemoryStore keeps its entries' bytes in slabs: large byte slices that
// records are appended to and never changed in, so that the garbage
// collector follows a pointer per slab, not one per device (the entries
// hold none), and an update allocates nothing most of the time. A record
// is a header, the index of its entry and the number of its bytes (four
// bytes each, little-endian), then the bytes. The record an update
// replaces is dead; a slab no longer appended to (sealed) whose live
// records hold under two thirds of its bytes is compacted: they are
// copied to the slab appended to, and the slab is dropped. Memory is
// never reused in place: a state handed out (LoadShared, a Server's
// reply) stays valid for as long as it is held, the garbage collector
// keeping its slab.
//
// Compaction waits for the dead records of all slabs to hold over half as
// many bytes as the live ones: devices whose states are replaced in turn
// (every device checking in, one after another) leave their oldest slabs
// wholly dead, dropped without a copy, and devices added and never updated
// leave none. Memory stays under one and a half times the live records and
// the slab appended to: while the dead bytes are over half the live ones,
// some sealed slab is under two thirds live (a compaction copies at most
// two bytes for each it frees).

const (
	// slabSize is the size of a slab that records are appended to.
	slabSize = 64 << 10
	// ownSlab is the size of a record from which it has a slab of its own.
	ownSlab = slabSize / 4
	// recHdr is the size of a record's header.
	recHdr = 8
	// maxRecord is the most bytes an entry has (device and state).
	maxRecord = math.MaxUint32 - recHdr
)

// memSlabs are the slabs of a MemoryStore.
type memSlabs struct {
	slabs  []memSlab
	spare  []uint32 // the indices of dropped slabs
	active uint32   // the index+1 of the slab appended to; 0: none
	// the sealed slabs under two thirds live, compacted (after the record
	// being written) while the dead bytes are over half the live ones:
	// those under half live (pending) first, the others (thin) only when
	// none is, a compaction of theirs copying up to two bytes for each it
	// frees
	pending, thin []uint32
	// the bytes of all slabs (of the slab appended to, those written; of
	// a sealed one, its capacity: the room it had left is dead), and
	// those of their live records
	used, live int
	moved      int // the bytes compaction copied
}

// memSlab is one slab.
type memSlab struct {
	b    []byte
	live int    // the bytes of its live records, headers included
	at   uint32 // its index+1 in pending, or thin; 0: in neither
	thin bool   // at is in thin
}

// bytesOf returns the bytes of e, capped so that they cannot be appended
// to. The caller holds mu.
func (s *MemoryStore) bytesOf(e *memEntry) []byte {
	if e.n == 0 {
		return nil
	}
	b := s.slabs.slabs[e.slab].b
	return b[e.off : e.off+e.n : e.off+e.n]
}

// write makes the bytes of entry i (e), the device then parts, n bytes in
// all, its record; the one it had is dead. The caller holds mu.
func (s *MemoryStore) write(i uint32, e *memEntry, device string, parts [][]byte, n int) {
	oldSlab, oldOff, oldSize := e.slab, e.off, e.n
	e.slab, e.off = s.record(i, n, device, parts)
	e.n = uint32(n)
	s.replaced(oldSlab, oldOff, oldSize)
}

// writeOwn makes rec, a whole record of entry i (e) laid out by the
// caller, header included, which nothing else uses, the record of e in a
// slab of its own, without copying it; the one it had is dead. The
// caller holds mu.
func (s *MemoryStore) writeOwn(e *memEntry, rec []byte) {
	oldSlab, oldOff, oldSize := e.slab, e.off, e.n
	rec = rec[:len(rec):len(rec)]
	k := s.newSlabOf(rec[:0])
	s.slabs.appended(k, rec, len(rec))
	e.slab, e.off, e.n = k, recHdr, uint32(len(rec)-recHdr)
	s.replaced(oldSlab, oldOff, oldSize)
}

// replaced lets the record an entry had (in slab oldSlab at oldOff, of
// oldSize bytes; oldOff 0: none) go, and compacts the slabs while they
// are wasteful. The caller holds mu.
func (s *MemoryStore) replaced(oldSlab, oldOff, oldSize uint32) {
	if oldOff != 0 { // it had one, maybe of no bytes
		s.release(oldSlab, recHdr+int(oldSize))
	}
	for ss := &s.slabs; ss.wasteful(); {
		var k uint32
		switch {
		case len(ss.pending) > 0:
			k = ss.pending[len(ss.pending)-1]
		case len(ss.thin) > 0:
			k = ss.thin[len(ss.thin)-1]
		default:
			return
		}
		ss.unlist(k)
		s.compact(k)
	}
}

// record appends the record of entry i, the device then parts, n bytes
// in all, where there is room for it, and returns its slab and the offset
// of its bytes. The caller holds mu.
func (s *MemoryStore) record(i uint32, n int, device string, parts [][]byte) (uint32, uint32) {
	k, b := s.room(recHdr + n)
	off := len(b) + recHdr
	b = binary.LittleEndian.AppendUint32(b, i)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = append(b, device...)
	for _, p := range parts {
		b = append(b, p...)
	}
	s.slabs.appended(k, b, recHdr+n)
	return k, uint32(off)
}

// room returns the slab a record of size bytes is to be appended to and
// its bytes, which have room for it: the active slab, a new one when it
// has not, or a slab of the record's own. The caller holds mu.
func (s *MemoryStore) room(size int) (uint32, []byte) {
	ss := &s.slabs
	if size >= ownSlab {
		k := s.newSlab(size)
		return k, ss.slabs[k].b
	}
	if ss.active != 0 {
		k := ss.active - 1
		b := ss.slabs[k].b
		if cap(b)-len(b) >= size {
			return k, b
		}
		// sealed: the room it has left is dead
		ss.active = 0
		ss.used += cap(b) - len(b)
		if ss.sparse(k) {
			ss.list(k)
		}
	}
	k := s.newSlab(slabSize)
	ss.active = k + 1
	return k, ss.slabs[k].b
}

// newSlab returns the index of a new, empty slab of capacity size. The
// caller holds mu.
func (s *MemoryStore) newSlab(size int) uint32 { return s.newSlabOf(make([]byte, 0, size)) }

// newSlabOf returns the index of a new slab of b, empty. The caller
// holds mu.
func (s *MemoryStore) newSlabOf(b []byte) uint32 {
	ss := &s.slabs
	sl := memSlab{b: b}
	if n := len(ss.spare); n > 0 {
		k := ss.spare[n-1]
		ss.spare = ss.spare[:n-1]
		ss.slabs[k] = sl
		return k
	}
	ss.slabs = append(ss.slabs, sl)
	return uint32(len(ss.slabs) - 1)
}

// release takes a dead record of size bytes off slab k's live bytes,
// dropping the slab when none are left and compacting it when it is
// sealed and sparse. The caller holds mu.
func (s *MemoryStore) release(k uint32, size int) {
	ss := &s.slabs
	sl := &ss.slabs[k]
	sl.live -= size
	ss.live -= size
	if k+1 == ss.active {
		return // still appended to
	}
	switch {
	case sl.live == 0:
		s.drop(k)
	case ss.sparse(k):
		ss.list(k)
	}
}

// appended makes b, with a record of size bytes more, the bytes of slab k.
func (ss *memSlabs) appended(k uint32, b []byte, size int) {
	ss.slabs[k].b = b
	ss.slabs[k].live += size
	ss.used += size
	ss.live += size
}

// sparse reports whether slab k, when sealed, is to be compacted: under
// two thirds of its bytes live, so that slabs none of which is hold at
// most half as many dead bytes as live ones.
func (ss *memSlabs) sparse(k uint32) bool {
	sl := &ss.slabs[k]
	return int64(sl.live)*3 < int64(cap(sl.b))*2 // int64: int may be 32 bits
}

// wasteful reports whether sparse slabs are to be compacted: over a
// third of all the slabs' bytes dead.
func (ss *memSlabs) wasteful() bool { return int64(ss.used-ss.live)*2 > int64(ss.live) }

// list puts slab k, a sparse one, in pending or thin, whichever it
// belongs to, when not in it yet.
func (ss *memSlabs) list(k uint32) {
	sl := &ss.slabs[k]
	thin := int64(sl.live)*2 >= int64(cap(sl.b))
	if sl.at != 0 && sl.thin == thin {
		return
	}
	ss.unlist(k)
	q := &ss.pending
	if thin {
		q = &ss.thin
	}
	*q = append(*q, k)
	sl.at, sl.thin = uint32(len(*q)), thin
}

// unlist takes slab k out of pending or thin, when in one, in constant
// time (the last one listed takes its place).
func (ss *memSlabs) unlist(k uint32) {
	j := ss.slabs[k].at
	if j == 0 {
		return
	}
	q := &ss.pending
	if ss.slabs[k].thin {
		q = &ss.thin
	}
	last := (*q)[len(*q)-1]
	(*q)[j-1] = last
	ss.slabs[last].at = j
	*q = (*q)[:len(*q)-1]
	ss.slabs[k].at = 0
}

// drop lets slab k go, no longer to be compacted; its index is reused.
// The caller holds mu.
func (s *MemoryStore) drop(k uint32) {
	ss := &s.slabs
	ss.unlist(k)
	ss.used -= cap(ss.slabs[k].b) // a sealed one
	ss.live -= ss.slabs[k].live
	ss.slabs[k] = memSlab{}
	ss.spare = append(ss.spare, k)
}

// compact copies the live records of slab k, a sealed one, to where
// records are appended and drops it. A record is live when its entry
// still names it. The caller holds mu.
func (s *MemoryStore) compact(k uint32) {
	b := s.slabs.slabs[k].b
	if b == nil || k+1 == s.slabs.active {
		return // not so: a pending slab is sealed, and dropping it unlists it
	}
	// out of use first: a record copied below is never written back into
	// it, nor is its index reused before the copies are done
	s.slabs.live -= s.slabs.slabs[k].live
	s.slabs.slabs[k].live = 0
	for at := 0; at+recHdr <= len(b); {
		i := binary.LittleEndian.Uint32(b[at:])
		n := int(binary.LittleEndian.Uint32(b[at+4:]))
		off := at + recHdr
		if e := s.at(i); e.slab == k && int(e.off) == off {
			e.slab, e.off = s.record(i, n, "", [][]byte{b[off : off+n]})
			s.slabs.moved += recHdr + n
		}
		at = off + n
	}
	s.drop(k)
}
