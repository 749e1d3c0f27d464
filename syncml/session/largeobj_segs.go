package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
)

// A Server keeps an object a device sends in chunks out of the session's
// state once it grows: every ServerConfig.ObjectSegment bytes received
// (64 KiB by default), the data so far in the state (largeObject.Data)
// goes to the Store as a segment of its own, under a name no device has (segKey), written once, and the state
// keeps only how many segments there are, their length and a running
// SHA-256 of their bytes. Each message then costs the Store the state
// without the object, plus at most a segment: work linear in the object,
// however thinly a device slices it, where a state holding the whole
// object so far at every message made it quadratic. On the last chunk
// the segments are loaded, checked against the length and hash, and
// joined; a segment missing or changed refuses the object (424), never
// joins it wrong. Once the state that ends the object is saved, its
// segments are emptied (a swap to an empty state): the names are reused
// by the device's next object, so a device has at most as many as its
// largest object had segments (MaxObjectSize / ObjectSegment).
//
// An object smaller than a segment never leaves the state, and a bare
// Session (no Server, no Store) keeps the whole object in its state as
// before.
//
// Reusing the names would let an instance that stalls harm a later
// object: one that stalls before loading a segment it writes, or after
// saving the state that ends an object but before emptying its segments,
// while the device retries on another instance and goes on to its next
// object, would write over or empty a segment of that object under the
// same name (it was then refused, 424, never joined wrong). Names never
// reused (a nonce in each) would leave a record behind per segment of
// every object in a Store of the user's, which has no delete. So each
// object has a generation instead, which no other object of the device
// shares: the version of the state its first segment was made from
// (versions of a device's state are unique, see Store; a stalled instance
// and the one the device retried on make the same object from the same
// state, so the same generation). The state keeps it (largeObject.SegGen,
// format 11) and each segment record starts with it (segRecord; emptied
// records stay empty): a join takes only records of the object's
// generation, clean empties only those of the ended object's, and save
// writes only while the device's state is still the version the message
// was handled from (an instance that stalled meanwhile fails, ErrConflict,
// writing nothing). What is left is a window of two Store calls in save
// (the load of the state, the swap of the segment) where it was the whole
// message (TestServerObjectStalledInstance). An object whose first segment
// was made from no state (version 0), or under an older build, is of
// generation 0: its records have no header and its states are of format
// 10, so that older builds can still join it, without that protection.

// The size from which the data received of an object goes to a Server's
// Store as a segment (ServerConfig.ObjectSegment): its default and its
// bounds. Each segment costs the Store a record and, when written, a load
// of the device's state; the state of every message of the object holds
// up to a segment of its data. Smaller segments spare each message's
// state bytes at the cost of Store calls (a segment a message at most);
// larger ones spare Store calls and records at the cost of the state's
// size.
const (
	DefaultObjectSegment = 64 << 10
	MinObjectSegment     = 4 << 10
	MaxObjectSegment     = 4 << 20
)

// objSegment is DefaultObjectSegment, for tests.
const objSegment = DefaultObjectSegment

// objectSegment returns the segment size of a Server whose
// ServerConfig.ObjectSegment is n: DefaultObjectSegment for 0 or less,
// else n within MinObjectSegment and MaxObjectSegment.
func objectSegment(n int) int {
	if n <= 0 {
		return DefaultObjectSegment
	}
	return min(max(n, MinObjectSegment), MaxObjectSegment)
}

// reservedPrefix begins the names a Server keeps records of its own
// under in its Store (FirstNonceKeyDevice, segKey): no SyncML device can
// have it (XML has no NUL), and a DeviceKeyer's key that has it is
// refused.
const reservedPrefix = "\x00windc "

// segPrefix begins the Store names of the segments of objects received.
const segPrefix = reservedPrefix + "object segment\x00"

// segKey returns the Store name of the segment i of device's object.
func segKey(device string, i int) string {
	return segPrefix + strconv.Itoa(i) + "\x00" + device
}

// reserved reports whether device is a name a Server keeps a record of
// its own under: no device's.
func reserved(device string) bool { return strings.HasPrefix(device, reservedPrefix) }

// errSegment is the cause of an object refused because a segment of it
// kept in the Store is missing or does not match what the state says.
var errSegment = errors.New("segment of a received object missing or changed in the Store")

// segStore is how a Server's session reaches the segments of the object
// it receives: written after Handle (largeObject.pend, for the object
// still received) before the state is saved, loaded when it is joined.
type segStore struct {
	ctx    context.Context
	store  Store
	ms     *MemoryStore // the Store when it is one: loads without a copy
	device string
	// err is the Store's error loading a segment: Handle fails with it
	// (nothing is saved, the device retries).
	err error
}

// segWrite is the i-th segment of an object, to write.
type segWrite struct {
	i    int
	data []byte
}

