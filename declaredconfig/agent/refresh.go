package agent

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// Refresh runs one refresh pass now, as the worker does every
// RefreshInterval: every document the agent keeps (applied, not
// abandoned, not an inventory, not a stored document the checks now
// refuse: see New, not one it could not apply: ConfigInfraError) is
// compared with the Surface, setting by setting. A setting that drifted
// is set again; a setting that failed before is tried again. Then:
//
//   - drift repaired: the document stays ConfigCompletedSuccess (60); its
//     result, result_checksum included, is unchanged; an EventRepaired
//     tells of each setting, and no session is asked for;
//   - drift that cannot be repaired (the value came from instance data the
//     agent no longer has: status 404; the Surface refuses the set: its
//     status): the document becomes ConfigCompletedError (61) with a new
//     result whose failing settings carry their status, so a new
//     result_checksum; an EventDrifted tells of each setting whose status
//     changed (a setting still failing with the status it had is not told
//     again, unless the error of its set changed: below) and
//     RequestSession is called;
//   - a failed document whose settings all hold again goes back to 60
//     (EventRecovered) and RequestSession is called;
//   - a setting the Surface fails to read (Get returns an error) is not
//     drift: what the node holds is not known. It is not set, it keeps
//     the status of its last apply or check, so the document keeps its
//     state and result (the CSP's ConfigInfraError, 62, is a permanent
//     state, not one for a read that may work next time); an EventError
//     tells of it, no session is asked for, and the next refresh reads
//     it again (a read that fails as it did at the last refresh is not
//     told again; errors are compared as below).
//
// Before it sets a node its record does not hold as set (a setting
// that failed before), the refresh reads it (a node that already holds
// the value is not set, nor recorded: Changed, it was recorded, and a
// crash had Unenroll delete the device's value), records the node
// (Leftover, DocumentRecord.Intents) and saves the state; when that save fails, it does not set such nodes: an
// EventError names each document whose repair it skipped (when its skip
// starts, not again at each refresh while it lasts), Refresh returns an
// error naming them (wrapping the store's), and the worker refreshes
// again after 1 minute, then twice the wait before, at most
// RefreshInterval, until a refresh skips none (Run). Changed: the skip
// was told by no event and no error of its own, and tried again at the
// next RefreshInterval only. A node that was set and
// whose setting the refresh could not set again stays recorded
// (Leftover): Unenroll and the next version's apply delete it.
//
// A refresh that finds the same failure again changes nothing, asks for
// nothing and tells nothing of it (its EventRefreshed only). A setting
// whose set fails with the status it had but another error is told again
// (EventDrifted, "its error changed"; nothing else changes: the result
// holds statuses, not errors, so no session is asked for). Errors are
// compared with their numbers folded (a time, a count, an address or a
// temporary file's name in the text is not a change), and a setting's
// error that keeps changing otherwise is told at most 3 times, the third
// saying so, until its status changes (for a read, until it works): an
// error that changes at every try makes no event at every refresh. An
// agent started again does not know the error of a set told before: its
// first refresh records it, untold.
//
// When the Store fails to save the outcome, it is kept all the same (the
// summary tells it; a restart before a save starts from the state saved
// before, and the next refresh finds the drift again): its events and
// session request are held and told once a save succeeds (the worker
// tries again after a growing wait: Run; a command's save keeps it too),
// and an EventError tells the failure at once, unless the last save that
// failed (the worker's or a command's) failed alike (see Run). Refresh
// returns the error.
func (a *Agent) Refresh(ctx context.Context) error {
	var n notes
	defer a.flush(&n)
	a.work.Lock()
	defer a.work.Unlock()
	// The Surface is read and written without the lock, by one caller:
	// the reads before, and the check's reads and sets.
	c := a.newCaller(ctx)
	defer c.close()
	defer func() {
		// It may have set nodes read before: a batch reads them again.
		a.mu.Lock()
		clear(a.before)
		a.mu.Unlock()
	}()
	a.mu.Lock()
	clear(a.before) // what a batch read: read again
	var jobs []*refreshJob
	var at []int // the index of each job's record
	for read := false; ; read = true {
		claims := a.claims()
		jobs, at = jobs[:0], at[:0]
		for i := range a.st.Documents {
			if j := a.refreshJobFor(i, claims); j != nil {
				jobs, at = append(jobs, j), append(at, i)
			}
		}
		if read {
			break
		}
		// The nodes the check may set that the records do not hold as
		// set are read first (without the lock), so that one that
		// already holds the value is not recorded (heldBefore); then the
		// jobs are made again, as commands may have come meanwhile.
		added := map[int][]leftNode{}
		for x, j := range jobs {
			if nodes := a.toIntend(&a.st.Documents[at[x]], j); len(nodes) > 0 {
				added[x] = nodes
			}
		}
		unread := a.unread(added)
		if len(unread) == 0 {
			break
		}
		a.mu.Unlock()
		err := a.readBefore(c, unread)
		a.mu.Lock()
		if err != nil {
			a.mu.Unlock()
			return err
		}
	}
	intended := false
	var skip error // the failure of the save of the nodes to set
	for x, j := range jobs {
		intended = a.intend(&a.st.Documents[at[x]], j) || intended
	}
	if intended {
		// The nodes the check may set that the records do not hold as set
		// go to the store first; when that fails, the check leaves them
		// (the refresh's own save tells the store's failure).
		if err := a.cfg.Store.Save(context.WithoutCancel(ctx), a.st); err != nil {
			skip = errorf("save state: %w", err)
			for _, j := range jobs {
				if i := a.find(j.uri); i >= 0 {
					forget(&a.st.Documents[i], j.intended)
				}
				j.unrecorded, j.intended = j.intended, nil
			}
		}
	}
	a.mu.Unlock()
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		a.check(c, j)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.queue(&n)
	reads, drifts := map[string]failure{}, map[string]failure{}
	for _, j := range jobs {
		a.commitRefresh(j, &n, reads, drifts)
	}
	a.readErrs, a.driftErrs = reads, drifts
	now := a.cfg.Clock.Now()
	a.st.LastRefresh = now.UTC().Format(timeFormat)
	n.event(Event{Time: now, Kind: EventRefreshed})
	if err := a.save(ctx, nil); err != nil {
		// The outcome stays, ahead of the store; what it tells waits
		// for a save.
		a.holdUnsaved(&n)
		wait := a.failedSave(now)
		if tell, note := a.storeFailed(err); tell {
			n.events = append(n.events, Event{Time: now, Kind: EventError, Err: err,
				Detail: "the refresh's outcome is not saved: kept, its events told once saved; the worker tries again in " + wait.String() + note})
		}
		return errors.Join(err, a.skippedRepairs(jobs, skip, now, &n))
	}
	return a.skippedRepairs(jobs, skip, now, &n)
}

