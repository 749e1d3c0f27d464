package reconcile

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// BeforeReply is a session.Config.BeforeReply that runs Reconcile; its
// errors go to Config.OnEvent as a Problem.
func (r *Reconciler) BeforeReply(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
	if _, err := r.Reconcile(ctx, ss, m, x); err != nil && r.cfg.OnEvent != nil {
		r.cfg.OnEvent(ctx, Event{Kind: Problem, Device: deviceOf(m, x), Err: err})
	}
}

func deviceOf(m *syncml.Message, x *session.Exchange) string {
	if x != nil && x.Identity.Device != "" {
		return x.Identity.Device
	}
	if m != nil {
		return m.Header.Source.LocURI
	}
	return ""
}

// Reconcile reads one message of a device's WinDC session (its 1224
// summary, and in x what came back for the commands sent before) and
// queues on ss the commands that move the device toward the desired
// state. Call it from the session's BeforeReply (or use BeforeReply),
// with the Session, message and Exchange it is given; the device is
// x.Identity.Device (or the SyncHdr Source).
//
// It queues, in this order: the Delete of documents no longer desired
// that the device lists; then for each desired one the Replace of
// Properties/Abandoned when it changes, the Add (not listed) or Replace
// (another version listed) of the declared version, the BulkVariables of
// a bulk template, and a Get of its Results, or the Get alone when the
// device reports the declared version with a result_checksum whose
// results were not read; and last the Replace and Get of
// RefreshInterval. A document the device refused is not sent again until
// it is declared anew. A declared version that was in sync and now fails
// with a new result_checksum is drifted: once its results are read (or
// could not be), it is re-declared under Config.NextChecksum so that the
// device applies it again.
//
// Nothing is sent twice for the same state: a command stays awaited
// until its Status comes back (or the session has nothing queued or
// pending), and is not tried again in the same session for the same
// version and result_checksum. A byte-identical replayed message is
// answered by the Session without calling BeforeReply; a second call for
// the same message (a session Store retry, which reloads ss) queues the
// same commands again and reports no event twice.
//
// A message without a summary (a device's package 1, which answers no
// command of the server's) updates what came back; once per session the
// reconciler then queues a Get of RefreshInterval, whose answer carries
// the summary. A message without one after that is read as an empty
// summary: a device sends none while it holds no document. A summary
// that does not read is an error (what came back is still recorded). The
// returned status is also what Status returns.
func (r *Reconciler) Reconcile(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) (*DeviceStatus, error) {
	if ss == nil || m == nil || x == nil {
		return nil, errorf("Reconcile: nil session, message or exchange")
	}
	device := deviceOf(m, x)
	if device == "" {
		return nil, errorf("Reconcile: the message names no device")
	}
	summary, sumErr := r.readSummary(device, m)
	if errors.Is(sumErr, declaredconfig.ErrNoSummary) {
		sumErr = nil // see askSummary
	}
	run := &run{r: r, device: device, x: x, summary: summary,
		msgSep: m.Header.SessionID + "/" + m.Header.MsgID + "\x00",
		sess:   m.Header.SessionID, msg: m.Header.SessionID + "/" + m.Header.MsgID,
		idle: ss.Queued() == 0 && ss.Pending() == 0}
	st, err := r.update(ctx, device, func(st *deviceState) (bool, error) {
		run.reset(st)
		err := run.do()
		return len(run.events) > 0, err
	})
	if err != nil {
		return nil, err
	}
	if len(run.plan) > 0 {
		if err := ss.Queue(run.plan...); err != nil {
			return nil, errorf("device %q: queueing %d commands: %w", device, len(run.plan), err)
		}
	}
	if r.cfg.OnEvent != nil {
		for _, e := range run.events {
			r.cfg.OnEvent(ctx, e)
		}
	}
	ds := st.status(device)
	if sumErr != nil {
		return ds, errorf("device %q: message %s: %w", device, strconv.Quote(m.Header.MsgID), sumErr)
	}
	return ds, nil
}

