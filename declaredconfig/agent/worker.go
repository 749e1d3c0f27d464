package agent

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/declaredconfig"
)

// ApplyPending applies every accepted document now, oldest first, as the
// worker does, and returns when none is left or ctx is done. A document
// interrupted by ctx stays pending (the settings it made so far stay; the
// next apply makes them all again).
//
// The state is saved once, when the batch ends, not after each document:
// until then a crash leaves the documents of the batch pending in the
// store, and the agent started again applies them again (setting a node to
// the value it holds changes nothing). When that save fails, every
// document of the batch is pending again in memory too (ConfigRequest,
// as the store has it), the batch's events and session request are
// dropped with the outcome they tell, and an EventError names the
// documents (unless the worker's last save failed with the same error:
// see Run); the worker (Run) applies them again, and saves, after a
// wait that grows while the store keeps failing. Events and
// RequestSession are told after the save.
//
// ApplyPending also saves the state when a refresh's outcome could not
// be saved (see Refresh), even with no document to apply: that is the
// worker's next try.
func (a *Agent) ApplyPending(ctx context.Context) error {
	var n notes
	defer a.flush(&n)
	var befores []pendingRecord
	var err error
	for {
		var done bool
		done, err = a.applyNext(ctx, &n, &befores)
		if err != nil || done {
			break
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.queue(&n)
	if len(befores) == 0 && !a.dirty {
		a.unhold(&n, true) // nothing to save
		return err
	}
	// Saved even when ctx is done: what was applied is kept.
	if serr := a.cfg.Store.Save(context.WithoutCancel(ctx), a.st); serr != nil {
		// The outcomes are not kept: the documents are pending again,
		// as the store has them.
		var ids []string
		for _, b := range befores {
			if k := a.find(b.uri); k >= 0 && a.st.Documents[k].Document == b.rec.Document {
				a.st.Documents[k] = b.rec
				ids = append(ids, b.uri.DocID)
			}
		}
		a.unhold(&n, false)
		now := a.cfg.Clock.Now()
		serr = errorf("save state: %w", serr) // as Refresh's, for failedSave
		wait, tell := a.failedSave(now, serr)
		n = notes{}
		if !tell {
			return serr
		}
		detail := "the state is not saved"
		if len(ids) > 0 {
			more := ""
			if len(ids) > 10 {
				ids, more = ids[:10], " and "+strconv.Itoa(len(ids)-10)+" more"
			}
			detail = "the apply of " + strings.Join(ids, ", ") + more + " is not saved: pending again"
		}
		if a.dirty {
			detail += "; a refresh's outcome waits for a save, with its events"
		}
		n.events = []Event{{Time: now, Kind: EventError, Err: serr,
			Detail: detail + "; the worker tries again in " + wait.String()}}
		return serr
	}
	a.saved()
	return err
}

// A pendingRecord is a record as it was before an apply of the batch
// changed it, to put back when the batch cannot be saved.
type pendingRecord struct {
	uri declaredconfig.URI
	rec DocumentRecord
}

// applyNext applies the oldest pending document, without saving; done
// when there is none. The record as it was before is added to befores.
// The Surface is called without the agent's lock, so that sessions go on
// (and see ConfigInprogress) while a document is applied.
func (a *Agent) applyNext(ctx context.Context, n *notes, befores *[]pendingRecord) (done bool, err error) {
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
	u, perr := a.parse(before.URI)
	if perr == nil {
		*befores = append(*befores, pendingRecord{u, before})
	}
	job, err := a.prepare(i, n)
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
	xerr := a.execute(ctx, job)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.commit(job, xerr != nil, n)
	a.hold(n)
	return false, xerr
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
// whoever makes it (a command's wakes the worker), ends the waits. Each
// try applies the documents of the batch again (they are pending, as the
// store has them). A store that fails for good is told once: a try that
// fails with the error of the last one is not told again; one whose error
// differs is, and so is the first failure after a save that succeeded.
// The refresh keeps its own time meanwhile.
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
