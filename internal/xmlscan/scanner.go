package xmlscan

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNeedMore is returned, instead of an end-of-input error, by a Partial
// scanner that reached the end of its buffer inside a construct.
var ErrNeedMore = errors.New("xmlscan: need more input")

// Kind classifies a lexical error.
type Kind uint8

// The kinds of error a Scanner reports through Errors.ScanError.
const (
	Syntax           Kind = iota // not well-formed
	EOF                          // input ends inside a construct (message empty)
	Prefix                       // breaks Namespaces in XML
	BadQName                     // a name that is not a qualified name
	UndeclaredPrefix             // a prefix with no declaration in scope (message: the prefix)
	DuplicateAttr                // an attribute repeated, by qualified or expanded name
	InvalidChar                  // a character XML does not allow
	Encoding                     // bytes that are not UTF-8
	Entity                       // a reference to an undefined entity (message: "&name;")
	DOCTYPE                      // a document type declaration (message empty)
	// Unclosed: a comment, CDATA section, processing instruction or XML
	// declaration that starts at the error's offset runs to the end of
	// the input (message: what it is, such as "comment"). It is reported
	// where the construct starts, since it swallowed the rest of the
	// input: the end says nothing of where the mistake is.
	Unclosed
)

// Errors makes the errors a Scanner returns. Its methods are called only
// on failure.
type Errors interface {
	// ScanError returns the error for a problem of kind k at offset pos.
	ScanError(pos int, k Kind, msg string) error
	// ScanLimit returns the error for exceeding the named limit at offset pos.
	ScanLimit(name string, max int64, pos int) error
}

// Limits bound what a Scanner accepts. All fields must be set.
type Limits struct {
	MaxDepth      int // open elements
	MaxTokens     int // start tags, text runs, comments, PIs, CDATA sections
	MaxTokenBytes int // one name, attribute value, text run, comment or PI
	MaxAttrs      int // attributes of one start tag
	MaxNamespaces int // declarations in scope
}

// Attr is one attribute of the start tag being read.
type Attr struct {
	Name  string // qualified name
	Value string // decoded value
	Pos   int    // offset of the name
	URI   string // namespace of a prefixed name, once resolved
}

// Tag is a start tag just read. Its attributes are those Scanner.Attrs
// returns until the next start tag.
type Tag struct {
	Name   string // qualified name
	Start  int    // offset of '<'
	LStart int32  // offset of the local part in Name
	Self   bool   // ended with "/>"
}

// Local returns the local part of the tag's name.
func (t Tag) Local() string { return t.Name[t.LStart:] }

// A Scanner reads XML from its input by offsets. Its state (the open
// elements, the namespace declarations in scope, the attributes of the last
// start tag, the token count) is its own: callers read it through methods
// and change it only by scanning. Over a whole input it is complete; over
// the buffered part of a stream (SetInput with partial true) running out of
// bytes yields ErrNeedMore, and a Checkpoint taken before the attempt puts
// the state back for a retry over more input.
type Scanner struct {
	src      string
	partial  bool
	fragment bool
	lim      Limits
	errs     Errors

	tokens int
	path   []openElem // open elements, innermost last
	ns     []Binding  // in-scope declarations, innermost last
	nsBase int        // declarations below it are not counted against MaxNamespaces
	attrs  []Attr     // attributes of the current start tag
	buf    []byte     // scratch for decoding references

	// capturing records, in captured, the declarations below capFloor in
	// ns that resolved prefixes rely on (see Content)
	capturing bool
	capFloor  int
	captured  []Binding

	seen map[string]int // attribute keys, for tags with many attributes

	doc        docState // where Next stands
	pendingEnd string   // the empty element whose EndToken Next returns next
}

// Init makes sc a scanner over the whole of src under lim, reporting
// errors through errs, with no element open; the capacity of its stacks is
// kept.
func (sc *Scanner) Init(src string, lim Limits, errs Errors) {
	sc.src, sc.partial, sc.fragment, sc.lim, sc.errs = src, false, false, lim, errs
	sc.tokens, sc.nsBase, sc.capturing, sc.capFloor = 0, 0, false, 0
	sc.doc, sc.pendingEnd = beforeRoot, ""
	sc.path, sc.ns = sc.path[:0], sc.ns[:0]
	sc.attrs, sc.buf, sc.captured = sc.attrs[:0], sc.buf[:0], sc.captured[:0]
}

// Reset clears everything that refers to input, keeping the capacity of
// the stacks (for a scanner kept in a pool between inputs).
func (sc *Scanner) Reset() {
	clear(sc.path[:cap(sc.path)])
	clear(sc.ns[:cap(sc.ns)])
	clear(sc.attrs[:cap(sc.attrs)])
	clear(sc.captured[:cap(sc.captured)])
	clear(sc.seen)
	*sc = Scanner{
		path:     sc.path[:0],
		ns:       sc.ns[:0],
		attrs:    sc.attrs[:0],
		buf:      sc.buf[:0],
		captured: sc.captured[:0],
		seen:     sc.seen,
	}
}

// SetInput replaces the input by src, keeping the open elements and the
// declarations in scope: src continues where the last input was consumed.
// With partial set, src is the buffered part of a stream, and running out
// of it yields ErrNeedMore.
func (sc *Scanner) SetInput(src string, partial bool) {
	sc.src, sc.partial = src, partial
}

