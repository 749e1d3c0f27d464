package reconcile

import (
	"context"
	"encoding/binary"
	"math/bits"

	"github.com/windc-go/windc/declaredconfig"
)

// dropRepeated repairs a state that desires one document under two
// Hosts: two documents of the same scope and DocID
// (declaredconfig.EqualDocID) and Hosts of their own. An earlier build's
// Declare took a DocID under a second Host; as a device's summary names
// a document by its scope and DocID alone, its one entry was read for
// both, and each was sent over the other in every session. The first of
// them in the order declared is kept, as Declare now keeps it (it
// refuses the other); the others are dropped from the desired
// documents, not removed from the device (a Delete under another Host
// may delete the one kept), and their statuses as loaded are returned
// for update to report (see tellRepeated). Repeats under one Host are
// not looked for: Declare replaces a document of the same scope, Host
// and DocID. A state
// without such documents is left as it is: one whose documents are all
// under one Host at the cost of a pass over their Hosts, another of a
// hash of each DocID, folded as EqualDocID folds it, in a set (on the
// stack up to 32 documents), a document being compared with those
// before it only when its hash was seen.
func (st *deviceState) dropRepeated() []DocStatus {
	n := len(st.Docs)
	if n < 2 {
		return nil
	}
	mixed := false
	for _, d := range st.Docs[1:] {
		if d.Host != st.Docs[0].Host {
			mixed = true
			break
		}
	}
	if !mixed {
		return nil
	}
	// A hash of each folded DocID: a document whose hash was not seen
	// before is not repeated.
	var buf [64]uint64
	seen := hashSet(buf[:])
	if size := 1 << bits.Len(uint(2*n-1)); size <= len(buf) {
		seen = seen[:size]
	} else {
		seen = make(hashSet, size)
	}
	var again []bool // per document, whether an earlier one under another Host has its scope and DocID
	for i, d := range st.Docs {
		id := d.docID()
		if !seen.add(foldedHash(id) ^ uint64(d.Scope)) {
			continue
		}
		for _, e := range st.Docs[:i] {
			if e.Host != d.Host && e.Scope == d.Scope && declaredconfig.EqualDocID(e.docID(), id) {
				if again == nil {
					again = make([]bool, n)
				}
				again[i] = true
				break
			}
		}
	}
	if again == nil {
		return nil
	}
	// A new list: sumDocs may hold the one loaded (see keptSummary).
	kept := make([]*docState, 0, n)
	var dropped []DocStatus
	for i, d := range st.Docs {
		if again[i] {
			dropped = append(dropped, d.status())
			continue
		}
		kept = append(kept, d)
	}
	st.Docs = kept
	st.cls, st.clsSum, st.clsSig = nil, nil, nil // made for the documents before
	return dropped
}

// A hashSet holds hashes by open addressing: its length is a power of
// two, at least twice what it holds; 0 is a free slot.
type hashSet []uint64

// add adds h to s, and reports whether s held it already.
func (s hashSet) add(h uint64) bool {
	h |= 1 // never 0
	mask := uint64(len(s) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		switch s[k] {
		case 0:
			s[k] = h
			return false
		case h:
			return true
		}
	}
}

// foldedHash hashes id with each byte | 0x20, eight at a time, so that
// two IDs EqualDocID finds equal (equal but for the case of ASCII
// letters, which | 0x20 maps to one) hash the same.
func foldedHash(id string) uint64 {
	const fold = 0x2020202020202020
	h := uint64(len(id))
	for ; len(id) >= 8; id = id[8:] {
		h = (h ^ (binary.LittleEndian.Uint64([]byte(id[:8])) | fold)) * 0x9E3779B97F4A7C15
		h ^= h >> 29
	}
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i]|0x20)) * 0x100000001B3
	}
	return h
}

// tellRepeated reports, once the state without them is saved, a Problem
// for each document dropRepeated dropped (its status as loaded): the
// document is no longer desired.
func (r *Reconciler) tellRepeated(ctx context.Context, device string, dropped []DocStatus, kept []*docState) {
	if r.cfg.OnEvent == nil {
		return
	}
	for _, d := range dropped {
		host := "another host"
		for _, k := range kept {
			if k.Scope == d.URI.Scope && declaredconfig.EqualDocID(k.docID(), d.URI.DocID) {
				host = "host " + k.Host.String()
				break
			}
		}
		r.cfg.OnEvent(ctx, Event{Kind: Problem, Device: device, Status: d,
			Err: errorf("device %s: %v document %s was desired under host %v and under %s (stored by an earlier build; a device's summary does not tell them apart, and each was sent over the other): the one declared first, under %s, is kept, and this one is no longer desired (not deleted from the device; Remove the other and declare it again to move it): %w",
				shown(device), d.URI.Scope, shown(d.URI.DocID), d.URI.Host, host, host, ErrInvalid)})
	}
}
