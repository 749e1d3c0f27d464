package reconcile

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// The stored state of a device is binary since format 1: its first byte is
// the format, then every field of deviceState in a fixed order, with
// documents, results and instance data written field by field, so that
// loading a state parses no XML. The last summary the device sent is kept
// with its text, so that the same summary is not parsed again. Integers
// are varints, strings and lists a uvarint length and their content, an
// optional value a presence byte. Format 2 writes a declared document as
// its ID, its checksum and then the rest of its fields as one string
// (docState.rest), which a load keeps as it is: the body is read only when
// the document is sent, re-declared or returned. Formats 1, 2 and JSON
// (the format before, whose first byte is '{') still load, as does format
// 3; the next save writes format 4. Format 3 writes the number of command
// kinds once, after the format; a document as its scope, host, flags,
// condition and hint in five bytes, a mask of its strings that are not
// empty and a mask of those written as a reference to an earlier one (a
// byte: its number), four bytes each, four numbers and those strings of
// its head (its ID, checksum, its last result read as one string,
// docState.resultRaw, read only when a status is asked for it:
// DocStatus.Result, and the result_checksum the device reported), then its
// tail as one string: its other strings (the first the rest of its fields
// as in format 2) and its instance data. A document marked settled
// (fSettled) is loaded up to its tail and kept as stored (what its status
// needs of the tail, it reads from the head): a run that finds its summary
// entry as last seen reads nothing more of it, and a save writes it back
// as it was read; a summary entry as a byte of its parts present (or a
// reference to the document whose DocID, DevCS and DevRC it holds) and
// those parts, or, for an entry as devices write it of a document, eCanon
// and the document's number; then, when they were made for the summary and
// documents saved, the classes of the summary's entries (a byte: none,
// listed, or clsIdentity). Most of what a steady state holds then reads in
// a few loops, without a call per field, and a load classifies nothing; a
// steady device's summary (every entry eCanon, in the order of the
// documents) is not even read: it is made of the documents' heads when it
// is needed (see keptSummary). Format 4 is format 3 with, at the end of a
// document's tail, the refusals of its other commands when it has any (see
// stateWriter.cmdRefusals): a document of format 3 reads as one of format
// 4, and a document kept as stored is written back as it was read. A
// state of format 4 may end, after its summary, with the SessionID of the
// session in which the device asked to be unenrolled (deviceState.Left),
// written only when set: a state without it is as before.
const stateFormat = 4

// restMinBytes is the least the rest of a document takes (format 2):
// three empty strings, no attributes, no reflected properties, no CSP, no
// DSC, no unknown element.
const restMinBytes = 8

// encodeState returns the stored form of st (format 4, stateFormat).
func encodeState(st *deviceState) ([]byte, error) {
	w, _, err := encodeSettled(st)
	return w.b, err
}

// encodeSettled is encodeState, which returns its stateWriter (what it
// wrote, and of what: see stateWriter), and where it wrote each settled
// document of st.Docs (see keepSettled).
func encodeSettled(st *deviceState) (*stateWriter, []docSpan, error) {
	w := &stateWriter{b: make([]byte, 0, 512)}
	w.b = append(w.b, stateFormat, byte(nKinds))
	w.uint(uint64(len(st.Docs)))
	var spans []docSpan
	for i, d := range st.Docs {
		start := len(w.b)
		if w.doc(d) {
			spans = append(spans, docSpan{i, start, len(w.b)})
		}
	}
	w.docs(st.Removed)
	w.uint(uint64(len(st.Stray)))
	for _, s := range st.Stray {
		w.uint(uint64(s.Scope))
		w.str(s.ID)
		w.str(s.Checksum)
		w.str(s.RC)
		w.str(s.State)
	}
	w.int(int64(st.StrayOver))
	w.uint(uint64(st.Refresh))
	w.uint(uint64(st.RefreshSet))
	w.str(st.RefreshRead)
	w.str(st.RefreshAwait)
	w.str(st.RefreshTried)
	w.str(st.SummaryAsked)
	w.int(int64(st.Queued))
	w.str(st.LastMsg)
	at := len(w.b)
	sum := st.summary()
	w.bool(sum != nil)
	if sum != nil {
		w.str(st.SumText)
		c := st.cls
		ok := c != nil && st.clsSum == sum && len(st.clsSig) == len(st.Docs)+len(st.Removed) &&
			sameSig(st.clsSig[:len(st.Docs)], st.Docs) && sameSig(st.clsSig[len(st.Docs):], st.Removed) &&
			len(c.class) == len(sum.Documents) && len(c.first) == len(c.class) && len(c.docEntry) == len(st.clsSig)
		if ok {
			w.summary(sum, c, st.Docs, st.Removed)
		} else {
			w.summary(sum, nil, nil, nil)
		}
		switch {
		case !ok:
			w.b = append(w.b, 0)
		case c.identity():
			w.b = append(w.b, clsIdentity)
		default:
			w.b = append(w.b, 1)
			w.classes(c)
		}
	}
	w.sumBytes = len(w.b) - at
	if st.Left != "" {
		// Last, and only when set: a state without it is written as
		// before it was added.
		w.str(st.Left)
	}
	return w, spans, nil
}

// decodeState reads a stored state: empty (a device never seen), format
// 1, 2 or 3, or the JSON of the format before, its summary read. What does
// not read is an error matching ErrStoredState, never a panic.
func decodeState(raw []byte) (*deviceState, error) {
	st, err := decodeStored(string(raw))
	if err == nil {
		st.summary()
	}
	return st, err
}

// decodeStored is decodeState of a state held as a string, which the
// state returned keeps parts of: the strings decoded are parts of it. A
// steady device's summary is kept unread (see keptSummary).
func decodeStored(raw string) (*deviceState, error) {
	switch {
	case len(raw) == 0:
		return &deviceState{}, nil
	case raw[0] >= 1 && raw[0] <= stateFormat:
		return decodeBinary(raw, true)
	case raw[0] == '{' || raw[0] == ' ' || raw[0] == '\t' || raw[0] == '\n' || raw[0] == '\r':
		return decodeJSON([]byte(raw))
	}
	return nil, errorf("%w: format %d unknown", ErrStoredState, raw[0])
}

func decodeJSON(raw []byte) (*deviceState, error) {
	st := &deviceState{}
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, errorf("%w: %w", ErrStoredState, err)
	}
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d == nil || d.Doc == nil {
				return nil, errorf("%w: a document without its body", ErrStoredState)
			}
			d.dropOddRefusals()
			if bad := d.badRefusal(); bad != "" {
				return nil, errorf("%w: document %q: %s", ErrStoredState, d.Doc.ID, bad)
			}
		}
	}
	upgradeDeleteRefusals(st.Removed)
	return st, nil
}

// upgradeDeleteRefusals moves the refusal of a Delete that a state of a
// format before 4 kept in RefusedCode (of a document being removed, whose
// Refused Remove cleared) to CmdRefused, refused once, of the version the
// device listed last: the Delete is then not sent again, nor its refusal
// reported again, after an upgrade.
//
// Such a state sent a Delete for any version listed: it kept it awaited
// and tried without the version (see run.want), which format 4 compares
// with the version listed. The Delete is given Last.DevCS, which is the
// version listed when it was sent: run.removed sets it just before, and
// skips the document while the Delete is awaited. When it was answered
// and a later message of the same session listed another version,
// Last.DevCS is that one: the Delete is not sent again in that session,
// as format 3 did not send it either, but in the next. Without it, a
// Delete awaited and then refused would be recorded as refused for no
// version, and sent again at once for the version listed (and its
// refusal reported again).
func upgradeDeleteRefusals(removed []*docState) {
	for _, d := range removed {
		if d == nil || d.docTail == nil || d.docTail == &noTail {
			continue
		}
		if d.Refused == "" && d.RefusedCode != 0 {
			d.setCmdRefusal(kDelete, cmdRefusal{What: d.Last.DevCS, Code: d.RefusedCode, Tries: 1})
			d.RefusedCode, d.RefusedTries = 0, 0
		}
		if a := d.Await[kDelete]; strings.HasSuffix(a, "\x00") && strings.Count(a, "\x00") == 1 {
			d.Await[kDelete] = a + d.Last.DevCS
		}
		if t := d.Tried[kDelete]; strings.HasSuffix(t, "\x00") && strings.Count(t, "\x00") == 2 {
			d.Tried[kDelete] = t + d.Last.DevCS
		}
	}
}

