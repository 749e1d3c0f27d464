package agent

import (
	"context"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// Refresh runs one refresh pass now, as the worker does every
// RefreshInterval: every document the agent keeps (applied, not
// abandoned, not an inventory) is compared with the Surface, setting by
// setting. A setting that drifted is set again; a setting that failed
// before is tried again. Then:
//
//   - drift repaired: the document stays ConfigCompletedSuccess (60); its
//     result, result_checksum included, is unchanged; an EventRepaired
//     tells of each setting, and no session is asked for;
//   - drift that cannot be repaired (the value came from instance data the
//     agent no longer has: status 404; the Surface refuses the set: its
//     status): the document becomes ConfigCompletedError (61) with a new
//     result whose failing settings carry their status, so a new
//     result_checksum; an EventDrifted tells of each setting and
//     RequestSession is called;
//   - a failed document whose settings all hold again goes back to 60
//     (EventRecovered) and RequestSession is called.
//
// A refresh that finds the same failure again changes nothing and asks for
// nothing.
func (a *Agent) Refresh(ctx context.Context) error {
	var n notes
	defer a.flush(&n)
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.st.clone()
	claims := a.claims()
	for i := range a.st.Documents {
		if err := ctx.Err(); err != nil {
			a.restore(old)
			return err
		}
		a.refreshOne(ctx, i, claims, &n)
	}
	now := a.cfg.Clock.Now()
	a.st.LastRefresh = now.UTC().Format(timeFormat)
	n.event(Event{Time: now, Kind: EventRefreshed})
	if err := a.save(ctx, old); err != nil {
		n.session = nil
		n.events = []Event{{Time: now, Kind: EventError, Err: err}}
		return err
	}
	return nil
}

// refreshOne checks and repairs the record at i.
func (a *Agent) refreshOne(ctx context.Context, i int, claims map[string][]claim, n *notes) {
	rec := &a.st.Documents[i]
	u, err := declaredconfig.ParseURI(rec.URI)
	if err != nil || rec.Abandoned || rec.Pending || u.Host == declaredconfig.Inventory ||
		!rec.State.Completed() || len(rec.Settings) == 0 {
		return
	}
	d := a.doc(u)
	if d == nil {
		return
	}
	wasState, wasSum := rec.State, rec.ResultChecksum
	now := a.cfg.Clock.Now()
	var drifted []Event
	for k := range rec.Settings {
		s := &rec.Settings[k]
		ck, _ := canonical(s.URI)
		if a.loses(claims, i, ck, s.Hash) {
			s.Status = int(syncml.StatusConflict)
			continue
		}
		if s.Missing && !s.known() {
			s.Status = int(syncml.StatusNotFound)
			continue
		}
		v, ok, err := a.cfg.Surface.Get(ctx, s.URI)
		if err == nil && ok && hashOf(v) == s.Hash {
			s.Status = int(syncml.StatusOK)
			continue
		}
		was := "absent"
		if ok {
			was = "was " + quote(v)
		}
		if !s.known() {
			s.Status = int(syncml.StatusNotFound)
			drifted = append(drifted, Event{Time: now, Kind: EventDrifted, DocID: d.ID, URI: s.URI,
				Detail: was + "; its value came from instance data the agent no longer has"})
			continue
		}
		if err := a.cfg.Surface.Set(ctx, s.URI, s.Value); err != nil {
			s.Status = int(statusOf(err))
			drifted = append(drifted, Event{Time: now, Kind: EventDrifted, DocID: d.ID, URI: s.URI,
				Detail: was + "; setting it again failed", Err: err})
			continue
		}
		if s.Status == int(syncml.StatusOK) {
			n.event(Event{Time: now, Kind: EventRepaired, DocID: d.ID, URI: s.URI, Detail: was + ", set again to " + quote(s.Value)})
		}
		s.Status = int(syncml.StatusOK)
	}
	a.conclude(rec, d, u.Host)
	for _, e := range drifted {
		e.State = stateText(rec.State)
		n.event(e)
	}
	if rec.State == wasState && rec.ResultChecksum == wasSum {
		return
	}
	if rec.State == declaredconfig.StateConfigCompletedSuccess {
		n.event(Event{Time: now, Kind: EventRecovered, DocID: d.ID, URI: rec.URI, State: stateText(rec.State)})
		n.session = append(n.session, "document "+d.ID+" recovered")
		return
	}
	n.session = append(n.session, "document "+d.ID+" drifted and cannot be repaired")
}

func quote(v string) string {
	if len(v) > 64 {
		v = v[:61] + "..."
	}
	return `"` + v + `"`
}
