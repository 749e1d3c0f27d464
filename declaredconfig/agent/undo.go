package agent

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/windc-go/windc/declaredconfig"
)

// undo returns the Undo of a command inside an Atomic: old is the state
// before the command, after the state it left. The Undo puts back what
// the command changed, and only that (another session or the worker may
// have changed other documents meanwhile). When the worker applied a
// document of the command meanwhile, the Undo also undoes the apply: the
// nodes of a document the command added are deleted from the Surface
// (unless another record names them, in its settings that succeeded or
// its Leftover; a node of its DocumentRecord.Intents only when it holds
// the value the agent would have set, also when a record that stays holds
// it in its own Intents for another value (Changed: it was left, and
// stayed on the device after Unenroll)), and a version the command replaced is applied again, the
// nodes of the version the worker applied kept in the record's Leftover (for
// that apply to delete those it does not set, or for Unenroll).
//
// An Unenroll after the command ends what the command did: the Undo then
// changes nothing (it would bring back what the Unenroll removed). An
// Unenroll whose save failed changed nothing, and ends nothing. A save of
// the Undo that fails is its error, and is told as a command's failed
// save is (storeFailed).
// a.mu held.
func (a *Agent) undo(old, after *Snapshot) func(context.Context) error {
	epoch := a.unenrolls
	return func(ctx context.Context) error {
		var n notes
		defer a.flush(&n)
		a.work.Lock() // an apply under way ends first
		defer a.work.Unlock()
		a.mu.Lock()
		if a.unenrolls != epoch {
			a.mu.Unlock()
			return nil
		}
		a.unintendRest() // between two documents of a batch: not set
		cur := a.st.clone()
		next, drop := undone(old, after, cur)
		a.restore(next)
		if err := a.save(ctx, cur); err != nil {
			// The session makes a status of the error: the store's
			// failure is told here, once while it fails alike
			// (storeFailed), as a command's.
			if tell, note := a.storeFailed(err); tell {
				n.event(Event{Time: a.cfg.Clock.Now(), Kind: EventError, Err: errorf("undo: %w", err),
					Detail: "the rollback of a command of an Atomic is not kept: what it changed stays; saves that fail alike are not told again until one succeeds" + note})
			}
			a.queue(&n)
			a.mu.Unlock()
			return errorf("undo: %w", err)
		}
		a.mu.Unlock()
		a.signal()
		var errs []error
		c := a.newCaller(ctx)
		defer c.close()
		for _, nd := range drop {
			if _, err := a.deleteLeft(c, nd); err != nil {
				errs = append(errs, errorf("undo: %w", err))
			}
		}
		return errors.Join(errs...)
	}
}