// decodeBinary reads a binary state; with keepSum, a steady device's
// summary is kept unread (see keptSummary), else read at once.
func decodeBinary(raw string, keepSum bool) (*deviceState, error) {
	r := stateReader{s: raw[1:], n: len(raw), v: raw[0]}
	if r.v >= 3 {
		if k := r.uint(); k != uint64(nKinds) {
			r.fail("%d kinds of command, not %d", k, nKinds)
		}
	}
	b := &loadedState{}
	st := &b.st
	st.Docs = r.docs(true, b.docs[:0])
	st.Removed = r.docs(false, nil)
	if r.v < 4 && r.err == nil {
		upgradeDeleteRefusals(st.Removed)
	}
	if n := r.count(5); n > 0 {
		st.Stray = make([]stray, n)
		for i := range st.Stray {
			s := &st.Stray[i]
			s.Scope = declaredconfig.Scope(r.small(255))
			s.ID, s.Checksum, s.RC, s.State = r.str(), r.str(), r.str(), r.str()
		}
	}
	st.StrayOver = int32(r.int())
	st.Refresh = uint32(r.small(1<<32 - 1))
	st.RefreshSet = uint32(r.small(1<<32 - 1))
	st.RefreshRead, st.RefreshAwait, st.RefreshTried, st.SummaryAsked = r.str(), r.str(), r.str(), r.str()
	st.Queued = int32(r.int())
	st.LastMsg = r.str()
	// The summary is the last field, and optional.
	if len(r.s) > 0 && r.bool() {
		st.SumText = r.str()
		if !keepSum || r.v < 3 || r.err != nil || !r.keptSummary(st) {
			st.Sum = r.summary(st.Docs, st.Removed)
		}
		// Its classes follow, but for one kept unread (or that failed).
		if st.Sum != nil && r.v >= 3 {
			var k byte
			if len(r.s) > 0 {
				k, r.s = r.s[0], r.s[1:]
			} else {
				r.fail("no kind of classes")
			}
			switch {
			case r.err != nil:
			case k > clsIdentity:
				r.fail("classes of kind %d", k)
			case k == 0 || st.Sum == nil:
			case k == clsIdentity:
				r.identity(st)
			default:
				r.classes(st)
			}
		}
	}
	// The tombstone of a device that asked to be unenrolled (Left) ends
	// a state of format 4 when it has one.
	if r.err == nil && r.v >= 4 && len(r.s) != 0 {
		if st.Left = r.str(); r.err == nil && st.Left == "" {
			r.fail("an empty tombstone")
		}
	}
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the state", len(r.s))
	}
	if r.err != nil {
		return nil, r.err
	}
	return st, nil
}

// stateWriter appends the fields of a state; parsed counts the bytes it
// wrote of documents, results and instance data that were held parsed,
// not as stored, and sumBytes those of the summary and its classes (see
// Reconciler.update).
type stateWriter struct {
	b                []byte
	parsed, sumBytes int
}

