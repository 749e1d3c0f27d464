package reconcile

import (
	"context"
	"errors"
	"strings"
	"sync"
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// BeforeReply is a session.Config.BeforeReply that runs Reconcile; its
// errors go to Config.OnEvent as a Problem.
func (r *Reconciler) BeforeReply(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
	// The status is not asked for: it is left unmade.
	if _, err := r.reconcile(ctx, ss, m, x, false); err != nil && r.cfg.OnEvent != nil {
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
// it is declared anew, unless the status may pass (a 5xx but 501 and 505):
// then it is sent again in up to Config.RetryRefused later sessions
// (Pending meanwhile). So is a version the device acknowledged (2xx) in
// an earlier session and does not list, or lists deleted: counted once a
// session, until the device lists it. So is the Replace of Abandoned or
// of BulkVariables, or a Delete, that the device refused, until the
// declared version or what was declared of it changes (for a Delete,
// the version the device lists); a Problem says so once. So is the Get
// of a document's results that the device refused (404 is no refusal:
// a device that applies the version after it answers has none yet),
// until it lists another result_checksum; a second Problem says when
// such a refusal that was to be retried is final. A declared
// version that was in sync and now fails
// with a new result_checksum is drifted: once its results are read (or
// could not be), it is re-declared under Config.NextChecksum so that the
// device applies it again.
//
// A desired document the device listed at the declared version and no
// longer lists (wiped, or enrolled again under the same ID) is reported
// Lost and sent again, and a RefreshInterval set before is set again.
//
// Nothing is sent twice for the same state: a command stays awaited
// until its Status comes back (or the session has nothing queued or
// pending, nor an object it sends in chunks), and is not tried again in the same session for the same
// version and result_checksum. A session begins with a message that
// carries a session alert (1200 or 1201) or another SessionID than the
// last one reconciled: what was tried in a session of the same SessionID
// before (a re-enrolled device numbers its sessions anew) is forgotten. A byte-identical replayed message is
// answered by the Session without calling BeforeReply; a second call for
// the same message (a session Store retry, which reloads ss) queues the
// same commands again and reports no event twice.
//
// A message without a summary (a device's package 1, which answers no
// command of the server's) updates what came back; once per session the
// reconciler then queues a Get of RefreshInterval, whose answer carries
// the summary. A message without one after that is read as an empty
// summary: a device sends none while it holds no document. But when the
// device refused that Get with a status other than those that say the
// node or the command is not there (404, 405, 406, 501 and 505: a
// device without a document, whose RefreshInterval is unset, answers
// 404), its messages without a summary say nothing of what it holds:
// nothing is decided of its documents in that session, a Problem says
// so, and the summary is asked again in each of up to
// Config.RetryRefused later sessions, one more such refusal being final
// (a Problem says so; Changed: the first such refusal was final, and
// made each document the device held lost and sent again; Changed: so
// was any 4xx, such as 425 permission denied, which is held now as a
// 5xx is). A message
// that goes on with an object the device began sending in an earlier one
// (session.Exchange.Continued) carries no summary either, and decides
// nothing of the documents. A summary
// that does not read (cut short, or over a limit) is an error, and says
// nothing of what the device holds: what came back is still recorded,
// but nothing is decided of the documents (none is taken for lost or
// sent again) and no summary is asked for. So
// is a session that refuses the commands (its Config.MaxQueue): they are
// sent again in a later session. An entry of the summary that lists a
// scope and DocID listed before it (the first is read), a state the CSP
// does not define, or no id (it names no document, and is no Stray), is
// a Problem with a SummaryError and the status of the entry's document
// (zero for none), once for each summary that differs from the device's
// last, whether as text or as XML markup. A desired version
// whose stored declaration does not pass declaredconfig.Document.Validate
// for its node (stored by an earlier build, before a check it fails) is
// not sent: it is Failed, and
// one Problem carries the validation error; so does the event Failed of
// such a version that the device refused or holds failed. The returned
// status is also what Status returns.
//
// With Config.ForgetOnUnenroll, a message that holds the alert of a
// user's unenrollment (see there) is not reconciled: the device is
// forgotten as Forget does (the event Forgotten tells it, once), and its
// state in the Store becomes a mark of that session, a few bytes, so that
// no message of the rest of the session records the device again, also
// on another Reconciler sharing the Store; what is declared meanwhile is
// kept, and sent in the device's next session. The first message of
// another SessionID, or with a session alert, drops the mark and is
// reconciled as a device never seen's. A device that never comes back
// keeps the mark until the Store lets go of it, or Forget. The commands
// the session queued before the alert stay queued in the session's
// state: session.Server.Forget drops it, once the session is over (not
// from within it, whose own save would follow). Reconcilers of an
// earlier version sharing the Store read a device's state holding the
// mark as damaged (ErrStoredState) until a session of the device drops
// it: set ForgetOnUnenroll only once every instance runs this version.
func (r *Reconciler) Reconcile(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) (*DeviceStatus, error) {
	return r.reconcile(ctx, ss, m, x, true)
}

// reconcile is Reconcile, which makes the status returned only with
// status (nil otherwise, as on an error).
func (r *Reconciler) reconcile(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange, status bool) (*DeviceStatus, error) {
	if ss == nil || m == nil || x == nil {
		return nil, errorf("Reconcile: nil session, message or exchange")
	}
	device := deviceOf(m, x)
	if device == "" {
		return nil, errorf("Reconcile: the message names no device")
	}
	// msgSep is made in one allocation of its own, as the + of four
	// strings does through runtime.concatstrings at some 270 instructions
	// more: it is stored into the state (LastMsg, Await, Tried), and never
	// changed.
	sid, mid := m.Header.SessionID, m.Header.MsgID
	sep := make([]byte, 0, len(sid)+len(mid)+2)
	sep = append(append(append(append(sep, sid...), '/'), mid...), 0)
	msgSep := unsafe.String(unsafe.SliceData(sep), len(sep))
	if r.cfg.ForgetOnUnenroll && unenrollRequest(m) {
		// Its summary, and what came back, are of a device that leaves.
		if err := r.unenrolled(ctx, device, msgSep[:len(sid)]); err != nil {
			return nil, err
		}
		if !status {
			return nil, nil
		}
		return (&deviceState{}).status(device), nil
	}
	summary, text, lazy, sumErr := r.readSummary(device, m)
	if errors.Is(sumErr, declaredconfig.ErrNoSummary) {
		sumErr = nil // see askSummary
	}
	p := runPool.Get().(*run)
	defer p.free()
	// p is zero (see free): its fields are set one by one, without a
	// copy of the whole run.
	p.r, p.device, p.m, p.x, p.summary, p.sumText, p.lazy = r, device, m, x, summary, text, lazy
	// The SessionID is taken from msgSep too: the state keeps it
	// (AckedIn), and the message's strings may be parts of the request
	// body (syncml.UnmarshalOwned), which it would keep alive.
	p.msgSep, p.sess, p.msg = msgSep, msgSep[:len(sid)], msgSep[:len(msgSep)-1]
	p.unread = sumErr != nil
	p.idle = ss.Queued() == 0 && ss.Pending() == 0
	gone := false
	st, err := r.update(ctx, device, func(st *deviceState) (bool, error) {
		p.reset(st)
		if gone = p.gone(); gone {
			return false, nil // not recorded again in that session
		}
		prev := st.SumText
		p.summaryOf(st)
		// A summary read now, not the one the state held: its entries
		// are checked. One given as markup is told from the last by its
		// mark (see markupMark), which the state keeps in place of a
		// text.
		switch {
		case p.summary == nil:
		case p.sumText != "":
			p.newSum = p.sumText != prev
		default:
			if mark := markupMark(p.summary); mark != prev {
				p.newSum = true
				st.SumText, st.Sum, st.sumDocs = mark, &declaredconfig.Summary{}, nil
			}
		}
		err := p.do()
		return len(p.events) > 0, err
	})
	if err != nil {
		return nil, err
	}
	if gone {
		if !status {
			return nil, nil
		}
		return st.status(device), nil
	}
	if p.sumErr != nil {
		sumErr = p.sumErr
	}
	var qErr error
	if len(p.plan) > 0 {
		if err := ss.Queue(p.plan...); err != nil {
			qErr = errorf("device %s: queueing %d commands: %w", shown(device), len(p.plan), err)
		}
	}
	// The events are saved as reported: they are given even when the
	// session refused the commands.
	if r.cfg.OnEvent != nil {
		for _, e := range p.events {
			r.cfg.OnEvent(ctx, e)
		}
	}
	if qErr != nil {
		return nil, qErr
	}
	var ds *DeviceStatus
	if status {
		ds = st.status(device)
	}
	if sumErr != nil {
		return ds, errorf("device %s: message %s: %w", shown(device), shown(m.Header.MsgID), sumErr)
	}
	return ds, nil
}

// run is one Reconcile: what it read, and what it decided.
type run struct {
	r       *Reconciler
	device  string
	m       *syncml.Message
	x       *session.Exchange
	summary *declaredconfig.Summary
	// sumText is the text of the message's summary, lazy whether it is
	// still to be resolved (summaryOf), parsedSum and sumErr what parsing
	// it gave, once parsed.
	sumText   string
	lazy      bool
	parsed    bool
	parsedSum *declaredconfig.Summary
	sumErr    error
	sess      string // the SessionID
	msg       string // SessionID/MsgID of the message
	msgSep    string // msg and the separator, the prefix of what it awaits
	idle      bool   // the session had nothing queued, pending or sent in part
	fresh     bool   // the message is reconciled for the first time
	unread    bool   // the message's summary does not read (see do)
	// sumGetRefused is the status with which the device refused, in
	// this message, a Get of RefreshInterval (which asks for the
	// summary: see askSummary); 0 when it refused none.
	sumGetRefused syncml.StatusCode
	// refreshSet says that the device took, in this message, a Replace
	// of RefreshInterval: what the Get after it reads is its answer to
	// it (a device may hold another value than the one set), not drift.
	refreshSet bool
	// kept says that the summary is the one the state kept unread (see
	// deviceState.sumDocs), summary nil until it is needed (see need).
	kept bool
	// newSum says that the summary is not the one the state held before
	// the message: its entries are checked (see checkEntries).
	newSum bool

	byScope [2]*declaredconfig.Summary // summary entries per scope
	cls     *classes                   // the summary's entries against the documents
	clsBuf  classes
	clsArr  classArrays

	st     *deviceState
	plan   []syncml.Command
	events []Event
	// problems counts the Problems reported of what the device sent,
	// over those beyond Config.MaxProblems (see problem).
	problems, over int
}

// runPool keeps the runs that are done (see free): a run, with the
// classes it holds for a small summary, takes some 500 bytes.
var runPool = sync.Pool{New: func() any { return new(run) }}

// free clears p, so that it holds on to nothing, and gives it back to
// runPool; p must not be used after. Nothing a run made refers to the run
// itself (the classes it keeps are copies, see classes).
func (p *run) free() {
	*p = run{}
	runPool.Put(p)
}

func (p *run) reset(st *deviceState) {
	p.st, p.plan, p.events, p.kept, p.newSum = st, nil, nil, false, false
	p.problems, p.over = 0, 0
	p.byScope, p.cls = [2]*declaredconfig.Summary{}, nil // made for another state
}

func (p *run) event(e Event) {
	e.Device = p.device
	p.events = append(p.events, e)
}

// problem reports a Problem about what the device sent in the message:
// the first Config.MaxProblems of a run; those beyond are counted, and
// one more Problem says how many there were (see do).
func (p *run) problem(status DocStatus, err error) {
	if p.problems >= p.r.maxProblems() {
		p.over++
		return
	}
	p.problems++
	p.event(Event{Kind: Problem, Status: status, Err: err})
}

func (p *run) do() error {
	st := p.st
	fresh := st.LastMsg != p.msg
	p.fresh = fresh
	if fresh && p.starts() {
		st.newSession()
	}
	if err := p.outcomes(); err != nil {
		return err
	}
	// Commands awaited from an earlier run are lost when the session holds
	// nothing any more, or when this message is handled again.
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d.stored != "" {
				continue // settled: nothing awaited; shared
			}
			for k := range d.Await {
				if d.Await[k] != "" && (p.idle || strings.HasPrefix(d.Await[k], p.msgSep)) {
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
			if st, ok := u.(*syncml.Status); ok && st.CmdRef == "0" {
				// a Status of the SyncHdr of a message the server did not
				// send (a device writing MsgRef 0): the session's matter,
				// not a document's, and it would come with every message
				continue
			}
			p.problem(DocStatus{}, errorf("device %s: %s %s%s answers no command that awaits an answer (not sent, or answered already)", shown(p.device), u.ElementName(), u.ID(), refText(u)))
		}
	}
	if p.summary == nil && !p.kept {
		switch {
		case p.unread:
			// The device sent a summary that does not read: it says
			// nothing of what the device holds. Taken as empty, it
			// would make every document the device holds lost, and
			// send it again; nothing is decided of the documents (the
			// error says why).
		case p.x != nil && p.x.Continued:
			// The message goes on with an object the device began in an
			// earlier one: a device leaves its summary out of such a
			// message (session.ClientConfig.EachMessage), which says
			// nothing of what it holds; the next one will.
		case !p.askSummary() && !p.summaryRefused():
			// Asked already: the device holds no document (a device
			// sends no summary then).
			p.summary = &declaredconfig.Summary{}
		}
	} else if st.SummaryAsked != "" {
		// A summary: what refused it before is past.
		st.setSummaryRefusal(0, 0)
	}
	if p.summary != nil || p.kept {
		if err := p.documents(fresh); err != nil {
			return err
		}
		if fresh && p.newSum {
			// After the documents are decided, so that each Problem
			// carries the status its document has now; before removed,
			// which drops the documents the device no longer lists
			// (the classes count them).
			p.checkEntries()
		}
		p.removed()
		p.strays()
	}
	if err := p.refresh(); err != nil {
		return err
	}
	if p.over > 0 {
		max := p.r.maxProblems()
		p.event(Event{Kind: Problem, Err: errorf("device %s: message %s: %d problems with what the device sent, the first %d reported: %w",
			shown(p.device), shown(p.m.Header.MsgID), max+p.over, max, pkg.LimitCount("MaxProblems", int64(max), int64(max+p.over), ""))})
	}
	st.LastMsg, st.Queued = p.msg, int32(len(p.plan))
	return nil
}

// starts reports whether the message begins a session: it carries a
// session alert (1200 or 1201), or its SessionID is not that of the last
// message reconciled. A device numbers its sessions itself and starts
// over when it is enrolled again, so a SessionID alone does not name one
// session.
func (p *run) starts() bool {
	if i := strings.LastIndexByte(p.st.LastMsg, '/'); i < 0 || p.st.LastMsg[:i] != p.sess {
		return true
	}
	return sessionAlert(p.m.Body.Commands)
}

// sessionAlert reports whether cmds hold a session alert (1200 or 1201).
func sessionAlert(cmds []syncml.Command) bool {
	for _, c := range cmds {
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && (code == syncml.AlertClientInitiated || code == syncml.AlertServerInitiated) {
				return true
			}
		}
	}
	return false
}

// newSession forgets what was sent, acknowledged or asked for in the
// sessions before, which the marks compare by SessionID only.
func (st *deviceState) newSession() {
	_, ref := splitAsked(st.SummaryAsked) // a refusal counts across sessions
	_, rref := splitTried(st.RefreshTried)
	st.SummaryAsked, st.RefreshTried = joinAsked("", ref), joinTried("", rref)
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d.stored != "" {
				continue // settled: neither acknowledged nor tried in a session; shared
			}
			d.AckedIn = ""
			clear(d.Tried[:])
			if d.Hint == 2 || d.Hint == -2 {
				d.Hint /= 2
			}
		}
	}
}

// want queues the command of kind k for d, about what, unless it is
// awaited or was tried in this session for the same what, or build
// returns no command (and no error): nothing is marked then.
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
		return false, errorf("device %s: document %s: %w", shown(p.device), d.docID(), err)
	}
	if c == nil {
		return false, nil // build found nothing to send (see send)
	}
	p.plan = append(p.plan, c)
	d.Await[k] = p.msgSep + what
	d.Tried[k] = p.sess + "\x00" + p.msg + "\x00" + what
	return true, nil
}

// refText is " (MsgRef m, CmdRef c)" of a Status or Results, for a
// Problem that names one the session could not match; "" for another
// command.
func refText(c syncml.Command) string {
	var msg, cmd string
	switch c := c.(type) {
	case *syncml.Status:
		msg, cmd = c.MsgRef, c.CmdRef
	case *syncml.Results:
		msg, cmd = c.MsgRef, c.CmdRef
	default:
		return ""
	}
	return " (MsgRef " + utf8cut.Quote(msg, 16) + ", CmdRef " + utf8cut.Quote(cmd, 16) + ")"
}