// run is one Reconcile: what it read, and what it decided.
type run struct {
	r       *Reconciler
	device  string
	x       *session.Exchange
	summary *declaredconfig.Summary
	sess    string // the SessionID
	msg     string // SessionID/MsgID of the message
	msgSep  string // msg and the separator, the prefix of what it awaits
	idle    bool   // the session had nothing queued or pending
	fresh   bool   // the message is reconciled for the first time

	st     *deviceState
	plan   []syncml.Command
	events []Event
}

func (p *run) reset(st *deviceState) {
	p.st, p.plan, p.events = st, nil, nil
}

// askSummary handles a message without a summary, such as a device's
// package 1 (the device sends its summary with its answers to the
// server's commands, and none while it holds no document): once per
// session it queues a Get of RefreshInterval, whose answer carries the
// summary, and reports true.
func (p *run) askSummary() bool {
	st := p.st
	if s, m, _ := strings.Cut(st.SummaryAsked, "\x00"); s == p.sess && m != p.msg {
		return false
	}
	st.SummaryAsked = p.sess + "\x00" + p.msg
	p.plan = append(p.plan, declaredconfig.GetRefreshInterval())
	return true
}

func (p *run) event(e Event) {
	e.Device = p.device
	p.events = append(p.events, e)
}

func (p *run) do() error {
	st := p.st
	fresh := st.LastMsg != p.msg
	p.fresh = fresh
	p.outcomes()
	// Commands awaited from an earlier run are lost when the session holds
	// nothing any more, or when this message is handled again.
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			for k := range d.Await {
				if p.idle || strings.HasPrefix(d.Await[k], p.msgSep) {
					d.Await[k] = ""
				}
			}
		}
	}
	if p.idle || st.RefreshAwait == p.msg {
		st.RefreshAwait = ""
	}
	if fresh {
		for _, u := range p.x.Unmatched {
			p.event(Event{Kind: Problem, Err: errorf("device %q: %s %s answers nothing the server sent", p.device, u.ElementName(), u.ID())})
		}
	}
	if p.summary == nil && !p.askSummary() {
		// Asked already: the device holds no document (a device sends
		// no summary then).
		p.summary = &declaredconfig.Summary{}
	}
	if p.summary != nil {
		if err := p.documents(fresh); err != nil {
			return err
		}
		p.removed()
		p.strays()
	}
	if err := p.refresh(); err != nil {
		return err
	}
	st.LastMsg, st.Queued = p.msg, len(p.plan)
	return nil
}

// outcomes reads what came back for the commands sent: acknowledgements,
// refusals, and RefreshInterval.
func (p *run) outcomes() {
	st := p.st
	for _, o := range p.x.Outcomes {
		c := o.Command
		if c == nil {
			continue
		}
		t := target(c)
		if sameLoc(t, declaredconfig.RefreshIntervalURI) {
			p.refreshOutcome(o)
			continue
		}
		u, err := declaredconfig.ParseURI(t)
		if err != nil {
			continue // not the reconciler's
		}
		d, removed := st.find(u)
		if d == nil {
			continue
		}
		var k cmdKind
		switch {
		case u.Node == declaredconfig.NodeDocument && c.ElementName() == "Delete":
			k = kDelete
		case u.Node == declaredconfig.NodeDocument && (c.ElementName() == "Add" || c.ElementName() == "Replace"):
			k = kSend
		case u.Node == declaredconfig.NodeResults && c.ElementName() == "Get":
			k = kGet
		case u.Node == declaredconfig.NodeBulkVariables:
			k = kVars
		case u.Node == declaredconfig.NodeAbandoned:
			k = kAbandon
		default:
			continue
		}
		what := awaited(d.Await[k])
		if what == "" {
			what = sentWhat(k, c)
		}
		d.Await[k] = ""
		if o.Abandoned || o.Status == nil {
			continue
		}
		code, err := o.Status.Code()
		if err != nil {
			if p.fresh {
				p.event(Event{Kind: Problem, Status: d.status(), Err: errorf("device %q: the Status of %s %s: %w", p.device, c.ElementName(), t, err)})
			}
			continue
		}
		ok := code.Success()
		switch k {
		case kSend:
			switch {
			case ok:
				d.Acked, d.AckedIn, d.Hint = what, p.sess, 0
				if d.Refused == what {
					d.Refused, d.RefusedCode = "", 0
				}
			// The other command may be tried at once.
			case code == syncml.StatusAlreadyExists && c.ElementName() == "Add" && d.Hint != 1:
				d.Hint, d.Tried[kSend] = 1, ""
			case code == syncml.StatusNotFound && c.ElementName() == "Replace" && d.Hint != -1:
				d.Hint, d.Tried[kSend] = -1, ""
			default:
				d.Refused, d.RefusedCode = what, code
			}
		case kGet:
			d.GetDone = what
		case kVars:
			if ok {
				d.VarsSent = what
			}
		case kAbandon:
			if ok {
				v := what == "1"
				if d.AbandonSet == nil || *d.AbandonSet != v {
					d.AbandonSet = &v
					if v {
						p.event(Event{Kind: AbandonedEvent, Status: d.status()})
					}
				}
			}
		case kDelete:
			if removed && (ok || code == syncml.StatusNotFound) {
				p.drop(d)
			} else if removed {
				d.RefusedCode = code
				d.Last.Reason = "the device refused the Delete: " + code.String()
			}
		}
	}
}

