package syncml

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/windc-go/windc/internal/xmlscan"
)

// Marshal returns the canonical encoding of m: compact, without an XML
// declaration (the output is UTF-8), children in DTD order, leaf elements
// written only when non-empty, the SyncHdr unless m.NoHeader is set (an
// empty header as <SyncHdr></SyncHdr>), text escaped where it cannot
// appear raw, CDATA split where it holds "]]>" or a carriage return, and
// XML markup in Data and Unknown written as kept.
//
// It refuses, with an error, what Unmarshal would refuse to read back: a
// reserved root namespace, characters XML cannot carry, an Unknown that
// is not one element or has the name of an element the decoder reads
// where it stands, a nil or typed nil Command, a header set together with
// NoHeader, and elements nested deeper than DefaultMaxDepth as
// Limits.MaxDepth counts them (Atomics and Sequences nested in each other
// some 25 deep): a *LimitError for MaxDepth whose Path names the command
// and the groups around it (an Encoder can be given another bound, see
// Encoder.SetMaxDepth). Markup in Data and Unknown nested deeper than
// DefaultMaxDataDepth, or with an element of more attributes than
// DefaultMaxAttrs (a Data's start tag included) or more namespace
// declarations in scope than DefaultMaxNamespaces, is refused too (a
// *LimitError for MaxDataDepth, MaxAttrs or MaxNamespaces).
//
// An error names where the value is, as a DecodeError's Path does, and
// the CmdID of the innermost command around it: "syncml: marshal
// /SyncML/SyncBody/Replace/Item/Target/LocURI (CmdID "4"): character not
// allowed in XML: U+0000 at byte 2". Of several Items of a command (or
// TargetRefs, SourceRefs, EMIs), the path names the one concerned by its
// position from 1, as a Violation's Path does: ".../Replace/Item[2]/Data".
// It matches its cause (errors.Is with ErrInvalidChar, ErrStructure…,
// errors.As with *LimitError); a MaxDepth error is the *LimitError itself,
// whose Path says where.
func Marshal(m *Message) ([]byte, error) {
	if m == nil {
		return nil, nilMessage("Marshal")
	}
	if h := int(lastLarge.Load()); h > 0 {
		return marshalLarge(m, h)
	}
	p := getBuf()
	b, err := AppendMessage(*p, m)
	if err != nil {
		putBuf(p)
		return nil, err
	}
	if len(b) >= largeMessage {
		lastLarge.Store(int64(len(b)))
	}
	// one allocation of the exact size, filled by the copy (not zeroed first)
	out := append([]byte(nil), b...)
	*p = b
	putBuf(p)
	return out, nil
}

// largeMessage is the size from which Marshal stops writing through a
// pooled buffer: the pool rarely keeps a buffer that large across
// garbage collections (each one of these messages brings one nearer), so
// the buffer was grown again, copy after copy, for most messages.
const largeMessage = 64 << 10

// lastLarge is the size of the last message Marshal wrote that was
// largeMessage bytes or more, or 0 once a smaller one came after it.
var lastLarge atomic.Int64

// marshalLarge writes m straight into a buffer sized for a message like
// the last large one (hint bytes) and not cleared first (makeNoZero), and
// hands it over when it is mostly filled, so that a large message costs
// one allocation, no copy and no clearing. The slice returned has no
// capacity past its length: the bytes there were never written.
func marshalLarge(m *Message, hint int) ([]byte, error) {
	b, err := AppendMessage(makeNoZero(hint+hint/16), m)
	if err != nil {
		return nil, err
	}
	if len(b) < largeMessage {
		lastLarge.Store(0)
	} else {
		lastLarge.Store(int64(len(b)))
	}
	if cap(b)-len(b) > len(b)/4 {
		return append([]byte(nil), b...), nil // smaller than foreseen
	}
	return b[:len(b):len(b)], nil
}

// bufPool holds the scratch buffers Marshal writes into before it copies
// the message out, and Encoders buffer in, so that their growth is paid
// once per process rather than once per message.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooled is the largest buffer kept for reuse; a larger message's
// buffer is left to the garbage collector.
const maxPooled = 4 << 20

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(p *[]byte) {
	if cap(*p) > maxPooled {
		return
	}
	*p = (*p)[:0]
	bufPool.Put(p)
}

// AppendMessage appends the canonical encoding of m to dst. It does not
// allocate when dst has room, so a reused buffer makes encoding
// allocation-free. Unlike append, it uses the room of dst as scratch:
// bytes past the length returned, up to dst's capacity, may change.
func AppendMessage(dst []byte, m *Message) ([]byte, error) {
	if m == nil {
		return dst, nilMessage("AppendMessage")
	}
	w := writer{b: dst, rootNS: m.XMLNS, off: -int64(len(dst)), safeGroups: defaultSafeGroups}
	if err := w.message(m); err != nil {
		return dst, err
	}
	return w.b, nil
}

// MarshalIndent is like Marshal but puts each element on its own line,
// starting with prefix and indented by indent per level, for logs. The
// character data of leaf elements and Data is never reformatted, so the
// output decodes to the same Message.
func MarshalIndent(m *Message, prefix, indent string) ([]byte, error) {
	if m == nil {
		return nil, nilMessage("MarshalIndent")
	}
	if !xmlscan.IsAllSpace(prefix) || !xmlscan.IsAllSpace(indent) {
		return nil, errorf("MarshalIndent: prefix and indent must be XML white space")
	}
	w := writer{rootNS: m.XMLNS, prefix: prefix, indent: indent, pretty: true, safeGroups: defaultSafeGroups}
	if err := w.message(m); err != nil {
		return nil, err
	}
	return w.b, nil
}