// A refreshJob is the check of one document, done without the lock.
type refreshJob struct {
	uri      declaredconfig.URI
	doc      *declaredconfig.Document
	text     string          // the record's Document when the refresh started
	settings []SettingRecord // a copy, whose Status the check sets
	lose     []bool
	events   []jobEvent // Repaired, Drifted and failed reads, told if the outcome is kept (commitRefresh)
	// intended holds the nodes (nodeKey) the check may set that the
	// record did not hold as set (intend), added to its Leftover;
	// unrecorded, those that could not be saved so: the check sets
	// none of them.
	intended, unrecorded map[string]bool
	unknown              []bool // settings[i]'s Set may have been made (maybeMade) though it failed
	// rekeyed holds, by setting, the hash under the agent's key of the
	// value read of a setting whose value is not kept and whose hash is
	// under another key (keyedHash.stale): recorded with the outcome.
	rekeyed map[int]string
}

// intend adds to rec.Leftover and rec.Intents the nodes of j's settings
// that the check may set and rec does not hold as set (toIntend), but
// those the refresh read holding the value already (heldBefore: whatever
// becomes of the Set, they keep the device's value), and records them in
// j.intended; it reports whether it added any. a.mu held.
func (a *Agent) intend(rec *DocumentRecord, j *refreshJob) bool {
	nodes := a.toIntend(rec, j)
	nodes = slices.DeleteFunc(nodes, func(nd leftNode) bool { return a.heldBefore(nodeKey(nd.uri), nd.want[0]) })
	for _, nd := range nodes {
		if j.intended == nil {
			j.intended = map[string]bool{}
		}
		j.intended[nodeKey(nd.uri)] = true
	}
	addIntents(rec, nodes)
	return len(j.intended) > 0
}