func (w *stateWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *stateWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *stateWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// prefixed writes what f writes as one string: its length before it.
func (w *stateWriter) prefixed(f func()) {
	start := len(w.b)
	f()
	n := len(w.b) - start
	var l [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(l[:], uint64(n))
	w.b = append(w.b, l[:k]...)
	copy(w.b[start+k:], w.b[start:start+n])
	copy(w.b[start:], l[:k])
}

func (w *stateWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *stateWriter) docs(list []*docState) {
	w.uint(uint64(len(list)))
	for _, d := range list {
		_ = w.doc(d)
	}
}

// The flags of a document (format 3).
const (
	fVars         = 1 << iota // instance data follow the strings
	fAbandoned                // Abandoned
	fAbandonFalse             // AbandonSet is false
	fAbandonTrue              // AbandonSet is true
	fRepairing                // Repairing
	fStrayHost                // StrayHost
	fReported                 // Last.Reported
	// fSettled marks a document in sync whose next message, when its
	// summary entry is the one last seen, changes nothing (see settled):
	// a load keeps it as stored (docState.stored).
	fSettled
	fAll = 1<<iota - 1
)

// docHeadBytes is what a document takes before its numbers (format 3):
// scope, host, flags, condition, hint, mask of strings, mask of
// references.
const docHeadBytes = 13

// docSpan is where a document (Docs[i]) is written: b[start:end].
type docSpan struct{ i, start, end int }

// doc writes d in format 4 (see stateFormat), and reports whether it is
// settled; a document kept as stored is written as it was read (format 3
// or 4: a settled document is written the same in both).
func (w *stateWriter) doc(d *docState) bool {
	if d.stored != "" {
		w.b = append(w.b, d.stored...)
		return false // kept already
	}
	var flags byte
	if d.Vars != nil {
		flags |= fVars
	}
	if d.Abandoned {
		flags |= fAbandoned
	}
	if d.AbandonSet != nil {
		if *d.AbandonSet {
			flags |= fAbandonTrue
		} else {
			flags |= fAbandonFalse
		}
	}
	if d.Repairing {
		flags |= fRepairing
	}
	if d.StrayHost {
		flags |= fStrayHost
	}
	if d.Last.Reported {
		flags |= fReported
	}
	settled := d.settled()
	if settled {
		flags |= fSettled
	}
	strs := d.strs()
	var mask uint32
	for i, p := range strs {
		if *p != "" {
			mask |= 1 << i
		}
	}
	// The rest of the document and the result are written even when
	// they are only in Doc and Result.
	mask |= 1 << sRest
	if d.Result != nil {
		mask |= 1 << sResult
	}
	// A string equal to one before it (a steady document repeats its
	// checksum and result_checksum in several fields) is written as a
	// reference to it, and loads as the same string.
	var refs uint32
	var to [nDocStrs]byte
	for i, p := range strs {
		if mask&(1<<i) == 0 || i == sRest || i == sResult {
			continue
		}
		for j, q := range strs[:i] {
			if mask&(1<<j) != 0 && j != sRest && j != sResult && *q == *p {
				refs |= 1 << i
				to[i] = byte(j)
				break
			}
		}
	}
	w.b = append(w.b, byte(d.Scope), byte(d.Host), flags, byte(d.Last.Condition), byte(d.Hint))
	w.b = binary.LittleEndian.AppendUint32(w.b, mask)
	w.b = binary.LittleEndian.AppendUint32(w.b, refs)
	w.int(int64(d.Redeclared))
	w.int(int64(d.RefusedCode))
	w.int(int64(d.RefusedTries))
	w.uint(uint64(d.Last.State))
	w.docStrs(d, &strs, &to, mask&headMask, refs)
	// The tail: its strings and instance data, as one string.
	w.prefixed(func() {
		w.docStrs(d, &strs, &to, mask&^headMask, refs)
		if d.Vars != nil {
			at := len(w.b)
			w.blob(d.Vars)
			w.parsed += len(w.b) - at
		}
		if d.CmdRefused != nil {
			w.cmdRefusals(d.CmdRefused)
		}
	})
	return settled
}

// cmdRefusals writes the refusals of rs that are set (format 4, at the
// end of a document's tail; none writes nothing): their number, then each
// as its kind, what was refused, the status and the tries.
func (w *stateWriter) cmdRefusals(rs *cmdRefusals) {
	n := 0
	for _, x := range rs {
		if x != (cmdRefusal{}) {
			n++
		}
	}
	w.uint(uint64(n))
	for k, x := range rs {
		if x != (cmdRefusal{}) {
			w.b = append(w.b, byte(k))
			w.str(x.What)
			w.int(int64(x.Code))
			w.int(int64(x.Tries))
		}
	}
}

// docStrs writes the strings of mask among strs (those of d), refs
// saying which are references (to[i] the string referred to).
func (w *stateWriter) docStrs(d *docState, strs *[nDocStrs]*string, to *[nDocStrs]byte, mask, refs uint32) {
	for i, p := range strs {
		switch {
		case mask&(1<<i) == 0:
		case refs&(1<<i) != 0:
			w.b = append(w.b, to[i])
		case i == sRest && d.rest == "":
			at := len(w.b)
			w.prefixed(func() { w.documentRest(d.Doc) })
			w.parsed += len(w.b) - at
		case i == sResult && d.Result != nil:
			at := len(w.b)
			w.prefixed(func() { w.result(d.Result) })
			w.parsed += len(w.b) - at
		default:
			w.str(*p)
		}
	}
}

// nDocStrs is the number of strings of a docState (see strs).
const nDocStrs = 4 + 9 + 2*int(nKinds) + 6

// The strings of a docState that are kept as stored (see strs).
const (
	sResult = 2
	sRest   = 4
)

// nHeadStrs is the number of strings of a document's head (format 3):
// those a load reads of a document it keeps as stored (its ID, checksum,
// result and the result_checksum the device reported, which its status
// and the stored summary read, see settledHead); the others are its tail.
const nHeadStrs = 4

const headMask = 1<<nHeadStrs - 1

// strs returns the strings of d, in the order format 3 stores them: the
// head, then the tail; d.Doc must be set.
func (d *docState) strs() [nDocStrs]*string {
	l := &d.Last
	return [nDocStrs]*string{&d.Doc.ID, &d.Doc.Checksum, &d.resultRaw, &l.DevRC, &d.rest, &l.DevCS, &l.Reason,
		&d.Base, &d.VarsSent, &d.Acked, &d.AckedIn, &d.Refused, &d.InSyncRC, &d.ResultsRC,
		&d.GetDone, &d.ResultFail,
		&d.Await[0], &d.Await[1], &d.Await[2], &d.Await[3], &d.Await[4],
		&d.Tried[0], &d.Tried[1], &d.Tried[2], &d.Tried[3], &d.Tried[4],
		&d.LastCS, &d.LastRC, &d.LastEvent}
}

// strsV2 returns the strings of d but the first four in the order format
// 2 stores them.
func (d *docState) strsV2() [nDocStrs - 4]*string {
	l := &d.Last
	return [nDocStrs - 4]*string{&d.Base, &d.VarsSent, &d.Acked, &d.AckedIn, &d.Refused, &d.InSyncRC, &d.ResultsRC,
		&d.GetDone, &d.ResultFail,
		&d.Await[0], &d.Await[1], &d.Await[2], &d.Await[3], &d.Await[4],
		&d.Tried[0], &d.Tried[1], &d.Tried[2], &d.Tried[3], &d.Tried[4],
		&d.LastCS, &d.LastRC, &l.Reason, &l.DevCS, &l.DevRC, &d.LastEvent}
}

func (w *stateWriter) attrs(as []declaredconfig.Attr) {
	w.uint(uint64(len(as)))
	for _, a := range as {
		w.str(a.Name)
		w.str(a.Value)
	}
}

func (w *stateWriter) strs(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *stateWriter) params(ps []declaredconfig.Param) {
	w.uint(uint64(len(ps)))
	for _, p := range ps {
		w.str(p.Name)
		w.str(p.Value)
		w.bool(p.Markup)
		w.attrs(p.Attrs)
	}
}

// documentRest writes the fields of d but its ID and Checksum (format 2).
func (w *stateWriter) documentRest(d *declaredconfig.Document) {
	w.str(d.Schema)
	w.str(d.Context)
	w.str(d.Scenario)
	w.attrs(d.Attrs)
	w.bool(d.Reflected != nil)
	if rp := d.Reflected; rp != nil {
		w.attrs(rp.Attrs)
		w.uint(uint64(len(rp.Properties)))
		for _, p := range rp.Properties {
			w.str(p.Name)
			w.str(p.Type)
			w.str(p.Value)
			w.bool(p.Markup)
			w.attrs(p.Attrs)
		}
		w.strs(rp.Unknown)
	}
	w.uint(uint64(len(d.CSPs)))
	for _, c := range d.CSPs {
		w.str(c.Name)
		w.attrs(c.Attrs)
		w.uint(uint64(len(c.Settings)))
		for _, s := range c.Settings {
			w.str(s.Path)
			w.str(s.Type)
			w.str(s.Value)
			w.bool(s.Markup)
			w.attrs(s.Attrs)
		}
		w.strs(c.Unknown)
	}
	w.uint(uint64(len(d.DSCs)))
	for _, c := range d.DSCs {
		w.str(c.Namespace)
		w.str(c.ClassName)
		w.attrs(c.Attrs)
		w.params(c.Keys)
		w.params(c.Values)
		w.strs(c.Unknown)
	}
	w.strs(d.Unknown)
}

func (w *stateWriter) result(r *declaredconfig.Result) {
	w.str(r.Context)
	w.str(r.Schema)
	w.str(r.ID)
	w.str(r.Scenario)
	w.str(r.Checksum)
	w.str(r.ResultChecksum)
	w.str(r.ResultTimestamp)
	w.str(r.Operation)
	w.str(r.State)
	w.attrs(r.Attrs)
	w.uint(uint64(len(r.CSPs)))
	for _, c := range r.CSPs {
		w.str(c.Name)
		w.str(c.State)
		w.attrs(c.Attrs)
		w.uint(uint64(len(c.Settings)))
		for _, s := range c.Settings {
			w.str(s.Path)
			w.str(s.Status)
			w.str(s.State)
			w.str(s.Type)
			w.str(s.Value)
			w.bool(s.Markup)
			w.attrs(s.Attrs)
		}
		w.strs(c.Unknown)
	}
	w.uint(uint64(len(r.DSCs)))
	for _, c := range r.DSCs {
		w.str(c.Namespace)
		w.str(c.ClassName)
		w.str(c.Status)
		w.str(c.State)
		w.attrs(c.Attrs)
		w.params(c.Keys)
		w.params(c.Values)
		w.strs(c.Unknown)
	}
	w.strs(r.Unknown)
}

func (w *stateWriter) blob(b *declaredconfig.InstanceBlob) {
	w.str(b.Schema)
	w.attrs(b.Attrs)
	w.uint(uint64(len(b.Instances)))
	for _, in := range b.Instances {
		w.attrs(in.Attrs)
		w.uint(uint64(len(in.Data)))
		for _, d := range in.Data {
			w.str(d.Variable)
			w.str(d.Value)
			w.bool(d.Markup)
			w.attrs(d.Attrs)
		}
		w.strs(in.Unknown)
	}
	w.strs(b.Unknown)
}

// stateReader reads what stateWriter wrote: s is what is left to read,
// of n bytes in all. After the first error every read returns a zero
// value; r.err says where it failed.
type stateReader struct {
	s   string
	n   int
	v   byte // the format
	err error

	// The results of a state, their CSPs and settings are made in blocks
	// (see take), each sized as if the documents still to read (left, in
	// the list being read) held as many as the one being read.
	left     int
	tails    []docTail
	bodies   []declaredconfig.Document
	results  []declaredconfig.Result
	csps     []declaredconfig.CSPResult
	settings []declaredconfig.SettingResult
}

// maxBlock bounds the elements a block is made for beyond those needed
// at once, so that what a block allocates stays bounded by what it reads.
const maxBlock = 64

// take returns n elements from *buf, which it makes anew, for at least
// block elements, when there are not n left in it.
func take[T any](buf *[]T, n, block int) []T {
	b := *buf
	if cap(b)-len(b) < n {
		b = make([]T, 0, max(n, block))
	}
	*buf = b[:len(b)+n]
	return b[len(b) : len(b)+n : len(b)+n]
}

func (r *stateReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = errorf("%w: offset %d: %s", ErrStoredState, r.n-len(r.s), fmt.Sprintf(format, args...))
		r.s = ""
	}
}

// uint reads a uvarint; the one byte of most is read inline.
func (r *stateReader) uint() uint64 {
	if s := r.s; len(s) > 0 && s[0] < 0x80 {
		r.s = s[1:]
		return uint64(s[0])
	}
	return r.uintSlow()
}

func (r *stateReader) uintSlow() uint64 {
	v, n := binary.Uvarint([]byte(r.s[:min(len(r.s), binary.MaxVarintLen64)]))
	if n <= 0 {
		r.fail("a number does not read")
		return 0
	}
	r.s = r.s[n:]
	return v
}

// small reads an unsigned number of at most max.
func (r *stateReader) small(max uint64) uint64 {
	v := r.uint()
	if v > max {
		r.fail("%d is over %d", v, max)
		return 0
	}
	return v
}

// int reads a signed number that fits an int32.
func (r *stateReader) int() int {
	u := r.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	if v < -1<<31 || v > 1<<31-1 {
		r.fail("%d is out of range", v)
		return 0
	}
	return int(v)
}

func (r *stateReader) bool() bool {
	if s := r.s; len(s) > 0 && s[0] <= 1 {
		r.s = s[1:]
		return s[0] == 1
	}
	return r.boolSlow()
}

func (r *stateReader) boolSlow() bool {
	r.fail("not a flag")
	return false
}

// str reads a string; one under 128 bytes is read inline.
func (r *stateReader) str() string {
	if s := r.s; len(s) > 0 && s[0] < 0x80 && int(s[0]) < len(s) {
		n := 1 + int(s[0])
		r.s = s[n:]
		return s[1:n]
	}
	return r.strSlow()
}

// str2 is str with a length of two bytes read inline too.
func (r *stateReader) str2() string {
	if s := r.s; len(s) > 1 && s[0] >= 0x80 && s[1] < 0x80 {
		if n := int(s[0]&0x7f) | int(s[1])<<7; n <= len(s)-2 {
			r.s = s[2+n:]
			return s[2 : 2+n]
		}
	}
	return r.str()
}

func (r *stateReader) strSlow() string {
	n := r.uint()
	if n > uint64(len(r.s)) {
		r.fail("a string of %d bytes, %d left", n, len(r.s))
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// count reads the length of a list whose elements take at least min
// bytes each, so that what a list allocates is bounded by the state.
func (r *stateReader) count(min int) int {
	n := r.uint()
	if n > uint64(len(r.s)/min) {
		r.fail("%d elements, %d bytes left", n, len(r.s))
		return 0
	}
	return int(n)
}

// loadedState is a state as a load makes it, with the list of its
// documents when there are up to loadedDocs of them, in one allocation.
type loadedState struct {
	st   deviceState
	docs [loadedDocs]*docState
}

const loadedDocs = 16

// docs reads a list of documents, into buf when it has room; with keep,
// those settled are kept as stored (see doc).
func (r *stateReader) docs(keep bool, buf []*docState) []*docState {
	min := docMinBytesV3
	switch r.v {
	case 1:
		min = docMinBytes
	case 2:
		min = docMinBytesV2
	}
	n := r.count(min)
	if n == 0 {
		return nil
	}
	// The documents are made in one array; their bodies and tails,
	// which those kept as stored do without, in blocks (see body and
	// tail).
	ptrs := buf[:0]
	if cap(buf) < n {
		ptrs = make([]*docState, n)
	}
	ptrs = ptrs[:n]
	docs := make([]docState, n)
	for i := range docs {
		d := &docs[i]
		ptrs[i] = d
		r.left = n - i
		switch r.v {
		case 1:
			r.body(d)
			r.docV1(d)
		case 2:
			r.body(d)
			r.docV2(d)
		default:
			r.doc(d, keep)
		}
	}
	return ptrs
}

// docMinBytes is the least a docState takes: the bytes of its fields
// when all are empty or zero.
const docMinBytes = 2 + documentMinBytes + 20 + 2*int(nKinds) + 10

const documentMinBytes = 9

// docMinBytesV2 is the same in format 2: scope, host, ID, checksum, the
// rest of the document, 11 numbers and flags, the mask of strings.
const docMinBytesV2 = 2 + 2 + 1 + restMinBytes + 11 + 4

// docMinBytesV3 is the same in format 3: the head, four numbers, the rest
// of the document, the length of the tail.
const docMinBytesV3 = docHeadBytes + 4 + 1 + restMinBytes + 1

// doc reads what stateWriter.doc wrote (format 3). The numbers, of one
// byte each but in a damaged state, and the strings, of less than 128
// bytes each but the rest of the document and its result, are read
// inline. With keep, a document marked settled is read up to its tail
// only and kept as stored (docState.stored; see materialize).
func (r *stateReader) doc(d *docState, keep bool) {
	s := r.s
	if len(s) < docHeadBytes+4 {
		r.fail("a document of %d bytes", len(s))
		return
	}
	d.Scope, d.Host = declaredconfig.Scope(s[0]), declaredconfig.Host(s[1])
	flags := s[2]
	d.Last.Condition, d.Hint = DocCondition(s[3]), int8(s[4])
	mask := uint32(s[5]) | uint32(s[6])<<8 | uint32(s[7])<<16 | uint32(s[8])<<24
	refs := uint32(s[9]) | uint32(s[10])<<8 | uint32(s[11])<<16 | uint32(s[12])<<24
	if refs&^mask != 0 {
		r.fail("references %#x to strings %#x", refs, mask)
		return
	}
	if flags&(fAbandonFalse|fAbandonTrue) == fAbandonFalse|fAbandonTrue {
		r.fail("flags %#x", flags)
		return
	}
	if mask>>nDocStrs != 0 {
		r.fail("mask of strings %#x", mask)
		return
	}
	d.Abandoned = flags&fAbandoned != 0
	d.Repairing, d.StrayHost, d.Last.Reported = flags&fRepairing != 0, flags&fStrayHost != 0, flags&fReported != 0
	// The refusal is of the tail, set once it is known whether d has
	// one.
	var code, tries int
	if n := s[docHeadBytes : docHeadBytes+4]; n[0]|n[1]|n[2]|n[3] < 0x80 {
		d.Redeclared, code, tries = zigzag(n[0]), zigzag(n[1]), zigzag(n[2])
		d.Last.State = uint32(n[3])
		r.s = s[docHeadBytes+4:]
	} else {
		r.s = s[docHeadBytes:]
		d.Redeclared, code, tries = r.int(), r.int(), r.int()
		d.Last.State = uint32(r.small(1<<32 - 1))
	}
	if keep && flags&fSettled != 0 {
		c := syncml.StatusCode(code)
		if oddRefusalCode(c) {
			c = 0 // dropped when the document is read in full (dropOddRefusals)
		}
		if bad := badVersionRefusal("", c, tries); bad != "" {
			r.fail("a settled document: %s", bad)
			return
		}
		// Its checksum goes where a document without a body keeps it;
		// its ID is read from its stored form when it is asked for (see
		// docID and checksum).
		at := r.s
		if !r.settledHead(d, mask, refs) {
			var id string
			head := [nHeadStrs]*string{&id, &d.Last.DevCS, &d.resultRaw, &d.Last.DevRC}
			r.docStrs(head[:], mask&headMask, refs)
		}
		if d.resultRaw != "" && len(d.resultRaw) < resultMinBytes {
			r.fail("a result of %d bytes", len(d.resultRaw))
		}
		tail := r.str2()
		if r.err != nil || tail == "" {
			r.fail("a document without its tail")
			return
		}
		if d.headSettled(flags) {
			// What the tail holds of a settled document is read from
			// the head: its DevCS here, its Last.Reason when asked for
			// (see docState.reason).
			d.stored = s[:len(s)-len(r.s)]
			d.docTail = &noTail
			return
		}
		r.s = at // read in full
		d.Last.DevCS, d.resultRaw, d.Last.DevRC = "", "", ""
	}
	r.body(d)
	r.tail(d)
	d.RefusedCode, d.RefusedTries = syncml.StatusCode(code), tries
	switch {
	case flags&fAbandonFalse != 0:
		d.AbandonSet = new(false)
	case flags&fAbandonTrue != 0:
		d.AbandonSet = new(true)
	}
	strs := d.strs()
	r.docStrs(strs[:nHeadStrs], mask&headMask, refs)
	tail := r.str2()
	if r.err != nil {
		return
	}
	after := r.s
	r.s = tail
	r.docStrs(strs[:], mask&^headMask, refs)
	if len(d.rest) < restMinBytes {
		r.fail("a document of %d bytes", len(d.rest))
	}
	if d.resultRaw != "" && len(d.resultRaw) < resultMinBytes {
		r.fail("a result of %d bytes", len(d.resultRaw))
	}
	if flags&fVars != 0 {
		d.Vars = &declaredconfig.InstanceBlob{}
		r.blob(d.Vars)
	}
	if r.v >= 4 && r.err == nil && len(r.s) != 0 {
		r.cmdRefusals(d)
	}
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after a document", len(r.s))
	}
	r.refusals(d)
	if r.err == nil {
		r.s = after
	}
}

// cmdRefusals reads what stateWriter.cmdRefusals wrote into d: at least
// one refusal, by kinds in increasing order, none zero, so that a state
// has one stored form.
func (r *stateReader) cmdRefusals(d *docState) {
	n := r.count(4)
	if n == 0 || n > int(nKinds) {
		r.fail("%d refusals of commands", n)
		return
	}
	var rs cmdRefusals
	next := 0
	for range n {
		if len(r.s) == 0 || int(r.s[0]) < next || r.s[0] >= byte(nKinds) {
			r.fail("a refusal of a command of a kind out of order")
			return
		}
		k := r.s[0]
		r.s = r.s[1:]
		x := cmdRefusal{What: r.str(), Code: syncml.StatusCode(r.int()), Tries: r.int()}
		if r.err == nil && x == (cmdRefusal{}) {
			r.fail("an empty refusal of a command")
		}
		rs[k], next = x, int(k)+1
	}
	if r.err == nil {
		d.CmdRefused = &rs
	}
}

// settledHead reads the strings of the head of a document marked
// settled as docStrs does, when they are as a steady document writes
// them: all four present, none a reference, each of a length of one byte
// or two; the ID is skipped (see docID), the others go where a document
// kept as stored has them. It reports whether they were so; if not, it
// has read nothing.
func (r *stateReader) settledHead(d *docState, mask, refs uint32) bool {
	if mask&headMask != headMask || refs&headMask != 0 {
		return false
	}
	s := r.s
	_, i := headStr(s, 0) // the ID
	cs, i := headStr(s, i)
	res, i := headStr(s, i)
	rc, i := headStr(s, i)
	if i < 0 {
		return false
	}
	d.Last.DevCS, d.resultRaw, d.Last.DevRC = cs, res, rc
	r.s = s[i:]
	return true
}

// headStr returns the string at s[i:] and the offset after it, for
// settledHead: i < 0 says that it failed before, or fails (then or
// after, the string is empty and the offset negative).
func headStr(s string, i int) (string, int) {
	if uint(i) >= uint(len(s)) {
		return "", -1
	}
	n := int(s[i])
	i++
	if n >= 0x80 {
		if i >= len(s) || s[i] >= 0x80 {
			return "", -1
		}
		n = n&0x7f | int(s[i])<<7
		i++
	}
	if n > len(s)-i {
		return "", -1
	}
	return s[i : i+n], i + n
}

// body gives d, read in full, an empty body, unless it has one: the
// bodies of a list of documents are made in blocks, as the tails are.
func (r *stateReader) body(d *docState) {
	if d.Doc == nil {
		d.Doc = &take(&r.bodies, 1, min(r.left, maxBlock))[0]
	}
}

// tail gives d, read in full, a zero tail of its own, unless it has one:
// the tails of a list of documents are made in blocks, each sized as if
// the documents still to read (r.left) were read in full too.
func (r *stateReader) tail(d *docState) {
	if d.docTail == nil || d.docTail == &noTail {
		d.docTail = &take(&r.tails, 1, min(r.left, maxBlock))[0]
	}
}

// docStrs reads the strings of mask into strs, refs saying which are
// references to a string before.
func (r *stateReader) docStrs(strs []*string, mask, refs uint32) {
	s := r.s
	i := 0 // what is read of s
	for ; mask != 0; mask &= mask - 1 {
		k := bits.TrailingZeros32(mask)
		if k >= len(strs) {
			break // not of this part
		}
		p := strs[k]
		if refs&(1<<k) != 0 {
			// The same as a string before.
			if i < len(s) && int(s[i]) < k {
				*p = *strs[s[i]]
				i++
				continue
			}
			r.s = s[i:]
			r.fail("a reference of string %d", k)
			return
		}
		// A length of one or two bytes.
		if i < len(s) && s[i] < 0x80 {
			if n := int(s[i]); n < len(s)-i {
				*p = s[i+1 : i+1+n]
				i += 1 + n
				continue
			}
		} else if i+1 < len(s) && s[i+1] < 0x80 {
			if n := int(s[i]&0x7f) | int(s[i+1])<<7; n < len(s)-i-1 {
				*p = s[i+2 : i+2+n]
				i += 2 + n
				continue
			}
		}
		r.s = s[i:]
		*p = r.strSlow()
		s, i = r.s, 0
	}
	r.s = s[i:]
}

// storedID returns the DocID of a document stored as stateWriter.doc
// writes it (format 3), which a load read (see stateReader.doc): its
// first string, after the head and four numbers, when the mask of its
// strings has it.
func storedID(s string) string {
	if id, ok := storedIDShort(s); ok {
		return id
	}
	if s[5]&1 == 0 {
		return ""
	}
	i := docHeadBytes
	for range 4 {
		for s[i] >= 0x80 {
			i++
		}
		i++
	}
	n, shift := 0, 0
	for ; s[i] >= 0x80; i++ {
		n |= int(s[i]&0x7f) << shift
		shift += 7
	}
	n |= int(s[i]) << shift
	i++
	return s[i : i+n]
}

// storedIDShort is storedID when the mask has the ID and the four
// numbers and the length of the ID take a byte each, the usual case,
// small enough to be inlined (a status reads the ID of every document
// kept as stored); ok is false otherwise.
func storedIDShort(s string) (id string, ok bool) {
	const at = docHeadBytes + 4 // the length of the ID
	if len(s) > at && s[5]&1 != 0 && s[docHeadBytes]|s[docHeadBytes+1]|s[docHeadBytes+2]|s[docHeadBytes+3]|s[at] < 0x80 {
		return s[at+1 : at+1+int(s[at])], true
	}
	return "", false
}

// zigzag returns the signed number of the one-byte varint b.
func zigzag(b byte) int { return int(b>>1) ^ -int(b&1) }

// docV2 reads a docState of format 2.
func (r *stateReader) docV2(d *docState) {
	r.tail(d)
	d.Scope = declaredconfig.Scope(r.small(255))
	d.Host = declaredconfig.Host(r.small(255))
	d.Doc.ID, d.Doc.Checksum, d.rest = r.str(), r.str(), r.str()
	if len(d.rest) < restMinBytes {
		r.fail("a document of %d bytes", len(d.rest))
	}
	d.Redeclared = r.int()
	if r.bool() {
		d.Vars = &declaredconfig.InstanceBlob{}
		r.blob(d.Vars)
	}
	d.Abandoned = r.bool()
	switch r.small(2) {
	case 1:
		d.AbandonSet = new(false)
	case 2:
		d.AbandonSet = new(true)
	}
	d.RefusedCode = syncml.StatusCode(r.int())
	d.RefusedTries = r.int()
	h := r.int()
	if h < -128 || h > 127 {
		r.fail("hint %d", h)
	}
	d.Hint = int8(h)
	if r.bool() {
		d.Result = &take(&r.results, 1, min(r.left, maxBlock))[0]
		r.result(d.Result)
	}
	d.Repairing = r.bool()
	d.StrayHost = r.bool()
	if n := r.uint(); n != uint64(nKinds) {
		r.fail("%d kinds of command, not %d", n, nKinds)
	}
	d.Last.Condition = DocCondition(r.small(255))
	d.Last.Reported = r.bool()
	d.Last.State = uint32(r.small(1<<32 - 1))
	if len(r.s) < 4 {
		r.fail("no mask of strings")
		return
	}
	mask := uint32(r.s[0]) | uint32(r.s[1])<<8 | uint32(r.s[2])<<16 | uint32(r.s[3])<<24
	r.s = r.s[4:]
	if mask>>(nDocStrs-4) != 0 {
		r.fail("mask of strings %#x", mask)
		return
	}
	strs := d.strsV2()
	for mask != 0 {
		*strs[bits.TrailingZeros32(mask)] = r.str()
		mask &= mask - 1
	}
	r.refusals(d)
}

// docV1 reads a docState of format 1.
func (r *stateReader) docV1(d *docState) {
	r.tail(d)
	d.Scope = declaredconfig.Scope(r.small(255))
	d.Host = declaredconfig.Host(r.small(255))
	r.document(d.Doc)
	d.Base = r.str()
	d.Redeclared = r.int()
	if r.bool() {
		d.Vars = &declaredconfig.InstanceBlob{}
		r.blob(d.Vars)
	}
	d.VarsSent = r.str()
	d.Abandoned = r.bool()
	switch r.small(2) {
	case 1:
		d.AbandonSet = new(false)
	case 2:
		d.AbandonSet = new(true)
	}
	d.Acked, d.AckedIn, d.Refused = r.str(), r.str(), r.str()
	d.RefusedCode = syncml.StatusCode(r.int())
	d.RefusedTries = r.int()
	h := r.int()
	if h < -128 || h > 127 {
		r.fail("hint %d", h)
	}
	d.Hint = int8(h)
	d.InSyncRC, d.ResultsRC = r.str(), r.str()
	if r.bool() {
		d.Result = &take(&r.results, 1, min(r.left, maxBlock))[0]
		r.result(d.Result)
	}
	d.GetDone, d.ResultFail = r.str(), r.str()
	d.Repairing = r.bool()
	d.StrayHost = r.bool()
	if n := r.uint(); n != uint64(nKinds) {
		r.fail("%d kinds of command, not %d", n, nKinds)
	}
	for k := range d.Await {
		d.Await[k] = r.str()
	}
	for k := range d.Tried {
		d.Tried[k] = r.str()
	}
	l := &d.Last
	l.Condition = DocCondition(r.small(255))
	d.LastCS, d.LastRC, l.Reason = r.str(), r.str(), r.str()
	l.Reported = r.bool()
	l.State = uint32(r.small(1<<32 - 1))
	l.DevCS, l.DevRC, d.LastEvent = r.str(), r.str(), r.str()
	r.refusals(d)
}

// refusals fails, naming the field, when what d holds of refusals is
// none a run writes (see badRefusal).
func (r *stateReader) refusals(d *docState) {
	if r.err != nil {
		return
	}
	d.dropOddRefusals()
	if bad := d.badRefusal(); bad != "" {
		r.fail("document %q: %s", d.docID(), bad)
	}
}

// dropOddRefusals clears the refusals of d whose code is none a refusal
// has (oddRefusalCode): runs before state format 4's checks recorded a
// device's Status of any number that was no success as a refusal (999,
// 42, 0). Such a state still loads; what was refused is sent again, as
// it would be once the refusal no longer held.
func (d *docState) dropOddRefusals() {
	if oddRefusalCode(d.RefusedCode) {
		d.Refused, d.RefusedCode, d.RefusedTries = "", 0, 0
	}
	if d.CmdRefused == nil {
		return
	}
	left := false
	for k, x := range d.CmdRefused {
		if x != (cmdRefusal{}) && !refusalCode(x.Code) {
			d.CmdRefused[k], x = cmdRefusal{}, cmdRefusal{}
		}
		left = left || x != (cmdRefusal{})
	}
	if !left {
		d.CmdRefused = nil // as a state without refusals is written
	}
}

// oddRefusalCode reports whether code, a version's refusal code, is none
// a refusal has: not 0 (acknowledged and not reported) and not a
// refusal's status code (refusalCode).
func oddRefusalCode(code syncml.StatusCode) bool { return code != 0 && !refusalCode(code) }

// badRefusal says what of d's refusals is none a run writes (a damaged
// state), "" if nothing: the refusal of its version (Refused,
// RefusedCode, RefusedTries; see badVersionRefusal) and those of its
// other commands (CmdRefused: each refused at least once, with a
// refusal's code, see refusalCode).
func (d *docState) badRefusal() string {
	if bad := badVersionRefusal(d.Refused, d.RefusedCode, d.RefusedTries); bad != "" {
		return bad
	}
	if d.CmdRefused == nil {
		return ""
	}
	for k, x := range d.CmdRefused {
		switch {
		case x == cmdRefusal{}:
		case x.Tries <= 0:
			return fmt.Sprintf("CmdRefused[%s].Tries %d", cmdNames[k], x.Tries)
		case !refusalCode(x.Code):
			return fmt.Sprintf("CmdRefused[%s].Code %d, no refusal's status code", cmdNames[k], x.Code)
		}
	}
	return ""
}

// badVersionRefusal says what of the refusal of a version (refused,
// code, tries) is none a run writes, "" if nothing: code 0 (acknowledged
// and not reported) or a refusal's code (see refusalCode; a state before
// format 4 kept a Delete's there, of a version not named), tries not
// below 0, and at least 1 for a version named.
func badVersionRefusal(refused string, code syncml.StatusCode, tries int) string {
	switch {
	case code != 0 && !refusalCode(code):
		return fmt.Sprintf("RefusedCode %d, no refusal's status code", code)
	case tries < 0 || refused != "" && tries == 0:
		return fmt.Sprintf("RefusedTries %d of version %q", tries, refused)
	}
	return ""
}

// cmdNames name the kinds of command in the errors of a damaged state.
var cmdNames = [nKinds]string{kSend: "send", kVars: "vars", kGet: "get", kAbandon: "abandon", kDelete: "delete"}

func (r *stateReader) attrs() []declaredconfig.Attr {
	n := r.count(2)
	if n == 0 {
		return nil
	}
	as := make([]declaredconfig.Attr, n)
	for i := range as {
		as[i].Name, as[i].Value = r.str(), r.str()
	}
	return as
}

func (r *stateReader) strs() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *stateReader) params() []declaredconfig.Param {
	n := r.count(4)
	if n == 0 {
		return nil
	}
	ps := make([]declaredconfig.Param, n)
	for i := range ps {
		p := &ps[i]
		p.Name, p.Value = r.str(), r.str()
		p.Markup = r.bool()
		p.Attrs = r.attrs()
	}
	return ps
}

// document reads a document of format 1.
func (r *stateReader) document(d *declaredconfig.Document) {
	d.Schema, d.Context, d.ID, d.Checksum, d.Scenario = r.str(), r.str(), r.str(), r.str(), r.str()
	r.documentTail(d)
}

// documentRest reads what stateWriter.documentRest wrote.
func (r *stateReader) documentRest(d *declaredconfig.Document) {
	d.Schema, d.Context, d.Scenario = r.str(), r.str(), r.str()
	r.documentTail(d)
}

// full returns the declared document of d in full: Doc, or, for a
// document loaded in format 2, Doc with the rest of its fields read from
// rest (a new copy each time; a rest that does not read is an error
// matching ErrStoredState). A document kept as stored without a body is
// materialized first (see materialize); full reports one as an error.
func (d *docState) full() (*declaredconfig.Document, error) {
	if d.Doc == nil {
		return nil, errorf("document %s: %w: kept as stored, not read", d.docID(), ErrStoredState)
	}
	if d.rest == "" {
		return d.Doc, nil
	}
	doc := &declaredconfig.Document{ID: d.Doc.ID, Checksum: d.Doc.Checksum}
	r := stateReader{s: d.rest, n: len(d.rest), v: stateFormat}
	r.documentRest(doc)
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the document", len(r.s))
	}
	if r.err != nil {
		return nil, errorf("document %s: %w", d.Doc.ID, r.err)
	}
	return doc, nil
}