// An elem holds the spellings of one element name the writer uses, built
// once: as strings, and padded for w.tag.
type elem struct {
	name, open, close, empty, metaOpen, metaEmpty string

	tOpen, tClose, tEmpty spelling
	tMetaOpen, tMetaEmpty metaSpelling
}

// A spelling is a tag padded to a fixed size, so that writing it is one
// fixed-size copy rather than a call to copy a few bytes. The tags
// without a namespace, at most 13 bytes (</Correlator>), are padded to
// 16, one vector store; a metaSpelling holds those of the metinf
// children.
type spelling struct {
	n int
	b [tagRoom]byte
}

// A metaSpelling is a spelling of a tag with the metinf namespace.
type metaSpelling struct {
	n int
	b [metaTagRoom]byte
}

// tagRoom is the padded size of a spelling and metaTagRoom that of a
// metaSpelling; the longest tag the writer writes,
// <MaxMsgSize xmlns="syncml:metinf"/>, is 35 bytes.
const (
	tagRoom     = 16
	metaTagRoom = 48
)

func newSpelling(s string) spelling {
	if len(s) > tagRoom {
		panic("syncml: tag longer than tagRoom: " + s)
	}
	sp := spelling{n: len(s)}
	copy(sp.b[:], s)
	return sp
}

func newMetaSpelling(s string) metaSpelling {
	if len(s) > metaTagRoom {
		panic("syncml: tag longer than metaTagRoom: " + s)
	}
	sp := metaSpelling{n: len(s)}
	copy(sp.b[:], s)
	return sp
}

func newElem(n string) *elem {
	const ns = ` xmlns="syncml:metinf"`
	e := &elem{name: n, open: "<" + n + ">", close: "</" + n + ">", empty: "<" + n + "/>",
		metaOpen: "<" + n + ns + ">", metaEmpty: "<" + n + ns + "/>"}
	e.tOpen, e.tClose, e.tEmpty = newSpelling(e.open), newSpelling(e.close), newSpelling(e.empty)
	e.tMetaOpen, e.tMetaEmpty = newMetaSpelling(e.metaOpen), newMetaSpelling(e.metaEmpty)
	return e
}

// locSpellings are the tags around the LocURI of a location without
// LocName: <Target><LocURI> and </LocURI></Target>, or the same with
// Source.
type locSpellings struct{ open, close metaSpelling }

var (
	locTarget = locSpellings{newMetaSpelling("<Target><LocURI>"), newMetaSpelling("</LocURI></Target>")}
	locSource = locSpellings{newMetaSpelling("<Source><LocURI>"), newMetaSpelling("</LocURI></Source>")}
	// an Item's Target: <Item> in front, and </Item> after an Item with
	// a Target alone
	itemTarget = locSpellings{newMetaSpelling("<Item><Target><LocURI>"), newMetaSpelling("</LocURI></Target></Item>")}
)

// locSpellingsOf returns the locSpellings of e, nil for an element other
// than Target and Source.
func locSpellingsOf(e *elem) *locSpellings {
	switch e {
	case elTarget:
		return &locTarget
	case elSource:
		return &locSource
	}
	return nil
}

// The elements the writer writes.
var (
	elAnchor     = newElem("Anchor")
	elChal       = newElem("Chal")
	elCred       = newElem("Cred")
	elEMI        = newElem("EMI")
	elFieldLevel = newElem("FieldLevel")
	elFinal      = newElem("Final")
	elFormat     = newElem("Format")
	elFreeID     = newElem("FreeID")
	elFreeMem    = newElem("FreeMem")
	elItem       = newElem("Item")
	elLast       = newElem("Last")
	elLocName    = newElem("LocName")
	elLocURI     = newElem("LocURI")
	elMark       = newElem("Mark")
	elMaxMsgSize = newElem("MaxMsgSize")
	elMaxObjSize = newElem("MaxObjSize")
	elMem        = newElem("Mem")
	elMeta       = newElem("Meta")
	elMoreData   = newElem("MoreData")
	elMsgID      = newElem("MsgID")
	elNext       = newElem("Next")
	elNextNonce  = newElem("NextNonce")
	elRespURI    = newElem("RespURI")
	elSessionID  = newElem("SessionID")
	elSharedMem  = newElem("SharedMem")
	elSize       = newElem("Size")
	elSource     = newElem("Source")
	elSyncBody   = newElem("SyncBody")
	elSyncHdr    = newElem("SyncHdr")
	elSyncML     = newElem("SyncML")
	elTarget     = newElem("Target")
	elType       = newElem("Type")
	elVerDTD     = newElem("VerDTD")
	elVerProto   = newElem("VerProto")
	elVersion    = newElem("Version")
)

// writer appends XML for the model.
type writer struct {
	b      []byte
	rootNS string

	pretty         bool
	prefix, indent string
	depth          int
	started        bool // something was written (the next element starts a line)

	groups []Command // the Atomic and Sequence commands being written, outermost first
	// deepGroups holds those of groups from index groupScan on, which
	// enter finds there without a scan of groups
	deepGroups map[Command]struct{}

	// maxDepth is the element depth not to exceed (Limits.MaxDepth);
	// 0 means DefaultMaxDepth.
	maxDepth int
	// safeGroups is the number of groups around a command up to which no
	// command can exceed maxDepth (set with it; defaultSafeGroups for
	// the default): only a command in more has its depth counted.
	safeGroups int
	// markup, when not nil, are the limits XML Data and Unknown markup
	// are checked against (Encoder.SetLimits); nil means marshalLimits.
	markup *Limits
	// off is the offset in the message of w.b[0] (for a limit error's
	// Offset): minus the length of the bytes before the message, or what
	// an Encoder has already written out.
	off int64
}

