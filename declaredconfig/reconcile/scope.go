package reconcile

import (
	"slices"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
)

// scopeOf returns the scope a summary entry's context names: "User" in
// any letter case is the User scope, anything else the Device scope.
func scopeOf(context string) declaredconfig.Scope {
	if strings.EqualFold(strings.TrimSpace(context), "user") {
		return declaredconfig.User
	}
	return declaredconfig.Device
}

// scoped returns the summary's entries of scope s (the same DocID may
// name a Device and a User document) that name a document desired or
// being removed in that scope, the first of each DocID only: what
// Evaluate and the removal look up, whatever else a hostile summary
// lists. It is made once per run.
func (p *run) scoped(s declaredconfig.Scope) *declaredconfig.Summary {
	if p.byScope[s] != nil {
		return p.byScope[s]
	}
	sub := &declaredconfig.Summary{Schema: p.summary.Schema}
	n := len(p.st.Docs) + len(p.st.Removed)
	if n*len(p.summary.Documents) <= 4096 {
		// Small: compared in place, without the keys of a map.
		for i, e := range p.summary.Documents {
			if scopeOf(e.Context) == s && p.known(s, e.ID) && !slices.ContainsFunc(p.summary.Documents[:i], func(x declaredconfig.SummaryEntry) bool {
				return scopeOf(x.Context) == s && declaredconfig.EqualDocID(x.ID, e.ID)
			}) {
				sub.Documents = append(sub.Documents, e)
			}
		}
	} else {
		want := make(map[string]bool, n)
		for _, list := range [][]*docState{p.st.Docs, p.st.Removed} {
			for _, d := range list {
				if d.Scope == s {
					want[docKey(s, d.Doc.ID)] = true
				}
			}
		}
		for _, e := range p.summary.Documents {
			if scopeOf(e.Context) != s {
				continue
			}
			if k := docKey(s, e.ID); want[k] {
				want[k] = false
				sub.Documents = append(sub.Documents, e)
			}
		}
	}
	if len(sub.Documents) == len(p.summary.Documents) {
		sub = p.summary // every entry kept, in order
	}
	p.byScope[s] = sub
	return sub
}