func (p *run) drop(d *docState) {
	st := p.st
	for i, x := range st.Removed {
		if x == d {
			st.Removed = append(st.Removed[:i:i], st.Removed[i+1:]...)
			ds := d.status()
			ds.Condition, ds.Reason = Removing, "gone from the device"
			p.event(Event{Kind: Removed, Status: ds})
			return
		}
	}
}

// find returns the document u names, and whether it is being removed.
func (st *deviceState) find(u declaredconfig.URI) (*docState, bool) {
	h := u.Host
	if u.Node == declaredconfig.NodeAbandoned {
		h = declaredconfig.Complete
	}
	for _, d := range st.Docs {
		if d.is(u.Scope, h, u.DocID) {
			return d, false
		}
	}
	for _, d := range st.Removed {
		if d.is(u.Scope, h, u.DocID) {
			return d, true
		}
	}
	return nil, false
}

// awaited returns what an Await entry says was sent.
func awaited(a string) string {
	_, what, _ := strings.Cut(a, "\x00")
	return what
}

// want queues the command of kind k for d, about what, unless it is
// awaited or was tried in this session for the same what.
func (p *run) want(d *docState, k cmdKind, what string, build func() (syncml.Command, error)) (bool, error) {
	if d.Await[k] != "" {
		return false, nil
	}
	if s, rest, _ := strings.Cut(d.Tried[k], "\x00"); s == p.sess {
		if m, w, _ := strings.Cut(rest, "\x00"); w == what && m != p.msg {
			return false, nil
		}
	}
	c, err := build()
	if err != nil {
		return false, errorf("device %q: document %s: %w", p.device, d.Doc.ID, err)
	}
	p.plan = append(p.plan, c)
	d.Await[k] = p.msgSep + what
	d.Tried[k] = p.sess + "\x00" + p.msg + "\x00" + what
	return true, nil
}

// documents evaluates the desired documents and plans what they need.
func (p *run) documents(fresh bool) error {
	st := p.st
	if len(st.Docs) == 0 {
		return nil
	}
	// The session has matched every Status and Results to the command it
	// answers: the Results are handed to Evaluate under that command's
	// MsgID and CmdID, whatever the device wrote in MsgRef (the Statuses
	// are read in outcomes).
	reply := &declaredconfig.Reply{Summary: p.summary}
	sent := make([]declaredconfig.Sent, 0, len(p.x.Outcomes))
	for _, o := range p.x.Outcomes {
		if o.Command == nil {
			continue
		}
		sent = append(sent, declaredconfig.Sent{MsgID: o.MsgID, Command: o.Command})
		for _, res := range o.Results {
			if res == nil {
				continue
			}
			for i := range res.Items {
				reply.Results = append(reply.Results, declaredconfig.ResultItem{MsgRef: o.MsgID, CmdRef: o.Command.ID(), Results: res, Index: i})
			}
		}
	}
	desired := make([]declaredconfig.Desired, len(st.Docs))
	for i, d := range st.Docs {
		desired[i] = declaredconfig.Desired{URI: d.uri(declaredconfig.NodeDocument), Checksum: d.Doc.Checksum,
			Abandoned: d.Abandoned, LastResultChecksum: d.InSyncRC}
		desired[i].SentBy(sent)
	}
	ev := reply.Evaluate(desired, sent)
	if fresh {
		for _, u := range ev.Unmatched {
			err := u.Err
			if err == nil {
				err = errors.New(u.Reason)
			}
			p.event(Event{Kind: Problem, Err: errorf("device %q: %s: %w", p.device, u.Reason, err)})
		}
	}
	for i, d := range st.Docs {
		if err := p.document(d, &ev.Documents[i]); err != nil {
			return err
		}
	}
	return nil
}

