package agent

import (
	"context"
	"errors"

	"github.com/windc-go/windc/declaredconfig"
)

// Unenroll rolls back what the agent applied, as a device does when its
// WinDC enrollment is removed (DMClient LinkedEnrollment/Unenroll): every
// node that a document it holds set (its settings' that succeeded, and the
// nodes of applies not recorded or of earlier versions:
// DocumentRecord.Leftover), and that no abandoned document still claims, is
// deleted from the Surface; then every document, result and setting is
// dropped and RefreshInterval and ConflictResolution go back to their
// defaults. Inventory documents read only, so they delete nothing.
// A node that no record holds as set but for DocumentRecord.Intents (a
// crash stopped the apply or refresh that recorded it before its Set) is
// read first and deleted only when it holds a value one of them would
// have set (Changed: it was deleted whatever it held): one that holds
// another value, or none, is not the agent's; a read that fails is
// reported in the error, as a delete that fails, and the node is left.
// A node the Surface fails to delete is reported in the error (joined);
// the state is cleared all the same, and saved (a save that fails puts
// the state back as it was and is in the error too, every time; it is
// told as an EventError as the other saves' failures are: once while the
// store fails alike, see Run; a save that succeeds tells the events held of a refresh whose
// save failed, before the EventDeleted, and asks for no session the
// refresh wanted: its documents are gone). An apply or refresh under
// way is waited for first. When ctx ends, Unenroll stops and returns its
// error: the documents stay (an EventError, no EventDeleted, tells it),
// the nodes deleted so far stay deleted. Unenroll is not undone: the Undo
// of a command made before it (in an Atomic rolled back after the
// Unenroll) puts nothing back.
func (a *Agent) Unenroll(ctx context.Context) error {
	var n notes
	defer a.flush(&n)
	a.work.Lock() // after the apply or refresh under way
	defer a.work.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	defer a.queue(&n)
	// Between two documents of a batch: the nodes recorded for those not
	// applied yet were not set.
	a.unintendRest()
	kept := map[string]bool{}
	for _, r := range a.st.Documents {
		if r.Abandoned {
			for _, s := range r.Settings {
				if k := nodeKey(s.URI); k != "" {
					kept[k] = true
				}
			}
			for _, l := range r.Leftover {
				kept[nodeKey(l)] = true
			}
		}
	}
	// A node only Intents hold (no record holds it as set for sure) is
	// deleted when the Surface holds a value one of them would have
	// set (deleteLeft): one a crash left recorded before its Set.
	var sure map[string]bool
	var want map[string][]string
	for _, r := range a.st.Documents {
		if len(r.Intents) > 0 && !r.Abandoned {
			sure, want = a.unenrollIntents()
			break
		}
	}
	var errs []error
	c := a.newCaller(ctx) // the Deletes (and reads) share one goroutine
	defer c.close()
	done := map[string]bool{}
	now := a.cfg.Clock.Now()
	for _, r := range a.st.Documents {
		u, err := a.parse(r.URI)
		if err != nil || r.Abandoned || u.Host == declaredconfig.Inventory {
			continue
		}
		var set []string // the nodes it set: its settings' that succeeded, and Leftover
		for _, s := range r.Settings {
			if s.Status == 200 {
				set = append(set, s.URI)
			}
		}
		for _, uri := range append(set, r.Leftover...) {
			k := nodeKey(uri)
			if k == "" || kept[k] || done[k] {
				continue
			}
			done[k] = true
			if err := ctx.Err(); err != nil {
				// The documents stay: none is told deleted.
				n.events = []Event{{Time: now, Kind: EventError, Err: errorf("unenroll: %w", err)}}
				return err
			}
			nd := leftNode{uri: uri}
			if want != nil && !sure[k] {
				nd.want = want[k]
			}
			if _, err := a.deleteLeft(c, nd); err != nil {
				errs = append(errs, errorf("unenroll: %w", err))
			}
		}
		id := u.DocID
		if d := a.docs[key(u)]; d != nil {
			id = d.ID
		}
		n.event(Event{Time: now, Kind: EventDeleted, DocID: id, URI: r.URI, Detail: "unenrolled: its settings are removed"})
	}
	old := a.st.clone()
	reads, drifts := a.readErrs, a.driftErrs
	a.st = &Snapshot{Seq: a.st.Seq, HashKey: a.st.HashKey}
	a.docs = map[string]*declaredconfig.Document{}
	a.legacy = map[string]error{}
	a.readErrs, a.driftErrs = nil, nil
	if err := a.save(ctx, old); err != nil {
		// The old state is back: no document is told deleted, and the
		// Undos of commands before it undo them as without it. The
		// store's failure is told once while it fails alike
		// (storeFailed); the caller gets the error every time.
		a.readErrs, a.driftErrs = reads, drifts
		n.events = n.events[:0]
		if tell, note := a.storeFailed(err); tell {
			n.event(Event{Time: now, Kind: EventError, Err: errorf("unenroll: %w", err),
				Detail: "the Unenroll is not kept: the documents stay; saves that fail alike are not told again until one succeeds" + note})
		}
		errs = append(errs, err)
	} else {
		// A refresh whose save failed asked for a session about
		// documents that are gone: no session.
		a.asked = nil
		a.unenrolls++
		a.skipped, a.repairWait = nil, 0 // no document left to repair
	}
	return errors.Join(errs...)
}

// unenrollIntents returns, by node (nodeKey), the nodes the records
// Unenroll deletes (not abandoned, not inventories) hold as set for sure
// (a setting that succeeded, a Leftover node not in Intents), and the
// hashes of the values their Intents would have set. a.mu held.
func (a *Agent) unenrollIntents() (sure map[string]bool, want map[string][]string) {
	sure, want = map[string]bool{}, map[string][]string{}
	for _, r := range a.st.Documents {
		if r.Abandoned || a.inventory(r.URI) {
			continue
		}
		for _, s := range r.Settings {
			if s.Status == 200 {
				sure[nodeKey(s.URI)] = true
			}
		}
		for _, l := range r.Leftover {
			k := nodeKey(l)
			if h, ok := r.Intents[l]; ok {
				want[k] = append(want[k], h)
			} else {
				sure[k] = true
			}
		}
	}
	return sure, want
}
