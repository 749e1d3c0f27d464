package reconcile

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// outcomes reads what came back for the commands sent: acknowledgements,
// refusals, and RefreshInterval. A document kept as stored that does not
// read is an error.
func (p *run) outcomes() error {
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
		if d, err = st.materialize(d); err != nil {
			return errorf("device %s: %w", shown(p.device), err)
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
		if err == nil && !code.Success() && !refusalCode(code) {
			// Not kept as a refusal: a state holds none but SyncML's.
			err = errorf("status code %d is not a SyncML status code", code)
		}
		if err != nil {
			if p.fresh {
				p.problem(d.status(), errorf("device %s: the Status of %s %s: %w", shown(p.device), c.ElementName(), t, err))
			}
			continue
		}
		ok := code.Success()
		switch k {
		case kSend:
			switch {
			case ok:
				d.Acked, d.AckedIn, d.Hint = what, p.sess, 0
				// A version acknowledged and not reported (code 0, see
				// run.document) stays counted until the device reports it.
				if d.Refused == what && d.RefusedCode != 0 {
					d.Refused, d.RefusedCode, d.RefusedTries = "", 0, 0
				}
			// The other command may be tried at once, once a session
			// (Hint ±2, see docState.Hint): a device that answers the
			// Add "exists" and the Replace "not found" has refused it.
			case code == syncml.StatusAlreadyExists && c.ElementName() == "Add" && d.Hint != 2 && d.Hint != -2:
				d.Hint, d.Tried[kSend] = 2, ""
			case code == syncml.StatusNotFound && c.ElementName() == "Replace" && d.Hint != 2 && d.Hint != -2:
				d.Hint, d.Tried[kSend] = -2, ""
			default:
				if d.Refused != what {
					d.RefusedTries = 0
				}
				d.Refused, d.RefusedCode = what, code
				d.RefusedTries++
			}
		case kGet:
			if ok || code == syncml.StatusNotFound || len(o.Results) > 0 {
				// Answered: with the results, or 404, expected of a
				// device that applies the version after it answers.
				d.GetDone = what
				d.setCmdRefusal(k, cmdRefusal{})
				break
			}
			// Refused: told, and asked again in a later session while
			// the status may pass (see mayRetry); else the results of
			// that result_checksum are not asked for again.
			v, rc, _ := strings.Cut(what, "/")
			cmd := "the Get of its results (version " + shown(v) + ", result_checksum " + shown(rc) + ")"
			if told := p.cmdRefused(d, k, what, code, cmd); !p.mayRetry(code, d.cmdRefusal(k).Tries) {
				d.GetDone = what
				if !told && p.fresh {
					p.problem(d.status(), errorf("device %s: document %s: the device refused %s again: %v; refused %d times, it is not sent again until the result_checksum changes",
						shown(p.device), d.docID(), cmd, code, d.cmdRefusal(k).Tries))
				}
			}
		case kVars:
			if ok {
				d.VarsSent = what
				d.setCmdRefusal(k, cmdRefusal{})
			} else {
				p.cmdRefused(d, k, what, code, "its BulkVariables")
			}
		case kAbandon:
			if ok {
				v := what == "1"
				d.setCmdRefusal(k, cmdRefusal{})
				if d.AbandonSet == nil || *d.AbandonSet != v {
					d.AbandonSet = &v
					if v {
						p.event(Event{Kind: AbandonedEvent, Status: d.status()})
					}
				}
			} else if what == "1" {
				p.cmdRefused(d, k, what, code, "its abandonment")
			} else {
				p.cmdRefused(d, k, what, code, "taking back its abandonment")
			}
		case kDelete:
			if removed && d.StrayHost && code == syncml.StatusNotFound && d.Host < declaredconfig.BulkTemplate {
				d.Host++
				d.Tried[kDelete] = ""
			} else if removed && (ok || code == syncml.StatusNotFound) {
				p.drop(d)
			} else if removed {
				p.cmdRefused(d, k, what, code, "its Delete")
				d.Last.Reason = "the device refused the Delete: " + code.String()
			}
		}
	}
	return nil
}

// refusalCode reports whether c, not a success, is a SyncML status code
// (1xx to 5xx), which a refusal is recorded with.
func refusalCode(c syncml.StatusCode) bool { return c >= 100 && c <= 599 && !c.Success() }

