package agent

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/declaredconfig"
)

// ApplyPending applies every accepted document now, oldest first, as the
// worker does, and returns when none is left or ctx is done. A document
// interrupted by ctx stays pending (the settings it made so far stay, their
// nodes kept in its record's Leftover for Unenroll; the next apply makes them
// all again). The apply of a version deletes the nodes the document set
// before that it does not set (DocumentRecord.Leftover).
//
// The state is saved when the batch ends, not after each document: until
// then a crash leaves the documents of the batch pending in the store,
// and the agent started again applies them again (setting a node to the
// value it holds changes nothing). Before the first Set of a document
// that sets nodes its record does not hold as set, those nodes, and those
// of every document still pending, go to the records' Leftover and the
// state is saved (once for a batch, unless documents come meanwhile): a
// crash at any point leaves every node the agent may have set recorded,
// even when a new version comes before the document is applied again.
// Each such node is recorded with the value its Set writes
// (DocumentRecord.Intents), once the batch read it (a Get per node, once
// per batch, before its first Set): a node that already holds that value
// is not recorded (Changed: a crash had Unenroll delete it, the device's
// own value; an apply whose outcome is recorded makes it the agent's as
// before); until the apply's outcome is recorded, the
// agent counts it as set only while the Surface holds that value, so
// that after a crash the nodes of a document of the batch whose apply had
// not started (or of a Set not reached) keep the device's values when an
// Unenroll, the apply of a new version or an Undo comes first (Changed:
// they were deleted). A node recorded so whose Set was surely not made
// (not reached, refused, lost to another document) comes out of the
// record when the apply ends, also when a command (a Replace, one of an
// Atomic that an Undo rolls back) changed the document meanwhile
// (Changed: it stayed recorded as set). An apply whose outcome is not
// recorded (ctx ended, or a command changed the document meanwhile)
// records as set the nodes whose Set it made, but those the batch read
// holding the value their Set wrote (Changed: they were recorded without
// a condition, and an Unenroll, or the apply of a version that does not
// name them, deleted the device's own value).
// When that save fails, the document stays pending and nothing of it is
// set: an EventError tells it (once while the store fails alike) and the
// worker tries again after a wait, as after a batch save that failed. When that save fails, the outcome
// is kept in memory all the same, as a refresh's (the summary tells it,
// ahead of the store): the documents are not applied again because the
// store fails, only the save is tried again (the worker's next try, Run,
// or any later save, a command's or a refresh's, keeps it); the batch's
// events and session request are held until a save succeeds, and an
// EventError names the documents (unless the last failed save failed
// alike: see Run). A document is applied again only when the server
// changes what there is to apply (a new version, new instance data,
// Abandoned back to 0), or after a restart that found it pending in the
// store. Events and RequestSession are told after the save.
//
// ApplyPending also saves the state when an earlier outcome (an apply's
// or a refresh's: see Refresh) could not be saved, even with no document
// to apply: that is the worker's next try.
func (a *Agent) ApplyPending(ctx context.Context) error {
	var n notes
	defer a.flush(&n)
	var applied []string // the DocIDs of the documents the batch applied
	var err error
	c := a.newCaller(ctx) // the batch's Surface calls share one goroutine
	defer c.close()
	for {
		var done bool
		done, err = a.applyNext(c, &n, &applied)
		if err != nil || done {
			break
		}
	}
	a.work.Lock() // no apply of another batch runs: unintendRest
	defer a.work.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.queue(&n)
	a.unintendRest()
	if len(applied) == 0 && !a.dirty {
		a.unhold(&n) // nothing to save
		return err
	}
	// Saved even when ctx is done: what was applied is kept.
	if serr := a.cfg.Store.Save(context.WithoutCancel(ctx), a.st); serr != nil {
		// The outcomes stay, ahead of the store, with their events
		// and sessions, until a save keeps them.
		a.holdUnsaved(&n)
		now := a.cfg.Clock.Now()
		serr = errorf("save state: %w", serr) // as Refresh's, for storeFailed
		wait := a.failedSave(now)
		tell, note := a.storeFailed(serr)
		if !tell {
			return serr
		}
		detail := "the state is not saved"
		if len(applied) > 0 {
			detail = "the apply of " + listIDs(applied) + " is not saved: kept, not applied again"
		}
		n.events = []Event{{Time: now, Kind: EventError, Err: serr,
			Detail: detail + "; its events are told once saved; the worker tries the save again in " + wait.String() + note}}
		return serr
	}
	a.saved()
	return err
}

