package agent

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// setNodes returns the nodes (nodeKey) that ss set: status 200.
func setNodes(ss []SettingRecord) map[string]bool {
	out := map[string]bool{}
	for _, s := range ss {
		if s.Status == int(syncml.StatusOK) {
			out[nodeKey(s.URI)] = true
		}
	}
	return out
}

// recorded returns the nodes (nodeKey) rec records as set: those of its
// settings that succeeded, and its Leftover.
func recorded(rec *DocumentRecord) map[string]bool {
	named := setNodes(rec.Settings)
	for _, u := range rec.Leftover {
		named[nodeKey(u)] = true
	}
	return named
}

// leave adds to rec.Leftover the nodes that the job j may have set (maySet)
// and that rec names nowhere yet: an apply whose outcome is not recorded.
func leave(rec *DocumentRecord, j *applyJob) {
	named := recorded(rec)
	for i, s := range j.steps {
		if k := nodeKey(s.URI); j.maySet[i] && !named[k] {
			named[k] = true
			rec.Leftover = append(rec.Leftover, s.URI)
		}
	}
}

// relieve records that rec's Settings are now the steps of j, the
// outcome of its apply: the nodes it set before (its old Settings' and
// Leftover) that the steps do not set go to Leftover, and so do those of steps
// that failed but may have been set all the same (maySet: not waited for).
// It returns those of the old nodes to delete from the Surface now: the
// ones no step names (a setting that failed leaves the node to Unenroll),
// no other record names, of a document not abandoned (its nodes stay on
// the device). a.mu held; rec is one of a.st.Documents.
func (a *Agent) relieve(rec *DocumentRecord, j *applyJob) (drop []string) {
	steps := j.steps
	var old []string
	for _, s := range rec.Settings {
		if s.Status == int(syncml.StatusOK) {
			old = append(old, s.URI)
		}
	}
	old = append(old, rec.Leftover...)
	rec.Settings, rec.Leftover = steps, nil
	seen := map[string]bool{}
	if len(old) > 0 {
		set, named := setNodes(steps), map[string]bool{}
		for _, s := range steps {
			named[nodeKey(s.URI)] = true
		}
		var others map[string]bool // the nodes other records name, when needed
		for _, u := range old {
			k := nodeKey(u)
			if set[k] || seen[k] {
				continue
			}
			seen[k] = true
			rec.Leftover = append(rec.Leftover, u)
			if named[k] || rec.Abandoned {
				continue
			}
			if others == nil {
				others = a.namedElsewhere(rec)
			}
			if !others[k] {
				drop = append(drop, u)
			}
		}
	}
	for i, s := range steps {
		if !j.maySet[i] || s.Status == int(syncml.StatusOK) {
			continue
		}
		if k := nodeKey(s.URI); !seen[k] {
			seen[k] = true
			rec.Leftover = append(rec.Leftover, s.URI)
		}
	}
	return drop
}

// namedElsewhere returns the nodes (nodeKey) that the records other than
// rec name, in their Settings or Leftover. a.mu held.
func (a *Agent) namedElsewhere(rec *DocumentRecord) map[string]bool {
	out := map[string]bool{}
	for i := range a.st.Documents {
		o := &a.st.Documents[i]
		if o == rec {
			continue
		}
		for _, s := range o.Settings {
			out[nodeKey(s.URI)] = true
		}
		for _, u := range o.Leftover {
			out[nodeKey(u)] = true
		}
	}
	return out
}

// dropLeft deletes from the Surface the nodes drop of the record of u
// (relieve), without the lock, and takes those it deleted out of the
// record's Leftover; a failure is told as an EventError and the node stays
// in Leftover, for the next apply or Unenroll.
func (a *Agent) dropLeft(ctx context.Context, u declaredconfig.URI, drop []string, n *notes) {
	gone := map[string]bool{}
	for _, uri := range drop {
		if err := a.surfaceDelete(ctx, uri); err != nil {
			n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, URI: uri, Err: errorf("delete %s: %w", uri, err),
				Detail: "a node an earlier version of " + u.DocID + " set is not deleted: Unenroll deletes it"})
			continue
		}
		gone[nodeKey(uri)] = true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if i := a.find(u); i >= 0 {
		forget(&a.st.Documents[i], gone)
	}
	a.hold(n)
}