// toIntend returns the nodes of j's settings that the check may set and
// rec does not hold as set: settings that did not succeed, whose value
// is known and that no other document wins, each once. a.mu held.
func (a *Agent) toIntend(rec *DocumentRecord, j *refreshJob) []leftNode {
	var named map[string]bool // recorded(rec), when a setting needs it
	var nodes []leftNode
	for k, s := range j.settings {
		if s.Status == int(syncml.StatusOK) || j.lose[k] || s.Invalid || s.Missing || !a.hashes.known(&j.settings[k]) {
			continue
		}
		if named == nil {
			named = recorded(rec)
		}
		if ck := nodeKey(s.URI); ck != "" && !named[ck] {
			named[ck] = true
			nodes = append(nodes, leftNode{uri: s.URI, want: []string{s.Hash}})
		}
	}
	return nodes
}

// A jobEvent is an event of a refreshJob; again marks an EventDrifted of
// a setting whose set failed with the status it had: told only when its
// error changed (commitRefresh).
type jobEvent struct {
	Event
	again bool
}

// refreshJobFor returns the check of the record at i; nil for a record
// the refresh leaves alone (abandoned, pending, an inventory, not applied,
// a stored document the checks now refuse, a version the agent could not
// apply: ConfigInfraError, whose settings may be an earlier version's).
func (a *Agent) refreshJobFor(i int, claims map[string][]claim) *refreshJob {
	rec := &a.st.Documents[i]
	u, err := a.parse(rec.URI)
	if err != nil || rec.Abandoned || rec.Pending || u.Host == declaredconfig.Inventory ||
		!rec.State.Completed() || rec.State == infraError(u.Host) || len(rec.Settings) == 0 {
		return nil
	}
	d := a.doc(u)
	if d == nil || a.legacy[key(u)] != nil {
		return nil
	}
	j := &refreshJob{uri: u, doc: d, text: rec.Document,
		settings: append([]SettingRecord(nil), rec.Settings...), lose: make([]bool, len(rec.Settings)),
		unknown: make([]bool, len(rec.Settings))}
	for k, s := range rec.Settings {
		ck := nodeKey(s.URI)
		j.lose[k] = a.loses(claims, i, ck, &rec.Settings[k])
	}
	return j
}

