package reconcile

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// askSummary handles a message without a summary, such as a device's
// package 1 (the device sends its summary with its answers to the
// server's commands, and none while it holds no document): once per
// session it queues a Get of RefreshInterval, whose answer carries the
// summary, and reports true.
func (p *run) askSummary() bool {
	st := p.st
	keys, ref := splitAsked(st.SummaryAsked)
	if s, m, _ := strings.Cut(keys, "\x00"); s == p.sess && m != p.msg {
		return false
	}
	st.SummaryAsked = joinAsked(p.sess+"\x00"+p.msg, ref)
	p.plan = append(p.plan, declaredconfig.GetRefreshInterval())
	return true
}

// summaryRefused decides a message without a summary, once the summary
// was asked for in its session: it reports whether the device's refusal
// of that Get may pass, so that the message says nothing of what the
// device holds. A device sends its summary with every message while it
// holds a document; one whose Get of RefreshInterval is refused (see
// summaryUnknown: a 5xx, or a 4xx such as 425 permission denied) and
// sends none may have failed to make it: taken as holding nothing, each
// document it holds would be lost, and sent again. Such a refusal is
// counted once a session (see deviceState.SummaryAsked) and a Problem
// tells it; the summary is asked again in each of up to
// Config.RetryRefused later sessions, and one more such refusal is
// final: the message is read as an empty summary, as a device without a
// document sends, and a Problem says so. A refusal that says the node
// or the command is not there (404, 405, 406, 501, 505) is final at
// once, untold: a device without a document, or without the CSP,
// answers so.
func (p *run) summaryRefused() bool {
	st := p.st
	code, tries := st.summaryRefusal()
	if c := p.sumGetRefused; c != 0 && !summaryUnknown(c) {
		// a refusal that says the node is not there is final at
		// once: it ends the hold an earlier one began
		if code != 0 {
			st.setSummaryRefusal(0, 0)
		}
		return false
	}
	if c := p.sumGetRefused; c != 0 && p.fresh {
		if c != code {
			tries = 0
		}
		code, tries = c, tries+1
		st.setSummaryRefusal(code, tries)
		if p.summaryRetry(code, tries) {
			p.problem(DocStatus{}, errorf("device %s: message %s carries no summary, and the device refused the Get that asks for it: %v; nothing is decided of its documents; asked again in a later session (try %d of %d)",
				shown(p.device), shown(p.m.Header.MsgID), code, tries+1, p.r.retryRefused()+1))
		} else {
			p.problem(DocStatus{}, errorf("device %s: message %s carries no summary, and the device refused the Get that asks for it: %v, in %d sessions in a row; taken as holding no document",
				shown(p.device), shown(p.m.Header.MsgID), code, tries))
		}
	}
	return tries > 0 && p.summaryRetry(code, tries)
}

// summaryRetry reports whether the Get that asks for the summary, refused
// tries sessions in a row, the last with status c, is asked again, the
// message deciding nothing (see summaryRefused).
func (p *run) summaryRetry(c syncml.StatusCode, tries int) bool {
	return summaryUnknown(c) && tries <= p.r.retryRefused()
}

// summaryUnknown reports whether c, the status with which a device
// refused the Get of RefreshInterval that asks for its summary, leaves
// unknown what the device holds: any refusal but those that say the
// node or the command is not there, which a device without a document
// (the node unset) or without the CSP gives: 404 not found, 405 command
// not allowed, 406 optional feature not supported, 501 command not
// implemented and 505 DTD version not supported. A 5xx says the device
// failed; a 4xx such as 401, 403 or 407 (credentials), 408 or 417
// (timeout, retry later), 420 (device full) or 425 (permission denied)
// says the device did not answer, not that it holds nothing.
func summaryUnknown(c syncml.StatusCode) bool {
	switch c {
	case syncml.StatusNotFound, syncml.StatusCommandNotAllowed, syncml.StatusOptionalFeatureNotSupported,
		syncml.StatusCommandNotImplemented, syncml.StatusDTDVersionNotSupported:
		return false
	}
	return refusalCode(c)
}