// cmdRefused records that the device refused the command of kind k of
// d (not kSend), which sent what, with code: it is not sent again for
// the same what but as a refusal of the version would be (see retry and
// cmdHeld), and one Problem says so, the first time the device refuses
// what with code; it reports whether it told that Problem.
func (p *run) cmdRefused(d *docState, k cmdKind, what string, code syncml.StatusCode, cmd string) bool {
	r := d.cmdRefusal(k)
	report := r.What != what || r.Code != code || r.Tries == 0
	if r.What != what {
		r.Tries = 0
	}
	if report || p.fresh {
		// Counted once a message: a run of the same message again
		// finds it counted.
		r.Tries++
	}
	r.What, r.Code = what, code
	d.setCmdRefusal(k, r)
	if report && p.fresh {
		again := "it is not sent again"
		if p.mayRetry(code, r.Tries) {
			again = "it is sent again in up to " + strconv.Itoa(p.r.retryRefused()) + " later sessions"
		}
		p.problem(d.status(), errorf("device %s: document %s: the device refused %s: %v; %s", shown(p.device), d.docID(), cmd, code, again))
		return true
	}
	return false
}

// cmdHeld reports whether the command of kind k of d, sending what, is
// held back: the device refused it (see cmdRefused) and it is not to be
// tried again (see retry).
func (p *run) cmdHeld(d *docState, k cmdKind, what string) (cmdRefusal, bool) {
	r := d.cmdRefusal(k)
	return r, r.Tries > 0 && r.What == what && !p.mayRetry(r.Code, r.Tries)
}

func (p *run) drop(d *docState) {
	st := p.st
	for i, x := range st.Removed {
		if x == d {
			st.Removed = append(st.Removed[:i:i], st.Removed[i+1:]...)
			p.cls = nil // made for the documents before
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

func (p *run) refreshOutcome(o session.Outcome) {
	st := p.st
	if o.Abandoned || o.Status == nil {
		return
	}
	code, err := o.Status.Code()
	if err == nil && refusalCode(code) && o.Command.ElementName() == "Get" {
		p.sumGetRefused = code // see summaryRefused
	}
	if err != nil {
		return
	}
	if !code.Success() {
		if refusalCode(code) && o.Command.ElementName() == "Replace" && p.fresh {
			if items := o.Command.ItemList(); len(items) == 1 && items[0].Data != nil {
				p.refreshRefused(strings.TrimSpace(items[0].Data.Value), code)
			}
		}
		return
	}
	switch o.Command.ElementName() {
	case "Replace":
		if items := o.Command.ItemList(); len(items) == 1 && items[0].Data != nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(items[0].Data.Value), 10, 32); err == nil {
				st.RefreshSet = uint32(v)
				p.refreshSet = true
				// taken: a refusal before it counts no more
				keys, _ := splitTried(st.RefreshTried)
				st.RefreshTried = keys
			}
		}
	case "Get":
		for _, res := range o.Results {
			if res == nil || len(res.Items) == 0 || res.Items[0].Data == nil {
				continue
			}
			v := strings.TrimSpace(res.Items[0].Data.Value)
			if _, err := strconv.ParseUint(v, 10, 32); err != nil && v != "" {
				// Kept in the state and reported, it would be the
				// device's to make as long as a message.
				if p.fresh {
					p.problem(DocStatus{}, errorf("device %s: RefreshInterval read back as %s, not a number of minutes", shown(p.device), utf8cut.Quote(v, 64)))
				}
				continue
			}
			if n, _ := strconv.ParseUint(v, 10, 32); st.RefreshSet != 0 && uint32(n) != st.RefreshSet &&
				v != st.RefreshRead && !p.refreshSet {
				// The device's value changed since it was set and read
				// back (a wipe, or a change on the device): set again.
				st.RefreshSet = 0
			}
			if v != st.RefreshRead {
				// A copy: the message's strings may be parts of the
				// request body (syncml.UnmarshalOwned).
				st.RefreshRead = strings.Clone(v)
				p.event(Event{Kind: RefreshIntervalRead, RefreshInterval: v})
			}
		}
		st.RefreshAwait = ""
		st.setSummaryRefusal(0, 0) // answered
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
