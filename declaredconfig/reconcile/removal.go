package reconcile

import (
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// removed plans the Delete of documents no longer desired that the device
// still lists, and forgets those it no longer lists.
func (p *run) removed() {
	for _, d := range append([]*docState(nil), p.st.Removed...) {
		e := p.summary.Entry(d.Doc.ID)
		if d.Await[kDelete] != "" {
			continue
		}
		if e == nil || stateOf(e.State).Deleted() {
			p.drop(d)
			continue
		}
		d.Last.Condition, d.Last.Reported = Removing, true
		d.Last.State, d.Last.DevCS, d.Last.DevRC = uint32(stateOf(e.State)), e.Checksum, e.ResultChecksum
		if d.Last.Reason == "" || d.RefusedCode == 0 {
			d.Last.Reason = "no longer desired; deleting it"
		}
		// A Delete cannot fail to build for a document that was declared.
		_, _ = p.want(d, kDelete, "", func() (syncml.Command, error) {
			return declaredconfig.DeleteDocument(d.uri(declaredconfig.NodeDocument))
		})
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

// strays lists the documents the device reports that were never declared.
func (p *run) strays() {
	st := p.st
	st.Stray = st.Stray[:0]
	for i, e := range p.summary.Documents {
		// A device lists the documents in the order they came, mostly the
		// order declared: the document at the same place is tried first.
		if i < len(st.Docs) && declaredconfig.EqualDocID(st.Docs[i].Doc.ID, e.ID) || p.known(e.ID) {
			continue
		}
		s := declaredconfig.Device
		if strings.EqualFold(strings.TrimSpace(e.Context), "user") {
			s = declaredconfig.User
		}
		st.Stray = append(st.Stray, stray{Scope: s, ID: e.ID, Checksum: e.Checksum, RC: e.ResultChecksum, State: e.State})
	}
	if len(st.Stray) == 0 {
		st.Stray = nil
	}
}

// known reports whether id is a desired document or one being removed.
func (p *run) known(id string) bool {
	for _, list := range [][]*docState{p.st.Docs, p.st.Removed} {
		for _, d := range list {
			if declaredconfig.EqualDocID(d.Doc.ID, id) {
				return true
			}
		}
	}
	return false
}
