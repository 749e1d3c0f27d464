package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/backoff"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// deviceState is what the reconciler keeps for one device, in the Store
// in the binary format of statecodec.go; the JSON tags read the states
// stored before it (documents, results and instance data as their
// canonical XML).
type deviceState struct {
	Docs    []*docState `json:"docs,omitempty"`
	Removed []*docState `json:"removed,omitempty"` // no longer desired, still to delete
	Stray   []stray     `json:"stray,omitempty"`
	// StrayOver counts the strays not kept (beyond MaxDocuments); it
	// and Queued are stored as numbers of 32 bits (see stateReader.int).
	StrayOver int32 `json:"strayOver,omitempty"`
	Queued    int32 `json:"queued,omitempty"` // commands queued by the last run

	Refresh      uint32 `json:"refresh,omitempty"`      // desired RefreshInterval, 0 none
	RefreshSet   uint32 `json:"refreshSet,omitempty"`   // the value a 2xx Replace set
	RefreshRead  string `json:"refreshRead,omitempty"`  // the value last read back
	RefreshAwait string `json:"refreshAwait,omitempty"` // the message key it was queued in
	RefreshTried string `json:"refreshTried,omitempty"`
	SummaryAsked string `json:"summaryAsked,omitempty"` // session and message keys of the last Get for a summary // session key and value of the last try
	LastMsg      string `json:"lastMsg,omitempty"`      // key of the last message reconciled
	// Left is the SessionID of the session in which the device asked to
	// be unenrolled (see Config.ForgetOnUnenroll), "" for none: the
	// tombstone that a forgotten device leaves, so that no Reconciler
	// sharing the Store records it again in that session. The next
	// session of the device clears it (see run.gone). It is stored only
	// when set, after the summary (see encodeSettled).
	Left string `json:"-"`
	// SumText is the text of the last summary read (as text) and Sum
	// what it reads to, so that a Reconciler that does not hold the
	// device does not parse the same summary again (binary formats only).
	// For a summary read from XML markup, SumText is its mark (see
	// markupMark) and Sum an empty summary, which no text matches: it
	// says only that the summary was checked.
	SumText string                  `json:"-"`
	Sum     *declaredconfig.Summary `json:"-"`
	// sumDocs, when Sum is nil, are the documents of a summary that a
	// load kept unread (see stateReader.keptSummary): the summary of
	// schema sumSchema that lists each of them, in order, as devices
	// write an entry, as last seen (its ID, Last.DevCS, Last.DevRC and
	// Last.State), with the identity classes. They are the documents as
	// loaded, never changed (see clone); summary reads it.
	sumDocs   []*docState
	sumSchema string
	// cls are the classes of the entries of clsSum made for the
	// documents clsSig names (Docs, then Removed; see run.classes), saved
	// with the summary while they are those of Sum and the documents
	// (format 3), so that a Reconciler that does not hold the device does
	// not make them again. They are never changed in place.
	cls    *classes
	clsSum *declaredconfig.Summary
	clsSig []docSig

	// bufs are where the copies of a clone are (Docs, Removed), for
	// release.
	bufs [2]*docsBuf
}

// stray is a summary entry of a document never declared.
type stray struct {
	Scope    declaredconfig.Scope `json:"scope"`
	ID       string               `json:"id"`
	Checksum string               `json:"checksum,omitempty"`
	RC       string               `json:"rc,omitempty"`
	State    string               `json:"state,omitempty"`
}

// The commands the reconciler sends for a document.
type cmdKind uint8

const (
	kSend    cmdKind = iota // Add or Replace of the document
	kVars                   // Replace of BulkVariables
	kGet                    // Get of the Results
	kAbandon                // Replace of Properties/Abandoned
	kDelete                 // Delete of the document
	nKinds
)

// docState is what the reconciler knows of one document on one device.
//
// The fields of a byte or less come first, together, so that a docState,
// which a run copies and compares in full, takes as few words as it can.
// Its head holds what a document kept as stored (settled, see
// materialize) needs and its status shows; the rest is in its tail
// (docTail), which such a document, the most of a steady state, loads
// without: its tail is noTail, shared and never changed. Every other
// docState has a tail of its own.
type docState struct {
	Scope     declaredconfig.Scope `json:"scope"`
	Host      declaredconfig.Host  `json:"host"`
	Abandoned bool                 `json:"abandoned,omitempty"`
	Repairing bool                 `json:"repairing,omitempty"` // re-declared after drift, not yet in sync
	// StrayHost marks a stray document the caller removes: its Host is
	// not known, so a Delete answered 404 is tried under the next Host.
	StrayHost bool `json:"strayHost,omitempty"`
	// Hint overrides the choice of Add or Replace after 418 (exists: 1)
	// or 404 (missing: -1); 2 and -2 say the same, learnt in this session
	// (where the other answer is then a refusal), and become 1 and -1
	// when the next one starts.
	Hint int8 `json:"hint,omitempty"`
	// Doc is the version declared now; its Checksum is Base or a
	// re-declared one. A document kept as stored has none: its ID is read
	// from stored and its checksum is Last.DevCS (see docID and
	// checksum), and the rest is read when it is materialized.
	Doc *declaredconfig.Document `json:"doc"`
	// stored, when not empty, is the stored form (format 3 or 4: a
	// settled document is written the same in both) of d, a
	// settled document kept as stored (see settled and materialize):
	// only the fields of its head are read (the others are zero when it
	// was loaded), and it is never changed.
	stored     string
	Redeclared int `json:"redeclared,omitempty"`
	// resultRaw is the last result read as a load of format 3 keeps it
	// (see result); Result (in the tail) the same read, or read from the
	// device.
	resultRaw string

	// Last is the status reported last time (the events are the changes).
	Last lastSeen `json:"last,omitzero"`

	// The tail comes last: equal compares the memory before it and the
	// tails apart.
	*docTail
}