// resultMinBytes is the least a result takes (format 3): nine empty
// strings and four empty lists.
const resultMinBytes = 13

// decodeResult reads a result kept as stored (docState.resultRaw); one
// that does not read is an error matching ErrStoredState.
func decodeResult(raw string) (*declaredconfig.Result, error) {
	res := &declaredconfig.Result{}
	r := stateReader{s: raw, n: len(raw), v: stateFormat, left: 1}
	r.result(res)
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the result", len(r.s))
	}
	if r.err != nil {
		return nil, errorf("result: %w", r.err)
	}
	return res, nil
}

// documentTail reads the fields of a document after its Scenario.
func (r *stateReader) documentTail(d *declaredconfig.Document) {
	d.Attrs = r.attrs()
	if r.bool() {
		rp := &declaredconfig.ReflectedProperties{}
		rp.Attrs = r.attrs()
		if n := r.count(5); n > 0 {
			rp.Properties = make([]declaredconfig.Property, n)
			for i := range rp.Properties {
				p := &rp.Properties[i]
				p.Name, p.Type, p.Value = r.str(), r.str(), r.str()
				p.Markup = r.bool()
				p.Attrs = r.attrs()
			}
		}
		rp.Unknown = r.strs()
		d.Reflected = rp
	}
	if n := r.count(4); n > 0 {
		d.CSPs = make([]declaredconfig.CSP, n)
		for i := range d.CSPs {
			c := &d.CSPs[i]
			c.Name = r.str()
			c.Attrs = r.attrs()
			if n := r.count(5); n > 0 {
				c.Settings = make([]declaredconfig.Setting, n)
				for j := range c.Settings {
					s := &c.Settings[j]
					s.Path, s.Type, s.Value = r.str(), r.str(), r.str()
					s.Markup = r.bool()
					s.Attrs = r.attrs()
				}
			}
			c.Unknown = r.strs()
		}
	}
	if n := r.count(6); n > 0 {
		d.DSCs = make([]declaredconfig.DSC, n)
		for i := range d.DSCs {
			c := &d.DSCs[i]
			c.Namespace, c.ClassName = r.str(), r.str()
			c.Attrs = r.attrs()
			c.Keys, c.Values = r.params(), r.params()
			c.Unknown = r.strs()
		}
	}
	d.Unknown = r.strs()
}