// check compares the job's settings with the Surface and sets again what
// drifted, calling it through c.
func (a *Agent) check(c *caller, j *refreshJob) {
	now := a.cfg.Clock.Now()
	for k := range j.settings {
		s := &j.settings[k]
		if j.lose[k] {
			s.Status = int(syncml.StatusConflict)
			continue
		}
		if s.Invalid {
			s.Status = int(syncml.StatusBadRequest)
			continue
		}
		if s.Missing {
			// Never set: its path or value still holds a placeholder.
			s.Status = int(syncml.StatusNotFound)
			continue
		}
		o := c.do(surfaceOp{kind: opGet, uri: s.URI})
		v, ok, err := o.v, o.ok, o.err
		if err != nil {
			// Not drift: what the node holds is not known. The setting
			// keeps its last status (so the document its state and
			// result) and is read again at the next refresh.
			j.events = append(j.events, jobEvent{Event: Event{Time: now, Kind: EventError, DocID: j.doc.ID, URI: s.URI,
				Detail: "reading it failed; it is checked again at the next refresh", Err: err}})
			continue
		}
		// The node holds the setting's value when it holds the value
		// set (typedValue's form) or, for an int or bool, another form of
		// it: a record an earlier build stored with the value as written
		// ("030") keeps it until its next apply.
		known := a.hashes.known(s)
		if ok && (a.hashes.holds(s.Hash, v) || known && typedValue(s.Type, v) == typedValue(s.Type, s.Value)) {
			s.Status = int(syncml.StatusOK)
			if !known && a.hashes.stale(s.Hash) {
				j.rekey(k, a.hashes.sum(v)) // checked under the state's former key
			}
			continue
		}
		if ok && !known && s.Status == int(syncml.StatusOK) && a.hashes.lost(s.Hash) {
			// Under a key the agent does not hold: not known to differ.
			// The value the node holds is taken as the setting's (see
			// Config.HashKey).
			j.rekey(k, a.hashes.sum(v))
			continue
		}
		was := "absent"
		if ok {
			was = "was " + quote(v)
		}
		// Drift that cannot be repaired is told when the setting's
		// status changes (so its result does), or the error of its set
		// changes (commitRefresh): not again at every refresh that finds
		// it still failing the same way.
		prev := s.Status
		if !known {
			s.Status = int(syncml.StatusNotFound)
			if s.Status != prev {
				j.events = append(j.events, jobEvent{Event: Event{Time: now, Kind: EventDrifted, DocID: j.doc.ID, URI: s.URI,
					Detail: was + "; its value came from instance data the agent no longer has"}})
			}
			continue
		}
		if j.unrecorded[nodeKey(s.URI)] {
			continue // not in the store as set: not set (its status stays)
		}
		if err := c.do(surfaceOp{kind: opSet, uri: s.URI, value: s.Value}).err; err != nil {
			s.Status = int(statusOf(err))
			j.unknown[k] = maybeMade(c.ctx, err)
			j.events = append(j.events, jobEvent{Event: Event{Time: now, Kind: EventDrifted, DocID: j.doc.ID, URI: s.URI,
				Detail: was + "; setting it again failed", Err: err}, again: s.Status == prev})
			continue
		}
		if s.Status == int(syncml.StatusOK) {
			j.events = append(j.events, jobEvent{Event: Event{Time: now, Kind: EventRepaired, DocID: j.doc.ID, URI: s.URI,
				Detail: was + ", set again to " + quote(s.Value)}})
		}
		s.Status = int(syncml.StatusOK)
	}
}

// rekey records h as the hash of the value of the setting k.
func (j *refreshJob) rekey(k int, h string) {
	if j.rekeyed == nil {
		j.rekeyed = map[int]string{}
	}
	j.rekeyed[k] = h
}

// commitRefresh records the outcome of a check in its record, if the
// record is still as the check found it (the same document, the same
// settings, not pending or abandoned meanwhile). The reads that failed go
// to reads; one is told only when the last refresh's read of the setting
// did not fail, or failed otherwise (a.readErrs, a failure: compared on
// its shape, at most maxFailureChanges changes). The sets that failed go to drifts; one
// whose status did not change is told only when its error's shape
// differs from the last one's, at most maxFailureChanges times
// (a.driftErrs, a failure), and none after a restart, which forgot the
// error: it was told when its status changed.
func (a *Agent) commitRefresh(j *refreshJob, n *notes, reads, drifts map[string]failure) {
	i := a.find(j.uri)
	if i < 0 {
		return
	}
	rec := &a.st.Documents[i]
	same := rec.Document == j.text && !rec.Pending && !rec.Abandoned && len(rec.Settings) == len(j.settings)
	for k := 0; same && k < len(rec.Settings); k++ {
		same = rec.Settings[k].URI == j.settings[k].URI && rec.Settings[k].Hash == j.settings[k].Hash
	}
	if !same {
		// A command changed the record meanwhile: the outcome is not
		// recorded, but the nodes intend recorded are settled.
		settleIntended(rec, j)
		return
	}
	wasState, wasSum := rec.State, rec.ResultChecksum
	keepSet(rec, j)
	for k := range rec.Settings {
		rec.Settings[k].Status = j.settings[k].Status
	}
	for k, h := range j.rekeyed {
		rec.Settings[k].Hash = h
	}
	a.conclude(rec, j.doc, j.uri.Host)
	for _, h := range j.events {
		e := h.Event
		switch k := key(j.uri) + "\x00" + e.URI; e.Kind {
		case EventDrifted:
			e.State = stateText(rec.State)
			if e.Err == nil {
				break // status changed; no error to follow
			}
			f, had := a.driftErrs[k]
			if !h.again {
				drifts[k] = newFailure(e.Err)
				break
			}
			if !had {
				drifts[k] = newFailure(e.Err)
				continue
			}
			tell, note := f.goOn(e.Err)
			drifts[k] = f
			if !tell {
				continue
			}
			e.Detail += "; its error changed" + note
		case EventError: // a read that failed
			if f, ok := a.driftErrs[k]; ok {
				drifts[k] = f // not set this time: its failure goes on
			}
			f, had := a.readErrs[k]
			if !had {
				reads[k] = newFailure(e.Err)
				break
			}
			tell, note := f.goOn(e.Err)
			reads[k] = f
			if !tell {
				continue
			}
			e.Detail += note
		}
		n.event(e)
	}
	if rec.State == wasState && rec.ResultChecksum == wasSum {
		return
	}
	now := a.cfg.Clock.Now()
	if rec.State == declaredconfig.StateConfigCompletedSuccess {
		n.event(Event{Time: now, Kind: EventRecovered, DocID: j.doc.ID, URI: rec.URI, State: stateText(rec.State)})
		n.session = append(n.session, "document "+j.doc.ID+" recovered")
		return
	}
	n.session = append(n.session, "document "+j.doc.ID+" drifted and cannot be repaired")
}

