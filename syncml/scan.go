package syncml

import (
	"fmt"
	"strings"
	"sync"

	"github.com/windc-go/windc/internal/datahook"
	"github.com/windc-go/windc/internal/xmlscan"
)

// The lexical rules (names, references, character data, comments,
// processing instructions, tags, namespaces, limits) are those of
// internal/xmlscan; this file adds what reading the SyncML model needs:
// the package's errors and the structural helpers (the slabs model
// values come from are in slab.go).

// errNeedMore tells the streaming decoder that the scanner reached the end
// of a partial buffer; it never escapes the package.
var errNeedMore = xmlscan.ErrNeedMore

type (
	tag       = xmlscan.Tag
	nsBinding = xmlscan.Binding
)

// scanner reads well-formed XML from S and builds the model. It is used in
// two ways: over a whole message (Partial false) and over the buffered part
// of a stream (Partial true), where running out of bytes yields errNeedMore.
type scanner struct {
	xmlscan.Scanner
	lim Limits

	// position bookkeeping for errors: stream offset, line and column of S[0]
	base     int64
	baseLine int
	baseCol  int

	rootNS string // default namespace of the SyncML root

	// plainDecls is the number of declarations in scope inside the root
	// when the default namespace there is rootNS or none, and -1
	// otherwise: while no declaration is added, an unprefixed element is
	// in the message's namespace (local's fast path)
	plainDecls int

	lastStart int // offset of the '<' of the last header or command read

	// slabs from which model values are handed out, to spend one
	// allocation on many of them
	slabs slabs

	// hook, when set (only through internal/datahook), is asked for a
	// sink for each Item's Data; sink is the one of the Data being read
	hook datahook.Hook
	sink xmlscan.Sink

	// refBuf is the fast reader's scratch for text with references
	// (fastDec.refText), kept with the scanner in the pool
	refBuf []byte
}

// scanners reuses scanners, and with them the capacity of their stacks,
// across messages.
var scanners = sync.Pool{New: func() any { return new(scanner) }}

// getScanner returns a scanner over s with the given limits (defaults
// applied by the caller), base position line 1, column 1.
func getScanner(s string, lim Limits) *scanner {
	sc := scanners.Get().(*scanner)
	sc.Init(s, scanLimits(lim), sc)
	sc.lim, sc.baseLine, sc.baseCol = lim, 1, 1
	sc.plainDecls = -1
	sc.slabs.sizeFirst(s, &sc.lastStart)
	return sc
}

// scanLimits returns the lexical part of lim.
func scanLimits(lim Limits) xmlscan.Limits {
	return xmlscan.Limits{
		MaxDepth:      lim.MaxDepth,
		MaxTokens:     lim.MaxTokens,
		MaxTokenBytes: lim.MaxTokenBytes,
		MaxAttrs:      lim.MaxAttrs,
		MaxNamespaces: lim.MaxNamespaces,
	}
}

// putScanner clears everything that refers to input or to values handed
// out, and returns sc to the pool.
func putScanner(sc *scanner) {
	sc.Scanner.Reset()
	sc.lim, sc.base, sc.baseLine, sc.baseCol = Limits{}, 0, 0, 0
	sc.rootNS, sc.lastStart = "", 0
	sc.plainDecls = -1
	sc.slabs = slabs{}
	sc.hook, sc.sink = nil, nil
	scanners.Put(sc)
}

// ---- errors ----

// ScanError makes the package's error for a lexical problem, with the
// cause every package gives that kind (xmlscan.Cause).
func (sc *scanner) ScanError(pos int, k xmlscan.Kind, msg string) error {
	return sc.errAt(pos, xmlscan.Cause(k, msg))
}

// ScanLimit makes the package's error for an exceeded limit.
func (sc *scanner) ScanLimit(name string, max int64, pos int) error {
	return sc.limit(name, max, pos)
}

func (sc *scanner) errAt(pos int, cause error) error {
	return sc.errAtPath(pos, sc.PathString(), cause)
}

// errAtPath is errAt for an error whose element path is path, not the
// scanner's (an element that has already ended).
func (sc *scanner) errAtPath(pos int, path string, cause error) error {
	if cause == errNeedMore {
		return cause
	}
	s := sc.Input()
	if pos > len(s) {
		pos = len(s)
	}
	line, col := xmlscan.Advance(sc.baseLine, sc.baseCol, s[:pos])
	return pkg.Decode(sc.base+int64(pos), line, col, path, cause)
}