// text appends s escaped as character data to the writer's buffer.
func (w *writer) text(s string) error { return xmlscan.EscapeText(&w.b, s) }

// cdata appends s as CDATA sections to the writer's buffer.
func (w *writer) cdata(s string) error { return xmlscan.EscapeCDATA(&w.b, s) }

// encodeError reports a Message value that cannot be written, at path,
// the element (or attribute, "@name") concerned inside the one being
// written, "" for that one itself. The writers of its parents add their
// own names with within and inCommand as the error goes up, so that
// the error names the whole path (no cost until something fails).
func encodeError(path string, err error) error {
	return &encodeErr{path: path, err: err}
}

// An encodeErr is the error for a Message value that cannot be written:
// "syncml: marshal PATH (CmdID "ID"): cause", PATH in the form of a
// DecodeError's Path. It matches its cause (errors.Is, errors.As).
type encodeErr struct {
	path  string // the element path, such as "/SyncML/SyncBody/Replace/Item/Data"
	cmdID string // the CmdID of the innermost command around it
	inCmd bool   // the error is inside a command (cmdID is set)
	err   error
}

func (e *encodeErr) Error() string {
	s := pkg.Prefix() + "marshal " + e.path
	if e.cmdID != "" {
		s += " (CmdID " + strconv.Quote(e.cmdID) + ")"
	}
	return s + ": " + strings.TrimPrefix(e.err.Error(), pkg.Prefix())
}

// Unwrap returns the cause.
func (e *encodeErr) Unwrap() error { return e.err }

// within returns err, an error of writing the element (or part) named
// name, with name added in front of its path. Other errors (a limit
// error, which names its whole path) are returned as they are.
func within(name string, err error) error {
	if e, ok := err.(*encodeErr); ok {
		if e.path == "" {
			e.path = name
		} else {
			e.path = name + "/" + e.path
		}
	}
	return err
}

// nth is within for the i-th of n repeated elements named name (Items,
// TargetRefs…): the name takes the element's position, "[i+1]", when there
// are several, as a Violation's Path counts them.
func nth(name string, i, n int, err error) error {
	if n > 1 {
		name += "[" + strconv.Itoa(i+1) + "]"
	}
	return within(name, err)
}

// inCommand returns err, an error of writing the command c (nested's),
// with c's name added in front of its path and, unless a command inside
// c has set it, c's CmdID. A nil c adds nothing.
func inCommand(c Command, err error) error {
	if isNilCommand(c) {
		return err
	}
	if e, ok := err.(*encodeErr); ok && !e.inCmd {
		e.cmdID, e.inCmd = c.ID(), true
	}
	return within(c.ElementName(), err)
}

// put appends s to the buffer. Only a growing buffer is stored whole: a
// write that fits stores the length alone, so it needs no write barrier
// while the garbage collector runs, which an append to w.b would.
func (w *writer) put(s string) {
	n := len(w.b)
	if cap(w.b)-n < len(s) {
		w.b = slices.Grow(w.b, len(s))
	}
	w.b = w.b[:n+len(s)]
	copy(w.b[n:], s)
}

// putByte appends c to the buffer, as put.
func (w *writer) putByte(c byte) {
	n := len(w.b)
	if n == cap(w.b) {
		w.b = slices.Grow(w.b, 1)
	}
	w.b = w.b[:n+1]
	w.b[n] = c
}

// tag appends a padded spelling, as put.
func (w *writer) tag(t *spelling) {
	n := len(w.b)
	if cap(w.b)-n < tagRoom {
		w.b = slices.Grow(w.b, tagRoom)
	}
	*(*[tagRoom]byte)(w.b[n : n+tagRoom]) = t.b
	w.b = w.b[:n+t.n]
}

// metaTag appends a padded metinf spelling, as tag.
func (w *writer) metaTag(t *metaSpelling) {
	n := len(w.b)
	if cap(w.b)-n < metaTagRoom {
		w.b = slices.Grow(w.b, metaTagRoom)
	}
	*(*[metaTagRoom]byte)(w.b[n : n+metaTagRoom]) = t.b
	w.b = w.b[:n+t.n]
}

// newline starts a line when the writer indents.
func (w *writer) newline() {
	if w.pretty {
		w.indentLine()
	}
}

func (w *writer) indentLine() {
	if w.started {
		w.putByte('\n')
	}
	w.started = true
	w.put(w.prefix)
	for i := 0; i < w.depth; i++ {
		w.put(w.indent)
	}
}

// open writes a start tag. The depth counts only when the writer
// indents.
func (w *writer) open(e *elem) {
	if w.pretty {
		w.openPretty(&e.tOpen)
		return
	}
	w.tag(&e.tOpen)
}

func (w *writer) openPretty(t *spelling) {
	w.indentLine()
	w.tag(t)
	w.depth++
}

func (w *writer) close(e *elem) {
	if w.pretty {
		w.depth--
		w.indentLine()
	}
	w.tag(&e.tClose)
}

// empty writes <name/> when on. The test is inlined where empty is
// called, so a flag that is off costs no call.
func (w *writer) empty(e *elem, on bool) {
	if on {
		w.emptyTag(e)
	}
}

func (w *writer) emptyTag(e *elem) {
	w.newline()
	w.tag(&e.tEmpty)
}

