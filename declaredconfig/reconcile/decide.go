package reconcile

import (
	"errors"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// documents evaluates the desired documents and plans what they need.
func (p *run) documents(fresh bool) error {
	st := p.st
	if len(st.Docs) == 0 {
		return nil
	}
	// The session has matched every Status and Results to the command it
	// answers: the Results are handed to Evaluate under that command's
	// MsgID and CmdID, whatever the device wrote in MsgRef (the Statuses
	// are read in outcomes). A result is read under the limits that
	// MaxResultBytes, MaxResultElements and MaxResultAttrs set (see
	// readLimits).
	reply := &declaredconfig.Reply{Limits: p.r.resultLimits()}
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
			for i, it := range res.Items {
				if it.Data != nil && len(it.Data.Value) > p.r.maxResultBytes() {
					if fresh {
						max := p.r.maxResultBytes()
						p.problem(DocStatus{}, errorf("device %s: the Results of %s %s: %w", shown(p.device),
							o.Command.ElementName(), target(o.Command), pkg.LimitCount("MaxResultBytes", int64(max), int64(len(it.Data.Value)), "")))
					}
					continue
				}
				reply.Results = append(reply.Results, declaredconfig.ResultItem{MsgRef: o.MsgID, CmdRef: o.Command.ID(), Results: res, Index: i})
			}
		}
	}
	if len(reply.Results) == 0 {
		// Nothing came back to attribute to a document: what Evaluate
		// would say of each is its entry in the summary.
		return p.listed()
	}
	p.need()
	reply.Summary = p.summary
	if err := st.materializeAll(); err != nil {
		return errorf("device %s: %w", shown(p.device), err)
	}
	// The summary tells the Device and the User documents apart by their
	// context only: each scope is evaluated against its own entries.
	docs := make([]*declaredconfig.DocumentStatus, len(st.Docs))
	type key struct {
		c      syncml.Command
		item   int
		reason string
	}
	seen := map[key]bool{}
	for _, scope := range []declaredconfig.Scope{declaredconfig.Device, declaredconfig.User} {
		var (
			idx     []int
			desired []declaredconfig.Desired
		)
		for i, d := range st.Docs {
			if d.Scope != scope {
				continue
			}
			w := declaredconfig.Desired{URI: d.uri(declaredconfig.NodeDocument), Checksum: d.checksum(),
				Abandoned: d.Abandoned, LastResultChecksum: d.InSyncRC}
			w.SentBy(sent)
			idx, desired = append(idx, i), append(desired, w)
		}
		if len(idx) == 0 {
			continue
		}
		reply.Summary = p.scoped(scope)
		ev := reply.Evaluate(desired, sent)
		for j, i := range idx {
			docs[i] = &ev.Documents[j]
		}
		for _, u := range ev.Unmatched {
			if k := (key{u.Command, u.Item, u.Reason}); !fresh || seen[k] {
				continue
			} else {
				seen[k] = true
			}
			if u.Err == nil { // the Reason says it all: not twice
				p.problem(DocStatus{}, errorf("device %s: %s", shown(p.device), u.Reason))
				continue
			}
			p.problem(DocStatus{}, errorf("device %s: %s: %w", shown(p.device), u.Reason, configLimit(u.Err, reply.Limits, resultLimitNames)))
		}
	}
	for i, d := range st.Docs {
		if err := p.document(d, docs[i]); err != nil {
			return err
		}
	}
	return nil
}

// listed decides each desired document from its summary entry alone, as
// Evaluate reads it when no Status or Results is to be attributed: the
// first entry of its scope and DocID.
func (p *run) listed() error {
	if p.steady() {
		return nil
	}
	c := p.classes()
	for k, d := range p.st.Docs {
		var e *declaredconfig.SummaryEntry
		if i := c.docEntry[k]; i >= 0 {
			e = &p.summary.Documents[i]
		}
		if d.stored != "" {
			// Settled, and listed as last seen: nothing to decide.
			if d.unchanged(e) {
				continue
			}
			var err error
			if d, err = p.st.materialize(d); err != nil {
				return errorf("device %s: %w", shown(p.device), err)
			}
		}
		var es declaredconfig.DocumentStatus
		if e != nil {
			es.Reported, es.State, es.Checksum, es.ResultChecksum = true, stateOf(e.State), e.Checksum, e.ResultChecksum
		}
		if err := p.document(d, &es); err != nil {
			return err
		}
	}
	return nil
}