// docTail is the part of a docState that a document kept as stored does
// not need (see docState).
type docTail struct {
	// rest, when not empty, is the stored form (format 2) of the fields
	// of Doc but its ID and Checksum, which are all that Doc then holds:
	// a loaded document is read in full only when it is needed (see
	// full).
	rest     string
	Base     string                       `json:"base"`
	Vars     *declaredconfig.InstanceBlob `json:"vars,omitempty"`
	VarsSent string                       `json:"varsSent,omitempty"` // checksum with which the variables were last acknowledged

	AbandonSet *bool `json:"abandonSet,omitempty"` // the value a 2xx Replace set

	// Acked is the checksum whose Add or Replace the device answered
	// 2xx, and AckedIn the session key.
	Acked   string `json:"acked,omitempty"`
	AckedIn string `json:"ackedIn,omitempty"`
	// Refused is the checksum the device refused with RefusedCode.
	Refused     string            `json:"refused,omitempty"`
	RefusedCode syncml.StatusCode `json:"refusedCode,omitempty"`
	// RefusedTries counts the refusals of Refused in a row.
	RefusedTries int `json:"refusedTries,omitempty"`
	// CmdRefused holds, per kind of the other commands (the Replace of
	// BulkVariables or Properties/Abandoned, the Delete), what the device
	// refused last; nil when it refused none (format 4; see
	// run.cmdRefused). It is replaced, never changed in place: the
	// clones of a state share it.
	CmdRefused *cmdRefusals `json:"-"`

	// Result is the last result read, or nil; a load of format 3 keeps
	// it as stored in resultRaw instead (see result).
	Result *declaredconfig.Result `json:"result,omitempty"`

	InSyncRC  string `json:"inSyncRC,omitempty"`  // result_checksum of the declared version in sync
	ResultsRC string `json:"resultsRC,omitempty"` // result_checksum whose results were read
	// GetDone names (checksum/result_checksum) the last Get of the
	// Results the device answered, whether with a result or not.
	GetDone string `json:"getDone,omitempty"`
	// ResultFail says which setting of Result failed; "" if none.
	ResultFail string `json:"resultFail,omitempty"`

	// Await holds, per command kind, the key of the message in which the
	// command was queued while its Status has not come back; Tried the
	// session key and what was tried, so that nothing is sent twice for
	// the same state within a session.
	Await [nKinds]string `json:"await,omitzero"`
	Tried [nKinds]string `json:"tried,omitzero"`

	// LastCS and LastRC are the version and result_checksum the head's
	// Last.Condition was set for, LastEvent the key of the last event
	// reported (see run.once); in JSON, they are in "last" (see
	// UnmarshalJSON).
	LastCS    string `json:"-"`
	LastRC    string `json:"-"`
	LastEvent string `json:"-"`
}

// cmdRefusals is what the device refused last of each kind of command
// of a document (kSend's refusal is docTail.Refused).
type cmdRefusals [nKinds]cmdRefusal

// A cmdRefusal is what a command of one kind sent (what want was given:
// the version, the Abandoned value, the version the device listed for a
// Delete), the status the device refused it with, and how many times in
// a row it refused it.
type cmdRefusal struct {
	What  string
	Code  syncml.StatusCode
	Tries int
}

// counting returns the refusal of rs, d's, that counts (see
// DocStatus.Refused; cs is d's version): its code and command, zero when
// none does.
func (rs *cmdRefusals) counting(d *docState, cs string) (syncml.StatusCode, DocCommand) {
	abandon := "0"
	if d.Abandoned {
		abandon = "1"
	}
	for _, x := range [...]struct {
		k    cmdKind
		what string
		c    DocCommand
	}{{kAbandon, abandon, SetAbandoned}, {kVars, cs, ReplaceBulkVariables}, {kDelete, d.Last.DevCS, DeleteDocument}} {
		if r := rs[x.k]; r.Tries > 0 && r.What == x.what {
			return r.Code, x.c
		}
	}
	if r := rs[kGet]; r.Tries > 0 && isGetOf(r.What, cs, d.Last.DevRC) {
		return r.Code, GetResults
	}
	return 0, 0
}