// undone returns cur with the records and values a command changed (from
// old to after) put back, and the Surface nodes to delete (a node of a
// record's Intents only when the Surface holds the value the agent would
// have set: deleteLeft). A node a record that goes set for sure, which a
// record that stays holds only in its Intents, stays, held by that
// record without a condition. A node that both hold only in their
// Intents is deleted when it holds the value the record that goes would
// have set (then not the value of the one that stays), unless that value
// is one a record that stays would have set (its condition covers it).
func undone(old, after, cur *Snapshot) (*Snapshot, []leftNode) {
	next := cur.clone()
	if old.RefreshInterval != after.RefreshInterval {
		next.RefreshInterval = old.RefreshInterval
	}
	if old.ConflictResolution != after.ConflictResolution {
		next.ConflictResolution = old.ConflictResolution
	}
	before, made := byKey(old), byKey(after)
	var touched []string
	for k, r := range before {
		if m := made[k]; m == nil || !sameRecord(r, m) {
			touched = append(touched, k)
		}
	}
	for k := range made {
		if before[k] == nil {
			touched = append(touched, k)
		}
	}
	var applied []leftNode // what the worker set for a record that goes
	for _, k := range touched {
		o, m := before[k], made[k]
		i := slices.IndexFunc(next.Documents, func(r DocumentRecord) bool { return recordKey(&r) == k })
		var c *DocumentRecord
		if i >= 0 {
			c = &next.Documents[i]
		}
		var put *DocumentRecord
		if o != nil {
			r := *o
			put = &r
		}
		if c != nil && (m == nil || !slices.Equal(c.Settings, m.Settings)) && !isInventory(c.URI) {
			// The worker applied it after the command.
			if put == nil {
				for _, s := range c.Settings {
					if s.Status == 200 {
						applied = append(applied, leftNode{uri: s.URI})
					}
				}
			} else {
				put.Pending, put.State = true, declaredconfig.StateConfigRequest
			}
		}
		if c != nil && !isInventory(c.URI) {
			// The nodes set for it that no record of it put back names
			// (an apply not recorded, the version the command made):
			// deleted, or left to the apply put back (or Unenroll).
			if put == nil {
				for _, l := range c.Leftover {
					applied = append(applied, leftNodeOf(c, l))
				}
			} else {
				keepLeft(put, c)
			}
		}
		switch {
		case c != nil && put != nil:
			*c = *put
		case c != nil:
			next.Documents = slices.Delete(next.Documents, i, i+1)
		case put != nil:
			next.Documents = append(next.Documents, *put)
		}
	}
	// The order the documents were first accepted in.
	slices.SortStableFunc(next.Documents, func(x, y DocumentRecord) int { return cmp.Compare(x.Seq, y.Seq) })
	// The nodes a record left in place set (held), or holds only in its
	// Intents (cond, with the hashes of the values they would have set).
	held, cond := map[string]bool{}, map[string][]string{}
	for _, r := range next.Documents {
		for _, s := range r.Settings {
			if s.Status == 200 {
				held[nodeKey(s.URI)] = true
			}
		}
		for _, l := range r.Leftover {
			if h, ok := r.Intents[l]; ok {
				cond[nodeKey(l)] = append(cond[nodeKey(l)], h)
			} else {
				held[nodeKey(l)] = true
			}
		}
	}
	var drop []leftNode
	at := map[string]int{}   // index in drop, by node
	var sure map[string]bool // nodes set for sure that records hold only in Intents
	for _, nd := range applied {
		k := nodeKey(nd.uri)
		switch {
		case held[k]:
		case cond[k] != nil && nd.want == nil:
			// The agent's value is on the node: the records that stay
			// hold it as set, without a condition (a value the Surface
			// may not hold), as Unenroll counts it.
			if sure == nil {
				sure = map[string]bool{}
			}
			sure[k] = true
		case cond[k] != nil && slices.ContainsFunc(nd.want, func(h string) bool { return slices.Contains(cond[k], h) }):
			// A record that stays holds the node on the condition of
			// that very value: its condition covers it.
		default:
			// Deleted (a node only Intents hold: when it holds the value
			// the record that goes would have set, whatever the records
			// that stay would have set, which the node then does not
			// hold).
			if x, ok := at[k]; ok {
				if d := &drop[x]; d.want != nil {
					d.want = append(slices.Clip(d.want), nd.want...)
					if nd.want == nil {
						d.want = nil
					}
				}
				continue
			}
			at[k] = len(drop)
			drop = append(drop, nd)
		}
	}
	if sure != nil {
		drop = slices.DeleteFunc(drop, func(nd leftNode) bool { return sure[nodeKey(nd.uri)] })
	}
	for i := range next.Documents {
		dropIntents(&next.Documents[i], sure)
	}
	return next, drop
}

// byKey indexes the records of s by recordKey.
func byKey(s *Snapshot) map[string]*DocumentRecord {
	m := map[string]*DocumentRecord{}
	for i := range s.Documents {
		m[recordKey(&s.Documents[i])] = &s.Documents[i]
	}
	return m
}

// recordKey returns the key of the document r is for; "" if its URI does
// not read (which New refuses).
func recordKey(r *DocumentRecord) string {
	u, err := declaredconfig.ParseURI(r.URI)
	if err != nil {
		return ""
	}
	return key(u)
}

func sameRecord(x, y *DocumentRecord) bool {
	return x.URI == y.URI && x.Document == y.Document && x.State == y.State && x.Seq == y.Seq &&
		x.Pending == y.Pending && x.Abandoned == y.Abandoned && x.Result == y.Result &&
		x.ResultChecksum == y.ResultChecksum && x.InstanceData == y.InstanceData && slices.Equal(x.Settings, y.Settings) &&
		x.Applied == y.Applied && slices.Equal(x.Leftover, y.Leftover) && maps.Equal(x.Intents, y.Intents)
}