// summaryRefusal returns the refusal of the Get that asks for the
// summary, which SummaryAsked keeps (see splitAsked): its status and the
// sessions in a row that refused it; zero when there is none.
func (st *deviceState) summaryRefusal() (syncml.StatusCode, int) {
	_, ref := splitAsked(st.SummaryAsked)
	if ref == "" {
		return 0, 0
	}
	c, n, _ := strings.Cut(ref, "/")
	code, err1 := strconv.Atoi(c)
	tries, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || !refusalCode(syncml.StatusCode(code)) || tries <= 0 {
		return 0, 0 // not one a Reconciler writes: none
	}
	return syncml.StatusCode(code), tries
}

// setSummaryRefusal keeps in SummaryAsked the refusal of the Get that
// asks for the summary, code and tries (see summaryRefusal); tries 0
// removes it.
func (st *deviceState) setSummaryRefusal(code syncml.StatusCode, tries int) {
	keys, ref := splitAsked(st.SummaryAsked)
	switch {
	case tries > 0:
		st.SummaryAsked = joinAsked(keys, strconv.Itoa(int(code))+"/"+strconv.Itoa(tries))
	case ref != "":
		st.SummaryAsked = joinAsked(keys, "")
	}
}

// splitAsked splits asked, a SummaryAsked, into the keys of the session
// and message that asked for the summary last ("session\x00message", ""
// when none did in this session) and the refusal of that Get that counts
// ("code/tries", "" for none), which follows them after a NUL. The
// refusal is kept there, not in a field of its own, so that the stored
// format stays as it is: an earlier build that loads it reads it as part
// of another message key, and asks for the summary once more.
func splitAsked(asked string) (keys, ref string) {
	i := strings.IndexByte(asked, 0)
	if i < 0 {
		return asked, ""
	}
	j := strings.IndexByte(asked[i+1:], 0)
	if j < 0 {
		return asked, ""
	}
	return asked[:i+1+j], asked[i+1+j+1:]
}

// joinAsked is the SummaryAsked that splitAsked splits into keys and ref.
func joinAsked(keys, ref string) string {
	switch {
	case ref == "" && keys == "\x00":
		return ""
	case ref == "":
		return keys
	case keys == "":
		keys = "\x00"
	}
	return keys + "\x00" + ref
}

// readSummary reads the summary of m; a device in a steady state sends
// the same summary again and again, so the last one read of each device
// is kept with its text, here and in the device's stored state. When m
// carries its summary as text that the Reconciler does not hold, it
// returns the text and lazy true: the run reads it from the stored state
// or parses it (run.summaryOf).
func (r *Reconciler) readSummary(device string, m *syncml.Message) (s *declaredconfig.Summary, text string, lazy bool, err error) {
	text, ok := summaryText(m.Body.Commands, 0)
	if ok {
		var c cachedSummary
		r.mu.Lock()
		if e := r.cache.entry(device, false); e != nil {
			c = e.sum
		}
		r.mu.Unlock()
		if c.s != nil && c.text == text {
			// The text held, not the message's: see summaryOf.
			return c.s, c.text, false, nil
		}
		return nil, text, true, nil
	}
	s, err = r.parseSummary(m)
	if s != nil {
		ownStrings(s)
	}
	return s, "", false, err
}

// ownStrings makes the strings of s, read from a message, copies of their
// own, in one allocation: the strings of a message may be parts of the
// request body (syncml.UnmarshalOwned), which the state would keep alive
// with the strings it takes from the summary (a summary given as text is
// read from a copy instead: see summaryOf).
func ownStrings(s *declaredconfig.Summary) {
	n := 0
	eachString(s, func(p *string) { n += len(*p) })
	buf := make([]byte, 0, n)
	eachString(s, func(p *string) {
		if *p == "" {
			return
		}
		at := len(buf)
		buf = append(buf, *p...)
		*p = unsafe.String(unsafe.SliceData(buf[at:]), len(*p))
	})
}