// document decides one desired document.
func (p *run) document(d *docState, es *declaredconfig.DocumentStatus) error {
	cur := d.Doc.Checksum
	d.Last.Reported, d.Last.State, d.Last.DevCS, d.Last.DevRC = es.Reported, uint32(es.State), es.Checksum, es.ResultChecksum
	rc := es.ResultChecksum
	if es.Result != nil {
		res := es.Result
		got := res.ResultChecksum
		if got == "" {
			got = rc
		}
		isNew := d.ResultsRC != got || d.Result == nil
		d.Result, d.ResultsRC, d.ResultFail = res, got, ""
		for _, s := range res.Settings() {
			if s.Failed() {
				d.ResultFail = "setting " + s.Provider + " " + s.Name + " failed: " + s.Status.String()
				break
			}
		}
		if isNew && d.Host == declaredconfig.Inventory {
			p.event(Event{Kind: InventoryRead, Status: d.status()})
		}
	}
	set := func(c Condition, reason string) {
		d.Last.Condition, d.Last.Reason, d.Last.Checksum, d.Last.RC = c, reason, cur, rc
	}
	if d.Abandoned {
		set(Abandoned, "abandoned by the server")
		if d.AbandonSet == nil || !*d.AbandonSet {
			d.Last.Reason = "abandoning"
			_, err := p.want(d, kAbandon, "1", func() (syncml.Command, error) {
				return declaredconfig.SetAbandoned(d.uri(declaredconfig.NodeAbandoned), true)
			})
			return err
		}
		return nil
	}
	if d.AbandonSet != nil && *d.AbandonSet {
		if _, err := p.want(d, kAbandon, "0", func() (syncml.Command, error) {
			return declaredconfig.SetAbandoned(d.uri(declaredconfig.NodeAbandoned), false)
		}); err != nil {
			return err
		}
	}
	switch {
	case d.Refused == cur:
		set(Failed, "the device refused version "+strconv.Quote(cur)+": "+d.RefusedCode.String())
		p.once(d, FailedEvent, "R", cur, "")
		return nil
	case !es.Reported || es.Checksum != cur || es.State.Deleted():
		reason := "not on the device"
		switch {
		case es.Reported && es.Checksum != cur:
			reason = "the device holds version " + strconv.Quote(es.Checksum)
		case es.Reported:
			reason = "deleted on the device"
		}
		if d.Acked == cur && d.AckedIn == p.sess && !es.State.Deleted() {
			set(Pending, "sent; the device does not report it yet")
			return nil
		}
		set(Unknown, reason+"; sending version "+strconv.Quote(cur))
		return p.send(d, es.Reported && !es.State.Deleted())
	case es.State.Succeeded():
		known := d.ResultsRC == rc && d.Result != nil
		if !known {
			if err := p.getResults(d, rc); err != nil {
				return err
			}
		}
		if known && d.ResultFail != "" {
			set(Failed, d.ResultFail)
			p.once(d, FailedEvent, "F", cur, rc)
			return nil
		}
		reason := es.State.String()
		if !known {
			reason += "; reading its results"
		}
		set(InSync, reason)
		d.InSyncRC = rc
		// Applied is reported once the results are read (or cannot be).
		switch {
		case !known && !p.triedGet(d, rc):
		case d.Repairing:
			if p.once(d, Repaired, "A", cur, "") {
				d.Repairing = false
			}
		default:
			p.once(d, Applied, "A", cur, "")
		}
		if d.Host == declaredconfig.BulkTemplate && d.Vars != nil && d.VarsSent != cur {
			_, err := p.want(d, kVars, cur, func() (syncml.Command, error) {
				return declaredconfig.ReplaceBulkVariables(d.uri(declaredconfig.NodeBulkVariables), d.Vars, p.r.cfg.DataKind)
			})
			return err
		}
		return nil
	case es.State.Failed():
		known := d.ResultsRC == rc && d.Result != nil
		if !known && !p.triedGet(d, rc) {
			if d.InSyncRC != "" && d.InSyncRC != rc {
				set(Drifted, es.State.String()+"; reading its results")
			} else {
				set(Failed, es.State.String()+"; reading its results")
			}
			return p.getResults(d, rc)
		}
		if d.InSyncRC != "" && d.InSyncRC != rc {
			set(Drifted, "was in sync; now "+es.State.String())
			p.once(d, DriftedEvent, "D", cur, rc)
			d.Redeclared++
			next := p.r.nextChecksum(d.baseDoc(), d.Redeclared)
			nd := *d.Doc // documents are replaced, never changed in place
			nd.Checksum = next
			d.Doc = &nd
			d.InSyncRC, d.Repairing = "", true
			d.Last.Reason += "; re-declared as version " + strconv.Quote(next)
			return p.send(d, true)
		}
		set(Failed, es.State.String())
		p.once(d, FailedEvent, "F", cur, rc)
		return nil
	default:
		set(Pending, es.State.String())
		return nil
	}
}

