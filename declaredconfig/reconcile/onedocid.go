package reconcile

import (
	"context"
	"hash/maphash"

	"github.com/windc-go/windc/declaredconfig"
)

// dropRepeated repairs a state that desires one document more than
// once: two documents of the same scope and DocID
// (declaredconfig.EqualDocID), whatever their Hosts. An earlier build's
// Declare took a DocID under a second Host; as a device's summary names
// a document by its scope and DocID alone, its one entry was read for
// both, and each was sent over the other in every session. The first of
// them in the order declared is kept, as Declare now keeps it (it
// refuses the other); the others are dropped from the desired
// documents, not removed from the device (a Delete under another Host
// may delete the one kept), and their statuses as loaded are returned
// for update to report (see tellRepeated). A state without such
// documents is left as it is, at the cost of one pass over its
// documents (with a map of their DocIDs beyond repeatScanMax).
func (st *deviceState) dropRepeated() []DocStatus {
	n := len(st.Docs)
	if n < 2 {
		return nil
	}
	var seen map[uint64]struct{}
	if n > repeatScanMax {
		seen = make(map[uint64]struct{}, n)
	}
	var again []bool // per document, whether an earlier one has its scope and DocID
	for i, d := range st.Docs {
		if seen != nil {
			// By the hash of the DocID folded as EqualDocID compares
			// it: one whose hash was not seen before is not repeated.
			h := foldedHash(d.docID()) ^ uint64(d.Scope)
			if _, ok := seen[h]; !ok {
				seen[h] = struct{}{}
				continue
			}
		}
		for _, e := range st.Docs[:i] {
			if e.Scope == d.Scope && declaredconfig.EqualDocID(e.docID(), d.docID()) {
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

// repeatScanMax is the number of documents up to which dropRepeated compares
// each with those before it rather than making a map.
const repeatScanMax = 32

// repeatSeed seeds foldedHash.
var repeatSeed = maphash.MakeSeed()

// foldedHash hashes id with its ASCII letters in lower case, so that two
// IDs EqualDocID finds equal hash the same.
func foldedHash(id string) uint64 {
	var h maphash.Hash
	h.SetSeed(repeatSeed)
	var buf [64]byte
	for len(id) > 0 {
		k := min(len(id), len(buf))
		for i := range k {
			c := id[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		h.Write(buf[:k])
		id = id[k:]
	}
	return h.Sum64()
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
