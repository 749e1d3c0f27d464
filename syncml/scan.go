package syncml

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// errNeedMore tells the streaming decoder that the scanner reached the end
// of a partial buffer; it never escapes the package.
var errNeedMore = errors.New("syncml: need more input")

// class bits for the byte table used by the hot loops.
const (
	clText  = 1 << iota // ends or interrupts a run of character data
	clName              // ASCII name character
	clStart             // ASCII name start character
	clSpace             // XML white space
	clAttr              // ends or interrupts an attribute value run
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == ']' {
			t[c] |= clText
		}
		if c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == '"' || c == '\'' {
			t[c] |= clAttr
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' {
			t[c] |= clStart | clName
		}
		if c >= '0' && c <= '9' || c == '-' || c == '.' {
			t[c] |= clName
		}
	}
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		t[c] |= clSpace
	}
	return t
}()

// broadcasts of the bytes that interrupt character data
var (
	bcastLT   = broadcast('<')
	bcastAmp  = broadcast('&')
	bcastRSqB = broadcast(']')
)

// nsBinding is one in-scope namespace declaration.
type nsBinding struct {
	prefix, uri string
}

// attr is one attribute of the start tag being read.
type attr struct {
	name  string // qualified name
	value string // decoded value
	pos   int    // offset of the name
	uri   string // namespace of a prefixed name, once resolved
}

// tag is a start tag just read. Its attributes are in scanner.attrs.
type tag struct {
	name   string // qualified name
	start  int    // offset of '<'
	lstart int32  // offset of the local part in name
	self   bool   // ended with "/>"
}

// local returns the local part of the tag's name.
func (t tag) local() string { return t.name[t.lstart:] }

// scanner reads well-formed XML from s and builds the model. It is used in
// two ways: over a whole message (partial false) and over the buffered part
// of a stream (partial true), where running out of bytes yields errNeedMore.
type scanner struct {
	s       string
	partial bool
	lim     Limits

	// position bookkeeping for errors: stream offset, line and column of s[0]
	base     int64
	baseLine int
	baseCol  int

	tokens int
	path   []string    // qualified names of open elements
	ns     []nsBinding // in-scope declarations, innermost last
	nsMark []int       // len(ns) when each open element started
	attrs  []attr      // attributes of the current start tag
	buf    []byte      // scratch for decoding references
	rootNS string      // default namespace of the SyncML root

	lastStart int // offset of the '<' of the last header or command read

	// slabs from which model values are handed out, to spend one
	// allocation on many of them
	slabs slabs

	fragment  bool        // input is element content that may end anywhere
	elements  int         // elements seen by raw
	capturing bool        // recording declarations for raw content
	capFloor  int         // bindings below this index are "outside"
	captured  []Namespace // declarations the raw content relies on
}

// scanners reuses scanners, and with them the capacity of their stacks,
// across messages.
var scanners = sync.Pool{New: func() any { return new(scanner) }}

// getScanner returns a scanner over s with the given limits (defaults
// applied by the caller), base position line 1, column 1.
func getScanner(s string, lim Limits) *scanner {
	sc := scanners.Get().(*scanner)
	sc.s, sc.lim, sc.baseLine, sc.baseCol = s, lim, 1, 1
	sc.slabs.sizeFirst()
	return sc
}

// putScanner clears everything that refers to input or to values handed
// out, and returns sc to the pool.
func putScanner(sc *scanner) {
	clear(sc.path[:cap(sc.path)])
	clear(sc.ns[:cap(sc.ns)])
	clear(sc.attrs[:cap(sc.attrs)])
	clear(sc.captured[:cap(sc.captured)])
	*sc = scanner{
		path:     sc.path[:0],
		ns:       sc.ns[:0],
		nsMark:   sc.nsMark[:0],
		attrs:    sc.attrs[:0],
		buf:      sc.buf[:0],
		captured: sc.captured[:0],
	}
	scanners.Put(sc)
}

// A slab hands out pointers into a shared backing array, so that many
// small values cost one allocation. Slabs start small, so that small
// messages stay small, and double up to maxSlab.
type slab[T any] struct {
	buf   []T
	n     int
	first int // size of the first slab (default 4)
}

const maxSlab = 64

func (s *slab[T]) grow() {
	if s.n == 0 {
		s.n = cmp.Or(s.first, 4)
	} else {
		s.n = min(2*s.n, maxSlab)
	}
	s.buf = make([]T, s.n)
}

func (s *slab[T]) get() *T {
	if len(s.buf) == 0 {
		s.grow()
	}
	p := &s.buf[0]
	s.buf = s.buf[1:]
	return p
}

// one returns an empty slice with room for one element from the slab, so
// that the common single append does not allocate.
func (s *slab[T]) one() []T {
	if len(s.buf) == 0 {
		s.grow()
	}
	r := s.buf[0:0:1]
	s.buf = s.buf[1:]
	return r
}

