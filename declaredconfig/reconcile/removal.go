package reconcile

import (
	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// removed plans the Delete of documents no longer desired that the device
// still lists, and forgets those it no longer lists.
func (p *run) removed() {
	for _, d := range append([]*docState(nil), p.st.Removed...) {
		e := p.scoped(d.Scope).Entry(d.docID())
		if d.Await[kDelete] != "" {
			continue
		}
		if e == nil || stateOf(e.State).Deleted() {
			p.drop(d)
			continue
		}
		d.Last.Condition, d.Last.Reported = Removing, true
		d.Last.State, d.Last.DevCS, d.Last.DevRC = uint32(stateOf(e.State)), e.Checksum, e.ResultChecksum
		// A Delete the device refused is not sent again while it lists
		// the version it listed then, but as a refusal of a version would
		// be (see cmdRefused).
		r, held := p.cmdHeld(d, kDelete, e.Checksum)
		if held {
			d.Last.Reason = "the device refused the Delete: " + r.Code.String()
			continue
		}
		if d.Last.Reason == "" || r.Tries == 0 || r.What != e.Checksum {
			d.Last.Reason = "no longer desired; deleting it"
		}
		// A Delete cannot fail to build for a document that was declared,
		// nor for a stray Remove took (a GUID); a state saved before
		// Remove checked that may hold another: it is said.
		if _, err := p.want(d, kDelete, e.Checksum, func() (syncml.Command, error) {
			return declaredconfig.DeleteDocument(d.uri(declaredconfig.NodeDocument))
		}); err != nil && p.fresh {
			p.problem(d.status(), err)
		}
	}
	// Deletes go before everything else.
	var dels, rest []syncml.Command
	for _, c := range p.plan {
		if c.ElementName() == "Delete" {
			dels = append(dels, c)
		} else {
			rest = append(rest, c)
		}
	}
	p.plan = append(dels, rest...)
}

// strays lists the documents the device reports that were never declared:
// each (scope, DocID) once, at most Config.MaxDocuments of them. A Problem
// says once that the device lists more.
func (p *run) strays() {
	st := p.st
	if p.steady() {
		// Every entry is of a document (the identity classes).
		st.Stray, st.StrayOver = nil, 0
		return
	}
	st.Stray = st.Stray[:0]
	c := p.classes()
	over, max := 0, p.r.maxDocuments()
	for i := range p.summary.Documents {
		e := &p.summary.Documents[i] // not a copy of each entry
		if c.class[i] >= 0 || !c.first[i] || noID(e.ID) {
			continue // a document's; listed before; or of no document (a Problem says so)
		}
		if len(st.Stray) >= max {
			over++
			continue
		}
		st.Stray = append(st.Stray, stray{Scope: c.scope[i], ID: e.ID, Checksum: e.Checksum, RC: e.ResultChecksum, State: e.State})
	}
	if len(st.Stray) == 0 {
		st.Stray = nil
	}
	if over > 0 && st.StrayOver == 0 {
		p.event(Event{Kind: Problem, Err: errorf("device %s: the summary lists %d documents never declared, %d kept: %w",
			shown(p.device), len(st.Stray)+over, len(st.Stray), pkg.LimitCount("MaxDocuments", int64(max), int64(max+over), ""))})
	}
	st.StrayOver = int32(over)
}

// docKey is the key of the document id of scope s in a map: DocIDs
// compare as declaredconfig.EqualDocID compares them (ASCII letters
// without regard to case).
func docKey(s declaredconfig.Scope, id string) string {
	b := make([]byte, 1, 1+len(id))
	b[0] = byte(s)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