// document decides one desired document.
func (p *run) document(d *docState, es *declaredconfig.DocumentStatus) error {
	cur := d.checksum()
	// The device held the declared version: it listed it, not deleted.
	held := d.Last.Reported && d.Last.DevCS == cur && !declaredconfig.State(d.Last.State).Deleted()
	d.Last.Reported, d.Last.State, d.Last.DevCS, d.Last.DevRC = es.Reported, uint32(es.State), es.Checksum, es.ResultChecksum
	rc := es.ResultChecksum
	if es.Result != nil {
		res := ownResult(es.Result)
		got := res.ResultChecksum
		if got == "" {
			got = rc
		}
		isNew := d.ResultsRC != got || !d.hasResult()
		d.Result, d.resultRaw, d.ResultsRC, d.ResultFail = res, "", got, ""
		for _, s := range res.Settings() {
			if s.Failed() {
				d.ResultFail = settingFailure(s)
				break
			}
		}
		if isNew {
			p.resultProblems(d, res, es)
		}
		if isNew && d.Host == declaredconfig.Inventory {
			p.event(Event{Kind: InventoryRead, Status: d.status()})
		}
	}
	set := func(c DocCondition, reason string) {
		d.Last.Condition = c
		keep(&d.Last.Reason, reason)
		keep(&d.LastCS, cur)
		keep(&d.LastRC, rc)
	}
	if d.Abandoned {
		if !es.Reported || es.State.Deleted() {
			// The device holds no such document (never sent, or deleted):
			// there is nothing to abandon, and a Replace of its property
			// would only be refused (404). Should it list the document
			// later (an Add in flight), the property goes then; nor is
			// it abandoned there any more (a wipe took it).
			d.AbandonSet = nil
			set(Abandoned, "abandoned by the server; the device does not hold it")
			return nil
		}
		set(Abandoned, "abandoned by the server")
		if d.AbandonSet == nil || !*d.AbandonSet {
			if r, held := p.cmdHeld(d, kAbandon, "1"); held {
				d.Last.Reason = "the device refused its abandonment: " + r.Code.String()
				return nil
			}
			d.Last.Reason = "abandoning"
			_, err := p.want(d, kAbandon, "1", func() (syncml.Command, error) {
				return declaredconfig.SetAbandoned(d.uri(declaredconfig.NodeAbandoned), true)
			})
			return err
		}
		return nil
	}
	if d.AbandonSet != nil && *d.AbandonSet && (!es.Reported || es.State.Deleted()) {
		// Abandoned on a device that no longer holds the document (a
		// wipe): there is nothing to take back, and a Replace of its
		// property would only be refused (404).
		d.AbandonSet = nil
	}
	if _, held := p.cmdHeld(d, kAbandon, "0"); !held && d.AbandonSet != nil && *d.AbandonSet {
		if _, err := p.want(d, kAbandon, "0", func() (syncml.Command, error) {
			return declaredconfig.SetAbandoned(d.uri(declaredconfig.NodeAbandoned), false)
		}); err != nil {
			return err
		}
	}
	listsCur := es.Reported && es.Checksum == cur && !es.State.Deleted()
	switch {
	case listsCur && d.Refused == cur && d.RefusedCode == 0:
		// Acknowledged and not reported (see below), until now.
		d.Refused, d.RefusedTries = "", 0
	case !listsCur && d.Acked == cur && d.AckedIn == "" && !(held && !es.Reported):
		// The device acknowledged the version in an earlier session
		// (AckedIn is kept for the session only) and does not report
		// it: counted as a refusal of code 0, once a session (Acked is
		// set again by the next acknowledgement), so that a device
		// that takes the document and never applies it is not sent it
		// in every session for ever.
		if d.Refused != cur || d.RefusedCode != 0 {
			d.Refused, d.RefusedCode, d.RefusedTries = cur, 0, 0
		}
		d.RefusedTries++
		d.Acked = ""
	}
	switch {
	case d.Refused == cur && p.retry(d):
		set(Pending, refusal(d, cur)+"; sending it again (try "+strconv.Itoa(d.RefusedTries+1)+" of "+strconv.Itoa(p.r.retryRefused()+1)+")")
		return p.send(d, es.Reported && !es.State.Deleted())
	case d.Refused == cur:
		set(Failed, refusal(d, cur))
		p.failed(d, "R", cur, "")
		return nil
	case !es.Reported || es.Checksum != cur || es.State.Deleted():
		reason := "not on the device"
		switch {
		case es.Reported && es.Checksum != cur:
			reason = "the device holds version " + shown(es.Checksum)
		case es.Reported:
			reason = "deleted on the device"
		}
		if held && !es.Reported {
			// Wiped, or enrolled again: what was read of it is gone too,
			// and so is the RefreshInterval set on it.
			d.lost()
			p.st.RefreshSet = 0
			set(Unknown, "lost by the device; sending version "+strconv.Quote(cur))
			p.once(d, Lost, "L", cur, "")
			return p.send(d, false)
		}
		if d.Acked == cur && d.AckedIn == p.sess && !es.State.Deleted() {
			set(Pending, "sent; the device does not report it yet")
			return nil
		}
		set(Unknown, reason+"; sending version "+strconv.Quote(cur))
		return p.send(d, es.Reported && !es.State.Deleted())
	case es.State.Succeeded():
		known := d.ResultsRC == rc && d.hasResult()
		if !known {
			if err := p.getResults(d, rc); err != nil {
				return err
			}
		}
		if known && d.ResultFail != "" {
			set(Failed, d.ResultFail)
			p.failed(d, "F", cur, rc)
			return nil
		}
		reason := stateName(es.State)
		switch {
		case known:
		case d.GetDone == cur+"/"+rc:
			// Answered without a result of this version (404, or the
			// result of another version): not asked again for rc.
			reason += "; its results were not given"
		default:
			reason += "; reading its results"
		}
		if !known {
			reason += p.getRefused(d, cur, rc)
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
		case lastEvent(d.LastEvent, Repaired, cur):
			// the version's Repaired stands for its Applied
		default:
			p.once(d, Applied, "A", cur, "")
		}
		if _, held := p.cmdHeld(d, kVars, cur); !held && d.Host == declaredconfig.BulkTemplate && d.Vars != nil && d.VarsSent != cur {
			_, err := p.want(d, kVars, cur, func() (syncml.Command, error) {
				return declaredconfig.ReplaceBulkVariables(d.uri(declaredconfig.NodeBulkVariables), d.Vars, p.r.cfg.DataKind)
			})
			return err
		}
		return nil
	case es.State.Failed():
		known := d.ResultsRC == rc && d.hasResult()
		if !known && !p.triedGet(d, rc) {
			if d.InSyncRC != "" && d.InSyncRC != rc {
				set(Drifted, stateName(es.State)+"; reading its results"+p.getRefused(d, cur, rc))
			} else {
				set(Failed, stateName(es.State)+"; reading its results"+p.getRefused(d, cur, rc))
			}
			return p.getResults(d, rc)
		}
		if d.InSyncRC != "" && d.InSyncRC != rc {
			set(Drifted, "was in sync; now "+stateName(es.State))
			p.once(d, DriftedEvent, "D", cur, rc)
			d.Redeclared++
			base, err := d.baseDoc()
			if err != nil {
				return err
			}
			next := p.r.nextChecksum(base, d.Redeclared)
			nd := *d.Doc // documents are replaced, never changed in place; rest stays
			nd.Checksum = next
			d.Doc = &nd
			d.InSyncRC, d.Repairing = "", true
			d.Last.Reason += "; re-declared as version " + strconv.Quote(next)
			return p.send(d, true)
		}
		if known {
			set(Failed, stateName(es.State))
		} else {
			set(Failed, stateName(es.State)+p.getRefused(d, cur, rc))
		}
		p.failed(d, "F", cur, rc)
		return nil
	default:
		set(Pending, stateName(es.State))
		return nil
	}
}