// cmdRefusal returns the refusal of d's command of kind k (zero: none).
func (d *docState) cmdRefusal(k cmdKind) cmdRefusal {
	if d.CmdRefused == nil {
		return cmdRefusal{}
	}
	return d.CmdRefused[k]
}

// setCmdRefusal sets the refusal of d's command of kind k (zero: none)
// in a new cmdRefusals (see docTail.CmdRefused), nil when none is left.
func (d *docState) setCmdRefusal(k cmdKind, r cmdRefusal) {
	if d.cmdRefusal(k) == r {
		return
	}
	var n cmdRefusals
	if d.CmdRefused != nil {
		n = *d.CmdRefused
	}
	n[k] = r
	if n == (cmdRefusals{}) {
		d.CmdRefused = nil
		return
	}
	d.CmdRefused = &n
}

// docID returns the DocID of d: Doc's, or that of a document kept as
// stored, which has no Doc (see materialize): read from stored, where it
// is the first string (see storedID).
func (d *docState) docID() string {
	if d.Doc != nil {
		return d.Doc.ID
	}
	return storedID(d.stored)
}

// checksum returns the version of d declared now: Doc's, or that of a
// document kept as stored, which is settled: the one the device reported
// (Last.DevCS).
func (d *docState) checksum() string {
	if d.Doc != nil {
		return d.Doc.Checksum
	}
	return d.Last.DevCS
}

// reason returns d's Last.Reason; a document loaded as stored (without
// a body) has none set: it is settled, and its reason is its state's name
// (see settled).
func (d *docState) reason() string {
	if d.Doc == nil {
		return stateName(declaredconfig.State(d.Last.State))
	}
	return d.Last.Reason
}

// noTail is the tail of the documents a load keeps as stored: all zero,
// as a load of their head leaves it, and never changed (a document is
// materialized before anything of it changes).
var noTail docTail

// UnmarshalJSON reads d as encoding/json does, into a tail of its own,
// with the fields of the tail that JSON writes in "last" (the states
// stored before format 1).
func (d *docState) UnmarshalJSON(b []byte) error {
	type plain docState // without this method
	if d.docTail == nil {
		d.docTail = &docTail{}
	}
	if err := json.Unmarshal(b, (*plain)(d)); err != nil {
		return err
	}
	var last struct {
		Last struct {
			Checksum string `json:"cs"`
			RC       string `json:"rc"`
			Event    string `json:"ev"`
		} `json:"last"`
	}
	if err := json.Unmarshal(b, &last); err != nil {
		return err
	}
	d.LastCS, d.LastRC, d.LastEvent = last.Last.Checksum, last.Last.RC, last.Last.Event
	return nil
}

// lastSeen is what decides whether an event is new, with the tail's
// LastCS, LastRC and LastEvent: the condition last reported and its
// reason, and what the device reported then.
type lastSeen struct {
	Condition DocCondition `json:"c"`
	Reported  bool         `json:"rep,omitempty"`
	State     uint32       `json:"st,omitempty"`
	Reason    string       `json:"r,omitempty"`
	DevCS     string       `json:"dcs,omitempty"`
	DevRC     string       `json:"drc,omitempty"`
}

// settled reports whether d is in sync and a run that finds its summary
// entry as last seen (Last.Reported, Last.State, Last.DevCS, Last.DevRC)
// changes nothing of it (see run.document): the device applied the
// declared version, its results were read and no setting failed,
// Applied was reported, nothing is awaited or was tried in a session,
// nothing else is to be sent for it, and no refusal of another command
// is kept (its tail, which a load skips, would hold it). Such a document
// is written with
// fSettled, and a load keeps it as stored: what such a run reads of it is
// in its head.
func (d *docState) settled() bool {
	cur, rc, l := d.checksum(), d.Last.DevRC, &d.Last
	s := declaredconfig.State(l.State)
	if cur == "" || l.Condition != InSync || !l.Reported || l.DevCS != cur || !s.Succeeded() || s.Deleted() ||
		d.Abandoned || d.AbandonSet != nil && *d.AbandonSet || d.Refused == cur || d.Repairing ||
		d.ResultsRC != rc || !d.hasResult() || d.ResultFail != "" || d.InSyncRC != rc || d.CmdRefused != nil ||
		l.Reason != stateName(s) || d.LastCS != cur || d.LastRC != rc || d.AckedIn != "" ||
		d.Host == declaredconfig.BulkTemplate && d.Vars != nil && d.VarsSent != cur {
		return false
	}
	for k := range d.Await {
		if d.Await[k] != "" || d.Tried[k] != "" {
			return false
		}
	}
	// The event Applied or Repaired of cur was the last reported (see
	// run.once).
	return lastEvent(d.LastEvent, Applied, cur) || lastEvent(d.LastEvent, Repaired, cur)
}

