package agent

import (
	"context"
	"errors"
	"maps"
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

// A leftNode is a node to delete from the Surface (deleteLeft): as it is
// when want is nil; a node only DocumentRecord.Intents hold, only when
// the Surface holds a value whose hash is one of want.
type leftNode struct {
	uri  string
	want []string
}

// leftNodeOf returns the leftNode of uri, one of rec.Leftover.
func leftNodeOf(rec *DocumentRecord, uri string) leftNode {
	if h, ok := rec.Intents[uri]; ok {
		return leftNode{uri: uri, want: []string{h}}
	}
	return leftNode{uri: uri}
}

// deleteLeft deletes nd from the Surface, calling it through c, once the
// Surface is read for a node of Intents: one that holds none of the
// values the agent would have set (or nothing) is not the agent's, and is
// left as it is. gone reports that the node holds nothing the agent set
// any more: deleted, or not the agent's.
func (a *Agent) deleteLeft(c *caller, nd leftNode) (gone bool, err error) {
	if nd.want != nil {
		o := c.do(surfaceOp{kind: opGet, uri: nd.uri})
		v, ok, err := o.v, o.ok, o.err
		if err != nil {
			return false, errorf("read %s (to know whether the agent set it): %w", nd.uri, err)
		}
		if !ok || !slices.ContainsFunc(nd.want, func(h string) bool { return a.hashes.holds(h, v) }) {
			return true, nil
		}
	}
	if err := c.do(surfaceOp{kind: opDelete, uri: nd.uri}).err; err != nil {
		return false, errorf("delete %s: %w", nd.uri, err)
	}
	return true, nil
}

// leave adds to rec.Leftover the nodes that the job j may have set (maySet)
// and that rec names nowhere yet: an apply whose outcome is not recorded.
// Those of rec.Intents are no longer conditional (dropIntents). A node
// the batch read before its Sets holding the very value its Set wrote
// (held: Agent.heldBefore, nil for none) is not added: the apply did not
// change it, and an Unenroll, or the apply of a version that does not
// name it, must leave the device's value (intents kept it out before the
// Sets alike).
func leave(rec *DocumentRecord, j *applyJob, held func(k, hash string) bool) {
	named := recorded(rec)
	var made map[string]bool // the nodes j may have set, when rec has Intents
	for i, s := range j.steps {
		if !j.maySet[i] {
			continue
		}
		k := nodeKey(s.URI)
		if !named[k] && (held == nil || !held(k, s.Hash)) {
			named[k] = true
			rec.Leftover = append(rec.Leftover, s.URI)
		}
		if len(rec.Intents) > 0 {
			if made == nil {
				made = map[string]bool{}
			}
			made[k] = true
		}
	}
	dropIntents(rec, made)
}

// addIntents adds nodes to rec.Leftover and rec.Intents (uri to the hash of
// the value its Set writes), on copies of both, so that a record copied
// before (applyNext's) keeps its own.
func addIntents(rec *DocumentRecord, nodes []leftNode) {
	if len(nodes) == 0 {
		return
	}
	in := make(map[string]string, len(rec.Intents)+len(nodes))
	maps.Copy(in, rec.Intents)
	rec.Leftover = slices.Clip(rec.Leftover)
	for _, nd := range nodes {
		rec.Leftover = append(rec.Leftover, nd.uri)
		in[nd.uri] = nd.want[0]
	}
	rec.Intents = in
}

// dropIntents takes the nodes gone (nodeKey) out of rec.Intents: a copy
// without them, nil when none is left (no copy then). Those still in
// Leftover are then held as set without a condition: their Set was made,
// or may have been.
func dropIntents(rec *DocumentRecord, gone map[string]bool) {
	if len(gone) == 0 || len(rec.Intents) == 0 {
		return
	}
	n := 0
	for u := range rec.Intents {
		if gone[nodeKey(u)] {
			n++
		}
	}
	switch n {
	case 0:
		return
	case len(rec.Intents):
		rec.Intents = nil
		return
	}
	in := maps.Clone(rec.Intents)
	maps.DeleteFunc(in, func(u, _ string) bool { return gone[nodeKey(u)] })
	rec.Intents = in
}

// relieve records that rec's Settings are now the steps of j, the
// outcome of its apply: the nodes it set before (its old Settings' and
// Leftover) that the steps do not set go to Leftover, and so do those of steps
// that failed but may have been set all the same (maySet: not waited for).
// It returns those of the old nodes to delete from the Surface now: the
// ones no step names (a setting that failed leaves the node to Unenroll),
// no other record names, of a document not abandoned (its nodes stay on
// the device). A node of Intents stays one (deleted only when the Surface
// holds the value the agent would have set) unless the steps may have set
// it; one set for sure (an old setting that succeeded) comes out of them.
// a.mu held; rec is one of a.st.Documents.
func (a *Agent) relieve(rec *DocumentRecord, j *applyJob) (drop []leftNode) {
	steps := j.steps
	var old []string
	for _, s := range rec.Settings {
		if s.Status == int(syncml.StatusOK) {
			old = append(old, s.URI)
		}
	}
	sure := len(old) // old[:sure] were set for sure
	old = append(old, rec.Leftover...)
	cond := rec.Intents
	rec.Settings, rec.Leftover, rec.Intents = steps, nil, nil
	seen := map[string]bool{}
	if len(old) > 0 {
		set, named := setNodes(steps), map[string]bool{}
		for _, s := range steps {
			named[nodeKey(s.URI)] = true
		}
		var others map[string]bool // the nodes other records name, when needed
		for x, u := range old {
			k := nodeKey(u)
			if set[k] || seen[k] {
				continue
			}
			seen[k] = true
			rec.Leftover = append(rec.Leftover, u)
			nd := leftNode{uri: u}
			if h, ok := cond[u]; ok && x >= sure {
				if rec.Intents == nil {
					rec.Intents = map[string]string{}
				}
				rec.Intents[u] = h
				nd.want = []string{h}
			}
			if named[k] || rec.Abandoned {
				continue
			}
			if others == nil {
				others = a.namedElsewhere(rec)
			}
			if !others[k] {
				drop = append(drop, nd)
			}
		}
	}
	var made map[string]bool // nodes of Intents the steps may have set
	for i, s := range steps {
		if !j.maySet[i] || s.Status == int(syncml.StatusOK) {
			continue
		}
		k := nodeKey(s.URI)
		if !seen[k] {
			seen[k] = true
			rec.Leftover = append(rec.Leftover, s.URI)
		} else if len(rec.Intents) > 0 {
			if made == nil {
				made = map[string]bool{}
			}
			made[k] = true
		}
	}
	dropIntents(rec, made)
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
// (relieve), calling it through c, without the lock (deleteLeft: a node
// of Intents only when it holds the agent's value), and takes those gone
// out of the record's Leftover; a failure is told as an EventError and
// the node stays in Leftover, for the next apply or Unenroll.
func (a *Agent) dropLeft(c *caller, u declaredconfig.URI, drop []leftNode, n *notes) {
	gone := map[string]bool{}
	for _, nd := range drop {
		if ok, err := a.deleteLeft(c, nd); !ok {
			n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, URI: nd.uri, Err: err,
				Detail: "a node an earlier version of " + u.DocID + " set is not deleted: Unenroll deletes it"})
			continue
		}
		gone[nodeKey(nd.uri)] = true
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
	if len(r.Intents) > 0 {
		// Intents name Leftover nodes only.
		in := map[string]string{}
		for _, l := range kept {
			if h, ok := r.Intents[l]; ok {
				in[l] = h
			}
		}
		r.Intents = nil
		if len(in) > 0 {
			r.Intents = in
		}
	}
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
// the nodes cur set (its settings that succeeded, and its Leftover, with
// its Intents) that put names nowhere. The nodes of put's own Intents
// (those of an apply under way when put was saved, or of one a crash
// stopped) go first: cur holds what became of them (an apply recorded
// since took out those it surely did not set).
func keepLeft(put, cur *DocumentRecord) {
	put.Leftover = slices.DeleteFunc(slices.Clone(put.Leftover), func(u string) bool {
		_, ok := put.Intents[u]
		return ok
	})
	put.Intents = nil
	named := recorded(put)
	add := func(u string, cond bool, h string) {
		if k := nodeKey(u); !named[k] {
			named[k] = true
			put.Leftover = append(put.Leftover, u)
			if cond {
				if put.Intents == nil {
					put.Intents = map[string]string{}
				}
				put.Intents[u] = h
			}
		}
	}
	for _, s := range cur.Settings {
		if s.Status == int(syncml.StatusOK) {
			add(s.URI, false, "")
		}
	}
	for _, u := range cur.Leftover {
		h, ok := cur.Intents[u]
		add(u, ok, h)
	}
	if len(put.Leftover) == 0 {
		put.Leftover = nil
	}
}

// intents returns the nodes the job j calls Set on (its steps not
// invalid, missing or left to another document) that rec does not record
// as set yet, each once, with the hash of the value it sets. They go to
// rec.Leftover and rec.Intents, saved, before the first Set (applyNext): a
// crash at any point of the apply leaves every node it may have set
// recorded, for the next recorded apply or Unenroll, which delete it
// when the Surface holds that value (the Set was made).
//
// A node the batch read before its first Set (Agent.readBefore) holding
// the very value the job sets (heldBefore) is left out: whether or not the
// Set is made, the node holds the value it held, the device's, which a
// crash must not have Unenroll delete. held is nil for none.
func intents(rec *DocumentRecord, j *applyJob, held func(k, hash string) bool) []leftNode {
	named := recorded(rec)
	var out []leftNode
	var hashes []string // the wants' backing array, made once
	for i, s := range j.steps {
		if s.Invalid || s.Missing || j.lose[i] {
			continue
		}
		if k := nodeKey(s.URI); k != "" && !named[k] {
			named[k] = true
			if held != nil && held(k, s.Hash) {
				continue
			}
			if hashes == nil {
				hashes = make([]string, 0, len(j.steps)-i)
			}
			hashes = append(hashes, s.Hash)
			out = append(out, leftNode{uri: s.URI, want: hashes[len(hashes)-1 : len(hashes) : len(hashes)]})
		}
	}
	return out
}

// unintend takes out of rec.Leftover the nodes intended, recorded before
// the Sets of j (intents), whose Set was not made for sure: not called
// (the apply stopped before it, another document wins the node, the
// version does not name it) or refused. Those that may have been made
// stay, set without a condition (dropIntents).
func unintend(rec *DocumentRecord, intended []string, j *applyJob) {
	if len(intended) == 0 {
		return
	}
	unset := keys(intended)
	dropIntents(rec, unset) // conditional no more: out, or set
	for i, s := range j.steps {
		if j.maySet[i] {
			delete(unset, nodeKey(s.URI))
		}
	}
	forget(rec, unset)
}

// forget takes the nodes gone (nodeKey) out of rec.Leftover and
// rec.Intents (on copies).
func forget(rec *DocumentRecord, gone map[string]bool) {
	if len(gone) == 0 {
		return
	}
	rec.Leftover = slices.DeleteFunc(slices.Clone(rec.Leftover), func(u string) bool { return gone[nodeKey(u)] })
	if len(rec.Leftover) == 0 {
		rec.Leftover = nil
	}
	dropIntents(rec, gone)
}

// maybeMade reports whether a Set that returned err may have been made
// all the same: its outcome is not known because it was not waited for
// (Config.SurfaceTimeout, or ctx ended) or the Surface gave up waiting
// itself (a context error).
func maybeMade(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, ErrSurfaceTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}
