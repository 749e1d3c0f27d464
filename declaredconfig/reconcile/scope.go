package reconcile

import (
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
// name a Device and a User document), made once per run.
func (p *run) scoped(s declaredconfig.Scope) *declaredconfig.Summary {
	if p.byScope[s] != nil {
		return p.byScope[s]
	}
	all := true
	for _, e := range p.summary.Documents {
		if scopeOf(e.Context) != s {
			all = false
			break
		}
	}
	if all {
		p.byScope[s] = p.summary
		return p.summary
	}
	sub := &declaredconfig.Summary{Schema: p.summary.Schema}
	for _, e := range p.summary.Documents {
		if scopeOf(e.Context) == s {
			sub.Documents = append(sub.Documents, e)
		}
	}
	p.byScope[s] = sub
	return sub
}