// headSettled checks what the head of a document marked settled says,
// its flags those it was written with (see settled), so that a damaged
// state does not keep a document that is not.
func (d *docState) headSettled(flags byte) bool {
	cur, l := d.checksum(), &d.Last
	s := declaredconfig.State(l.State)
	return cur != "" && l.Condition == InSync && l.Reported && s.Succeeded() && !s.Deleted() &&
		!d.Abandoned && flags&fAbandonTrue == 0 && !d.Repairing && d.resultRaw != ""
}

// unchanged reports whether a run that finds e as d's summary entry (nil:
// not listed) changes nothing of d, kept as stored (settled). It reads
// the entry in place: a settled document, the most of a steady state,
// makes no DocumentStatus.
func (d *docState) unchanged(e *declaredconfig.SummaryEntry) bool {
	return e != nil && uint32(stateOf(e.State)) == d.Last.State &&
		e.Checksum == d.Last.DevCS && e.ResultChecksum == d.Last.DevRC
}

// keepSettled keeps the settled documents of st (a copy of a state
// saved as b, spans saying where each was written) as stored, as a load
// of b would: the next run that finds their entries as last seen skips
// them, and they are neither copied nor compared (see clone).
func (st *deviceState) keepSettled(b []byte, spans []docSpan) {
	if len(spans) == 0 {
		return
	}
	s := string(b)
	for _, sp := range spans {
		if d := st.Docs[sp.i]; d.stored == "" {
			d.stored = s[sp.start:sp.end]
		}
	}
}

// read returns d, kept as stored, read in full (a new docState with a
// body of its own); what does not read is an error
// matching ErrStoredState.
func (d *docState) read() (*docState, error) {
	b := &struct {
		d    docState
		t    docTail
		body declaredconfig.Document
	}{}
	x := &b.d
	x.docTail, x.Doc = &b.t, &b.body
	r := stateReader{s: d.stored, n: len(d.stored), v: stateFormat, left: 1}
	r.doc(x, false)
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the document", len(r.s))
	}
	if r.err != nil {
		return nil, errorf("document %s: %w", d.docID(), r.err)
	}
	return x, nil
}

// materialize returns d, a document of st, ready to be read and changed:
// d, or when d is kept as stored, a copy of it read in full that takes
// its place in st. A document kept as stored is shared by the clones of
// a state (see clone) and never changed: everything that reads more than
// its head or changes it goes through materialize.
func (st *deviceState) materialize(d *docState) (*docState, error) {
	if d.stored == "" {
		return d, nil
	}
	x, err := d.read()
	if err != nil {
		return nil, err
	}
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for i := range list {
			if list[i] == d {
				list[i] = x
			}
		}
	}
	return x, nil
}