// eachString calls f with each string of s.
func eachString(s *declaredconfig.Summary, f func(*string)) {
	attrs := func(as []declaredconfig.Attr) {
		for i := range as {
			f(&as[i].Name)
			f(&as[i].Value)
		}
	}
	strs := func(ss []string) {
		for i := range ss {
			f(&ss[i])
		}
	}
	f(&s.Schema)
	attrs(s.Attrs)
	strs(s.Unknown)
	for i := range s.Documents {
		e := &s.Documents[i]
		f(&e.Context)
		f(&e.ID)
		f(&e.Checksum)
		f(&e.ResultChecksum)
		f(&e.State)
		attrs(e.Attrs)
		strs(e.Unknown)
	}
}

// markupMark is what the state keeps, in place of a text, of summary s
// read from XML markup: a NUL (which no text read from XML holds) and
// the first markDigest bytes of a SHA-256 of its strings, each with its
// length, and of the number of each list, so that a device that repeats
// it has its entries checked once (see reconcile), as one that repeats a
// text. The device writes the summary, so the digest is one a device
// cannot make two summaries share: the marks of earlier builds (a NUL
// and an 8-byte FNV-1a hash) are of another length, never equal to one
// made now, and read as a changed summary once.
func markupMark(s *declaredconfig.Summary) string {
	var w markWriter
	w.h = sha256.New()
	list := func(as []declaredconfig.Attr, ss []string) {
		w.num(len(as))
		for _, a := range as {
			w.str(a.Name)
			w.str(a.Value)
		}
		w.num(len(ss))
		for _, t := range ss {
			w.str(t)
		}
	}
	w.str(s.Schema)
	list(s.Attrs, s.Unknown)
	w.num(len(s.Documents))
	for i := range s.Documents {
		e := &s.Documents[i]
		w.str(e.Context)
		w.str(e.ID)
		w.str(e.Checksum)
		w.str(e.ResultChecksum)
		w.str(e.State)
		list(e.Attrs, e.Unknown)
	}
	w.flush()
	var sum [1 + sha256.Size]byte
	return string(w.h.Sum(sum[:1])[:1+markDigest])
}

// markWriter gathers what markupMark hashes in buf, handing it to h a
// buffer at a time: a hash.Hash takes bytes, and a string given one at a
// time would be copied to the heap each.
type markWriter struct {
	h   hash.Hash
	n   int
	buf [512]byte
}

// num writes n as a uvarint.
func (w *markWriter) num(n int) {
	if len(w.buf)-w.n < binary.MaxVarintLen64 {
		w.flush()
	}
	w.n += binary.PutUvarint(w.buf[w.n:], uint64(n))
}

// str writes the length of t, then t.
func (w *markWriter) str(t string) {
	w.num(len(t))
	for len(t) > 0 {
		if w.n == len(w.buf) {
			w.flush()
		}
		k := copy(w.buf[w.n:], t)
		w.n += k
		t = t[k:]
	}
}

// flush hands what buf holds to h.
func (w *markWriter) flush() {
	w.h.Write(w.buf[:w.n])
	w.n = 0
}

// markDigest is how many bytes of its SHA-256 a summary's mark keeps
// (see markupMark): 128 bits, out of reach of a search for two summaries
// of the same mark.
const markDigest = 16

// parseSummary reads the summary of m, of at most Config.MaxSummaryBytes,
// MaxSummaryElements and MaxSummaryAttrs, nested and namespaced within MaxSummaryDepth,
// MaxSummaryElementAttrs and MaxSummaryNamespaces: what a device sends is kept
// with its state. Its longest token grows with the bytes (see
// readLimits), so that a raised MaxSummaryBytes is not undone by
// declaredconfig's defaults.
func (r *Reconciler) parseSummary(m *syncml.Message) (*declaredconfig.Summary, error) {
	lim := r.summaryLimits()
	s, err := declaredconfig.ReadSummaryLimits(m, lim)
	if err == nil {
		return s, nil
	}
	var le *LimitError
	if errors.As(err, &le) && le.Limit == "MaxBytes" && le.Max == lim.MaxBytes {
		return nil, errorf("1224 alert: %w", pkg.Limit("MaxSummaryBytes", le.Max, le.Offset, le.Path))
	}
	if cerr := configLimit(err, lim, summaryLimitNames); cerr != err {
		return nil, errorf("1224 alert: %w", cerr)
	}
	return s, err
}