// segStore returns the segStore of a Server's session (r.segs, made when
// need is set and it is not yet), nil when there is none.
func (r *responder) segStore(need bool) *segStore {
	if r.segs == nil && need && r.srv != nil {
		r.segs = r.srv.segStore(r.ctx, r.id.Device)
	}
	return r.segs
}

// segStore returns a segStore for device's objects in s's Store.
func (s *Server) segStore(ctx context.Context, device string) *segStore {
	ms, _ := s.cfg.Store.(*MemoryStore)
	return &segStore{ctx: ctx, store: s.cfg.Store, ms: ms, device: device}
}

// flush moves the data of lo held in the state to a segment, when there
// is a Server's Store to keep it in and at least the Server's segment size
// of it (ServerConfig.ObjectSegment). The
// data of an object begun in a message that ended one with segments
// stays in the state until the next message: its segments would take
// the names of the ended one's while the state in the Store still names
// them, and a message handled again (the state's save finding it
// changed, an instance failing before it) would join the ended object
// from the new one's bytes.
func (r *responder) flush(lo *largeObject) {
	if r.srv == nil || len(lo.Data) < objectSegment(r.srv.cfg.ObjectSegment) {
		return
	}
	if p := r.prior; p != nil && p != lo && p.Segs > 0 {
		return
	}
	if g := r.segStore(true); g != nil {
		g.flush(lo)
	}
}

// flush moves the data of lo held in the state to a segment.
func (g *segStore) flush(lo *largeObject) {
	h := sha256.New()
	if len(lo.SegSum) > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(lo.SegSum); err != nil {
			return // checked when the state was read: not reached
		}
	}
	h.Write(lo.Data)
	sum, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return
	}
	lo.pend = append(lo.pend, segWrite{i: lo.Segs, data: lo.Data})
	lo.Segs++
	lo.SegLen += len(lo.Data)
	lo.SegSum = sum
	lo.Data = nil
}

// load returns segment i of lo: made by this message, or from the Store
// (nil when missing, empty or of another generation than lo's).
func (g *segStore) load(lo *largeObject, i int) ([]byte, error) {
	for _, w := range lo.pend {
		if w.i == i {
			return w.data, nil
		}
	}
	b, _, err := g.loadKey(segKey(g.device, i))
	if gen, data := segRecordOf(b); gen == lo.SegGen {
		return data, err
	}
	return nil, err
}

// segHeader is the length of the header of a segment record of a
// generation other than 0: a NUL, which XML text never starts with, then
// the generation, 8 bytes big-endian.
const segHeader = 9

// segRecord returns the record of a segment of generation gen holding
// data: data itself for generation 0 (as an older build wrote it).
func segRecord(gen uint64, data []byte) []byte {
	if gen == 0 {
		return data
	}
	return append(binary.BigEndian.AppendUint64([]byte{0}, gen), data...)
}

// segRecordOf returns the generation and the data of the segment record
// b (see segRecord).
func segRecordOf(b []byte) (gen uint64, data []byte) {
	if len(b) >= segHeader && b[0] == 0 {
		return binary.BigEndian.Uint64(b[1:segHeader]), b[segHeader:]
	}
	return 0, b
}

// loadKey loads the record key: shared, without a copy, from a
// MemoryStore (only read).
func (g *segStore) loadKey(key string) ([]byte, uint64, error) {
	if g.ms != nil {
		return g.ms.LoadShared(g.ctx, key)
	}
	return g.store.Load(g.ctx, key)
}

// whole returns the data of lo, its segments joined with the data in the
// state. It fails with errSegment when a segment is missing or the
// segments do not match the length and hash the state holds, and with
// the Store's error (also kept in g.err) when a load fails.
func (g *segStore) whole(lo *largeObject) ([]byte, error) {
	if lo.Segs == 0 {
		return lo.Data, nil
	}
	if g == nil {
		return nil, errSegment // a bare Session has no Store to load them from
	}
	b := make([]byte, 0, lo.SegLen+len(lo.Data))
	h := sha256.New()
	for i := range lo.Segs {
		seg, err := g.load(lo, i)
		if err != nil {
			g.err = errorf("load segment %d of the object received: %w", i, err)
			return nil, g.err
		}
		if len(seg) == 0 || len(seg) > lo.SegLen-len(b) {
			return nil, errSegment
		}
		b = append(b, seg...)
		h.Write(seg)
	}
	want := sha256.New()
	if len(b) != lo.SegLen || want.(encoding.BinaryUnmarshaler).UnmarshalBinary(lo.SegSum) != nil ||
		!bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		return nil, errSegment
	}
	return append(b, lo.Data...), nil
}