// baseDoc returns the caller's version of d.
func (d *docState) baseDoc() *declaredconfig.Document {
	b := *d.Doc
	b.Checksum = d.Base
	return &b
}

// once reports an event of kind for d unless the same one (kind, tag,
// version and result_checksum) was the last reported; it reports whether
// it did.
func (p *run) once(d *docState, kind EventKind, tag, cur, rc string) bool {
	k := kind.String()
	if ev := d.Last.Event; len(ev) == len(k)+len(tag)+len(cur)+1+len(rc) &&
		ev[:len(k)] == k && ev[len(k):len(k)+len(tag)] == tag &&
		ev[len(k)+len(tag):len(ev)-1-len(rc)] == cur && ev[len(ev)-len(rc):] == rc {
		return false
	}
	d.Last.Event = k + tag + cur + "/" + rc
	p.event(Event{Kind: kind, Status: d.status()})
	return true
}

// triedGet reports whether the Results of d's version with result
// checksum rc were asked for and the device answered (with them or not),
// or were asked in this session and are awaited no more.
func (p *run) triedGet(d *docState, rc string) bool {
	what := d.Doc.Checksum + "/" + rc
	if d.Await[kGet] != "" {
		return false
	}
	if d.GetDone == what {
		return true
	}
	s, rest, _ := strings.Cut(d.Tried[kGet], "\x00")
	_, w, _ := strings.Cut(rest, "\x00")
	return s == p.sess && w == what && !strings.HasPrefix(rest, p.msgSep)
}

func (p *run) getResults(d *docState, rc string) error {
	if d.GetDone == d.Doc.Checksum+"/"+rc {
		return nil // the device answered that Get already: no result for it
	}
	_, err := p.want(d, kGet, d.Doc.Checksum+"/"+rc, func() (syncml.Command, error) {
		return declaredconfig.GetResults(d.uri(declaredconfig.NodeResults))
	})
	return err
}