// parseText is parseSummary of a message whose summary is text (see
// summaryText), read from text, a copy of it: the summary's strings are
// then parts of that copy. The message is made in a textMessage of
// textPool: the summary read keeps none of it.
func (r *Reconciler) parseText(text string) (*declaredconfig.Summary, error) {
	b, _ := textPool.Get().(*textMessage)
	if b == nil {
		b = new(textMessage)
	}
	b.meta.Type = declaredconfig.SummaryType
	b.data = syncml.Data{Kind: syncml.DataText, Value: text}
	b.items[0] = syncml.Item{Meta: &b.meta, Data: &b.data}
	b.a.Data, b.a.Items = clientEvent, b.items[:]
	b.cmds[0] = &b.a
	b.m.Body.Commands = b.cmds[:]
	s, err := r.parseSummary(&b.m)
	*b = textMessage{}
	textPool.Put(b)
	return s, err
}

// textMessage is a message of one summary as text, in one allocation.
type textMessage struct {
	m     syncml.Message
	a     syncml.Alert
	cmds  [1]syncml.Command
	items [1]syncml.Item
	meta  syncml.Meta
	data  syncml.Data
}

// textPool keeps the textMessages of parseText.
var textPool sync.Pool

// clientEvent is the code of a 1224 alert, shared: never changed.
var clientEvent = syncml.AlertClientEvent.Data()

// keepSummary keeps s, read from text, as the last summary of device.
func (r *Reconciler) keepSummary(device, text string, s *declaredconfig.Summary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache.add(device)
	if e.sum.s == s {
		return
	}
	e.sum = cachedSummary{text: text, s: s}
	r.cache.recount(e, r.maxCached(), r.maxCachedBytes())
}

// summaryOf resolves a summary left lazy by readSummary against the state
// st: the one st keeps when its text is the message's, else the message's
// parsed (once per Reconcile). It records the summary in st.
//
// What it keeps, in st and in the Reconciler, is never the message's
// text: the strings of a message that a server read with
// syncml.UnmarshalOwned may be parts of the request body, which would
// stay alive with them. It keeps the text st or the Reconciler holds
// (readSummary), or a copy of the message's, from which the summary is
// read; so are the strings that the run takes from the summary's entries.
func (p *run) summaryOf(st *deviceState) {
	if !p.lazy {
		// The same pointer is the same text: a summary is kept with
		// the text it was read from. A state that holds another of the
		// same text (loaded, or kept unread: sumDocs) takes the one
		// held too, so that the classes the run makes or finds for it
		// (see classes) are those saved with it.
		if p.summary != nil && p.sumText != "" && st.Sum != p.summary {
			st.SumText, st.Sum, st.sumDocs = p.sumText, p.summary, nil
		}
		return
	}
	if st.SumText == p.sumText && st.Sum == nil && st.sumDocs != nil {
		// Kept unread by the load: read when needed.
		p.summary, p.kept, p.sumText = nil, true, st.SumText
		return
	}
	if st.Sum != nil && st.SumText == p.sumText {
		p.summary, p.sumText = st.Sum, st.SumText
	} else {
		if !p.parsed {
			p.parsed = true
			p.sumText = strings.Clone(p.sumText)
			p.parsedSum, p.sumErr = p.r.parseText(p.sumText)
			if errors.Is(p.sumErr, declaredconfig.ErrNoSummary) {
				p.sumErr = nil
			}
		}
		p.unread = p.sumErr != nil
		p.summary = p.parsedSum
		if p.summary != nil {
			st.SumText, st.Sum, st.sumDocs = p.sumText, p.summary, nil
		}
	}
	if p.summary != nil {
		p.r.keepSummary(p.device, p.sumText, p.summary)
	}
}

// need reads the summary the state kept unread, when the run has it so
// (kept), into p.summary.
func (p *run) need() {
	if p.summary == nil && p.kept {
		p.summary = p.st.summary()
		p.r.keepSummary(p.device, p.sumText, p.summary)
	}
}