// applyNext applies the oldest pending document, without saving; done
// when there is none. Its DocID is added to applied.
// The Surface is called through c (the batch's) without the agent's
// lock, so that sessions go on (and see ConfigInprogress) while a
// document is applied.
func (a *Agent) applyNext(c *caller, n *notes, applied *[]string) (done bool, err error) {
	ctx := c.ctx
	a.work.Lock()
	defer a.work.Unlock()
	a.mu.Lock()
	i := -1
	for j := range a.st.Documents {
		r := &a.st.Documents[j]
		// An abandoned document is applied too when it is pending (a new
		// version came, or it was abandoned before its first apply):
		// Abandoned stops the refresh, and a state that says "in
		// process" must move on.
		if r.Pending && (i < 0 || r.Seq < a.st.Documents[i].Seq) {
			i = j
		}
	}
	if i < 0 {
		a.mu.Unlock()
		return true, nil
	}
	if err := ctx.Err(); err != nil {
		a.mu.Unlock()
		return false, err
	}
	before := a.st.Documents[i] // the pending record; prepare changes no slice in it
	job, err := a.prepare(i, n)
	if job != nil && len(job.intended) > 0 {
		// The nodes it may set go to the records first, in the store:
		// its own, and those of the documents still pending (so that a
		// batch saves for that once, not once per document).
		added := map[int][]leftNode{i: job.intended}
		a.intendPending(added)
		if unread := a.unread(added); len(unread) > 0 {
			// Read first what they hold (without the lock), then plan
			// again: a node that holds the value already is not
			// recorded (heldBefore).
			a.st.Documents[i] = before
			a.mu.Unlock()
			if err := a.readBefore(c, unread); err != nil {
				return false, err
			}
			return false, nil // applyNext again, with the plans kept
		}
		for r, nodes := range added {
			rec := &a.st.Documents[r]
			addIntents(rec, nodes)
			k := recordKey(rec)
			for _, nd := range nodes {
				a.intents[k] = append(a.intents[k], nd.uri)
			}
		}
		if serr := a.cfg.Store.Save(context.WithoutCancel(ctx), a.st); serr != nil {
			for r, nodes := range added {
				rec := &a.st.Documents[r]
				gone := map[string]bool{}
				for _, nd := range nodes {
					gone[nodeKey(nd.uri)] = true
				}
				forget(rec, gone)
				k := recordKey(rec)
				if a.intents[k] = a.intents[k][:len(a.intents[k])-len(nodes)]; len(a.intents[k]) == 0 {
					delete(a.intents, k)
				}
			}
			a.st.Documents[i] = before
			a.intentFailed(errorf("save state: %w", serr), before.URI, n)
			return false, serr
		}
	}
	clear(a.plans)
	if u, perr := a.parse(before.URI); perr == nil {
		*applied = append(*applied, u.DocID)
	}
	if err != nil {
		// A document the agent cannot plan (its saved instance data
		// does not read) is left failed rather than retried forever.
		a.st.Documents[i] = before
		a.st.Documents[i].Pending = false
		a.st.Documents[i].State = declaredconfig.StateConfigInfraError
		if a.inventory(a.st.Documents[i].URI) {
			a.st.Documents[i].State = declaredconfig.StateGetInfraError
		}
		n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, URI: a.st.Documents[i].URI, Err: err})
	}
	if job == nil {
		// Waiting for instance data, or failed: that is the outcome.
		a.hold(n)
		a.mu.Unlock()
		return false, nil
	}
	a.mu.Unlock()
	xerr := a.execute(c, job)
	a.mu.Lock()
	drop := a.commit(job, xerr != nil, n)
	a.hold(n)
	a.mu.Unlock()
	if len(drop) > 0 {
		a.dropLeft(c, job.uri, drop, n)
	}
	return false, xerr
}

// intendPending adds to added, by index, the nodes the apply of each
// pending record (not added yet, not an inventory) would set that the
// record does not hold as set: intents, without looking at conflicts
// (a node another document wins is recorded, and taken out again when
// the apply is recorded). A record whose apply would pass MaxLeftover, or
// cannot be planned, gets none: its own apply refuses it. a.mu held.
func (a *Agent) intendPending(added map[int][]leftNode) {
	for i := range a.st.Documents {
		rec := &a.st.Documents[i]
		if !rec.Pending || added[i] != nil {
			continue
		}
		u, err := a.parse(rec.URI)
		if err != nil || u.Host == declaredconfig.Inventory || a.legacy[key(u)] != nil {
			continue
		}
		d := a.doc(u)
		if d == nil {
			continue
		}
		steps, _, waiting, err := a.planKept(rec, d, u.Host)
		if err != nil || waiting {
			continue
		}
		nodes := intents(rec, &applyJob{steps: steps, lose: make([]bool, len(steps))}, a.heldBefore)
		if len(nodes) > 0 && len(recorded(rec))+len(nodes) <= a.cfg.MaxLeftover {
			added[i] = nodes
		}
	}
}

// A planned is a plan of a record's document and instance data, kept
// (Agent.plans) for the applyNext that comes again after reading the
// Surface first.
type planned struct {
	text, instance string
	steps          []SettingRecord
	secret         []bool
	waiting        bool
}