// send plans the declared version of d: Add or Replace, the bulk
// variables, and a Get of its results.
func (p *run) send(d *docState, listed bool) error {
	cur := d.Doc.Checksum
	replace := listed
	switch d.Hint {
	case 1:
		replace = true
	case -1:
		replace = false
	}
	sent, err := p.want(d, kSend, cur, func() (syncml.Command, error) {
		if replace {
			return declaredconfig.ReplaceDocument(d.uri(declaredconfig.NodeDocument), d.Doc, p.r.cfg.DataKind)
		}
		return declaredconfig.AddDocument(d.uri(declaredconfig.NodeDocument), d.Doc, p.r.cfg.DataKind)
	})
	if err != nil || !sent {
		return err
	}
	if d.Host == declaredconfig.BulkTemplate && d.Vars != nil {
		if _, err := p.want(d, kVars, cur, func() (syncml.Command, error) {
			return declaredconfig.ReplaceBulkVariables(d.uri(declaredconfig.NodeBulkVariables), d.Vars, p.r.cfg.DataKind)
		}); err != nil {
			return err
		}
	}
	d.Tried[kGet], d.GetDone = "", "" // a new send asks for its results
	return p.getResults(d, "")
}

// removed plans the Delete of documents no longer desired that the device
// still lists, and forgets those it no longer lists.
func (p *run) removed() {
	for _, d := range append([]*docState(nil), p.st.Removed...) {
		e := p.summary.Entry(d.Doc.ID)
		if d.Await[kDelete] != "" {
			continue
		}
		if e == nil || stateOf(e.State).Deleted() {
			p.drop(d)
			continue
		}
		d.Last.Condition, d.Last.Reported = Removing, true
		d.Last.State, d.Last.DevCS, d.Last.DevRC = uint32(stateOf(e.State)), e.Checksum, e.ResultChecksum
		if d.Last.Reason == "" || d.RefusedCode == 0 {
			d.Last.Reason = "no longer desired; deleting it"
		}
		// A Delete cannot fail to build for a document that was declared.
		_, _ = p.want(d, kDelete, "", func() (syncml.Command, error) {
			return declaredconfig.DeleteDocument(d.uri(declaredconfig.NodeDocument))
		})
	}
	// Deletes go before everything else.
	var dels, rest []syncml.Command
	for _, c := range p.plan {
		if c.ElementName() == "Delete" {
			dels = append(dels, c)
		} else {
			rest = append(rest, c)
		}
	}
	p.plan = append(dels, rest...)
}

// strays lists the documents the device reports that were never declared.
func (p *run) strays() {
	st := p.st
	st.Stray = st.Stray[:0]
	for i, e := range p.summary.Documents {
		// A device lists the documents in the order they came, mostly the
		// order declared: the document at the same place is tried first.
		if i < len(st.Docs) && declaredconfig.EqualDocID(st.Docs[i].Doc.ID, e.ID) || p.known(e.ID) {
			continue
		}
		s := declaredconfig.Device
		if strings.EqualFold(strings.TrimSpace(e.Context), "user") {
			s = declaredconfig.User
		}
		st.Stray = append(st.Stray, stray{Scope: s, ID: e.ID, Checksum: e.Checksum, RC: e.ResultChecksum, State: e.State})
	}
	if len(st.Stray) == 0 {
		st.Stray = nil
	}
}

// known reports whether id is a desired document or one being removed.
func (p *run) known(id string) bool {
	for _, list := range [][]*docState{p.st.Docs, p.st.Removed} {
		for _, d := range list {
			if declaredconfig.EqualDocID(d.Doc.ID, id) {
				return true
			}
		}
	}
	return false
}

// refresh plans the Replace and read-back of RefreshInterval.
func (p *run) refresh() error {
	st := p.st
	if st.Refresh == 0 || st.RefreshSet == st.Refresh || st.RefreshAwait != "" {
		return nil
	}
	what := strconv.FormatUint(uint64(st.Refresh), 10)
	if s, rest, _ := strings.Cut(st.RefreshTried, "\x00"); s == p.sess {
		if m, w, _ := strings.Cut(rest, "\x00"); w == what && m != p.msg {
			return nil
		}
	}
	c, err := declaredconfig.ReplaceRefreshInterval(st.Refresh)
	if err != nil {
		return errorf("device %q: %w", p.device, err)
	}
	p.plan = append(p.plan, c, declaredconfig.GetRefreshInterval())
	st.RefreshAwait = p.msg
	st.RefreshTried = p.sess + "\x00" + p.msg + "\x00" + what
	return nil
}