// save writes the segments the message made of live, the object still
// received after it (those of an object it ended are not written), before
// the state naming them is saved; ver is the version of the device's
// state the message was handled from. An object whose first segment the
// message made gets its generation then (live.SegGen, ver): one no other
// object of the device has, as no other state has that version; an
// object begun under generation 0 (an older build's) keeps it. A segment
// kept under its name already (a retry of the message, another instance
// handling it) is left as it is; another one is replaced, only while the
// device's state is still of version ver: an instance that stalled while
// the device went on (its retry handled by another) writes nothing, and
// fails (ErrConflict), so as not to replace a segment of a later object.
func (g *segStore) save(live *largeObject, ver uint64) error {
	if live.SegGen == 0 && len(live.pend) > 0 && live.pend[0].i == 0 {
		live.SegGen = ver // 0 for a device without state: as before
	}
	checked := false
	for _, w := range live.pend {
		key := segKey(g.device, w.i)
		old, recVer, err := g.loadKey(key)
		if err != nil {
			return errorf("save segment %d of the object received: %w", w.i, err)
		}
		if gen, data := segRecordOf(old); gen == live.SegGen && bytes.Equal(data, w.data) {
			continue
		}
		if !checked && live.SegGen != 0 {
			if _, now, err := g.store.Load(g.ctx, g.device); err != nil {
				return errorf("save segment %d of the object received: %w", w.i, err)
			} else if now != ver {
				return errorf("save segment %d of the object received: the device's state changed since the message was handled from it: %w", w.i, ErrConflict)
			}
			checked = true
		}
		if _, err := g.store.CompareAndSwap(g.ctx, key, recVer, segRecord(live.SegGen, w.data)); err != nil {
			return errorf("save segment %d of the object received: %w", w.i, err)
		}
	}
	return nil
}

// clean empties the segments of ended, the object the state had before
// the message, once the state saved after it no longer names them: those
// of its generation (an instance that stalled before this, while the
// device went on to another object under the same names, leaves that
// one's alone) but those live, the object received now, uses. It goes on
// past a failure, returning the first: a segment left is replaced by the
// device's next object, and never joined (its generation and hash are not
// the state's).
func (g *segStore) clean(ended, live *largeObject) error {
	if ended == nil || ended == live || ended.Segs == 0 {
		return nil
	}
	from := 0
	if live != nil && live.SegGen == ended.SegGen {
		from = live.Segs
	}
	var first error
	for i := from; i < ended.Segs; i++ {
		old, ver, err := g.loadKey(segKey(g.device, i))
		if gen, _ := segRecordOf(old); err == nil && len(old) > 0 && gen == ended.SegGen {
			_, err = g.store.CompareAndSwap(g.ctx, segKey(g.device, i), ver, nil)
		}
		if err != nil && first == nil {
			first = errorf("empty segment %d of the object received: %w", i, err)
		}
	}
	return first
}

// cleanUnread empties the segment records of the device, from the first
// on, up to the first empty or missing one and at most most of them, but
// those of live (the object received now, nil when none), once a state
// that did not read is replaced: the object it held, if any, is unknown,
// so its generation and count are too, and no object of the device but
// live can be in flight (no state but the one saved names one). Without
// it, a device whose state was replaced so kept the segments of the
// object it was sending, never emptied nor reused but for their names.
// It goes on past a failed swap, returning the first, and stops at a
// failed load.
func (g *segStore) cleanUnread(live *largeObject, most int) error {
	from := 0
	if live != nil {
		from = live.Segs // written by the message, of its generation
	}
	var first error
	for i := from; i < most; i++ {
		old, ver, err := g.loadKey(segKey(g.device, i))
		if err != nil {
			return errorf("load segment %d of an unknown object: %w", i, err)
		}
		if len(old) == 0 {
			break
		}
		if _, err := g.store.CompareAndSwap(g.ctx, segKey(g.device, i), ver, nil); err != nil && first == nil {
			first = errorf("empty segment %d of an unknown object: %w", i, err)
		}
	}
	return first
}

// checkSegs checks the segments a state read says lo has (lo may be
// nil): none, or some of an object being received, at least
// MinObjectSegment bytes each, with a hash that reads.
func (lo *largeObject) checkSegs() error {
	switch {
	case lo == nil:
		return nil
	case lo.Segs == 0:
		if lo.SegLen != 0 || len(lo.SegSum) != 0 || lo.SegGen != 0 {
			return errorf("decode state: partial object of no segment with %d bytes and a hash of them", lo.SegLen)
		}
		return nil
	case lo.Refused != 0:
		return errorf("decode state: refused object with %d segments", lo.Segs)
	case lo.SegLen/MinObjectSegment < lo.Segs:
		// each segment holds a segment size or more (flush), whatever
		// ObjectSegment the instances sharing the Store had: a count
		// above that would only cost loads (whole, clean)
		return errorf("decode state: partial object of %d segments in %d bytes", lo.Segs, lo.SegLen)
	}
	if err := sha256.New().(encoding.BinaryUnmarshaler).UnmarshalBinary(lo.SegSum); err != nil {
		return errorf("decode state: hash of the segments of the partial object: %w", err)
	}
	return nil
}