// leaf writes <name>text</name> when text is not empty. The test is
// inlined where leaf is called, so an absent field costs no call.
func (w *writer) leaf(e *elem, text string) error {
	if text == "" {
		return nil
	}
	return w.leafText(e, text)
}

func (w *writer) leafText(e *elem, text string) error {
	w.newline()
	if len(text) <= shortLeaf && w.shortLeaf(e, text) {
		return nil
	}
	w.tag(&e.tOpen)
	if err := w.text(text); err != nil {
		return encodeError(e.name, err)
	}
	w.tag(&e.tClose)
	return nil
}

// shortLeaf is the longest text leafText writes with its tags at once:
// the CmdIDs, references, command names and codes of a reply.
const shortLeaf = 8

// shortLeaf writes <name>text</name> for a text of at most shortLeaf
// bytes after one test of the room left, each tag as one fixed-size copy,
// and reports true, when every byte of text is one the escaper copies as
// it is: printable ASCII other than '&', '<' and '>' (a subset of what it
// copies). Otherwise it writes nothing and reports false.
func (w *writer) shortLeaf(e *elem, text string) bool {
	const room = 2*tagRoom + shortLeaf
	n := len(w.b)
	if cap(w.b)-n < room {
		w.b = slices.Grow(w.b, room)
	}
	b := (*[room]byte)(w.b[n : n+room])
	*(*[tagRoom]byte)(b[:tagRoom]) = e.tOpen.b
	k := e.tOpen.n & (tagRoom - 1) // < tagRoom, spares bounds checks
	t := (*[shortLeaf]byte)(b[k : k+shortLeaf])
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c-' ' > '~'-' ' || c == '&' || c|2 == '>' { // '<' and '>' differ in bit 1 alone
			return false
		}
		t[i&(shortLeaf-1)] = c
	}
	k += len(text) & (2*shortLeaf - 1) // len(text) <= shortLeaf
	*(*[tagRoom]byte)(b[k : k+tagRoom]) = e.tClose.b
	w.b = w.b[:n+k+e.tClose.n]
	return true
}

// metaLeaf writes a metinf child with its namespace, as Windows does,
// when text is not empty (tested inline, as leaf).
func (w *writer) metaLeaf(e *elem, text string) error {
	if text == "" {
		return nil
	}
	return w.metaLeafText(e, text)
}

func (w *writer) metaLeafText(e *elem, text string) error {
	w.newline()
	w.metaTag(&e.tMetaOpen)
	if err := w.text(text); err != nil {
		return encodeError(e.name, err)
	}
	w.tag(&e.tClose)
	return nil
}

func (w *writer) metaOpen(e *elem) {
	if w.pretty {
		w.indentLine()
		w.metaTag(&e.tMetaOpen)
		w.depth++
		return
	}
	w.metaTag(&e.tMetaOpen)
}

func (w *writer) metaEmpty(e *elem) {
	w.newline()
	w.metaTag(&e.tMetaEmpty)
}

func (w *writer) message(m *Message) error {
	h, err := messageHeader(m)
	if err != nil {
		return err
	}
	if err := w.checkFinal(m.Body.Final); err != nil {
		return err
	}
	if err := w.start(m.XMLNS, h); err != nil {
		return err
	}
	for _, c := range m.Body.Commands {
		if err := w.command(c); err != nil {
			return inBody(c, err)
		}
	}
	w.end(m.Body.Final)
	return nil
}

// messageHeader returns the header to write for m: nil when it has none.
func messageHeader(m *Message) (*Header, error) {
	if !m.NoHeader {
		return &m.Header, nil
	}
	if m.Header != (Header{}) {
		return nil, encodeError("/SyncML/SyncHdr", fmt.Errorf("%w: NoHeader is set but Header is not empty", ErrStructure))
	}
	return nil, nil
}

// checkRootNS refuses a root namespace the decoder would refuse: the
// reserved namespaces of the xml prefix and of xmlns cannot be the
// default namespace.
func checkRootNS(xmlns string) error {
	if xmlns == NamespaceXMLURI || xmlns == namespaceXMLNSURI {
		return encodeError("/SyncML/@xmlns", fmt.Errorf("%w: %s is a reserved namespace", ErrNamespace, xmlns))
	}
	return nil
}

// start writes the root start tag, the header (none when h is nil) and
// the body start tag.
func (w *writer) start(xmlns string, h *Header) error {
	if err := checkRootNS(xmlns); err != nil {
		return err
	}
	if w.safeGroups < 0 { // a maxDepth below 7
		if err := w.checkShallow(w.maxDepth, h); err != nil {
			return err
		}
	}
	w.rootNS = xmlns
	w.newline()
	w.b = append(w.b, "<SyncML"...)
	if xmlns != "" {
		w.b = append(w.b, ` xmlns="`...)
		var err error
		if w.b, err = xmlscan.AppendAttr(w.b, xmlns); err != nil {
			return encodeError("/SyncML/@xmlns", err)
		}
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, '>')
	w.depth++
	if h != nil {
		if err := w.header(h); err != nil {
			return within("/SyncML/SyncHdr", err)
		}
	}
	w.open(elSyncBody)
	return nil
}

func (w *writer) end(final bool) {
	w.empty(elFinal, final)
	w.close(elSyncBody)
	w.close(elSyncML)
}