// materializeAll materializes every document of st.
func (st *deviceState) materializeAll() error {
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if _, err := st.materialize(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasResult reports whether a result was read for d (Result or
// resultRaw).
func (d *docState) hasResult() bool { return d.Result != nil || d.resultRaw != "" }

func (d *docState) uri(n declaredconfig.Node) declaredconfig.URI {
	u := declaredconfig.DocumentURI(d.Scope, d.Host, d.docID())
	switch n {
	case declaredconfig.NodeResults:
		u = declaredconfig.ResultsURI(d.Scope, d.Host, d.docID())
	case declaredconfig.NodeAbandoned:
		u = declaredconfig.AbandonedURI(d.Scope, d.docID())
	case declaredconfig.NodeBulkVariables:
		u = declaredconfig.BulkVariablesURI(d.Scope, d.docID())
	}
	return u
}

// is reports whether d is the document (scope, host, id); host 0 matches
// any host.
func (d *docState) is(s declaredconfig.Scope, h declaredconfig.Host, id string) bool {
	return d.Scope == s && (h == 0 || d.Host == h) && declaredconfig.EqualDocID(d.docID(), id)
}

// status returns the public view of d.
func (d *docState) status() DocStatus {
	var st [1]DocStatus
	statusInto(st[:], []*docState{d})
	return st[0]
}

// statusInto sets out[i], zero, to the public view of list[i], field by
// field: what is zero already (a document kept as stored has no Result)
// is not written. It is one loop, without a call per document: a status
// shows every document of a device.
func statusInto(out []DocStatus, list []*docState) {
	out = out[:len(list)]
	for i, d := range list {
		st := &out[i]
		var id, cs, reason string
		if d.Doc != nil {
			id, cs, reason = d.Doc.ID, d.Doc.Checksum, d.Last.Reason
		} else {
			// Kept as stored (see docID and reason): the name of a
			// state devices report is looked up here, without a call.
			var ok bool
			if id, ok = storedIDShort(d.stored); !ok {
				id = storedID(d.stored)
			}
			cs = d.Last.DevCS
			if s := d.Last.State; s < uint32(len(stateNames)) {
				reason = stateNames[s]
			} else {
				reason = d.reason()
			}
		}
		st.URI = declaredconfig.URI{Scope: d.Scope, Host: d.Host, DocID: id, Node: declaredconfig.NodeDocument}
		st.Checksum, st.Redeclared, st.Condition, st.Reason = cs, d.Redeclared, d.Last.Condition, reason
		st.Reported, st.State = d.Last.Reported, declaredconfig.State(d.Last.State)
		st.DeviceChecksum, st.ResultChecksum, st.resultRaw = d.Last.DevCS, d.Last.DevRC, d.resultRaw
		if d.Doc != nil {
			// A document kept as stored has neither: its tail is noTail
			// and its checksum is not empty (see headSettled).
			if d.Result != nil {
				st.result = d.Result
			}
			if d.Refused == cs && d.RefusedCode != 0 {
				st.Refused, st.RefusedCmd = d.RefusedCode, SendDocument
			} else if d.CmdRefused != nil {
				st.Refused, st.RefusedCmd = d.CmdRefused.counting(d, cs)
			}
		}
	}
}

func (st *deviceState) status(device string) *DeviceStatus {
	n := len(st.Docs) + len(st.Removed)
	ds := &DeviceStatus{Device: device, RefreshInterval: st.RefreshRead, Queued: int(st.Queued),
		Docs: make([]DocStatus, n, n+len(st.Stray))}
	ds.SummaryRefused, ds.SummaryRefusals = st.summaryRefusal()
	statusInto(ds.Docs, st.Docs)
	statusInto(ds.Docs[len(st.Docs):], st.Removed)
	for _, s := range st.Stray {
		ds.Docs = append(ds.Docs, strayStatus(s))
	}
	return ds
}

// strayStatus returns the public view of s: Host zero, not known.
func strayStatus(s stray) DocStatus {
	return DocStatus{
		URI:            declaredconfig.URI{Scope: s.Scope, DocID: s.ID, Node: declaredconfig.NodeDocument},
		Condition:      Stray,
		Reason:         "listed by the device, never declared to it",
		Reported:       true,
		State:          stateOf(s.State),
		DeviceChecksum: s.Checksum,
		ResultChecksum: s.RC,
	}
}

// stateNames holds declaredconfig.State.String of the states below 100
// (those devices report), so that naming the state of every document of
// every message looks up no map.
var stateNames = func() (names [100]string) {
	for i := range names {
		names[i] = declaredconfig.State(i).String()
	}
	return names
}()

// stateName returns s.String().
func stateName(s declaredconfig.State) string {
	if s < declaredconfig.State(len(stateNames)) {
		return stateNames[s]
	}
	return s.String()
}

// stateOf reads a summary entry's state as declaredconfig.ParseState does,
// 0 when it does not read; the one to three digits devices write are
// read here.
func stateOf(s string) declaredconfig.State {
	if n := len(s); n > 0 && n <= 3 {
		v := declaredconfig.State(0)
		for i := 0; i < n; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				goto slow
			}
			v = v*10 + declaredconfig.State(c-'0')
		}
		return v
	}
slow:
	v, _ := declaredconfig.ParseState(s)
	return v
}

// update loads the state of device, lets f change it, and saves it with
// compare-and-swap, trying again from a fresh load on a conflict. f may
// run several times; it must derive everything from the state it is
// given. The state is saved only when f changed it or asks for it (its
// first result).
func (r *Reconciler) update(ctx context.Context, device string, f func(*deviceState) (bool, error)) (*deviceState, error) {
	if device == "" {
		// no session names it (Reconcile refuses a message without one)
		return nil, errorf("device \"\": no device has that ID: %w", ErrInvalid)
	}
	// Updates of one device by this Reconciler take turns; only other
	// instances sharing the store can then make a compare-and-swap lose.
	sem := r.turnOf(device)
	held, err := takeTurn(ctx, sem)
	if err != nil {
		return nil, errorf("device %s: %w", shown(device), err)
	}
	if held {
		defer func() { <-sem }()
	}
	var last error
	for attempt := range r.maxRetries() {
		var (
			raw    string
			ver    uint64
			err    error
			before *deviceState
			missed = uint64(0) // a version looked for in the cache, not held
		)
		if vs, ok := r.store.(VersionedStore); ok {
			if ver, err = vs.Version(ctx, device); err != nil {
				return nil, errorf("device %s: the version of its state: %w", shown(device), err)
			}
			if before = r.cached(device, ver); before == nil {
				missed = ver
			}
		}
		if before == nil {
			if raw, ver, err = r.loadStored(ctx, device); err != nil {
				return nil, err
			}
			if ver != missed {
				// Saved since its version was read.
				before = r.cached(device, ver)
			}
		}
		var dropped []DocStatus
		if before == nil {
			if before, err = r.decode(raw); err != nil {
				return nil, errorf("device %s: %w", shown(device), err)
			}
			// Repaired as loaded: saved so, and told once saved.
			dropped = before.dropRepeated()
		}
		st := before.clone()
		force, err := f(st)
		if err != nil {
			return nil, err
		}
		force = force || dropped != nil
		if !force && st.same(before) {
			// Nothing to save: the copy goes back for the next update.
			st.release()
			r.remember(device, ver, before, len(raw), true)
			return before, nil
		}
		w, spans, err := encodeSettled(st)
		b := w.b
		if err != nil {
			return nil, errorf("device %s: saving its state: %w", shown(device), err)
		}
		nv, err := r.store.CompareAndSwap(ctx, device, ver, b)
		if err != nil {
			if errors.Is(err, ErrConflict) {
				last = err
				if attempt+1 < r.maxRetries() {
					if err := backoff.Wait(ctx, attempt+1); err != nil {
						return nil, errorf("device %s: %w", shown(device), err)
					}
				}
				continue
			}
			return nil, errorf("device %s: saving its state: %w", shown(device), err)
		}
		keep := st.clone()
		if !r.eager {
			keep.keepSettled(b, spans)
		}
		// The copy holds its strings where the run found them (they
		// take some of what the state takes as stored, but its summary:
		// see cacheEntry.count), and b when it keeps documents as
		// stored; what it holds parsed (documents, results, instance
		// data) takes some twice its stored form more.
		held := len(b) - w.sumBytes + 2*w.parsed
		if len(spans) > 0 && !r.eager {
			held += len(b)
		}
		r.remember(device, nv, keep, held, false)
		r.tellRepeated(ctx, device, dropped, st.Docs)
		return st, nil
	}
	return nil, errorf("device %s: %d attempts to save its state: %w", shown(device), r.maxRetries(), last)
}

// clone returns a copy of st that can be changed without changing st.
// Documents, results and instance data are shared: they are never
// changed in place, only replaced; so are the documents kept as stored
// (see materialize).
func (st *deviceState) clone() *deviceState {
	c, _ := statePool.Get().(*deviceState)
	if c == nil {
		c = new(deviceState)
	}
	*c = *st
	c.bufs = [2]*docsBuf{}
	c.Docs = cloneDocs(st.Docs, &c.bufs[0])
	c.Removed = cloneDocs(st.Removed, &c.bufs[1])
	c.Stray = slices.Clone(st.Stray)
	return c
}

// statePool keeps the clones that an update did not need (see release).
var statePool sync.Pool

// docsPool keeps the copies that an update did not need.
var docsPool sync.Pool

// docsBuf holds the copies of one list of documents, made in one array,
// and their tails in another.
type docsBuf struct {
	ptrs  []*docState
	docs  []docState
	tails []docTail
}

// cloneDocs copies list into a buffer from docsPool, which it records in
// *buf.
func cloneDocs(list []*docState, buf **docsBuf) []*docState {
	if list == nil {
		return nil
	}
	b, _ := docsPool.Get().(*docsBuf)
	if b == nil || cap(b.docs) < len(list) {
		b = &docsBuf{ptrs: make([]*docState, len(list)), docs: make([]docState, len(list)), tails: make([]docTail, len(list))}
	}
	b.ptrs, b.docs, b.tails = b.ptrs[:len(list)], b.docs[:len(list)], b.tails[:len(list)]
	for i, d := range list {
		if d.stored != "" {
			// Never changed: shared (see materialize).
			b.ptrs[i] = d
			continue
		}
		b.docs[i] = *d
		b.tails[i] = *d.docTail
		b.docs[i].docTail = &b.tails[i]
		b.ptrs[i] = &b.docs[i]
	}
	*buf = b
	return b.ptrs
}

// release gives the copies of a clone back to docsPool, and the clone,
// cleared, to statePool; st must not be used after. The copies are not
// cleared: the next clone overwrites what it uses, and the pool lets go
// of its buffers within two collections.
func (st *deviceState) release() {
	for _, b := range st.bufs {
		if b != nil {
			docsPool.Put(b)
		}
	}
	*st = deviceState{}
	statePool.Put(st)
}

// same reports whether st holds what before holds, but for the key of the
// last message reconciled. Documents, results and instance data compare
// by pointer: they are replaced, never changed in place.
func (st *deviceState) same(before *deviceState) bool {
	return sameDocs(st.Docs, before.Docs) && sameDocs(st.Removed, before.Removed) &&
		slices.Equal(st.Stray, before.Stray) && st.StrayOver == before.StrayOver &&
		st.Refresh == before.Refresh && st.RefreshSet == before.RefreshSet && st.RefreshRead == before.RefreshRead &&
		st.RefreshAwait == before.RefreshAwait && st.RefreshTried == before.RefreshTried && st.Queued == before.Queued &&
		st.SummaryAsked == before.SummaryAsked && st.SumText == before.SumText && st.Left == before.Left
}

// sameDocs reports whether the lists a and b hold equal documents, in
// the same order (see equal).
func sameDocs(a, b []*docState) bool {
	if len(a) != len(b) {
		return false
	}
	for i, x := range a {
		// The same pointer, a document kept as stored and shared (see
		// clone), is told here without calling equal.
		if y := b[i]; x != y && !x.equal(y) {
			return false
		}
	}
	return true
}

// equal is *x == *y with their tails compared as values (other pointers
// compare as pointers), but for rest, which is not compared: it is set
// only with a new Doc (by a load), so the same Doc has the same rest.
//
// A copy that a run left as it was holds the same bytes as the original
// (its strings point where the original's do), which one comparison of
// the memory of both (head, then tail) tells; only when they differ are
// the fields compared one by one (a string may have been set to an equal
// one held elsewhere).
func (x *docState) equal(y *docState) bool {
	if x == y {
		return true // a document kept as stored, shared (see clone)
	}
	if x.stored != "" || y.stored != "" {
		// One kept as stored (without a body), the other read in full,
		// or two copies of one: the same when it would be saved the
		// same.
		return x.record() == y.record()
	}
	const head, tail = unsafe.Offsetof(docState{}.docTail), unsafe.Sizeof(docTail{})
	if unsafe.String((*byte)(unsafe.Pointer(x)), head) == unsafe.String((*byte)(unsafe.Pointer(y)), head) &&
		(x.docTail == y.docTail ||
			unsafe.String((*byte)(unsafe.Pointer(x.docTail)), tail) == unsafe.String((*byte)(unsafe.Pointer(y.docTail)), tail)) {
		return true
	}
	return x.fieldsEqual(y)
}

// record returns the stored form of d (format 4).
func (d *docState) record() string {
	if d.stored != "" {
		return d.stored
	}
	var w stateWriter
	w.doc(d)
	return string(w.b)
}

// fieldsEqual is equal field by field, with the empty strings, most of a
// steady document's, compared without a call.
func (x *docState) fieldsEqual(y *docState) bool {
	return x.Scope == y.Scope && x.Host == y.Host && x.Doc == y.Doc && x.Redeclared == y.Redeclared &&
		x.Vars == y.Vars && x.Abandoned == y.Abandoned && x.AbandonSet == y.AbandonSet &&
		x.RefusedCode == y.RefusedCode && x.RefusedTries == y.RefusedTries && x.Hint == y.Hint &&
		x.Result == y.Result && x.resultRaw == y.resultRaw && x.Repairing == y.Repairing && x.StrayHost == y.StrayHost &&
		x.Last.Condition == y.Last.Condition && x.Last.Reported == y.Last.Reported && x.Last.State == y.Last.State &&
		eqs(x.Base, y.Base) && eqs(x.VarsSent, y.VarsSent) && eqs(x.Acked, y.Acked) && eqs(x.AckedIn, y.AckedIn) &&
		eqs(x.Refused, y.Refused) && eqs(x.InSyncRC, y.InSyncRC) && eqs(x.ResultsRC, y.ResultsRC) &&
		eqs(x.GetDone, y.GetDone) && eqs(x.ResultFail, y.ResultFail) &&
		eqs(x.LastCS, y.LastCS) && eqs(x.LastRC, y.LastRC) && eqs(x.Last.Reason, y.Last.Reason) &&
		eqs(x.Last.DevCS, y.Last.DevCS) && eqs(x.Last.DevRC, y.Last.DevRC) && eqs(x.LastEvent, y.LastEvent) &&
		eqMarks(&x.Await, &y.Await) && eqMarks(&x.Tried, &y.Tried) &&
		(x.CmdRefused == y.CmdRefused || x.CmdRefused != nil && y.CmdRefused != nil && *x.CmdRefused == *y.CmdRefused)
}

func eqs(a, b string) bool { return len(a) == len(b) && (len(a) == 0 || a == b) }

func eqMarks(a, b *[nKinds]string) bool {
	for k := range a {
		if !eqs(a[k], b[k]) {
			return false
		}
	}
	return true
}

// loadStored returns the stored state of device and its version. The
// state of a sharedLoader (the default store) is read in place; that of
// another Store is copied once, into the string a decoded state keeps
// parts of: Store.Load does not promise that the bytes it returns stay
// as they are. A session.MemoryStore's state is read in place too (it
// never changes a state it handed out); another readOnlyLoader hands out
// the state it keeps, which this one copy then reads.
func (r *Reconciler) loadStored(ctx context.Context, device string) (string, uint64, error) {
	if sl, ok := r.store.(sharedLoader); ok {
		raw, ver, err := sl.loadShared(ctx, device)
		if err != nil {
			return "", 0, errorf("device %s: loading its state: %w", shown(device), err)
		}
		return raw, ver, nil
	}
	if ms, ok := r.store.(*session.MemoryStore); ok {
		raw, ver, err := ms.LoadShared(ctx, device)
		if err != nil {
			return "", 0, errorf("device %s: loading its state: %w", shown(device), err)
		}
		// Read in place, as a Server reads its session's state (the
		// strings of syncml.UnmarshalOwned alias it): a MemoryStore never
		// changes a state it handed out, it replaces it with a new copy
		// (session.TestMemoryStoreLoadShared).
		return unsafe.String(unsafe.SliceData(raw), len(raw)), ver, nil
	}
	load := r.store.Load
	if ro, ok := r.store.(readOnlyLoader); ok {
		load = ro.LoadShared // copied once below, not twice
	}
	raw, ver, err := load(ctx, device)
	if err != nil {
		return "", 0, errorf("device %s: loading its state: %w", shown(device), err)
	}
	return string(raw), ver, nil
}

// A readOnlyLoader is a Store that hands out the state it keeps rather
// than a copy (session.MemoryStore.LoadShared); the caller must not
// change it, and the store does not either.
type readOnlyLoader interface {
	LoadShared(ctx context.Context, device string) (state []byte, version uint64, err error)
}

// load returns the state of device.
func (r *Reconciler) load(ctx context.Context, device string) (*deviceState, error) {
	raw, _, err := r.loadStored(ctx, device)
	if err != nil {
		return nil, err
	}
	st, err := r.decode(raw)
	if err != nil {
		return nil, errorf("device %s: %w", shown(device), err)
	}
	// Shown repaired; the next update saves it so, and tells it.
	st.dropRepeated()
	return st, nil
}

// decode is decodeStored, which reads any scope and host, refusing a
// state that names one a Reconciler never writes (see checkScopes); a
// Reconciler made to read every document in full (tests only) does so
// at once, and reads the summary too.
func (r *Reconciler) decode(raw string) (*deviceState, error) {
	st, err := decodeStored(raw)
	if err == nil {
		err = checkScopes(st)
	}
	if err == nil && r.eager {
		st.summary()
		err = st.materializeAll()
	}
	return st, err
}

// checkScopes reports a document whose scope or host, or a stray whose
// scope, is none a Reconciler writes (a damaged state): a document is
// decided among those of its scope, and addressed under its host.
func checkScopes(st *deviceState) error {
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d.Scope > declaredconfig.User || d.Host < declaredconfig.Complete || d.Host > declaredconfig.BulkTemplate {
				return errorf("%w: document %q: scope %v, host %v", ErrStoredState, d.docID(), d.Scope, d.Host)
			}
		}
	}
	for _, s := range st.Stray {
		if s.Scope > declaredconfig.User {
			return errorf("%w: a document %q the device holds: scope %v", ErrStoredState, s.ID, s.Scope)
		}
	}
	return nil
}