// slabs holds one slab per model type the decoder creates often.
type slabs struct {
	loc     slab[Location]
	data    slab[Data]
	meta    slab[Meta]
	item    slab[Item]
	add     slab[Add]
	alert   slab[Alert]
	copy    slab[Copy]
	delete  slab[Delete]
	exec    slab[Exec]
	get     slab[Get]
	replace slab[Replace]
	results slab[Results]
	status  slab[Status]
}

// sizeFirst makes the slabs of the larger, rarer types start with one
// value, so that a small message allocates little.
func (s *slabs) sizeFirst() {
	s.meta.first = 1
	s.add.first, s.alert.first, s.copy.first, s.delete.first, s.exec.first = 1, 1, 1, 1, 1
	s.get.first, s.replace.first, s.results.first, s.status.first = 1, 1, 1, 1
}

func (sc *scanner) newLocation() *Location { return sc.slabs.loc.get() }
func (sc *scanner) newData() *Data         { return sc.slabs.data.get() }
func (sc *scanner) newMeta() *Meta         { return sc.slabs.meta.get() }

// appendItem appends it to items, taking the first slot from the slab.
func (sc *scanner) appendItem(items []Item, it Item) []Item {
	if items == nil {
		items = sc.slabs.item.one()
	}
	return append(items, it)
}

// ---- errors ----

func (sc *scanner) errAt(pos int, cause error) error {
	if cause == errNeedMore {
		return cause
	}
	if pos > len(sc.s) {
		pos = len(sc.s)
	}
	line, col := advancePosition(sc.baseLine, sc.baseCol, sc.s[:pos])
	return &DecodeError{Offset: sc.base + int64(pos), Line: line, Column: col, Path: sc.pathString(), Err: cause}
}

// advancePosition returns the line and column after s for text starting
// at line, col; CR, CRLF and LF each end a line, as XML reads them.
func advancePosition(line, col int, s string) (int, int) {
	if strings.IndexByte(s, '\r') < 0 {
		if n := strings.Count(s, "\n"); n > 0 {
			return line + n, len(s) - strings.LastIndexByte(s, '\n')
		}
		return line, col + len(s)
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			line, col = line+1, 1
		case '\n':
			line, col = line+1, 1
		default:
			col++
		}
	}
	return line, col
}

func (sc *scanner) syntax(pos int, format string, args ...any) error {
	return sc.errAt(pos, fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...))
}