func (w *writer) header(h *Header) error {
	w.open(elSyncHdr)
	if err := w.leaf(elVerDTD, h.VerDTD); err != nil {
		return err
	}
	if err := w.leaf(elVerProto, h.VerProto); err != nil {
		return err
	}
	if err := w.leaf(elSessionID, h.SessionID); err != nil {
		return err
	}
	if err := w.leaf(elMsgID, h.MsgID); err != nil {
		return err
	}
	if err := w.headerLocation(elTarget, &h.Target, h.EmptyTarget); err != nil {
		return err
	}
	if err := w.headerLocation(elSource, &h.Source, h.EmptySource); err != nil {
		return err
	}
	if err := w.leaf(elRespURI, h.RespURI); err != nil {
		return err
	}
	w.empty(elNoResp, h.NoResp)
	if err := w.cred(h.Cred); err != nil {
		return err
	}
	if err := w.meta(h.Meta); err != nil {
		return err
	}
	w.close(elSyncHdr)
	return nil
}

// headerLocation writes the header's Target or Source: when it has
// content, or when empty is set.
func (w *writer) headerLocation(e *elem, l *Location, empty bool) error {
	if *l == (Location{}) {
		if !empty {
			return nil
		}
	} else if empty {
		// The flag would not come back: an element with content decodes
		// with the flag false.
		return encodeError(e.name, fmt.Errorf("%w: Empty%s set on a %s with content", ErrStructure, e.name, e.name))
	}
	return w.location(e, l)
}

// location writes a Target or Source; an Item's non-nil location is
// written even when empty.
func (w *writer) location(e *elem, l *Location) error {
	if l == nil {
		return nil
	}
	return w.locationOf(e, l)
}

// locationOf is location for a non-nil Location (location, which tests for
// nil, is inlined where it is called).
func (w *writer) locationOf(e *elem, l *Location) error {
	if sp := locSpellingsOf(e); sp != nil && l.LocName == "" && l.LocURI != "" && !w.pretty {
		// the common case: the two open tags and the two close tags each
		// written as one
		w.metaTag(&sp.open)
		if err := w.text(l.LocURI); err != nil {
			return encodeError(e.name+"/"+elLocURI.name, err)
		}
		w.metaTag(&sp.close)
		return nil
	}
	w.open(e)
	if err := w.leaf(elLocURI, l.LocURI); err != nil {
		return within(e.name, err)
	}
	if err := w.leaf(elLocName, l.LocName); err != nil {
		return within(e.name, err)
	}
	w.close(e)
	return nil
}

func (w *writer) cred(c *Cred) error {
	if c == nil {
		return nil
	}
	return w.credOf(c)
}

// credOf is cred for a non-nil Cred (cred, which tests for nil, is inlined
// where it is called).
func (w *writer) credOf(c *Cred) error {
	w.open(elCred)
	if err := w.meta(c.Meta); err != nil {
		return within(elCred.name, err)
	}
	if err := w.data(c.Data); err != nil {
		return within(elCred.name, err)
	}
	w.close(elCred)
	return nil
}

func (w *writer) meta(m *Meta) error {
	if m == nil {
		return nil
	}
	return w.metaOf(m)
}

// metaOf is meta for a non-nil Meta (meta, which tests for nil, is inlined
// where it is called).
func (w *writer) metaOf(m *Meta) error {
	w.open(elMeta)
	if err := w.metaLeaf(elFormat, m.Format); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elType, m.Type); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elMark, m.Mark); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elSize, m.Size); err != nil {
		return within(elMeta.name, err)
	}
	if a := m.Anchor; a != nil {
		w.metaOpen(elAnchor)
		if err := w.metaLeaf(elLast, a.Last); err != nil {
			return within("Meta/Anchor", err)
		}
		if err := w.metaLeaf(elNext, a.Next); err != nil {
			return within("Meta/Anchor", err)
		}
		w.close(elAnchor)
	}
	if err := w.metaLeaf(elVersion, m.Version); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elNextNonce, m.NextNonce); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elMaxMsgSize, m.MaxMsgSize); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.metaLeaf(elMaxObjSize, m.MaxObjSize); err != nil {
		return within(elMeta.name, err)
	}
	if err := w.refs(elEMI, m.EMI, true); err != nil {
		return within(elMeta.name, err)
	}
	if mem := m.Mem; mem != nil {
		w.metaOpen(elMem)
		if mem.SharedMem {
			w.metaEmpty(elSharedMem)
		}
		if err := w.metaLeaf(elFreeMem, mem.FreeMem); err != nil {
			return within("Meta/Mem", err)
		}
		if err := w.metaLeaf(elFreeID, mem.FreeID); err != nil {
			return within("Meta/Mem", err)
		}
		w.close(elMem)
	}
	if m.FieldLevel {
		w.metaEmpty(elFieldLevel)
	}
	w.close(elMeta)
	return nil
}

// refs writes repeated leaf elements (TargetRef, SourceRef, EMI); unlike
// single leaves they are written even when empty, since their number
// counts.
func (w *writer) refs(e *elem, refs []string, meta bool) error {
	for i, r := range refs {
		w.newline()
		if meta {
			w.metaTag(&e.tMetaOpen)
		} else {
			w.tag(&e.tOpen)
		}
		if err := w.text(r); err != nil {
			return nth(e.name, i, len(refs), encodeError("", err))
		}
		w.tag(&e.tClose)
	}
	return nil
}