// planKept returns a.plan of rec, the one kept for its document and
// instance data when there is one (taken out), and keeps it otherwise:
// an applyNext that reads the Surface first (readBefore) plans again
// what it planned, and a plan depends on them only. applyNext clears
// what is kept when it goes on. a.mu held.
func (a *Agent) planKept(rec *DocumentRecord, d *declaredconfig.Document, host declaredconfig.Host) (steps []SettingRecord, secret []bool, waiting bool, err error) {
	if p, ok := a.plans[rec.URI]; ok && p.text == rec.Document && p.instance == rec.InstanceData {
		delete(a.plans, rec.URI)
		return p.steps, p.secret, p.waiting, nil
	}
	steps, secret, waiting, err = a.plan(rec, d, host)
	if err == nil {
		a.plans[rec.URI] = planned{rec.Document, rec.InstanceData, steps, secret, waiting}
	}
	return steps, secret, waiting, err
}

// unread returns the nodes of added that the batch did not read yet
// (readBefore). a.mu held.
func (a *Agent) unread(added map[int][]leftNode) []string {
	var out []string
	for _, nodes := range added {
		for _, nd := range nodes {
			if _, ok := a.before[nodeKey(nd.uri)]; !ok {
				out = append(out, nd.uri)
			}
		}
	}
	return out
}

// readBefore reads from the Surface, without the lock, the nodes uris
// that an apply of the batch is about to record as it may set them
// (intents), into a.before, for heldBefore: a node that already holds
// the value its Set writes is not the agent's after a crash. A read that
// fails, or finds no node, is recorded as such (the node is recorded as
// the agent may set it, as before); after a read that times out
// (Config.SurfaceTimeout) the others are not read, and recorded so. It
// calls the Surface through c, and returns the error of c's context when
// it ends (the document stays pending). a.work held, not a.mu.
func (a *Agent) readBefore(c *caller, uris []string) error {
	got := make(map[string]getResult, len(uris))
	err := c.gets(uris, func(u, v string, ok bool, err error) bool {
		got[nodeKey(u)] = getResult{v, ok && err == nil}
		// A Surface whose Get does not return: the others are not read
		// (recorded as before), so that the apply waits SurfaceTimeout
		// once, not once per node.
		return !errors.Is(err, ErrSurfaceTimeout)
	})
	if err != nil {
		return err
	}
	for _, u := range uris {
		if _, ok := got[nodeKey(u)]; !ok {
			got[nodeKey(u)] = getResult{}
		}
	}
	a.mu.Lock()
	maps.Copy(a.before, got)
	a.mu.Unlock()
	return nil
}

// heldBefore reports whether the batch read the node k (nodeKey) holding
// the value whose hash is h before it set anything (readBefore). a.mu
// held.
func (a *Agent) heldBefore(k, h string) bool {
	r, ok := a.before[k]
	return ok && r.ok && a.hashes.holds(h, r.value)
}

// unintendRest takes out of the records the intents (a.intents) of the
// applies the batch did not make (it ended first, or the plan failed; or
// an Unenroll or an Undo comes between two of its documents): none of
// their nodes was set, but those the record's settings name, which an
// earlier apply or a refresh may have set. The applies made later in the
// batch record their nodes again. a.mu and a.work held.
func (a *Agent) unintendRest() {
	for k, nodes := range a.intents {
		for i := range a.st.Documents {
			rec := &a.st.Documents[i]
			if recordKey(rec) != k {
				continue
			}
			gone := keys(nodes)
			for _, s := range rec.Settings {
				delete(gone, nodeKey(s.URI))
			}
			forget(rec, gone)
		}
	}
	clear(a.intents)
	clear(a.before) // the Surface may change: read again
	clear(a.plans)
}

// keys returns the nodeKeys of nodes.
func keys(nodes []string) map[string]bool {
	out := make(map[string]bool, len(nodes))
	for _, u := range nodes {
		out[nodeKey(u)] = true
	}
	return out
}

// intentFailed tells that the apply of the document uri did not start
// because the save that records the nodes it would set failed (err): the
// document stays pending and the worker tries again after a wait, as
// after a batch's save that failed (Run). a.mu held.
func (a *Agent) intentFailed(err error, uri string, n *notes) {
	now := a.cfg.Clock.Now()
	wait := a.failedSave(now)
	if tell, note := a.storeFailed(err); tell {
		n.event(Event{Time: now, Kind: EventError, URI: uri, Err: err,
			Detail: "the apply waits: the nodes it would set are not recorded in the store; the worker tries again in " + wait.String() + note})
	}
	a.queue(n)
	a.mu.Unlock()
}