// turnWait bounds how long an update waits for its turn before it goes
// on without it: the compare-and-swap keeps it correct either way, and a
// callback that calls the Reconciler from inside an update (a
// Config.NextChecksum that declares, say) is then slowed, not deadlocked.
const turnWait = 50 * time.Millisecond

// takeTurn takes sem (a channel of capacity 1): at once when it is free,
// else within turnWait; held tells whether it was taken. It fails only
// when ctx ends first.
func takeTurn(ctx context.Context, sem chan struct{}) (held bool, err error) {
	select {
	case sem <- struct{}{}:
		return true, nil
	default:
	}
	t := time.NewTimer(turnWait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return true, nil
	case <-t.C:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// turnSem is a channel of capacity 1 whose holder takes its turn.
type turnSem struct{ c chan struct{} }

// turnOf returns the semaphore of device's turn, made on first use (a
// Reconciler made for one device does not make all of them).
func (r *Reconciler) turnOf(device string) chan struct{} {
	slot := &r.locks[lockIndex(device)]
	if t := slot.Load(); t != nil {
		return t.c
	}
	slot.CompareAndSwap(nil, &turnSem{c: make(chan struct{}, 1)})
	return slot.Load().c
}

// lockIndex picks the lock of device among Reconciler.locks (FNV-1a).
func lockIndex(device string) int {
	h := uint32(2166136261)
	for i := 0; i < len(device); i++ {
		h = (h ^ uint32(device[i])) * 16777619
	}
	return int(h % uint32(len(Reconciler{}.locks)))
}