// keepSet updates rec.Leftover for the outcome of the check j, before
// rec's statuses are: a node that was set and whose setting no longer
// succeeds (its Set again failed) goes there, as one whose Set's outcome
// is not known; of the nodes intend added, those the check did not set
// for sure (failed, not called) or that now succeed (their setting names
// them) come out, and those whose Set's outcome is not known stay, no
// longer conditional (Intents). So does a node of Intents that intend did
// not add (recorded before a Set a crash stopped) whose Set the check
// made: it comes out when its setting succeeds, and is no longer
// conditional when the Set's outcome is not known.
func keepSet(rec *DocumentRecord, j *refreshJob) {
	var gone, left, made map[string]bool // left: rec.Leftover's nodes, when needed
	for k := range rec.Settings {
		s, now := &rec.Settings[k], j.settings[k].Status
		ok := int(syncml.StatusOK)
		if len(j.intended) == 0 && len(rec.Intents) == 0 && (s.Status != ok || now == ok) {
			continue // neither recorded by intend nor no longer set
		}
		ck := nodeKey(s.URI)
		switch {
		case j.intended[ck] || rec.Intents[s.URI] != "" && (now == ok || j.unknown[k]):
			if now == ok || !j.unknown[k] {
				if gone == nil {
					gone = map[string]bool{}
				}
				gone[ck] = true
			} else {
				if made == nil {
					made = map[string]bool{}
				}
				made[ck] = true
			}
		case s.Status == ok && now != ok && ck != "":
			if left == nil {
				left = keys(rec.Leftover)
			}
			if !left[ck] {
				left[ck] = true
				rec.Leftover = append(slices.Clip(rec.Leftover), s.URI)
			} else if len(rec.Intents) > 0 {
				// it was set: held without a condition
				if made == nil {
					made = map[string]bool{}
				}
				made[ck] = true
			}
		}
	}
	forget(rec, gone)
	dropIntents(rec, made)
}

// settleIntended settles the nodes intend recorded in rec for the check j
// when its outcome is not recorded (the record changed meanwhile): those
// it may have set (its setting now succeeds, or the Set's outcome is not
// known) stay in Leftover, without a condition; the others (not set, or
// refused) come out.
func settleIntended(rec *DocumentRecord, j *refreshJob) {
	if len(j.intended) == 0 {
		return
	}
	dropIntents(rec, j.intended)
	unset := maps.Clone(j.intended)
	for k, s := range j.settings {
		if s.Status == int(syncml.StatusOK) || j.unknown[k] {
			delete(unset, nodeKey(s.URI))
		}
	}
	forget(rec, unset)
}

func quote(v string) string {
	if len(v) > 64 {
		v = v[:61] + "..."
	}
	return `"` + v + `"`
}