func (r *stateReader) result(res *declaredconfig.Result) {
	res.Context, res.Schema, res.ID, res.Scenario = r.str(), r.str(), r.str(), r.str()
	res.Checksum, res.ResultChecksum, res.ResultTimestamp = r.str(), r.str(), r.str()
	res.Operation, res.State = r.str(), r.str()
	res.Attrs = r.attrs()
	if n := r.count(5); n > 0 {
		res.CSPs = take(&r.csps, n, min(n*r.left, maxBlock))
		for i := range res.CSPs {
			c := &res.CSPs[i]
			c.Name, c.State = r.str(), r.str()
			c.Attrs = r.attrs()
			if n := r.count(7); n > 0 {
				c.Settings = take(&r.settings, n, min(n*r.left, maxBlock))
				for j := range c.Settings {
					s := &c.Settings[j]
					s.Path, s.Status, s.State, s.Type, s.Value = r.str(), r.str(), r.str(), r.str(), r.str()
					s.Markup = r.bool()
					s.Attrs = r.attrs()
				}
			}
			c.Unknown = r.strs()
		}
	}
	if n := r.count(8); n > 0 {
		res.DSCs = make([]declaredconfig.DSCResult, n)
		for i := range res.DSCs {
			c := &res.DSCs[i]
			c.Namespace, c.ClassName, c.Status, c.State = r.str(), r.str(), r.str(), r.str()
			c.Attrs = r.attrs()
			c.Keys, c.Values = r.params(), r.params()
			c.Unknown = r.strs()
		}
	}
	res.Unknown = r.strs()
}