// steady reports whether the run's summary is the one the state kept
// unread and the documents are those it lists, as loaded and kept as
// stored: each is then listed as last seen (its entry is made of its
// head, see deviceState.summary) and matched by the identity classes, so
// that nothing is decided of any (see listed) and the summary lists no
// stray (see strays), without reading it.
func (p *run) steady() bool {
	st := p.st
	if p.summary != nil || !p.kept || len(st.Removed) != 0 || len(st.Docs) != len(st.sumDocs) {
		return false
	}
	for k, d := range st.Docs {
		if d != st.sumDocs[k] || d.stored == "" {
			return false
		}
	}
	return true
}

// cachedSummary is the last summary read from a device, and its text,
// with the classes of its entries made last and the documents they were
// made for.
type cachedSummary struct {
	text string
	s    *declaredconfig.Summary
	cls  *classes
	docs []docSig
}

// docSig names a document of a state for the classes, which are made of
// its scope and DocID alone. doc is its body, or kept the document when
// it has none (kept as stored: shared by the clones of a state, never
// changed nor reused), so that the same document compares by pointer.
type docSig struct {
	scope declaredconfig.Scope
	doc   *declaredconfig.Document
	kept  *docState
	id    string
}

// sigOf returns the docSig of d.
func sigOf(d *docState) docSig {
	if d.Doc == nil {
		return docSig{scope: d.Scope, kept: d, id: d.docID()}
	}
	return docSig{scope: d.Scope, doc: d.Doc, id: d.Doc.ID}
}

// sameSig reports whether docs are, in order, the documents of sig.
func sameSig(sig []docSig, docs []*docState) bool {
	if len(sig) != len(docs) {
		return false
	}
	for i, d := range docs {
		s := &sig[i]
		if s.scope != d.Scope {
			return false
		}
		if d.Doc != nil && s.doc == d.Doc || d.Doc == nil && s.kept == d {
			continue // the same body, or the same document without one
		}
		if s.id != d.docID() {
			return false
		}
	}
	return true
}

// cachedClasses returns the classes of summary s of device made for docs
// and the documents they were made for, if the Reconciler holds them; the
// caller must not change them.
func (r *Reconciler) cachedClasses(device string, s *declaredconfig.Summary, docs []*docState) (*classes, []docSig) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.cache.entry(device, true); e != nil {
		if c := e.sum; c.s == s && c.cls != nil && sameSig(c.docs, docs) {
			return c.cls, c.docs
		}
	}
	return nil, nil
}

// keepClasses keeps cls, the classes of summary s of device made for the
// documents sig names, while s is the device's last summary; neither may
// be changed after.
func (r *Reconciler) keepClasses(device string, s *declaredconfig.Summary, sig []docSig, cls *classes) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.cache.entry(device, true); e != nil && e.sum.s == s {
		recount := e.sum.cls != cls || len(e.sum.docs) != len(sig)
		e.sum.cls, e.sum.docs = cls, sig
		if recount {
			r.cache.recount(e, r.maxCached(), r.maxCachedBytes())
		}
	}
}