func (sc *scanner) structure(pos int, format string, args ...any) error {
	return sc.errAt(pos, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

func (sc *scanner) limit(name string, max int64, pos int) error {
	return pkg.Limit(name, max, sc.base+int64(pos), sc.PathString())
}

// Namespace names that XML reserves.
const (
	NamespaceXMLURI   = xmlscan.NamespaceXML
	namespaceXMLNSURI = xmlscan.NamespaceXMLNS
)

// namespaces copies declarations recorded by the scanner.
func namespaces(bs []nsBinding) []Namespace {
	ns := make([]Namespace, len(bs))
	for i, b := range bs {
		ns[i] = Namespace(b)
	}
	return ns
}

// ---- structural helpers ----

// next reads, inside a structural element, up to the next child start tag
// or the element's end tag. Text other than white space is an error. At the
// end tag it returns done (the element is closed).
func (sc *scanner) next(pos int) (t tag, next int, done bool, err error) {
	s := sc.Input()
	// fast path: compact input puts the next tag right here
	if pos+1 < len(s) && s[pos] == '<' {
		if c := s[pos+1]; c == '/' {
			t.Start = pos
			end, err := sc.EndTag(pos)
			return t, end, true, err
		} else if xmlscan.IsNameStartByte(c) {
			t, end, err := sc.StartTag(pos)
			return t, end, false, err
		}
	}
	for {
		pos, err = sc.Misc(pos)
		if err != nil {
			return t, pos, false, err
		}
		if pos >= len(s) {
			return t, pos, false, sc.EOF(pos)
		}
		if s[pos] != '<' {
			// text, or references that might be white space
			txt, _, end, err := sc.CharData(pos)
			if err != nil {
				return t, pos, false, err
			}
			if !xmlscan.IsAllSpace(txt) {
				return t, pos, false, sc.structure(pos, "unexpected text %q", clip(txt))
			}
			pos = end
			continue
		}
		if err := sc.Need(pos, 2); err != nil {
			return t, pos, false, err
		}
		switch s[pos+1] {
		case '/':
			t.Start = pos
			end, err := sc.EndTag(pos)
			return t, end, true, err
		case '!':
			txt, _, end, err := sc.CharData(pos)
			if err != nil {
				return t, pos, false, err
			}
			if !xmlscan.IsAllSpace(txt) {
				return t, pos, false, sc.structure(pos, "unexpected text %q", clip(txt))
			}
			pos = end
			continue
		}
		t, end, err := sc.StartTag(pos)
		if err != nil {
			return t, pos, false, err
		}
		return t, end, false, nil
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// local returns the local name of t, a start tag just read, when t is in
// the message's SyncML namespace or in none (as devices send), and ""
// otherwise, which matches no element of the model: an element in another
// namespace is an Unknown where a command may stand and unexpected
// elsewhere, never read as the SyncML element of the same local name.
// Meta may also be in the metinf namespace (see metaLocal), and an
// unprefixed Data may declare a default namespace for its content (which
// the content must use, see data).
func (sc *scanner) local(t tag) string {
	if t.LStart == 0 && sc.Declared() == sc.plainDecls {
		return t.Name
	}
	return sc.localSlow(t)
}

func (sc *scanner) localSlow(t tag) string {
	uri := sc.space(t)
	if uri == sc.rootNS || uri == "" {
		return t.Local()
	}
	switch t.Local() {
	case "Meta":
		if uri == NamespaceMetInf {
			return "Meta"
		}
	case "Data":
		// a default namespace declared on Data is its content's (the
		// writer puts Data.Namespaces back on it)
		if t.LStart == 0 && sc.declaresDefault() {
			return "Data"
		}
	}
	return ""
}

// declaresDefault reports whether the start tag just read declares the
// default namespace.
func (sc *scanner) declaresDefault() bool {
	for _, a := range sc.Attrs() {
		if a.Name == "xmlns" {
			return true
		}
	}
	return false
}

// metaLocal is local for the descendants of Meta, which devices send in
// the metinf namespace, in the SyncML one or in none.
func (sc *scanner) metaLocal(t tag) string {
	if t.LStart == 0 {
		if n := sc.Declared(); n == sc.plainDecls {
			return t.Name
		}
		// Windows declares the metinf namespace on each child
		if b, ok := sc.LastDeclared(); ok && b.Prefix == "" && b.URI == NamespaceMetInf {
			return t.Name
		}
	}
	uri := sc.space(t)
	if uri == NamespaceMetInf || uri == "" || uri == sc.rootNS {
		return t.Local()
	}
	return ""
}

// space returns the namespace of t, a start tag just read.
func (sc *scanner) space(t tag) string {
	if t.LStart == 0 {
		// the innermost declaration, when it is of the default namespace,
		// is the one in scope (as on <Format xmlns="syncml:metinf">)
		if b, ok := sc.LastDeclared(); ok && b.Prefix == "" {
			return b.URI
		}
	}
	p := ""
	if t.LStart > 0 {
		p = t.Name[:t.LStart-1]
	}
	uri, _ := sc.Lookup(p)
	return uri
}

// noAttrs rejects attributes other than namespace declarations on t.
func (sc *scanner) noAttrs(t tag) error {
	if len(sc.Attrs()) == 0 {
		return nil
	}
	return sc.otherAttrs(t)
}

// otherAttrs is noAttrs for a tag with attributes.
func (sc *scanner) otherAttrs(t tag) error {
	for _, a := range sc.Attrs() {
		if a.Name != "xmlns" && !strings.HasPrefix(a.Name, "xmlns:") {
			return sc.unexpectedAttr(a, t)
		}
	}
	return nil
}

// unexpectedAttr is the error for attribute a on t, an element of the
// model, which keeps no attributes but namespace declarations (and
// msft:originalerror on Data).
//
// An attribute of the xml namespace (xml:space, xml:lang) is legal XML
// and says why it is refused. The model has no field for it on any
// element; reading past it would lose it, and Marshal of what Unmarshal
// read would no longer say what the input said (DESIGN.md, exactness 3).
// Nor would keeping it add anything the codec does not do: text is kept
// exactly as written, as xml:space="preserve" asks, and the white space
// between the children of a structural element is not content (the
// SyncML DTD gives them element content), so xml:space="preserve" there
// asks for what SyncML has not. In Data's element content, kept as
// markup, such attributes are kept as they are.
func (sc *scanner) unexpectedAttr(a xmlscan.Attr, t tag) error {
	if xmlscan.PrefixOf(a.Name) == "xml" {
		return sc.structure(a.Pos, "unexpected attribute %s on <%s>: the SyncML model keeps no xml: attribute (text is kept exactly as written, as xml:space=\"preserve\" asks, and the white space between child elements is not content)", a.Name, t.Name)
	}
	return sc.structure(a.Pos, "unexpected attribute %s on <%s>", a.Name, t.Name)
}

// leaf reads the text content of an element that holds only character
// data, and closes it.
func (sc *scanner) leaf(t tag, pos int) (string, int, error) {
	if err := sc.noAttrs(t); err != nil {
		return "", pos, err
	}
	if t.Self {
		sc.Pop()
		return "", pos, nil
	}
	if txt, end, ok := sc.LeafText(pos); ok {
		return txt, end, nil
	}
	txt, _, end, err := sc.CharData(pos)
	if err != nil {
		return "", pos, err
	}
	if err := sc.Need(end, 2); err != nil {
		return "", pos, err
	}
	if sc.Input()[end+1] != '/' {
		return "", pos, sc.structure(end, "element inside <%s>", t.Name)
	}
	end, err = sc.EndTag(end)
	return txt, end, err
}

// flag reads an element that must be empty (such as Final) and closes it.
func (sc *scanner) flag(t tag, pos int) (int, error) {
	txt, end, err := sc.leaf(t, pos)
	if err != nil {
		return pos, err
	}
	if !xmlscan.IsAllSpace(txt) {
		return pos, sc.structure(pos, "<%s> must be empty", t.Name)
	}
	return end, nil
}

// raw skips the content of the open element t (whose start tag ended at
// pos) as generic well-formed XML and returns what the lexer read of it
// (the offset after its end tag, where that starts, the declarations from
// outside that the content uses). With own, t's start tag is part of the
// content (an element kept whole); without, declarations on t count as
// outside (the Data element, whose declarations the writer puts back).
//
// The content is a nested document, and its limits are counted as they are
// counted for that document alone (declaredconfig reads what it carries
// under the same rules): nesting from t, under MaxDataDepth and not
// MaxDepth, and namespace declarations in scope from t, so that MaxNamespaces
// bounds those of the content apart from those of the message around it.
func (sc *scanner) raw(t tag, pos int, own bool) (xmlscan.Content, error) {
	return sc.Content(t, pos, xmlscan.Nested{MaxDepth: sc.lim.MaxDataDepth, DefaultNS: sc.rootNS, Own: own, Sink: sc.sink})
}