func (w *writer) items(items []Item) error {
	for i := range items {
		it := &items[i]
		if t := it.Target; t != nil && t.LocName == "" && t.LocURI != "" && !w.pretty {
			// the common case, as location writes it, with <Item> in
			// front, and </Item> too for an Item with a Target alone
			w.metaTag(&itemTarget.open)
			if err := w.text(t.LocURI); err != nil {
				return nth(elItem.name, i, len(items), encodeError("Target/LocURI", err))
			}
			if it.Source == nil && it.Meta == nil && it.Data == nil && !it.MoreData {
				w.metaTag(&itemTarget.close)
				continue
			}
			w.metaTag(&locTarget.close)
		} else {
			w.open(elItem)
			if err := w.location(elTarget, it.Target); err != nil {
				return nth(elItem.name, i, len(items), err)
			}
		}
		if err := w.location(elSource, it.Source); err != nil {
			return nth(elItem.name, i, len(items), err)
		}
		if err := w.meta(it.Meta); err != nil {
			return nth(elItem.name, i, len(items), err)
		}
		if err := w.data(it.Data); err != nil {
			return nth(elItem.name, i, len(items), err)
		}
		w.empty(elMoreData, it.MoreData)
		w.close(elItem)
	}
	return nil
}

func (w *writer) data(d *Data) error {
	if d == nil {
		return nil
	}
	return w.dataOf(d)
}

// dataOf is data for a non-nil Data (data, which tests for nil, is inlined
// where it is called).
func (w *writer) dataOf(d *Data) error {
	if d.Kind != DataXML && len(d.Namespaces) > 0 {
		return encodeError("Data", fmt.Errorf("%w: Namespaces apply to XML Data only", ErrStructure))
	}
	if d.Kind == DataXML {
		lim := w.markupLimits()
		if err := checkDataMarkup(d, w.rootNS, lim); err != nil {
			return encodeError("Data", err)
		}
		// the start tag's attributes: the declarations, and
		// msft:originalerror with its own when none of them is for it
		if n := len(d.Namespaces); n+2 > lim.MaxAttrs {
			if d.OriginalError != "" {
				n++
				if _, declared := msftPrefix(d.Namespaces); !declared {
					n++
				}
			}
			if n > lim.MaxAttrs {
				return encodeError("Data", pkg.Limit("MaxAttrs", int64(lim.MaxAttrs), w.off+int64(len(w.b)), "Data"))
			}
		}
	}
	w.newline()
	w.put("<Data")
	for _, n := range d.Namespaces {
		w.b = appendNSDecl(w.b, n)
	}
	if d.OriginalError != "" {
		msft, declared := msftPrefix(d.Namespaces)
		if !declared {
			w.b = append(w.b, " xmlns:"...)
			w.b = append(w.b, msft...)
			w.b = append(w.b, `="`+NamespaceMSFT+`"`...)
		}
		w.b = append(w.b, ' ')
		w.b = append(w.b, msft...)
		w.b = append(w.b, `:originalerror="`...)
		var err error
		if w.b, err = xmlscan.AppendAttr(w.b, d.OriginalError); err != nil {
			return encodeError("Data/@msft:originalerror", err)
		}
		w.b = append(w.b, '"')
	}
	w.putByte('>')
	var err error
	switch d.Kind {
	case DataText:
		err = w.text(d.Value)
	case DataCDATA:
		err = w.cdata(d.Value)
	case DataXML:
		w.put(d.Value)
	default:
		err = fmt.Errorf("unknown DataKind %d", d.Kind)
	}
	if err != nil {
		return encodeError("Data", err)
	}
	w.put("</Data>")
	return nil
}

// msftPrefix returns the prefix for msft:originalerror: "msft", or the
// first of "msft1", "msft2"… that ns does not bind, and whether ns already
// declares it.
func msftPrefix(ns []Namespace) (string, bool) {
	p := "msft"
	for i := 1; ; i++ {
		bound := false
		for _, n := range ns {
			if n.Prefix == p {
				if n.URI == NamespaceMSFT {
					return p, true
				}
				bound = true
			}
		}
		if !bound {
			return p, false
		}
		p = "msft" + strconv.Itoa(i)
	}
}

// appendNSDecl appends a namespace declaration; callers have checked n
// with checkNamespaces or took it from the decoder.
func appendNSDecl(b []byte, n Namespace) []byte {
	b = append(b, " xmlns"...)
	if n.Prefix != "" {
		b = append(b, ':')
		b = append(b, n.Prefix...)
	}
	b = append(b, `="`...)
	b, _ = xmlscan.AppendAttr(b, n.URI)
	return append(b, '"')
}

// checkNamespaces checks declarations given for a Data: prefixes are
// names without a colon, distinct, and obey the rules for xml and xmlns;
// URIs are characters XML can carry, non-empty for a prefix.
func checkNamespaces(ns []Namespace) error {
	for i, n := range ns {
		switch {
		case n.Prefix != "" && (!xmlscan.IsName(n.Prefix) || strings.IndexByte(n.Prefix, ':') >= 0):
			return fmt.Errorf("%w: %q is not a namespace prefix", ErrNamespace, n.Prefix)
		case n.Prefix == "xmlns" || n.URI == namespaceXMLNSURI:
			return fmt.Errorf("%w: the xmlns prefix and namespace cannot be declared", ErrNamespace)
		case (n.Prefix == "xml") != (n.URI == NamespaceXMLURI):
			return fmt.Errorf("%w: the xml prefix binds only its own namespace", ErrNamespace)
		case n.Prefix != "" && n.URI == "":
			return fmt.Errorf("%w: empty namespace for prefix %s", ErrNamespace, n.Prefix)
		}
		if _, err := xmlscan.AppendAttr(nil, n.URI); err != nil {
			return fmt.Errorf("namespace %q: %w", n.URI, err)
		}
		for _, m := range ns[:i] {
			if m.Prefix == n.Prefix {
				return fmt.Errorf("%w: prefix %q declared twice", ErrNamespace, n.Prefix)
			}
		}
	}
	return nil
}