func (r *stateReader) blob(b *declaredconfig.InstanceBlob) {
	b.Schema = r.str()
	b.Attrs = r.attrs()
	if n := r.count(3); n > 0 {
		b.Instances = make([]declaredconfig.Instance, n)
		for i := range b.Instances {
			in := &b.Instances[i]
			in.Attrs = r.attrs()
			if n := r.count(4); n > 0 {
				in.Data = make([]declaredconfig.InstanceData, n)
				for j := range in.Data {
					x := &in.Data[j]
					x.Variable, x.Value = r.str(), r.str()
					x.Markup = r.bool()
					x.Attrs = r.attrs()
				}
			}
			in.Unknown = r.strs()
		}
	}
	b.Unknown = r.strs()
}

// The parts of a summary entry present (format 3): its five strings
// (eAttrs-1 bits), its attributes, its unknown elements, and a document
// whose DocID, Last.DevCS and Last.DevRC are the entry's ID, checksum
// and result_checksum (the strings 1 to 3 are not written then).
const (
	eAttrs   = 1 << 5
	eUnknown = 1 << 6
	eDoc     = 1 << 7
	eDocStrs = 1<<1 | 1<<2 | 1<<3
	// eCanon is an entry as devices write it of a document: its context
	// "Device", its state the document's Last.State in decimal (below
	// 100), no attributes and no unknown element; only the document's
	// number follows.
	eCanon = 0xff
)