// summaryText returns the Data of the only 1224 summary alert of cmds
// (looking inside Atomic and Sequence), when it is escaped text or CDATA
// (markup may depend on namespaces declared around it) and there is one.
func summaryText(cmds []syncml.Command, depth int) (string, bool) {
	text, n := "", 0
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Alert:
			if c == nil || c.Data == nil || !trimmedIs(c.Data.Value, "1224") {
				continue
			}
			for _, it := range c.Items {
				if it.Meta != nil && declaredconfig.IsSummaryType(it.Meta.Type) {
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

// trimmedIs reports whether strings.TrimSpace(s) == want, want having no
// space around it, trimming only a value longer than want: devices write
// the Alert codes and the Meta types of a message plain.
func trimmedIs(s, want string) bool {
	return s == want || len(s) > len(want) && strings.TrimSpace(s) == want
}

// checkEntries reports, as Problems, the entries of the run's summary
// that are not read as sent (SummaryError): an entry of a scope and DocID
// listed before it, and a state the CSP does not define. Each Problem's
// Status is that of the entry's document (see entryStatus). The run calls
// it for a summary other than the last one the state holds, on the
// message's first run: a device that sends the same summary again is
// told of once.
func (p *run) checkEntries() {
	c := p.classes()
	ents := p.summary.Documents
	max := p.r.maxProblems()
	for i := range ents {
		e := &ents[i]
		if noID(e.ID) {
			// It names no document: not a stray either (see strays).
			if p.problems >= max {
				p.over++
				continue
			}
			p.problem(DocStatus{}, p.entryErr(&SummaryError{Entry: i + 1, Path: entryPath(i, "id"), Scope: c.scope[i], Value: e.ID}))
			continue
		}
		if !c.first[i] {
			if p.problems >= max {
				p.over++
				continue
			}
			first := firstEntry(c, ents, i)
			p.problem(p.entryStatus(c, first), p.entryErr(&SummaryError{Entry: i + 1, Path: entryPath(i, "id"), Scope: c.scope[i],
				DocID: e.ID, Value: e.ID, First: first + 1}))
		}
		if stateDefined(e.State) {
			continue
		}
		if p.problems >= max {
			p.over++
			continue
		}
		f := i
		if !c.first[i] {
			f = firstEntry(c, ents, i)
		}
		p.problem(p.entryStatus(c, f), p.entryErr(&SummaryError{Entry: i + 1, Path: entryPath(i, "state"), Scope: c.scope[i],
			DocID: e.ID, Value: e.State}))
	}
}

// noID reports whether id, a summary entry's, names no document: it is
// absent, or XML white space alone.
func noID(id string) bool { return xmlscan.TrimSpace(id) == "" }

// entryStatus returns the status of the document of entry i (from 0, the
// first of its scope and DocID) of the run's summary, for the Problem of
// one of its entries: a document declared, or being removed, as it
// stands (the summary's classes index Docs, then Removed); a stray as
// the device lists it (Condition Stray, Host zero, as DeviceStatus shows
// it).
func (p *run) entryStatus(c *classes, i int) DocStatus {
	st := p.st
	if k := int(c.class[i]); k >= 0 {
		if k < len(st.Docs) {
			return st.Docs[k].status()
		}
		if k -= len(st.Docs); k < len(st.Removed) {
			return st.Removed[k].status()
		}
	}
	e := &p.summary.Documents[i]
	return strayStatus(stray{Scope: c.scope[i], ID: e.ID, Checksum: e.Checksum, RC: e.ResultChecksum, State: e.State})
}

// entryErr is se in the context of the run's device and message.
func (p *run) entryErr(se *SummaryError) error {
	return errorf("device %s: message %s: %w", shown(p.device), shown(p.m.Header.MsgID), se)
}

// entryPath names the attribute attr of entry i (from 0) of a summary.
func entryPath(i int, attr string) string {
	return "/DeclaredConfigurations/DeclaredConfiguration[" + strconv.Itoa(i+1) + "]/@" + attr
}

// firstEntry returns the first entry of ents of the scope and DocID of
// entry i, which is not the first (c.first): for a document, the one the
// classes keep; for a stray, found by looking back.
func firstEntry(c *classes, ents []declaredconfig.SummaryEntry, i int) int {
	if k := c.class[i]; k >= 0 {
		return int(c.docEntry[k])
	}
	for j := range i {
		if c.first[j] && c.class[j] < 0 && c.scope[j] == c.scope[i] && declaredconfig.EqualDocID(ents[j].ID, ents[i].ID) {
			return j
		}
	}
	return i // not reached: a later entry has a first
}

// stateDefined reports whether a summary entry's state reads (as
// stateOf reads it) to a state the CSP defines.
func stateDefined(s string) bool {
	if n := len(s); n > 0 && n <= 3 && s[0] >= '0' && s[0] <= '9' && (n < 2 || s[1] >= '0' && s[1] <= '9') && (n < 3 || s[2] >= '0' && s[2] <= '9') {
		return stateOf(s).Known()
	}
	v, err := declaredconfig.ParseState(s)
	return err == nil && v.Known()
}