func (sc *scanner) structure(pos int, format string, args ...any) error {
	return sc.errAt(pos, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

func (sc *scanner) limit(name string, max int64, pos int) error {
	return &LimitError{Limit: name, Max: max, Offset: sc.base + int64(pos), Path: sc.pathString()}
}

func (sc *scanner) pathString() string {
	if len(sc.path) == 0 {
		return ""
	}
	return "/" + strings.Join(sc.path, "/")
}

// eof is the error for input that ends at pos inside a construct.
func (sc *scanner) eof(pos int) error {
	if sc.partial {
		return errNeedMore
	}
	return sc.errAt(pos, fmt.Errorf("%w: %w", ErrSyntax, io.ErrUnexpectedEOF))
}

// need reports whether n bytes are available at pos; otherwise it returns
// the end-of-input error.
func (sc *scanner) need(pos, n int) error {
	if pos+n <= len(sc.s) {
		return nil
	}
	return sc.eof(len(sc.s))
}

func (sc *scanner) token(pos int) error {
	sc.tokens++
	if sc.tokens > sc.lim.MaxTokens {
		return sc.limit("MaxTokens", int64(sc.lim.MaxTokens), pos)
	}
	return nil
}

// ---- characters and names ----

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func isNameStartRune(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_' || r == ':' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func isNameRune(r rune) bool {
	return isNameStartRune(r) || r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// name reads an XML name at pos and returns it with the offset after it.
func (sc *scanner) name(pos int) (string, int, error) {
	nm, _, next, err := sc.qname(pos)
	return nm, next, err
}

// qname is name that also returns the index of the name's colon, or -1.
func (sc *scanner) qname(pos int) (string, int, int, error) {
	s := sc.s
	i := pos
	if i >= len(s) {
		return "", -1, i, sc.eof(i)
	}
	if c := s[i]; c < utf8.RuneSelf {
		if byteClass[c]&clStart == 0 {
			return "", -1, i, sc.syntax(i, "invalid name start %q", rune(c))
		}
		i++
	} else {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRuneInString(s[i:]) {
				return "", -1, i, sc.eof(len(s))
			}
			return "", -1, i, sc.errAt(i, fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
		}
		if !isNameStartRune(r) {
			return "", -1, i, sc.syntax(i, "invalid name start %q", r)
		}
		i += n
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if byteClass[c]&clName == 0 {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRuneInString(s[i:]) {
				return "", -1, i, sc.eof(len(s))
			}
			return "", -1, i, sc.errAt(i, fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
		}
		if !isNameRune(r) {
			break
		}
		i += n
	}
	if i >= len(s) {
		return "", -1, i, sc.eof(i)
	}
	if i-pos > sc.lim.MaxTokenBytes {
		return "", -1, i, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
	}
	nm := s[pos:i]
	// Namespaces in XML: at most one colon, not first or last.
	c := strings.IndexByte(nm, ':')
	if c >= 0 {
		if c == 0 || c == len(nm)-1 || strings.IndexByte(nm[c+1:], ':') >= 0 {
			return "", -1, pos, sc.errAt(pos, fmt.Errorf("%w: name %q is not a qualified name", ErrPrefix, nm))
		}
	}
	return nm, c, i, nil
}

// isName reports whether s is an XML name.
func isName(s string) bool {
	for i, r := range s {
		if i == 0 && !isNameStartRune(r) || i > 0 && !isNameRune(r) {
			return false
		}
	}
	return s != ""
}

func localName(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

func prefixOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i]
	}
	return ""
}

func (sc *scanner) skipSpace(pos int) int {
	s := sc.s
	for pos < len(s) && byteClass[s[pos]]&clSpace != 0 {
		pos++
	}
	return pos
}

func isSpace(c byte) bool { return byteClass[c]&clSpace != 0 }

// trimXMLSpace trims XML white space from both ends of s.
func trimXMLSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isAllSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// ---- references ----

// ref decodes the reference at s[pos] == '&', appends its characters to
// sc.buf and returns the offset after ';'.
func (sc *scanner) ref(pos int) (int, error) {
	s := sc.s
	// a character reference may carry any number of leading zeros; an
	// entity name is one of five short names
	end := 1
	if end < len(s)-pos && s[pos+1] == '#' {
		end++
		if end < len(s)-pos && s[pos+end] == 'x' {
			end++
		}
		for end < len(s)-pos && unhex(s[pos+end]) >= 0 {
			end++
		}
	} else {
		for end < len(s)-pos && end < 6 && s[pos+end] != ';' {
			end++
		}
	}
	if end >= len(s)-pos {
		return pos, sc.eof(len(s))
	}
	if s[pos+end] != ';' {
		return pos, sc.syntax(pos, "'&' does not start a reference")
	}
	body := s[pos+1 : pos+end]
	next := pos + end + 1
	if body == "#" || body == "#x" {
		return pos, sc.syntax(pos, "empty character reference")
	}
	if len(body) > 1 && body[0] == '#' {
		var r rune
		digits := body[1:]
		base := rune(10)
		if digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return pos, sc.syntax(pos, "empty character reference")
		}
		for i := 0; i < len(digits); i++ {
			c := rune(digits[i])
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case base == 16 && c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case base == 16 && c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return pos, sc.syntax(pos, "invalid character reference &%s;", body)
			}
			r = r*base + d
			if r > 0x10FFFF {
				return pos, sc.errAt(pos, fmt.Errorf("%w: character reference &%s; out of range", ErrInvalidChar, body))
			}
		}
		if !isXMLChar(r) {
			return pos, sc.errAt(pos, fmt.Errorf("%w: character reference &%s;", ErrInvalidChar, body))
		}
		sc.buf = utf8.AppendRune(sc.buf, r)
		return next, nil
	}
	switch body {
	case "lt":
		sc.buf = append(sc.buf, '<')
	case "gt":
		sc.buf = append(sc.buf, '>')
	case "amp":
		sc.buf = append(sc.buf, '&')
	case "apos":
		sc.buf = append(sc.buf, '\'')
	case "quot":
		sc.buf = append(sc.buf, '"')
	default:
		if !isName(body) {
			return pos, sc.syntax(pos, "'&' does not start a reference")
		}
		return pos, sc.errAt(pos, fmt.Errorf("%w: &%s;", ErrEntity, body))
	}
	return next, nil
}