// stateTexts holds the decimal text of the states below 100.
var stateTexts = func() (t [100]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// canonEntry reports whether e is the entry as devices write it of d (see
// eCanon).
func canonEntry(e *declaredconfig.SummaryEntry, d *docState) bool {
	return e.Context == "Device" && d.Last.State < uint32(len(stateTexts)) && e.State == stateTexts[d.Last.State] &&
		len(e.Attrs) == 0 && len(e.Unknown) == 0
}

// summary writes s in format 3: per entry, a byte says which parts are
// present, then those parts. With the classes c of its entries, made for
// docs and removed, an entry that names a document whose DocID,
// Last.DevCS and Last.DevRC are the entry's refers to it.
func (w *stateWriter) summary(s *declaredconfig.Summary, c *classes, docs, removed []*docState) {
	w.str(s.Schema)
	w.attrs(s.Attrs)
	w.uint(uint64(len(s.Documents)))
	for i := range s.Documents {
		e := &s.Documents[i]
		strs := entryStrs(e)
		var m byte
		for k, p := range strs {
			if *p != "" {
				m |= 1 << k
			}
		}
		ref := -1
		if c != nil && c.class[i] >= 0 {
			k := int(c.class[i])
			d := docAt(docs, removed, k)
			if d != nil && d.docID() == e.ID && d.Last.DevCS == e.Checksum && d.Last.DevRC == e.ResultChecksum {
				ref = k
				m = m&^eDocStrs | eDoc
				if ref < 0x80 && canonEntry(e, d) {
					w.b = append(w.b, eCanon)
					w.uint(uint64(ref))
					continue
				}
			}
		}
		if len(e.Attrs) > 0 {
			m |= eAttrs
		}
		if len(e.Unknown) > 0 {
			m |= eUnknown
		}
		w.b = append(w.b, m)
		if ref >= 0 {
			w.uint(uint64(ref))
		}
		for k, p := range strs {
			if m&(1<<k) != 0 {
				w.str(*p)
			}
		}
		if m&eAttrs != 0 {
			w.attrs(e.Attrs)
		}
		if m&eUnknown != 0 {
			w.strs(e.Unknown)
		}
	}
	w.strs(s.Unknown)
}

// classes writes the classes of the summary's entries (format 3): per
// entry, its class plus one and whether it is the first of its class
// (the low bit); per document, the index of its entry plus one. Their
// numbers are those of the summary and the documents before them; the
// scopes are those the entries' contexts name.
func (w *stateWriter) classes(c *classes) {
	for i, cl := range c.class {
		v := uint64(cl+1) << 1
		if c.first[i] {
			v |= 1
		}
		w.uint(v)
	}
	for _, e := range c.docEntry {
		w.uint(uint64(e + 1))
	}
}

// classes reads what stateWriter.classes wrote into st.cls; a class or
// entry out of range is an error.
// clsIdentity says that the classes of a state's summary are those
// where entry i is the first of document i's class, and every document
// has one (identity).
const clsIdentity = 2

// identity reports whether c says that entry i is the first of the class
// of document i, for as many entries as documents.
func (c *classes) identity() bool {
	if len(c.class) != len(c.docEntry) {
		return false
	}
	for i, cl := range c.class {
		if cl != int32(i) || !c.first[i] || c.docEntry[i] != int32(i) {
			return false
		}
	}
	return true
}

// identity sets st.cls to the identity classes (see clsIdentity); a
// summary of another number of entries than documents is an error.
func (r *stateReader) identity(st *deviceState) {
	ents := st.Sum.Documents
	n := len(st.Docs) + len(st.Removed)
	if len(ents) != n {
		r.fail("identity classes of %d entries and %d documents", len(ents), n)
		return
	}
	c, sig := identityClasses(ents)
	for k, d := range st.Docs {
		sig[k] = sigOf(d)
	}
	for k, d := range st.Removed {
		sig[len(st.Docs)+k] = sigOf(d)
	}
	st.cls, st.clsSum, st.clsSig = c, st.Sum, sig
}

// sharedClasses bounds the identity classes whose lists are shared (see
// identityClasses).
const sharedClasses = 64

// identityIdx, allFirst and deviceScopes are the lists of the identity
// classes of up to sharedClasses entries all of the Device scope, shared
// by them: classes are never changed in place.
var (
	identityIdx = func() (a [sharedClasses]int32) {
		for i := range a {
			a[i] = int32(i)
		}
		return a
	}()
	allFirst = func() (a [sharedClasses]bool) {
		for i := range a {
			a[i] = true
		}
		return a
	}()
	deviceScopes [sharedClasses]declaredconfig.Scope // all Device (0)
)

// identitySet holds identity classes made for up to 16 documents and
// the names of those documents, in one allocation.
type identitySet struct {
	c   classes
	sig [16]docSig
}

// identityClasses returns the identity classes of ents (see clsIdentity),
// as many documents as entries, and a list for the names of the
// documents. Those of up to sharedClasses entries of the Device scope, a
// steady device's, share their lists.
func identityClasses(ents []declaredconfig.SummaryEntry) (*classes, []docSig) {
	n := len(ents)
	device := n <= sharedClasses
	for i := 0; i < n && device; i++ {
		device = scopeOf(ents[i].Context) == declaredconfig.Device
	}
	if !device {
		c, sig := newClasses(n, n)
		for i := range ents {
			c.class[i], c.first[i], c.docEntry[i] = int32(i), true, int32(i)
			c.scope[i] = scopeOf(ents[i].Context)
		}
		return c, sig
	}
	var c *classes
	var sig []docSig
	if n <= 16 {
		b := &identitySet{}
		c, sig = &b.c, b.sig[:n:n]
	} else {
		c, sig = &classes{}, make([]docSig, n)
	}
	c.scope, c.class, c.first, c.docEntry = deviceScopes[:n:n], identityIdx[:n:n], allFirst[:n:n], identityIdx[:n:n]
	return c, sig
}

func (r *stateReader) classes(st *deviceState) {
	ents := st.Sum.Documents
	m, n := len(ents), len(st.Docs)+len(st.Removed)
	if m+n > len(r.s) {
		r.fail("the classes of %d entries and %d documents, %d bytes left", m, n, len(r.s))
		return
	}
	c, sig := newClasses(m, n)
	for i := range ents {
		v := r.uint()
		if v>>1 > uint64(n) {
			r.fail("class %d of %d documents", v>>1, n)
			return
		}
		c.class[i], c.first[i] = int32(v>>1)-1, v&1 != 0
		c.scope[i] = scopeOf(ents[i].Context)
	}
	for k := range n {
		v := r.uint()
		if v > uint64(m) {
			r.fail("entry %d of %d", v, m)
			return
		}
		c.docEntry[k] = int32(v) - 1
	}
	for k, d := range st.Docs {
		sig[k] = sigOf(d)
	}
	for k, d := range st.Removed {
		sig[len(st.Docs)+k] = sigOf(d)
	}
	st.cls, st.clsSum, st.clsSig = c, st.Sum, sig
}

// entryStrs returns the strings of e in the order format 3 stores them.
func entryStrs(e *declaredconfig.SummaryEntry) [5]*string {
	return [5]*string{&e.Context, &e.ID, &e.Checksum, &e.ResultChecksum, &e.State}
}

// docAt returns the document k of docs then removed, or nil.
func docAt(docs, removed []*docState, k int) *docState {
	switch {
	case k < 0:
	case k < len(docs):
		return docs[k]
	case k-len(docs) < len(removed):
		return removed[k-len(docs)]
	}
	return nil
}

// summary reads what stateWriter.summary wrote, the documents loaded
// before it being docs and removed; the strings of less than 128 bytes
// are read inline.
func (r *stateReader) summary(docs, removed []*docState) *declaredconfig.Summary {
	if r.v < 3 {
		return r.summaryV2()
	}
	sum := &declaredconfig.Summary{Schema: r.str(), Attrs: r.attrs()}
	if n := r.count(1); n > 0 {
		sum.Documents = make([]declaredconfig.SummaryEntry, n)
		s := r.s
		for i := range sum.Documents {
			e := &sum.Documents[i]
			if len(s) > 1 && s[0] == eCanon && s[1] < 0x80 {
				if d := docAt(docs, removed, int(s[1])); d != nil && d.Last.State < uint32(len(stateTexts)) {
					e.Context, e.ID, e.Checksum, e.ResultChecksum, e.State = "Device", d.docID(), d.Last.DevCS, d.Last.DevRC, stateTexts[d.Last.State]
					s = s[2:]
					continue
				}
			}
			if len(s) == 0 || s[0]&eDoc != 0 && s[0]&eDocStrs != 0 {
				r.s = s
				r.fail("a summary entry")
				return nil
			}
			m := s[0]
			s = s[1:]
			if m&eDoc != 0 {
				k := -1
				if len(s) > 0 && s[0] < 0x80 {
					k, s = int(s[0]), s[1:]
				} else {
					r.s = s
					k = int(r.small(1 << 30))
					s = r.s
				}
				d := docAt(docs, removed, k)
				if d == nil {
					r.s = s
					r.fail("a summary entry of document %d", k)
					return nil
				}
				e.ID, e.Checksum, e.ResultChecksum = d.docID(), d.Last.DevCS, d.Last.DevRC
			}
			strs := entryStrs(e)
			for k := uint32(m & (eAttrs - 1)); k != 0; k &= k - 1 {
				p := strs[bits.TrailingZeros32(k)]
				if len(s) > 0 && s[0] < 0x80 && int(s[0]) < len(s) {
					n := 1 + int(s[0])
					*p, s = s[1:n], s[n:]
					continue
				}
				r.s = s
				*p = r.strSlow()
				s = r.s
			}
			if m&(eAttrs|eUnknown) != 0 {
				r.s = s
				if m&eAttrs != 0 {
					if e.Attrs = r.attrs(); e.Attrs == nil {
						r.fail("a summary entry without its attributes")
					}
				}
				if m&eUnknown != 0 {
					if e.Unknown = r.strs(); e.Unknown == nil {
						r.fail("a summary entry without its unknown elements")
					}
				}
				s = r.s
			}
		}
		r.s = s
	}
	sum.Unknown = r.strs()
	if r.err != nil {
		return nil
	}
	return sum
}

// keptSummary keeps the summary that ends the state unread when it is a
// steady device's (see deviceState.sumDocs): its schema of less than 128
// bytes, no attribute, as many entries as documents (less than 128, none
// removed), entry k eCanon of document k (whose state is below 100), no
// unknown element, and the identity classes. It reports whether it kept
// it; a summary it did not keep is read in full. What it keeps reads as
// summary and identity read it: a state they refuse, it does not keep.
func (r *stateReader) keptSummary(st *deviceState) bool {
	s, n := r.s, len(st.Docs)
	if len(s) == 0 || s[0] >= 0x80 || int(s[0]) >= len(s) || n == 0 || n >= 0x80 || len(st.Removed) != 0 {
		return false
	}
	schema := s[1 : 1+s[0]]
	s = s[1+s[0]:]
	// attributes, entries, the entries, unknown elements, classes
	if len(s) != 2+2*n+2 || s[0] != 0 || s[1] != byte(n) || s[2+2*n] != 0 || s[3+2*n] != clsIdentity {
		return false
	}
	ents := s[2 : 2+2*n]
	for k := 0; k+1 < len(ents); k += 2 {
		if ents[k] != eCanon || int(ents[k+1]) != k/2 {
			return false
		}
	}
	for _, d := range st.Docs {
		if d.Last.State >= uint32(len(stateTexts)) {
			return false
		}
	}
	st.sumDocs, st.sumSchema = st.Docs, schema
	r.s = ""
	return true
}

// summary returns the summary of st, read when a load kept it unread (see
// sumDocs), with its identity classes. st must be one that can be changed
// (a clone, or a state just loaded): a state held for others is not.
func (st *deviceState) summary() *declaredconfig.Summary {
	if st.Sum != nil || st.sumDocs == nil {
		return st.Sum
	}
	docs := st.sumDocs
	sum := &declaredconfig.Summary{Schema: st.sumSchema, Documents: make([]declaredconfig.SummaryEntry, len(docs))}
	for k, d := range docs {
		e := &sum.Documents[k]
		e.Context, e.ID, e.Checksum, e.ResultChecksum, e.State = "Device", d.docID(), d.Last.DevCS, d.Last.DevRC, stateTexts[d.Last.State]
	}
	st.Sum, st.sumDocs, st.sumSchema = sum, nil, ""
	if st.cls == nil {
		// As a load that reads the summary sets them; a run that made
		// classes for another summary (one read as XML) keeps those.
		c, sig := identityClasses(sum.Documents)
		for k, d := range docs {
			sig[k] = sigOf(d)
		}
		st.cls, st.clsSum, st.clsSig = c, sum, sig
	}
	return sum
}

// summaryV2 reads a summary of format 1 or 2.
func (r *stateReader) summaryV2() *declaredconfig.Summary {
	s := &declaredconfig.Summary{Schema: r.str(), Attrs: r.attrs()}
	if n := r.count(7); n > 0 {
		s.Documents = make([]declaredconfig.SummaryEntry, n)
		for i := range s.Documents {
			e := &s.Documents[i]
			e.Context, e.ID, e.Checksum, e.ResultChecksum, e.State = r.str(), r.str(), r.str(), r.str(), r.str()
			e.Attrs = r.attrs()
			e.Unknown = r.strs()
		}
	}
	s.Unknown = r.strs()
	return s
}