// command writes one body command; the commands themselves are written
// by the code commands_gen.go has generated from command.go.
// Its caller adds the command and the body to the path of an error
// (inBody).
func (w *writer) command(c Command) error {
	return w.nested(c, bodyNames)
}

// inBody returns err, an error of writing the body command c, with the
// path of c and of the body added.
func inBody(c Command, err error) error { return within("/SyncML/SyncBody", inCommand(c, err)) }

// nested writes a command, or an Unknown whose name is not one of
// reserved, the names read as something else where it stands.
func (w *writer) nested(c Command, reserved map[string]bool) error {
	if len(w.groups) > w.safeGroups {
		if err := w.checkDepth(c); err != nil {
			return err
		}
	}
	// what a server's reply holds most, without the two type switches
	// of the test for nil and of writeCommand
	switch c := c.(type) {
	case *Status:
		if c != nil {
			return w.writeStatus(c)
		}
	case *Get:
		if c != nil {
			return w.writeGet(c)
		}
	}
	if isNilCommand(c) {
		if c == nil {
			return encodeError("", fmt.Errorf("%w: nil Command", ErrStructure))
		}
		return encodeError("", fmt.Errorf("%w: nil %T", ErrStructure, c))
	}
	return w.writeCommand(c, reserved)
}

// commands writes the commands nested in an Atomic or Sequence.
func (w *writer) commands(cmds []Command) error {
	for _, c := range cmds {
		if err := w.nested(c, groupNames); err != nil {
			return inCommand(c, err)
		}
	}
	return nil
}

// enter starts writing the group c (an Atomic or Sequence) named by e,
// which must not contain itself; leave ends it. The test costs the same
// at any depth: the groups from index groupScan on are looked up in a
// set (a group nested that deep is written only under a MaxDepth raised
// with Encoder.SetMaxDepth).
func (w *writer) enter(e *elem, c Command) error {
	n := len(w.groups)
	in := slices.Contains(w.groups[:min(n, groupScan)], c)
	if !in && n > groupScan {
		_, in = w.deepGroups[c]
	}
	if in {
		return encodeError("", fmt.Errorf("%w: %s contains itself", ErrStructure, e.name))
	}
	if n >= groupScan {
		if w.deepGroups == nil {
			w.deepGroups = make(map[Command]struct{})
		}
		w.deepGroups[c] = struct{}{}
	}
	w.groups = append(w.groups, c)
	return nil
}

func (w *writer) leave() {
	n := len(w.groups) - 1
	if n >= groupScan {
		delete(w.deepGroups, w.groups[n])
	}
	w.groups = w.groups[:n]
}

// groupScan is the number of the outermost groups being written that
// enter scans for the one it enters.
const groupScan = 32

// defaultSafeGroups is safeGroups under DefaultMaxDepth.
const defaultSafeGroups = DefaultMaxDepth - bodyCommandDepth - (maxReach - 1)

// setMaxDepth sets the writer's maxDepth (n <= 0: the default) and
// safeGroups.
func (w *writer) setMaxDepth(n int) {
	if n <= 0 {
		w.maxDepth, w.safeGroups = 0, defaultSafeGroups
		return
	}
	w.maxDepth = min(n, maxSetDepth)
	w.safeGroups = w.maxDepth - bodyCommandDepth - (maxReach - 1)
}

// markupLimits returns the limits XML Data and Unknown markup are
// checked against.
func (w *writer) markupLimits() Limits {
	if w.markup == nil {
		return marshalLimits
	}
	return *w.markup
}

// depthLimit returns the element depth the writer does not exceed.
func (w *writer) depthLimit() int {
	if w.maxDepth == 0 {
		return DefaultMaxDepth
	}
	return w.maxDepth
}

// checkDepth refuses c (a command to write in the groups w.groups) when
// an element of it would stand deeper than the writer's limit. A nil
// command is left to the writer, which refuses it.
func (w *writer) checkDepth(c Command) error {
	if isNilCommand(c) {
		return nil
	}
	lim := w.depthLimit()
	if bodyCommandDepth+len(w.groups)+reach(c)-1 <= lim {
		return nil
	}
	n := len("/SyncML/SyncBody/") + len(c.ElementName())
	for _, g := range w.groups {
		n += len(g.ElementName()) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, "/SyncML/SyncBody/"...)
	for _, g := range w.groups {
		b = append(b, g.ElementName()...)
		b = append(b, '/')
	}
	b = append(b, c.ElementName()...)
	return w.depthError(lim, string(b))
}

// checkShallow refuses a SyncBody or the header h (nil: none) deeper
// than lim, a small MaxDepth.
func (w *writer) checkShallow(lim int, h *Header) error {
	if lim < 2 {
		return w.depthError(lim, "/SyncML/SyncBody")
	}
	if h != nil && 1+headerReach(h) > lim {
		return w.depthError(lim, "/SyncML/SyncHdr")
	}
	return nil
}

// checkFinal refuses a Final (when final is set) deeper than the
// writer's limit: under a MaxDepth below 3.
func (w *writer) checkFinal(final bool) error {
	if w.safeGroups < 0 && w.maxDepth < bodyCommandDepth && final {
		return w.depthError(w.maxDepth, "/SyncML/SyncBody/Final")
	}
	return nil
}