// checkLeft keeps of r.Leftover, on load, the nodes that a document of the
// context of d, r's document, may set (settable), each once; it returns
// how many it dropped. An inventory sets nothing: it keeps none.
func checkLeft(u declaredconfig.URI, r *DocumentRecord, d *declaredconfig.Document) (dropped int) {
	var kept []string
	seen := map[string]bool{}
	for _, l := range r.Leftover {
		k := nodeKey(l)
		if u.Host == declaredconfig.Inventory || !settable(d.Context, l) || seen[k] {
			dropped++
			continue
		}
		seen[k] = true
		kept = append(kept, l)
	}
	r.Leftover = kept
	return dropped
}

// settable reports whether uri, a node stored as set for a document of
// context, is one such a document may set: a LocURI below the scope of
// the context (./User/ for User in any letter case, else ./Device/) that
// declaredconfig.CheckSettingNode takes (none of the DeclaredConfiguration
// CSP, no "?" query), or, in a Device context, a DSC node as DSCURI
// writes it (its segments hold escaped '/', which no LocURI segment
// may). A node stored otherwise is not trusted: Unenroll would delete
// it.
func settable(context, uri string) bool {
	scope := "./Device/"
	if strings.EqualFold(context, "user") {
		scope = "./User/"
	}
	if rest, ok := strings.CutPrefix(uri, dscRoot); ok {
		return scope == "./Device/" && rest != "" && !strings.Contains(rest, "?")
	}
	n, err := syncml.ParseLocURI(uri)
	if err == nil {
		err = declaredconfig.CheckSettingNode(n)
	}
	k := nodeKey(uri)
	return err == nil && strings.HasPrefix(k, scope) && len(k) > len(scope)
}

// keepLeft adds to put.Leftover, a record an Undo puts back in place of cur,
// the nodes cur set (its settings that succeeded, and its Leftover) that put
// names nowhere.
func keepLeft(put, cur *DocumentRecord) {
	named := recorded(put)
	put.Leftover = slices.Clone(put.Leftover)
	add := func(u string) {
		if k := nodeKey(u); !named[k] {
			named[k] = true
			put.Leftover = append(put.Leftover, u)
		}
	}
	for _, s := range cur.Settings {
		if s.Status == int(syncml.StatusOK) {
			add(s.URI)
		}
	}
	for _, u := range cur.Leftover {
		add(u)
	}
}

// intents returns the nodes the job j calls Set on (its steps not
// invalid, missing or left to another document) that rec does not record
// as set yet, each once. They go to rec.Leftover, saved, before the first
// Set (applyNext): a crash at any point of the apply leaves every node it
// may have set recorded, for the next recorded apply or Unenroll.
func intents(rec *DocumentRecord, j *applyJob) []string {
	named := recorded(rec)
	var out []string
	for i, s := range j.steps {
		if s.Invalid || s.Missing || j.lose[i] {
			continue
		}
		if k := nodeKey(s.URI); k != "" && !named[k] {
			named[k] = true
			out = append(out, s.URI)
		}
	}
	return out
}

// unintend takes out of rec.Leftover the nodes intended, recorded before
// the Sets of j (intents), whose Set was not made for sure: not called
// (the apply stopped before it, another document wins the node, the
// version does not name it) or refused. Those that may have been made
// stay.
func unintend(rec *DocumentRecord, intended []string, j *applyJob) {
	if len(intended) == 0 {
		return
	}
	unset := keys(intended)
	for i, s := range j.steps {
		if j.maySet[i] {
			delete(unset, nodeKey(s.URI))
		}
	}
	forget(rec, unset)
}

// forget takes the nodes gone (nodeKey) out of rec.Leftover.
func forget(rec *DocumentRecord, gone map[string]bool) {
	if len(gone) == 0 {
		return
	}
	rec.Leftover = slices.DeleteFunc(slices.Clone(rec.Leftover), func(u string) bool { return gone[nodeKey(u)] })
	if len(rec.Leftover) == 0 {
		rec.Leftover = nil
	}
}

// maybeMade reports whether a Set that returned err may have been made
// all the same: its outcome is not known because it was not waited for
// (Config.SurfaceTimeout, or ctx ended) or the Surface gave up waiting
// itself (a context error).
func maybeMade(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, ErrSurfaceTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}
