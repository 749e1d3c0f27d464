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

// Tag is a start tag just read. Its attributes are in Scanner.Attrs.
type Tag struct {
	Name   string // qualified name
	Start  int    // offset of '<'
	LStart int32  // offset of the local part in Name
	Self   bool   // ended with "/>"
}

// Local returns the local part of the tag's name.
func (t Tag) Local() string { return t.Name[t.LStart:] }

// Scanner reads XML from S. Over a whole input Partial is false; over the
// buffered part of a stream it is true, and running out of bytes yields
// ErrNeedMore. With Fragment set, character data may run to the end of S.
type Scanner struct {
	S        string
	Partial  bool
	Fragment bool
	Lim      Limits
	Errs     Errors

	Tokens int
	Path   []string  // qualified names of open elements
	NS     []Binding // in-scope declarations, innermost last
	NSMark []int     // len(NS) when each open element started
	Attrs  []Attr    // attributes of the current start tag
	Buf    []byte    // scratch for decoding references

	// Capturing records, in Captured, the declarations below CapFloor in
	// NS that resolved prefixes rely on.
	Capturing bool
	CapFloor  int
	Captured  []Binding

	seen map[string]int // attribute keys, for tags with many attributes
}

// Reset clears everything that refers to input, keeping the capacity of
// the stacks, and sets Errs to errs.
func (sc *Scanner) Reset(errs Errors) {
	clear(sc.Path[:cap(sc.Path)])
	clear(sc.NS[:cap(sc.NS)])
	clear(sc.Attrs[:cap(sc.Attrs)])
	clear(sc.Captured[:cap(sc.Captured)])
	*sc = Scanner{
		Errs:     errs,
		Path:     sc.Path[:0],
		NS:       sc.NS[:0],
		NSMark:   sc.NSMark[:0],
		Attrs:    sc.Attrs[:0],
		Buf:      sc.Buf[:0],
		Captured: sc.Captured[:0],
	}
}

// Fail returns the error of kind k at pos, the message made by format.
func (sc *Scanner) Fail(pos int, k Kind, format string, args ...any) error {
	return sc.Errs.ScanError(pos, k, fmt.Sprintf(format, args...))
}

// Syntax returns a Syntax error at pos.
func (sc *Scanner) Syntax(pos int, format string, args ...any) error {
	return sc.Errs.ScanError(pos, Syntax, fmt.Sprintf(format, args...))
}

// Limit returns the error for exceeding limit name (of value max) at pos.
// It is kept out of line so that the hot paths that call it stay inlinable.
//
//go:noinline
func (sc *Scanner) Limit(name string, max int, pos int) error {
	return sc.Errs.ScanLimit(name, int64(max), pos)
}

// PathString returns the open elements as "/a/b", or "".
func (sc *Scanner) PathString() string {
	if len(sc.Path) == 0 {
		return ""
	}
	return "/" + strings.Join(sc.Path, "/")
}

// EOF is the error for input that ends at pos inside a construct. It is
// kept out of line so that the hot paths that call it stay inlinable.
//
//go:noinline
func (sc *Scanner) EOF(pos int) error {
	if sc.Partial {
		return ErrNeedMore
	}
	return sc.Errs.ScanError(pos, EOF, "")
}

// Need reports whether n bytes are available at pos; otherwise it returns
// the end-of-input error.
func (sc *Scanner) Need(pos, n int) error {
	if pos+n <= len(sc.S) {
		return nil
	}
	return sc.EOF(len(sc.S))
}

// Token counts a token at pos against MaxTokens.
func (sc *Scanner) Token(pos int) error {
	sc.Tokens++
	if sc.Tokens > sc.Lim.MaxTokens {
		return sc.Limit("MaxTokens", sc.Lim.MaxTokens, pos)
	}
	return nil
}