// settingFailure is the reason of a document whose result reports the
// setting s failed: by its status when that is an error, else by its
// state (a status 200 with state 61 is the state's failure).
func settingFailure(s declaredconfig.SettingStatus) string {
	why := s.Status.String()
	if s.Status == 0 || s.Status.Success() {
		why = "state " + stateName(s.State)
	}
	return "setting " + s.Provider + " " + s.Name + " failed: " + why
}

// lost forgets what the device held of d: its acknowledgement, results,
// variables and Abandoned value (and their refusals, and that of a Get of
// its results), and whether it was in sync.
func (d *docState) lost() {
	d.Acked, d.AckedIn, d.Hint = "", "", 0
	d.InSyncRC, d.ResultsRC, d.Result, d.resultRaw, d.ResultFail, d.GetDone = "", "", nil, "", "", ""
	d.VarsSent, d.AbandonSet = "", nil
	// What the device refused of its variables and abandonment may pass
	// on the device as it is now.
	d.setCmdRefusal(kVars, cmdRefusal{})
	d.setCmdRefusal(kAbandon, cmdRefusal{})
	d.setCmdRefusal(kGet, cmdRefusal{})
}

// baseDoc returns the caller's version of d.
func (d *docState) baseDoc() (*declaredconfig.Document, error) {
	b, err := d.full()
	if err != nil {
		return nil, err
	}
	c := *b
	c.Checksum = d.Base
	return &c, nil
}