// checkRune validates the non-ASCII or control character at pos and returns
// its length.
func (sc *scanner) checkRune(pos int) (int, error) {
	s := sc.s
	c := s[pos]
	if c < utf8.RuneSelf {
		if c == '\t' || c == '\n' || c == '\r' {
			return 1, nil
		}
		return 0, sc.errAt(pos, fmt.Errorf("%w: %U", ErrInvalidChar, rune(c)))
	}
	r, n := utf8.DecodeRuneInString(s[pos:])
	if r == utf8.RuneError && n <= 1 {
		if !utf8.FullRuneInString(s[pos:]) {
			return 0, sc.eof(len(s))
		}
		return 0, sc.errAt(pos, fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
	}
	if !isXMLChar(r) {
		return 0, sc.errAt(pos, fmt.Errorf("%w: %U", ErrInvalidChar, r))
	}
	return n, nil
}

// ---- character data ----

// charData reads character data at pos, up to the next '<' that starts an
// element or end tag, folding in references, CDATA sections, comments and
// processing instructions. It returns the decoded text, whether a CDATA
// section was present, and the offset of that '<'. When the run needs no
// decoding the text is a substring of the input.
func (sc *scanner) charData(pos int) (text string, cdata bool, next int, err error) {
	s := sc.s
	// fast path: plain text up to a tag
	i := skipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
	for i < len(s) && byteClass[s[i]]&clText == 0 {
		i++
	}
	if i+1 < len(s) && s[i] == '<' && (s[i+1] == '/' || byteClass[s[i+1]]&clStart != 0) && i-pos <= sc.lim.MaxTokenBytes {
		if i > pos {
			if err := sc.token(pos); err != nil {
				return "", false, pos, err
			}
		}
		return s[pos:i], false, i, nil
	}
	start := pos
	decoded := false // the text so far is in sc.buf up to runStart
	sc.buf = sc.buf[:0]
	runStart := pos
	flush := func(p int) {
		sc.buf = append(sc.buf, s[runStart:p]...)
		decoded = true
	}
	for {
		for pos < len(s) && byteClass[s[pos]]&clText == 0 {
			pos++
		}
		if pos-start > sc.lim.MaxTokenBytes {
			return "", false, pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), start)
		}
		if pos >= len(s) {
			if sc.fragment {
				if decoded {
					flush(pos)
					return string(sc.buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
			return "", false, pos, sc.eof(pos)
		}
		var end int
		switch c := s[pos]; c {
		case '<':
			if err := sc.need(pos, 2); err != nil {
				return "", false, pos, err
			}
			switch s[pos+1] {
			case '!':
				if err := sc.need(pos, 4); err != nil {
					return "", false, pos, err
				}
				if s[pos+2] == '-' && s[pos+3] == '-' {
					flush(pos)
					end, err = sc.comment(pos)
					break
				}
				if err := sc.need(pos, 9); err != nil {
					return "", false, pos, err
				}
				if s[pos:pos+9] == "<![CDATA[" {
					flush(pos)
					end, err = sc.cdata(pos)
					cdata = true
					break
				}
				if s[pos:pos+9] == "<!DOCTYPE" {
					return "", false, pos, sc.errAt(pos, ErrDOCTYPE)
				}
				return "", false, pos, sc.syntax(pos, "invalid markup declaration")
			case '?':
				flush(pos)
				end, err = sc.pi(pos)
			default:
				// an element or end tag ends the run
				if pos > start {
					if err := sc.token(start); err != nil {
						return "", false, pos, err
					}
				}
				if decoded {
					flush(pos)
					return string(sc.buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
		case '&':
			flush(pos)
			end, err = sc.ref(pos)
		case '\r':
			flush(pos)
			sc.buf = append(sc.buf, '\n')
			if pos+1 >= len(s) && !sc.fragment {
				return "", false, pos, sc.eof(pos + 1)
			}
			end = pos + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case ']':
			if pos+3 > len(s) {
				if !sc.fragment {
					return "", false, pos, sc.eof(len(s))
				}
				pos++ // too short for "]]>"
				continue
			}
			if s[pos+1] == ']' && s[pos+2] == '>' {
				return "", false, pos, sc.syntax(pos, "']]>' in character data")
			}
			pos++
			continue
		default:
			n, err := sc.checkRune(pos)
			if err != nil {
				return "", false, pos, err
			}
			pos += n
			continue
		}
		if err != nil {
			return "", false, pos, err
		}
		pos, runStart = end, end
	}
}

// comment skips the comment at pos ("<!--") and returns the offset after it.
func (sc *scanner) comment(pos int) (int, error) {
	s := sc.s
	i := pos + 4
	for {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			if err := sc.checkChars(i, len(s)); err != nil {
				return pos, err
			}
			if len(s)-pos > sc.lim.MaxTokenBytes {
				return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
			}
			return pos, sc.eof(len(s))
		}
		if err := sc.checkChars(i, i+j); err != nil {
			return pos, err
		}
		i += j
		if err := sc.need(i, 2); err != nil {
			return pos, err
		}
		if s[i+1] == '-' {
			if err := sc.need(i, 3); err != nil {
				return pos, err
			}
			if s[i+2] != '>' {
				return pos, sc.syntax(i, "'--' in comment")
			}
			if i+3-pos > sc.lim.MaxTokenBytes {
				return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
			}
			return i + 3, sc.token(pos)
		}
		i++
	}
}

// checkChars validates the characters of s[i:j].
func (sc *scanner) checkChars(i, j int) error {
	s := sc.s
	for i < j {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		n, err := sc.checkRune(i)
		if err != nil {
			if err == errNeedMore && j < len(s) {
				return sc.errAt(i, fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
			}
			return err
		}
		i += n
	}
	return nil
}

// cdata reads the CDATA section at pos, appending its characters (with line
// ends normalised) to sc.buf, and returns the offset after it.
func (sc *scanner) cdata(pos int) (int, error) {
	s := sc.s
	i := pos + 9
	j := strings.Index(s[i:], "]]>")
	if j < 0 {
		if len(s)-pos > sc.lim.MaxTokenBytes {
			return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
		}
		if err := sc.checkChars(i, max(i, len(s)-3)); err != nil {
			return pos, err
		}
		return pos, sc.eof(len(s))
	}
	if j+12 > sc.lim.MaxTokenBytes {
		return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
	}
	body := s[i : i+j]
	if err := sc.checkChars(i, i+j); err != nil {
		return pos, err
	}
	sc.buf = appendNormalisedEOL(sc.buf, body)
	return i + j + 3, sc.token(pos)
}

func appendNormalisedEOL(b []byte, s string) []byte {
	for {
		k := strings.IndexByte(s, '\r')
		if k < 0 {
			return append(b, s...)
		}
		b = append(b, s[:k]...)
		b = append(b, '\n')
		s = s[k+1:]
		if len(s) > 0 && s[0] == '\n' {
			s = s[1:]
		}
	}
}

// pi skips the processing instruction at pos ("<?") and returns the offset
// after it. The XML declaration is handled by prolog, not here.
func (sc *scanner) pi(pos int) (int, error) {
	s := sc.s
	target, i, err := sc.name(pos + 2)
	if err != nil {
		return pos, err
	}
	if strings.EqualFold(target, "xml") {
		return pos, sc.syntax(pos, "XML declaration not at the start of the document")
	}
	if strings.IndexByte(target, ':') >= 0 {
		return pos, sc.errAt(pos, fmt.Errorf("%w: colon in processing instruction target %q", ErrPrefix, target))
	}
	j := strings.Index(s[i:], "?>")
	if j < 0 {
		if len(s)-pos > sc.lim.MaxTokenBytes {
			return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
		}
		return pos, sc.eof(len(s))
	}
	if j > 0 && !isSpace(s[i]) {
		return pos, sc.syntax(i, "processing instruction target not followed by space")
	}
	if err := sc.checkChars(i, i+j); err != nil {
		return pos, err
	}
	if i+j+2-pos > sc.lim.MaxTokenBytes {
		return pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), pos)
	}
	return i + j + 2, sc.token(pos)
}

// misc skips white space, comments and processing instructions at pos
// (outside the root element, or between children of a structural element
// when text is not wanted). It returns the offset of the next '<' that is
// not one of those, or len(s) at the end of input.
func (sc *scanner) misc(pos int) (int, error) {
	s := sc.s
	for {
		pos = sc.skipSpace(pos)
		if pos >= len(s) {
			return pos, nil
		}
		if s[pos] != '<' {
			return pos, nil
		}
		if err := sc.need(pos, 2); err != nil {
			return pos, err
		}
		switch s[pos+1] {
		case '?':
			end, err := sc.pi(pos)
			if err != nil {
				return pos, err
			}
			pos = end
		case '!':
			if err := sc.need(pos, 4); err != nil {
				return pos, err
			}
			if s[pos+2] != '-' || s[pos+3] != '-' {
				return pos, nil
			}
			end, err := sc.comment(pos)
			if err != nil {
				return pos, err
			}
			pos = end
		default:
			return pos, nil
		}
	}
}

// ---- tags ----

// startTag reads the start tag at s[pos] == '<', processes its namespace
// declarations, pushes it on the path, and returns it. Attributes other
// than namespace declarations are left in sc.attrs.
func (sc *scanner) startTag(pos int) (tag, int, error) {
	s := sc.s
	t := tag{start: pos}
	if len(sc.path) >= sc.lim.MaxDepth {
		return t, pos, sc.limit("MaxDepth", int64(sc.lim.MaxDepth), pos)
	}
	if err := sc.token(pos); err != nil {
		return t, pos, err
	}
	nm, colon, i, err := sc.qname(pos + 1)
	if err != nil {
		return t, pos, err
	}
	t.name = nm
	t.lstart = int32(colon + 1)
	sc.attrs = sc.attrs[:0]
	mark := len(sc.ns)
	// fast path: a start tag without attributes and an unprefixed name
	if i < len(s) && s[i] == '>' && colon < 0 {
		sc.path = append(sc.path, nm)
		sc.nsMark = append(sc.nsMark, mark)
		return t, i + 1, nil
	}
	for {
		j := sc.skipSpace(i)
		if j >= len(s) {
			return t, pos, sc.eof(j)
		}
		c := s[j]
		if c == '>' {
			i = j + 1
			break
		}
		if c == '/' {
			if err := sc.need(j, 2); err != nil {
				return t, pos, err
			}
			if s[j+1] != '>' {
				return t, pos, sc.syntax(j, "expected '>' after '/'")
			}
			t.self = true
			i = j + 2
			break
		}
		if j == i {
			return t, pos, sc.syntax(j, "expected white space before attribute")
		}
		if len(sc.attrs) >= sc.lim.MaxAttrs {
			return t, pos, sc.limit("MaxAttrs", int64(sc.lim.MaxAttrs), j)
		}
		an, k, err := sc.name(j)
		if err != nil {
			return t, pos, err
		}
		k = sc.skipSpace(k)
		if k >= len(s) {
			return t, pos, sc.eof(k)
		}
		if s[k] != '=' {
			return t, pos, sc.syntax(k, "expected '=' after attribute %s", an)
		}
		k = sc.skipSpace(k + 1)
		if k >= len(s) {
			return t, pos, sc.eof(k)
		}
		q := s[k]
		if q != '"' && q != '\'' {
			return t, pos, sc.syntax(k, "attribute value not quoted")
		}
		val, end, err := sc.attrValue(k+1, q)
		if err != nil {
			return t, pos, err
		}
		for _, a := range sc.attrs {
			if a.name == an {
				return t, pos, sc.errAt(j, fmt.Errorf("%w: %s", ErrDuplicateAttr, an))
			}
		}
		sc.attrs = append(sc.attrs, attr{name: an, value: val, pos: j})
		i = end
	}
	// namespace declarations first, so they apply to this element's names
	for _, a := range sc.attrs {
		if a.name == "xmlns" {
			if a.value == NamespaceXMLURI || a.value == namespaceXMLNSURI {
				return t, pos, sc.errAt(a.pos, fmt.Errorf("%w: reserved namespace bound as default", ErrPrefix))
			}
			if len(sc.ns) >= sc.lim.MaxNamespaces {
				return t, pos, sc.limit("MaxNamespaces", int64(sc.lim.MaxNamespaces), a.pos)
			}
			sc.ns = append(sc.ns, nsBinding{"", a.value})
		} else if strings.HasPrefix(a.name, "xmlns:") {
			p := a.name[6:]
			switch {
			case a.value == "":
				return t, pos, sc.errAt(a.pos, fmt.Errorf("%w: empty namespace for prefix %s", ErrPrefix, p))
			case p == "xmlns":
				return t, pos, sc.errAt(a.pos, fmt.Errorf("%w: prefix xmlns declared", ErrPrefix))
			case p == "xml" && a.value != NamespaceXMLURI, p != "xml" && a.value == NamespaceXMLURI, a.value == namespaceXMLNSURI:
				return t, pos, sc.errAt(a.pos, fmt.Errorf("%w: reserved prefix or namespace misused", ErrPrefix))
			}
			if len(sc.ns) >= sc.lim.MaxNamespaces {
				return t, pos, sc.limit("MaxNamespaces", int64(sc.lim.MaxNamespaces), a.pos)
			}
			sc.ns = append(sc.ns, nsBinding{p, a.value})
		}
	}
	sc.path = append(sc.path, nm)
	sc.nsMark = append(sc.nsMark, mark)
	if p := prefixOf(nm); p != "" {
		if _, err := sc.resolve(p, pos+1); err != nil {
			return t, pos, err
		}
	}
	// prefixed attributes: declared, and no two with the same expanded
	// name; each prefix is resolved once
	nPrefixed := 0
	for k := range sc.attrs {
		a := &sc.attrs[k]
		p := prefixOf(a.name)
		if p == "" || p == "xmlns" {
			continue
		}
		nPrefixed++
		uri, err := sc.resolve(p, a.pos)
		if err != nil {
			return t, pos, err
		}
		a.uri = uri
	}
	if nPrefixed > 1 {
		for x := range sc.attrs {
			ax := &sc.attrs[x]
			if px := prefixOf(ax.name); px == "" || px == "xmlns" {
				continue
			}
			for y := x + 1; y < len(sc.attrs); y++ {
				ay := &sc.attrs[y]
				if py := prefixOf(ay.name); py == "" || py == "xmlns" || ay.uri != ax.uri || localName(ax.name) != localName(ay.name) {
					continue
				}
				return t, pos, sc.errAt(ay.pos, fmt.Errorf("%w: %s and %s name the same attribute", ErrDuplicateAttr, ax.name, ay.name))
			}
		}
	}
	return t, i, nil
}

// Namespace names that XML reserves.
const (
	NamespaceXMLURI   = "http://www.w3.org/XML/1998/namespace"
	namespaceXMLNSURI = "http://www.w3.org/2000/xmlns/"
)

// lookup finds the innermost binding of prefix and its index (-1 for the
// predeclared xml prefix or when unbound).
func (sc *scanner) lookup(prefix string) (string, int) {
	for i := len(sc.ns) - 1; i >= 0; i-- {
		if sc.ns[i].prefix == prefix {
			return sc.ns[i].uri, i
		}
	}
	if prefix == "xml" {
		return NamespaceXMLURI, -1
	}
	return "", -2
}

// resolve checks that prefix is declared and, inside raw content, records
// declarations from outside it that the content relies on.
func (sc *scanner) resolve(prefix string, pos int) (string, error) {
	uri, idx := sc.lookup(prefix)
	if idx == -2 {
		return "", sc.errAt(pos, fmt.Errorf("%w: %s", ErrPrefix, prefix))
	}
	if sc.capturing && idx >= 0 && idx < sc.capFloor {
		sc.capture(Namespace{Prefix: prefix, URI: uri})
	}
	return uri, nil
}

func (sc *scanner) capture(n Namespace) {
	for _, c := range sc.captured {
		if c.Prefix == n.Prefix {
			return
		}
	}
	sc.captured = append(sc.captured, n)
}

// attrValue reads an attribute value after its opening quote and returns
// the decoded, normalised value and the offset after the closing quote.
func (sc *scanner) attrValue(pos int, q byte) (string, int, error) {
	s := sc.s
	start := pos
	decoded := false
	sc.buf = sc.buf[:0]
	runStart := pos
	for {
		for pos < len(s) && byteClass[s[pos]]&clAttr == 0 {
			pos++
		}
		if pos-start > sc.lim.MaxTokenBytes {
			return "", pos, sc.limit("MaxTokenBytes", int64(sc.lim.MaxTokenBytes), start)
		}
		if pos >= len(s) {
			return "", pos, sc.eof(pos)
		}
		c := s[pos]
		switch {
		case c == q:
			if decoded {
				sc.buf = append(sc.buf, s[runStart:pos]...)
				return string(sc.buf), pos + 1, nil
			}
			return s[start:pos], pos + 1, nil
		case c == '"' || c == '\'':
			pos++
		case c == '<':
			return "", pos, sc.syntax(pos, "'<' in attribute value")
		case c == '&':
			sc.buf = append(sc.buf, s[runStart:pos]...)
			decoded = true
			end, err := sc.ref(pos)
			if err != nil {
				return "", pos, err
			}
			pos, runStart = end, end
		case c == '\t' || c == '\n' || c == '\r':
			sc.buf = append(sc.buf, s[runStart:pos]...)
			decoded = true
			sc.buf = append(sc.buf, ' ')
			if c == '\r' {
				if pos+1 >= len(s) {
					return "", pos, sc.eof(pos + 1)
				}
				if s[pos+1] == '\n' {
					pos++
				}
			}
			pos++
			runStart = pos
		default:
			n, err := sc.checkRune(pos)
			if err != nil {
				return "", pos, err
			}
			pos += n
		}
	}
}

// endTag reads the end tag at s[pos] == '<' (followed by '/'), checks it
// closes the innermost open element, pops it and returns the offset after.
func (sc *scanner) endTag(pos int) (int, error) {
	s := sc.s
	open := sc.path[len(sc.path)-1]
	// fast path: the expected name followed by '>'
	if i := pos + 2 + len(open); i < len(s) && s[i] == '>' && s[pos+2:i] == open {
		sc.pop()
		return i + 1, nil
	}
	nm, i, err := sc.name(pos + 2)
	if err != nil {
		return pos, err
	}
	i = sc.skipSpace(i)
	if i >= len(s) {
		return pos, sc.eof(i)
	}
	if s[i] != '>' {
		return pos, sc.syntax(i, "expected '>' in end tag")
	}
	if nm != open {
		return pos, sc.syntax(pos, "end tag </%s> does not match <%s>", nm, open)
	}
	sc.pop()
	return i + 1, nil
}

// pop closes the innermost element.
func (sc *scanner) pop() {
	n := len(sc.path) - 1
	sc.path = sc.path[:n]
	sc.ns = sc.ns[:sc.nsMark[n]]
	sc.nsMark = sc.nsMark[:n]
}

// ---- structural helpers ----

// next reads, inside a structural element, up to the next child start tag
// or the element's end tag. Text other than white space is an error. At the
// end tag it returns done (the element is closed).
func (sc *scanner) next(pos int) (t tag, next int, done bool, err error) {
	s := sc.s
	// fast path: compact input puts the next tag right here
	if pos+1 < len(s) && s[pos] == '<' {
		if c := s[pos+1]; c == '/' {
			t.start = pos
			end, err := sc.endTag(pos)
			return t, end, true, err
		} else if byteClass[c]&clStart != 0 {
			t, end, err := sc.startTag(pos)
			return t, end, false, err
		}
	}
	for {
		pos, err = sc.misc(pos)
		if err != nil {
			return t, pos, false, err
		}
		if pos >= len(s) {
			return t, pos, false, sc.eof(pos)
		}
		if s[pos] != '<' {
			// text, or references that might be white space
			txt, _, end, err := sc.charData(pos)
			if err != nil {
				return t, pos, false, err
			}
			if !isAllSpace(txt) {
				return t, pos, false, sc.structure(pos, "unexpected text %q", clip(txt))
			}
			pos = end
			continue
		}
		if err := sc.need(pos, 2); err != nil {
			return t, pos, false, err
		}
		switch s[pos+1] {
		case '/':
			t.start = pos
			end, err := sc.endTag(pos)
			return t, end, true, err
		case '!':
			txt, _, end, err := sc.charData(pos)
			if err != nil {
				return t, pos, false, err
			}
			if !isAllSpace(txt) {
				return t, pos, false, sc.structure(pos, "unexpected text %q", clip(txt))
			}
			pos = end
			continue
		}
		t, end, err := sc.startTag(pos)
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

// noAttrs rejects attributes other than namespace declarations on t.
func (sc *scanner) noAttrs(t tag) error {
	for _, a := range sc.attrs {
		if a.name != "xmlns" && !strings.HasPrefix(a.name, "xmlns:") {
			return sc.structure(a.pos, "unexpected attribute %s on <%s>", a.name, t.name)
		}
	}
	return nil
}

// leaf reads the text content of an element that holds only character
// data, and closes it.
func (sc *scanner) leaf(t tag, pos int) (string, int, error) {
	if err := sc.noAttrs(t); err != nil {
		return "", pos, err
	}
	if t.self {
		sc.pop()
		return "", pos, nil
	}
	txt, _, end, err := sc.charData(pos)
	if err != nil {
		return "", pos, err
	}
	if err := sc.need(end, 2); err != nil {
		return "", pos, err
	}
	if sc.s[end+1] != '/' {
		return "", pos, sc.structure(end, "element inside <%s>", t.name)
	}
	end, err = sc.endTag(end)
	return txt, end, err
}

// flag reads an element that must be empty (such as Final) and closes it.
func (sc *scanner) flag(t tag, pos int) (int, error) {
	txt, end, err := sc.leaf(t, pos)
	if err != nil {
		return pos, err
	}
	if !isAllSpace(txt) {
		return pos, sc.structure(pos, "<%s> must be empty", t.name)
	}
	return end, nil
}

// raw skips the content of the open element t (whose start tag ended at
// pos) as generic well-formed XML and returns the offset after its end
// tag and the offset where the end tag starts. Namespace declarations from
// outside that the content uses are recorded in sc.captured.
func (sc *scanner) raw(t tag, pos int) (end, endTag int, err error) {
	if t.self {
		sc.pop()
		return pos, pos, nil
	}
	s := sc.s
	base := len(sc.path)
	for {
		_, _, next, err := sc.charData(pos)
		if err != nil {
			return pos, pos, err
		}
		pos = next
		if pos >= len(s) && sc.fragment && len(sc.path) == base {
			return pos, pos, nil
		}
		if err := sc.need(pos, 2); err != nil {
			return pos, pos, err
		}
		if s[pos+1] == '/' {
			if sc.fragment && len(sc.path) == base {
				return pos, pos, sc.syntax(pos, "end tag without a start tag")
			}
			at := pos
			pos, err = sc.endTag(pos)
			if err != nil {
				return pos, pos, err
			}
			if len(sc.path) < base {
				return pos, at, nil
			}
			continue
		}
		if len(sc.path)-base+1 > sc.lim.MaxDataDepth {
			return pos, pos, sc.limit("MaxDataDepth", int64(sc.lim.MaxDataDepth), pos)
		}
		ct, next2, err := sc.startTag(pos)
		if err != nil {
			return pos, pos, err
		}
		sc.elements++
		if err := sc.useDefault(ct); err != nil {
			return pos, pos, err
		}
		pos = next2
		if ct.self {
			sc.pop()
		}
	}
}

// useDefault records, inside raw content, that an unprefixed element
// relies on a default namespace declared outside the content when that
// namespace differs from the message's.
func (sc *scanner) useDefault(t tag) error {
	if !sc.capturing || strings.IndexByte(t.name, ':') >= 0 {
		return nil
	}
	uri, idx := sc.lookup("")
	if idx >= sc.capFloor {
		return nil
	}
	if idx < 0 {
		uri = ""
	}
	if uri != sc.rootNS {
		sc.capture(Namespace{Prefix: "", URI: uri})
	}
	return nil
}