// depthError is the error for an element at path that would stand deeper
// than lim, written from the end of what the writer holds.
func (w *writer) depthError(lim int, path string) error {
	return pkg.Limit("MaxDepth", int64(lim), w.off+int64(len(w.b)), path)
}

// chal writes the Chal of a Status.
func (w *writer) chal(c *Chal) error {
	if c == nil {
		return nil
	}
	return w.chalOf(c)
}

// chalOf is chal for a non-nil Chal (chal, which tests for nil, is inlined
// where it is called).
func (w *writer) chalOf(c *Chal) error {
	w.open(elChal)
	if err := w.meta(c.Meta); err != nil {
		return within(elChal.name, err)
	}
	w.close(elChal)
	return nil
}

// unknown writes an Unknown's bytes; reserved are the names the decoder
// reads as something else where it stands.
func (w *writer) unknown(u *Unknown, reserved map[string]bool) error {
	if err := checkUnknown(u, w.rootNS, reserved, w.markupLimits()); err != nil {
		return encodeError("", err)
	}
	w.newline()
	w.b = append(w.b, u.Raw...)
	return nil
}

// ---- checks of kept markup ----

// marshalLimits are the limits for checking values given to Marshal:
// their well-formedness matters there, not the resources a peer may spend,
// but for what the decoder with its default Limits refuses in markup
// whatever the message's size: nesting deeper than DefaultMaxDataDepth,
// more attributes on an element than DefaultMaxAttrs, more namespace
// declarations in scope than DefaultMaxNamespaces (as MaxDepth is kept by
// the writer).
var marshalLimits = Limits{MaxBytes: math.MaxInt64, MaxDepth: math.MaxInt32, MaxTokens: math.MaxInt32,
	MaxTokenBytes: math.MaxInt32, MaxAttrs: DefaultMaxAttrs, MaxDataDepth: DefaultMaxDataDepth, MaxNamespaces: DefaultMaxNamespaces}

// checkDataMarkup checks an XML Data for Marshal: its Namespaces are
// well-formed declarations, its Value is well-formed element content with
// at least one element, and Namespaces are exactly the declarations the
// markup relies on, in order of first use, so that decoding the output
// gives the same Data.
func checkDataMarkup(d *Data, rootNS string, lim Limits) error {
	if err := checkNamespaces(d.Namespaces); err != nil {
		return err
	}
	used, err := checkMarkup(d.Value, d.Namespaces, rootNS, lim)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			return fmt.Errorf("value byte %d: %w", de.Offset, de.Err)
		}
		return err
	}
	if !slices.Equal(used, d.Namespaces) {
		return fmt.Errorf("%w: Namespaces %v, but the markup relies on %v (in order of first use)", ErrStructure, d.Namespaces, used)
	}
	return nil
}

// checkMarkup checks that markup is well-formed element content holding
// at least one element, with the declarations ns in scope and rootNS the
// default namespace around them, and returns the declarations of ns (or
// the default namespace, when it differs from rootNS) that it relies on,
// in order of first use.
func checkMarkup(markup string, ns []Namespace, rootNS string, lim Limits) ([]Namespace, error) {
	lim = lim.withDefaults()
	sc := getScanner(markup, lim)
	defer putScanner(sc)
	sc.SetFragment(true)
	sc.rootNS = rootNS
	scope := make([]nsBinding, 0, len(ns)+1)
	if rootNS != "" {
		scope = append(scope, nsBinding{Prefix: "", URI: rootNS})
	}
	for _, n := range ns {
		scope = append(scope, nsBinding{Prefix: n.Prefix, URI: n.URI})
	}
	sc.Declare(scope...)
	sc.Enter("Data")
	c, err := sc.raw(tag{Name: "Data"}, 0, false)
	if err != nil {
		return nil, err
	}
	if c.End != len(markup) {
		return nil, fmt.Errorf("%w: end tag without start tag in XML Data", ErrSyntax)
	}
	if c.Elements == 0 {
		return nil, fmt.Errorf("%w: XML Data holds no element", ErrStructure)
	}
	return namespaces(c.Uses), nil
}

// checkUnknown checks that u.Raw is exactly one well-formed element named
// u.Name that declares the prefixes it uses, and that the decoder would
// not read it as one of reserved (a local name in the SyncML namespace
// or none); rootNS is the default namespace in scope where it is written.
func checkUnknown(u *Unknown, rootNS string, reserved map[string]bool, lim Limits) error {
	if !strings.HasPrefix(u.Raw, "<"+u.Name) || len(u.Raw) <= len(u.Name)+1 {
		return fmt.Errorf("%w: Raw does not start with <%s", ErrStructure, u.Name)
	}
	if c := u.Raw[len(u.Name)+1]; c != '>' && c != '/' && !xmlscan.IsSpace(c) {
		return fmt.Errorf("%w: Raw does not start with <%s", ErrStructure, u.Name)
	}
	sc := getScanner(u.Raw, lim)
	defer putScanner(sc)
	if rootNS != "" {
		sc.Declare(nsBinding{Prefix: "", URI: rootNS})
	}
	t, pos, err := sc.StartTag(0)
	if err != nil {
		return err
	}
	// reserved in the namespace the decoder reads them in
	sc.rootNS = rootNS
	if reserved[sc.local(t)] {
		return fmt.Errorf("%w: <%s> is not an unknown element where it stands", ErrStructure, u.Name)
	}
	c, err := sc.raw(t, pos, false)
	if err != nil {
		return err
	}
	end := c.End
	if end != len(u.Raw) {
		return fmt.Errorf("%w: Raw holds more than one element", ErrStructure)
	}
	return nil
}