// once reports an event of kind for d unless the same one (kind, tag,
// version and result_checksum) was the last reported; it reports whether
// it did.
func (p *run) once(d *docState, kind EventKind, tag, cur, rc string) bool {
	// The key is made on the stack (one compare, no allocation) while it
	// fits.
	var buf [160]byte
	key := append(append(append(append(append(buf[:0], kind.String()...), tag...), cur...), '/'), rc...)
	if string(key) == d.LastEvent {
		return false
	}
	d.LastEvent = string(key)
	p.event(Event{Kind: kind, Status: d.status()})
	return true
}

// lastEvent reports whether e, the key run.once kept of a document's last
// event, is that of kind for version cur (its tag "A", no result
// checksum), without making the key.
func lastEvent(e string, kind EventKind, cur string) bool {
	k := kind.String()
	return len(e) == len(k)+2+len(cur) && e[:len(k)] == k && e[len(k)] == 'A' && e[len(k)+1:len(e)-1] == cur && e[len(e)-1] == '/'
}

// triedGet reports whether the Results of d's version with result
// checksum rc were asked for and the device answered (with them or not),
// or were asked in this session and are awaited no more.
func (p *run) triedGet(d *docState, rc string) bool {
	what := d.checksum() + "/" + rc
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

// getRefused is what the Reason of d says of the device's refusal of the
// Get of the results of version cur with result_checksum rc: its status,
// and the try to come in a later session or how many times it was
// refused; "" when no such refusal counts (see outcomes).
func (p *run) getRefused(d *docState, cur, rc string) string {
	r := d.cmdRefusal(kGet)
	if r.Tries == 0 || !isGetOf(r.What, cur, rc) {
		return ""
	}
	if p.mayRetry(r.Code, r.Tries) {
		return "; the device refused the Get of its results: " + r.Code.String() + "; asking again in a later session (try " +
			strconv.Itoa(r.Tries+1) + " of " + strconv.Itoa(p.r.retryRefused()+1) + ")"
	}
	return "; the device refused the Get of its results: " + r.Code.String() + " (" + strconv.Itoa(r.Tries) + " times); not asked again for this result_checksum"
}

// isGetOf reports whether what, what a Get of Results asked for, is
// version cur with result_checksum rc (cur/rc), without making it.
func isGetOf(what, cur, rc string) bool {
	return len(what) == len(cur)+1+len(rc) && what[:len(cur)] == cur && what[len(cur)] == '/' && what[len(cur)+1:] == rc
}

func (p *run) getResults(d *docState, rc string) error {
	cur := d.checksum()
	if d.GetDone == cur+"/"+rc {
		return nil // the device answered that Get already: no result for it
	}
	// Asked in this session for another result_checksum of the version
	// (not the Get sent with it, for none): those of rc are read in the
	// next session. A device whose result_checksum changes in every
	// message would else be asked in every message, and the session
	// would not end.
	if s, rest, _ := strings.Cut(d.Tried[kGet], "\x00"); s == p.sess {
		_, w, _ := strings.Cut(rest, "\x00")
		if prc, ok := strings.CutPrefix(w, cur+"/"); ok && prc != "" && prc != rc {
			return nil
		}
	}
	_, err := p.want(d, kGet, d.checksum()+"/"+rc, func() (syncml.Command, error) {
		return declaredconfig.GetResults(d.uri(declaredconfig.NodeResults))
	})
	return err
}

// send plans the declared version of d: Add or Replace, the bulk
// variables, and a Get of its results.
//
// A version whose declaration does not pass Document.Validate for its
// node (stored by an earlier build, which did not check what Validate
// checks now) is not sent: a device refuses it. It is Failed: the event
// Failed and one Problem that says why are reported once (see
// unsendable).
func (p *run) send(d *docState, listed bool) error {
	cur := d.checksum()
	if invalidMarked(d.LastEvent, cur) {
		// Found invalid before: not validated again.
		p.unsendable(d, cur, nil)
		return nil
	}
	replace := listed
	switch {
	case d.Hint > 0:
		replace = true
	case d.Hint < 0:
		replace = false
	}
	var invalid error
	sent, err := p.want(d, kSend, cur, func() (syncml.Command, error) {
		doc, err := d.full()
		if err != nil {
			return nil, err
		}
		u := d.uri(declaredconfig.NodeDocument)
		var c syncml.Command
		if replace {
			c, err = declaredconfig.ReplaceDocument(u, doc, p.r.cfg.DataKind)
		} else {
			c, err = declaredconfig.AddDocument(u, doc, p.r.cfg.DataKind)
		}
		if errors.Is(err, declaredconfig.ErrInvalid) || errors.Is(err, declaredconfig.ErrURI) {
			// The builders validate the document for its node: a
			// declaration passed Validate when it was declared, but one
			// stored by an earlier build may not pass the checks added
			// since. Validate says all that is wrong (the builder may
			// stop at the node).
			if invalid = doc.Validate(u); invalid == nil {
				invalid = err
			}
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return c, nil
	})
	if invalid != nil {
		p.unsendable(d, cur, invalid)
		return nil
	}
	if err != nil || !sent {
		return err
	}
	if _, held := p.cmdHeld(d, kVars, cur); !held && d.Host == declaredconfig.BulkTemplate && d.Vars != nil {
		if _, err := p.want(d, kVars, cur, func() (syncml.Command, error) {
			return declaredconfig.ReplaceBulkVariables(d.uri(declaredconfig.NodeBulkVariables), d.Vars, p.r.cfg.DataKind)
		}); err != nil {
			return err
		}
	}
	d.Tried[kGet], d.GetDone = "", "" // a new send asks for its results
	return p.getResults(d, "")
}

// invalidReason is the Reason of a document whose declaration does not
// validate (see unsendable).
const invalidReason = "its declaration does not pass Validate (stored before a check that refuses it); not sent until it is declared anew"

// unsendable makes d, whose version cur does not validate, Failed and
// not sent. With err, the error Validate gave, it reports the event
// Failed and then one Problem with err (as for a version the device
// refused: see failed), and marks the version (its LastEvent, a tag "V"
// of Problem: see invalidMarked) so that later runs neither validate nor
// report either again; a version marked so is passed a nil err. A new
// declaration, or a re-declaration after drift, is a new version,
// checked anew.
func (p *run) unsendable(d *docState, cur string, err error) {
	d.Last.Condition = Failed
	keep(&d.Last.Reason, invalidReason)
	keep(&d.LastCS, cur)
	if err == nil {
		return
	}
	d.LastEvent = Problem.String() + "V" + cur + "/"
	p.event(Event{Kind: FailedEvent, Status: d.status()})
	p.event(Event{Kind: Problem, Status: d.status(), Err: p.invalidErr(d, cur, err)})
}

// failed reports the event Failed of d once (see once) and, when it
// does, checks the declaration: one stored by an earlier build that does
// not validate (which a device refuses, or, having taken it before, no
// longer applies: see declaredconfig/agent) is why it failed, and a
// Problem says so with the error Validate gives. It is checked once per
// Failed event, not in every message.
//
// The key of a Failed event checked so is written with its tag in lower
// case (checkedTag). An earlier build told the event Failed under the
// same key with the tag in upper case, without checking the declaration:
// such a key, found on the state loaded, is not told again, but the
// declaration is checked then (its Problem told once) and the key
// rewritten in the checked form, saved with the state.
func (p *run) failed(d *docState, tag, cur, rc string) {
	checked := checkedTag(tag)
	if isKey(d.LastEvent, FailedEvent, tag, cur, rc) {
		d.LastEvent = FailedEvent.String() + checked + cur + "/" + rc
	} else if !p.once(d, FailedEvent, checked, cur, rc) {
		return
	}
	doc, err := d.full()
	if err != nil {
		return // a body that does not read is an error where it is needed
	}
	if err := doc.Validate(d.uri(declaredconfig.NodeDocument)); err != nil {
		p.event(Event{Kind: Problem, Status: d.status(), Err: p.invalidErr(d, cur, err)})
	}
}

// checkedTag is the tag of the key of a Failed event whose declaration
// was checked (see failed): tag, an upper-case letter, in lower case.
func checkedTag(tag string) string {
	switch tag {
	case "R":
		return "r"
	case "F":
		return "f"
	}
	return strings.ToLower(tag)
}

// isKey reports whether e is the key run.once makes of an event of kind
// with tag, version cur and result_checksum rc, without making it.
func isKey(e string, kind EventKind, tag, cur, rc string) bool {
	k := kind.String()
	n := len(k) + len(tag) + len(cur) + 1 + len(rc)
	if len(e) != n {
		return false
	}
	e, ok := strings.CutPrefix(e, k)
	if !ok {
		return false
	}
	if e, ok = strings.CutPrefix(e, tag); !ok {
		return false
	}
	if e, ok = strings.CutPrefix(e, cur); !ok {
		return false
	}
	return len(e) > 0 && e[0] == '/' && e[1:] == rc
}

// invalidErr is the error of a Problem that says that version cur of d,
// as stored, does not validate (err, Validate's).
func (p *run) invalidErr(d *docState, cur string, err error) error {
	return errorf("device %s: document %s: version %s as stored does not validate for %s, and is not sent (a device refuses it; declare it anew, or Remove it): %w: %w",
		shown(p.device), d.docID(), strconv.Quote(cur), d.uri(declaredconfig.NodeDocument), ErrInvalid, err)
}

// invalidMarked reports whether e, the key run.once kept of a document's
// last event, is the mark unsendable left on version cur, without making
// the key.
func invalidMarked(e, cur string) bool {
	const k = "Problem"
	return len(e) == len(k)+2+len(cur) && e[:len(k)] == k && e[len(k)] == 'V' && e[len(k)+1:len(e)-1] == cur && e[len(e)-1] == '/'
}

// refusal says why the version cur of d, refused, is not in sync.
func refusal(d *docState, cur string) string {
	if d.RefusedCode == 0 {
		return "the device acknowledged version " + strconv.Quote(cur) + " and does not report it (" +
			strconv.Itoa(d.RefusedTries) + " sessions)"
	}
	return "the device refused version " + strconv.Quote(cur) + ": " + d.RefusedCode.String()
}

// retry reports whether d, refused, is sent again: the status may pass
// (a 5xx but 501 and 505, which say the command or the protocol is not
// supported; or 0, acknowledged and not reported) and it was refused at
// most Config.RetryRefused times.
func (p *run) retry(d *docState) bool { return p.mayRetry(d.RefusedCode, d.RefusedTries) }

// mayRetry reports whether a command refused tries times in a row, the
// last with status c, is sent again (see retry).
func (p *run) mayRetry(c syncml.StatusCode, tries int) bool {
	if c != 0 && (c < 500 || c > 599 || c == syncml.StatusCommandNotImplemented || c == syncml.StatusDTDVersionNotSupported) {
		return false
	}
	return tries <= p.r.retryRefused()
}

// keep sets *p to v unless it holds an equal string already: a document
// that a run leaves as it was then keeps its bytes (see docState.equal).
func keep(p *string, v string) {
	if *p != v {
		*p = v
	}
}

// ownResult returns res, read from a message, with strings of its own:
// the strings of a message may be parts of the request body
// (syncml.UnmarshalOwned), which the state would keep alive with the
// result. It is res as the state stores it, read back (a load's result
// is made the same way); res itself when that fails, which a result
// that was stored and read back never does.
func ownResult(res *declaredconfig.Result) *declaredconfig.Result {
	var w stateWriter
	w.result(res)
	if own, err := decodeResult(string(w.b)); err == nil {
		return own
	}
	return res
}