func (p *run) refreshOutcome(o session.Outcome) {
	st := p.st
	if o.Abandoned || o.Status == nil {
		return
	}
	code, err := o.Status.Code()
	if err != nil || !code.Success() {
		return
	}
	switch o.Command.ElementName() {
	case "Replace":
		if items := o.Command.ItemList(); len(items) == 1 && items[0].Data != nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(items[0].Data.Value), 10, 32); err == nil {
				st.RefreshSet = uint32(v)
			}
		}
	case "Get":
		for _, res := range o.Results {
			if res == nil || len(res.Items) == 0 || res.Items[0].Data == nil {
				continue
			}
			v := strings.TrimSpace(res.Items[0].Data.Value)
			if v != st.RefreshRead {
				st.RefreshRead = v
				p.event(Event{Kind: RefreshIntervalRead, RefreshInterval: v})
			}
		}
		st.RefreshAwait = ""
	}
}

// target returns the Target LocURI of a command's first item.
func target(c syncml.Command) string {
	if t := syncml.Targets(c); len(t) > 0 {
		return t[0]
	}
	return ""
}

// sameLoc reports whether two LocURIs name the same node.
func sameLoc(a, b string) bool {
	la, err := syncml.ParseLocURI(a)
	if err != nil {
		return false
	}
	lb, err := syncml.ParseLocURI(b)
	return err == nil && la.Equal(lb)
}

// sentWhat returns what a command of kind k sent, read from the command:
// the document's checksum, or the Abandoned value.
func sentWhat(k cmdKind, c syncml.Command) string {
	items := c.ItemList()
	if len(items) != 1 || items[0].Data == nil {
		return ""
	}
	switch k {
	case kSend, kVars:
		if k == kVars {
			return ""
		}
		var d declaredconfig.Document
		if d.UnmarshalText([]byte(items[0].Data.Value)) != nil {
			return ""
		}
		return d.Checksum
	case kAbandon:
		return strings.TrimSpace(items[0].Data.Value)
	}
	return ""
}

// readSummary reads the summary of m; a device in a steady state sends
// the same summary again and again, so the last one read of each device
// is kept with its text.
func (r *Reconciler) readSummary(device string, m *syncml.Message) (*declaredconfig.Summary, error) {
	text, ok := summaryText(m.Body.Commands, 0)
	if ok {
		r.mu.Lock()
		c := r.summaries[device]
		r.mu.Unlock()
		if c.s != nil && c.text == text {
			return c.s, nil
		}
	}
	s, err := declaredconfig.ReadSummary(m)
	if err != nil {
		return nil, err
	}
	if ok {
		r.mu.Lock()
		if r.summaries == nil || len(r.summaries) >= r.maxCached() {
			r.summaries = map[string]cachedSummary{}
		}
		r.summaries[device] = cachedSummary{text: text, s: s}
		r.mu.Unlock()
	}
	return s, nil
}

// cachedSummary is the last summary read from a device, and its text.
type cachedSummary struct {
	text string
	s    *declaredconfig.Summary
}

// summaryText returns the Data of the only 1224 summary alert of cmds
// (looking inside Atomic and Sequence), when it is escaped text or CDATA
// (markup may depend on namespaces declared around it) and there is one.
func summaryText(cmds []syncml.Command, depth int) (string, bool) {
	text, n := "", 0
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Alert:
			if c == nil || c.Data == nil || strings.TrimSpace(c.Data.Value) != "1224" {
				continue
			}
			for _, it := range c.Items {
				if it.Meta != nil && strings.TrimSpace(it.Meta.Type) == declaredconfig.SummaryType {
					if it.Data == nil || it.Data.Kind == syncml.DataXML {
						return "", false
					}
					text, n = it.Data.Value, n+1
				}
			}
		case nil, *syncml.Status, *syncml.Results:
		default:
			if len(c.Nested()) > 0 {
				if depth > 0 {
					return "", false
				}
				if _, ok := summaryText(c.Nested(), depth+1); ok {
					return "", false // not the common case: leave it to ReadSummary
				}
			}
		}
	}
	return text, n == 1
}
