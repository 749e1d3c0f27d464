package agent

import (
	"context"
	"time"

	"github.com/windc-go/windc/declaredconfig"
)

// ApplyPending applies every accepted document now, oldest first, as the
// worker does, and returns when none is left or ctx is done. A document
// interrupted by ctx stays pending (the settings it made so far stay; the
// next apply makes them all again).
func (a *Agent) ApplyPending(ctx context.Context) error {
	for {
		done, err := a.applyNext(ctx)
		if err != nil || done {
			return err
		}
	}
}

// applyNext applies the oldest pending document; done when there is none.
// The Surface is called without the agent's lock, so that sessions go on
// (and see ConfigInprogress) while a document is applied.
func (a *Agent) applyNext(ctx context.Context) (done bool, err error) {
	var n notes
	defer a.flush(&n)
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
	old := a.st.clone()
	before := a.st.Documents[i] // the pending record; prepare changes no slice in it
	job, err := a.prepare(i, &n)
	if err != nil {
		a.restore(old)
		n = notes{}
		// A document the agent cannot plan (its saved instance data
		// does not read) is left failed rather than retried forever.
		a.st.Documents[i].Pending = false
		a.st.Documents[i].State = declaredconfig.StateConfigInfraError
		if a.inventory(a.st.Documents[i].URI) {
			a.st.Documents[i].State = declaredconfig.StateGetInfraError
		}
		n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, URI: a.st.Documents[i].URI, Err: err})
	}
	if job == nil {
		// Waiting for instance data, or failed: that is the outcome.
		defer a.mu.Unlock()
		if err := a.save(ctx, old); err != nil {
			n = notes{events: []Event{{Time: a.cfg.Clock.Now(), Kind: EventError, Err: err}}}
			return false, err
		}
		return false, nil
	}
	// The apply under way (ConfigInprogress) is not saved: after a crash
	// the document is pending again all the same (see New).
	a.mu.Unlock()
	xerr := a.execute(ctx, job)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.commit(job, xerr != nil, &n)
	if err := a.cfg.Store.Save(ctx, a.st); err != nil {
		// The outcome is not kept: the document is pending again, as
		// the store has it, and is applied at the next wake.
		if k := a.find(job.uri); k >= 0 && a.st.Documents[k].Document == before.Document {
			a.st.Documents[k] = before
		}
		n = notes{events: []Event{{Time: a.cfg.Clock.Now(), Kind: EventError, Err: err}}}
		return false, errorf("save state: %w", err)
	}
	return false, xerr
}

// Run is the agent's worker: it applies what the server sends as it
// comes and refreshes every RefreshInterval (counted from the last
// refresh, or from the start of Run; from now when the clock went back
// before it), until ctx is done; it returns
// ctx.Err(). Failures to save state are told as EventError and tried
// again at the next wake. One Run per agent.
func (a *Agent) Run(ctx context.Context) error {
	a.mu.Lock()
	last, err := time.Parse(timeFormat, a.st.LastRefresh)
	if err != nil {
		last = a.cfg.Clock.Now()
	}
	a.mu.Unlock()
	for {
		if err := a.ApplyPending(ctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
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
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.wake:
		case <-a.cfg.Clock.After(due.Sub(now)):
		}
	}
}