// Run is the agent's worker: it applies what the server sends as it
// comes and refreshes every RefreshInterval (counted from the last
// refresh, or from the start of Run; from now when the clock went back
// before it), until ctx is done; it returns
// ctx.Err(). One Run per agent.
//
// A save of its own that fails (an apply batch's, a refresh's) is told as
// an EventError and tried again (ApplyPending) after a wait that grows
// while the store keeps failing: 1 minute, then twice the wait before, at
// most RefreshInterval, by the agent's Clock; a save that succeeds,
// whoever makes it (a command's wakes the worker), ends the waits. A try
// saves again what the agent holds in memory: it applies nothing again
// (the Surface is not called for documents already applied). A store that
// fails for good is told once: a try, or the save of a command, an
// Unenroll or an Atomic's Undo, that fails with the error of the last
// failed save (whoever made it) is not told again; one whose error differs is, and so is the first failure
// after a save that succeeded. Errors are compared with their numbers
// folded (FileStore's temporary file has a new random name at each try),
// and a store whose error keeps changing otherwise is told at most 3
// times more until a save succeeds, the last saying so. The refresh keeps its own
// time meanwhile, but for a refresh that skipped repairs because the
// store failed to record their nodes first (see Refresh): the next one
// comes after 1 minute, then twice the wait before, at most
// RefreshInterval, until one skips none.
func (a *Agent) Run(ctx context.Context) error {
	a.mu.Lock()
	last, err := time.Parse(timeFormat, a.st.LastRefresh)
	if err != nil {
		last = a.cfg.Clock.Now()
	}
	a.mu.Unlock()
	for {
		// After a save that failed, the next try waits (retryIn).
		if a.retryIn(a.cfg.Clock.Now()) <= 0 {
			if err := a.ApplyPending(ctx); err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
		}
		now := a.cfg.Clock.Now()
		if now.Before(last) {
			// The clock went back (or the saved LastRefresh is in the
			// future): count from now, so the wait is one interval at
			// most.
			last = now
		}
		due := last.Add(a.RefreshInterval())
		if r, ok := a.repairIn(now); ok && now.Add(r).Before(due) {
			due = now.Add(r) // repairs a refresh skipped
		}
		if !now.Before(due) {
			if err := a.Refresh(ctx); err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			last = now
			continue
		}
		wait := due.Sub(now)
		if r := a.retryIn(now); r > 0 && r < wait {
			wait = r
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.wake:
		case <-a.cfg.Clock.After(wait):
		}
	}
}

// listIDs joins DocIDs for an event or an error: the first 10, and how
// many more.
func listIDs(ids []string) string {
	if len(ids) > 10 {
		return strings.Join(ids[:10], ", ") + " and " + strconv.Itoa(len(ids)-10) + " more"
	}
	return strings.Join(ids, ", ")
}

// skippedRepairs records the refresh's jobs that did not set nodes their
// records did not hold as set because the save recording them failed
// (err): each document is told in an EventError when its repair starts
// being skipped (not again at each refresh while it stays so), and the
// next refresh is due after a wait (repairIn: firstRetryWait, then twice
// the wait before, at most the refresh interval); none skipped ends the
// wait. It returns an error naming the documents, nil for none. a.mu held.
func (a *Agent) skippedRepairs(jobs []*refreshJob, err error, now time.Time, n *notes) error {
	var ids []string
	was := a.skipped
	a.skipped = nil
	for _, j := range jobs {
		if len(j.unrecorded) == 0 {
			continue
		}
		k := key(j.uri)
		if a.skipped == nil {
			a.skipped = map[string]bool{}
		}
		a.skipped[k] = true
		ids = append(ids, j.doc.ID)
		if !was[k] {
			uri := j.uri.String()
			if i := a.find(j.uri); i >= 0 {
				uri = a.st.Documents[i].URI
			}
			n.event(Event{Time: now, Kind: EventError, DocID: j.doc.ID, URI: uri, Err: err,
				Detail: "the refresh did not set " + strconv.Itoa(len(j.unrecorded)) + " settings it would have repaired: the nodes are not recorded in the store first; it tries again after a wait"})
		}
	}
	if len(ids) == 0 {
		a.repairWait = 0
		return nil
	}
	w := firstRetryWait
	if a.repairWait > 0 {
		w = 2 * a.repairWait
	}
	a.repairWait = min(w, a.interval())
	a.repairAt = now.Add(a.repairWait)
	return errorf("refresh: the repair of %s is skipped, tried again in %v: %w", listIDs(ids), a.repairWait, err)
}

// repairIn returns how long before the refresh tries again the repairs
// it skipped (skippedRepairs); ok is false when none waits. Never more
// than the wait itself, when the clock went back.
func (a *Agent) repairIn(now time.Time) (d time.Duration, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.repairWait == 0 {
		return 0, false
	}
	return min(a.repairAt.Sub(now), a.repairWait), true
}