// SetLimits replaces the limits.
func (sc *Scanner) SetLimits(lim Limits) { sc.lim = lim }

// SetFragment sets whether the input is element content rather than a
// document: character data may then run to its end (see Enter).
func (sc *Scanner) SetFragment(on bool) { sc.fragment = on }

// Input returns the input.
func (sc *Scanner) Input() string { return sc.src }

// Partial reports whether the input is the buffered part of a stream.
func (sc *Scanner) Partial() bool { return sc.partial }

// Attrs returns the attributes of the last start tag read, namespace
// declarations included, in document order. The slice is the scanner's:
// it is valid until the next start tag.
func (sc *Scanner) Attrs() []Attr { return sc.attrs }

// Tokens returns the number of tokens read so far, as MaxTokens counts
// them.
func (sc *Scanner) Tokens() int { return sc.tokens }

// Depth returns the number of open elements.
func (sc *Scanner) Depth() int { return len(sc.path) }

// Declared returns the number of namespace declarations in scope (those
// put there by Declare included). It changes only when a start tag
// declares some or an element that declared some is closed, so a caller
// comparing it with an earlier value learns cheaply that the scope is
// the same.
func (sc *Scanner) Declared() int { return len(sc.ns) }

// LastDeclared returns the innermost namespace declaration in scope, and
// false when there is none. When it binds the default namespace, that is
// the default namespace in scope.
func (sc *Scanner) LastDeclared() (Binding, bool) {
	if n := len(sc.ns); n > 0 {
		return sc.ns[n-1], true
	}
	return Binding{}, false
}

// A Checkpoint is the scanner's place in the element and namespace stacks
// and its token count at one moment.
type Checkpoint struct {
	path, ns, tokens int
	doc              docState
	pendingEnd       string
}

// Checkpoint returns the scanner's place, for Rewind.
func (sc *Scanner) Checkpoint() Checkpoint {
	return Checkpoint{path: len(sc.path), ns: len(sc.ns), tokens: sc.tokens, doc: sc.doc, pendingEnd: sc.pendingEnd}
}

// Rewind puts the stacks and the token count back to c, taken on the same
// scanner with no element closed since: what was opened or declared after
// it is forgotten.
func (sc *Scanner) Rewind(c Checkpoint) {
	sc.path = sc.path[:c.path]
	sc.ns, sc.tokens = sc.ns[:c.ns], c.tokens
	sc.doc, sc.pendingEnd = c.doc, c.pendingEnd
}

// Declare puts namespace declarations in scope that hold around the input
// (the scope of a document written inside another). They do not count
// against MaxNamespaces.
func (sc *Scanner) Declare(bs ...Binding) {
	sc.ns = append(sc.ns, bs...)
	sc.nsBase = len(sc.ns)
}

// Enter opens an element named name whose start tag lies outside the
// input, so that the input is read as its content (with SetFragment) and
// errors carry it in their path.
func (sc *Scanner) Enter(name string) {
	sc.path = append(sc.path, openElem{name, len(sc.ns), nameWord(name, 0, len(name))})
}

// fail returns the error of kind k at pos, the message made by format.
func (sc *Scanner) fail(pos int, k Kind, format string, args ...any) error {
	return sc.errs.ScanError(pos, k, fmt.Sprintf(format, args...))
}

// Syntax returns a Syntax error at pos.
func (sc *Scanner) Syntax(pos int, format string, args ...any) error {
	return sc.errs.ScanError(pos, Syntax, fmt.Sprintf(format, args...))
}

// limit returns the error for exceeding limit name (of value max) at pos.
// It is kept out of line so that the hot paths that call it stay inlinable.
//
//go:noinline
func (sc *Scanner) limit(name string, max int, pos int) error {
	return sc.errs.ScanLimit(name, int64(max), pos)
}

// PathString returns the open elements as "/a/b", or "".
func (sc *Scanner) PathString() string {
	if len(sc.path) == 0 {
		return ""
	}
	var b strings.Builder
	for _, e := range sc.path {
		b.WriteByte('/')
		b.WriteString(e.name)
	}
	return b.String()
}

// EOF is the error for input that ends at pos inside a construct. It is
// kept out of line so that the hot paths that call it stay inlinable.
//
//go:noinline
func (sc *Scanner) EOF(pos int) error {
	if sc.partial {
		return ErrNeedMore
	}
	return sc.errs.ScanError(pos, EOF, "")
}

// unclosed is the error for the construct what, starting at pos, that
// runs to the end of the input (ErrNeedMore over partial input). It is
// kept out of line, as EOF is.
//
//go:noinline
func (sc *Scanner) unclosed(pos int, what string) error {
	if sc.partial {
		return ErrNeedMore
	}
	return sc.errs.ScanError(pos, Unclosed, what)
}

// Need reports whether n bytes are available at pos; otherwise it returns
// the end-of-input error.
func (sc *Scanner) Need(pos, n int) error {
	if pos+n <= len(sc.src) {
		return nil
	}
	return sc.EOF(len(sc.src))
}

// token counts a token at pos against MaxTokens.
func (sc *Scanner) token(pos int) error {
	sc.tokens++
	if sc.tokens > sc.lim.MaxTokens {
		return sc.limit("MaxTokens", sc.lim.MaxTokens, pos)
	}
	return nil
}
