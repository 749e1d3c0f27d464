// Package xmlscan is the lexical core shared by the module's XML readers:
// XML 1.0 well-formedness (characters, names, references, character data,
// comments, processing instructions, CDATA sections, the XML declaration,
// tags and attributes) and Namespaces in XML (qualified names, declared
// prefixes, the reserved prefixes, no prefix bound to the empty name, no
// two attributes with the same expanded name), under limits.
//
// A Scanner works on offsets into its source S. It builds nothing: each
// package reads its own model or tree from what the methods return. Errors
// are made by the package through the Errors hook, so that they carry the
// package's types and sentinels; the scanner itself only says where, what
// kind and what.
package xmlscan

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
	bcastLT   = Broadcast('<')
	bcastAmp  = Broadcast('&')
	bcastRSqB = Broadcast(']')
)

// Namespace names that XML reserves.
const (
	NamespaceXML   = "http://www.w3.org/XML/1998/namespace"
	NamespaceXMLNS = "http://www.w3.org/2000/xmlns/"
)

// Binding is one in-scope namespace declaration.
type Binding struct {
	Prefix, URI string
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

// ---- errors ----

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

// ---- characters and names ----

// IsXMLChar reports whether r may appear in an XML 1.0 document.
func IsXMLChar(r rune) bool {
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

// IsNameStartRune and IsNameRune are the XML 1.0 fifth-edition classes.
func IsNameStartRune(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_' || r == ':' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

// IsNameRune reports whether r may continue an XML name.
func IsNameRune(r rune) bool {
	return IsNameStartRune(r) || r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// IsName reports whether s is an XML name.
func IsName(s string) bool {
	for i, r := range s {
		if i == 0 && !IsNameStartRune(r) || i > 0 && !IsNameRune(r) {
			return false
		}
	}
	return s != ""
}

// IsQName reports whether s is an XML name with at most one colon, not at
// either end: a qualified name of Namespaces in XML.
func IsQName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == utf8.RuneError || i == 0 && !IsNameStartRune(r) || !IsNameRune(r) {
			return false
		}
	}
	c := strings.IndexByte(s, ':')
	return c < 0 || c > 0 && c < len(s)-1 && strings.IndexByte(s[c+1:], ':') < 0
}

// LocalName returns the local part of qualified name q.
func LocalName(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// PrefixOf returns the prefix of qualified name q, or "".
func PrefixOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i]
	}
	return ""
}

// IsSpace reports whether c is XML white space.
func IsSpace(c byte) bool { return byteClass[c]&clSpace != 0 }

// IsNameStartByte reports whether the ASCII byte c may start a name.
func IsNameStartByte(c byte) bool { return byteClass[c]&clStart != 0 }

// IsAllSpace reports whether s holds only XML white space.
func IsAllSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsSpace(s[i]) {
			return false
		}
	}
	return true
}

// TrimSpace trims XML white space from both ends of s.
func TrimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && IsSpace(s[i]) {
		i++
	}
	for j > i && IsSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// SkipSpace returns the offset of the first byte at or after pos that is
// not XML white space.
func (sc *Scanner) SkipSpace(pos int) int {
	s := sc.S
	for pos < len(s) && byteClass[s[pos]]&clSpace != 0 {
		pos++
	}
	return pos
}

// Name reads an XML name at pos and returns it with the offset after it.
func (sc *Scanner) Name(pos int) (string, int, error) {
	nm, _, next, err := sc.QName(pos)
	return nm, next, err
}

// QName is Name that also returns the index of the name's colon, or -1.
func (sc *Scanner) QName(pos int) (string, int, int, error) {
	s := sc.S
	i := pos
	if i >= len(s) {
		return "", -1, i, sc.EOF(i)
	}
	if c := s[i]; c < utf8.RuneSelf {
		if byteClass[c]&clStart == 0 {
			return "", -1, i, sc.Syntax(i, "invalid name start %q", rune(c))
		}
		i++
	} else {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRuneInString(s[i:]) {
				return "", -1, i, sc.EOF(len(s))
			}
			return "", -1, i, sc.Errs.ScanError(i, Encoding, "invalid UTF-8")
		}
		if !IsNameStartRune(r) {
			return "", -1, i, sc.Syntax(i, "invalid name start %q", r)
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
				return "", -1, i, sc.EOF(len(s))
			}
			return "", -1, i, sc.Errs.ScanError(i, Encoding, "invalid UTF-8")
		}
		if !IsNameRune(r) {
			break
		}
		i += n
	}
	if i >= len(s) {
		return "", -1, i, sc.EOF(i)
	}
	if i-pos > sc.Lim.MaxTokenBytes {
		return "", -1, i, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
	}
	nm := s[pos:i]
	// Namespaces in XML: at most one colon, not first or last.
	c := strings.IndexByte(nm, ':')
	if c >= 0 {
		if c == 0 || c == len(nm)-1 || strings.IndexByte(nm[c+1:], ':') >= 0 {
			return "", -1, pos, sc.Fail(pos, BadQName, "name %q is not a qualified name", nm)
		}
	}
	return nm, c, i, nil
}

// ---- references ----

// Unhex returns the value of the hexadecimal digit c, or -1.
func Unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Ref decodes the reference at S[pos] == '&', appends its characters to
// Buf and returns the offset after ';'.
func (sc *Scanner) Ref(pos int) (int, error) {
	s := sc.S
	// a character reference may carry any number of leading zeros; an
	// entity name is one of five short names
	end := 1
	if end < len(s)-pos && s[pos+1] == '#' {
		end++
		if end < len(s)-pos && s[pos+end] == 'x' {
			end++
		}
		for end < len(s)-pos && Unhex(s[pos+end]) >= 0 {
			end++
		}
	} else {
		for end < len(s)-pos && end < 6 && s[pos+end] != ';' {
			end++
		}
	}
	if end >= len(s)-pos {
		return pos, sc.EOF(len(s))
	}
	if s[pos+end] != ';' {
		return pos, sc.Syntax(pos, "'&' does not start a reference")
	}
	body := s[pos+1 : pos+end]
	next := pos + end + 1
	if body == "#" || body == "#x" {
		return pos, sc.Syntax(pos, "empty character reference")
	}
	if len(body) > 1 && body[0] == '#' {
		var r rune
		digits := body[1:]
		base := rune(10)
		if digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return pos, sc.Syntax(pos, "empty character reference")
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
				return pos, sc.Syntax(pos, "invalid character reference &%s;", body)
			}
			r = r*base + d
			if r > 0x10FFFF {
				return pos, sc.Fail(pos, InvalidChar, "character reference &%s; out of range", body)
			}
		}
		if !IsXMLChar(r) {
			return pos, sc.Fail(pos, InvalidChar, "character reference &%s;", body)
		}
		sc.Buf = utf8.AppendRune(sc.Buf, r)
		return next, nil
	}
	switch body {
	case "lt":
		sc.Buf = append(sc.Buf, '<')
	case "gt":
		sc.Buf = append(sc.Buf, '>')
	case "amp":
		sc.Buf = append(sc.Buf, '&')
	case "apos":
		sc.Buf = append(sc.Buf, '\'')
	case "quot":
		sc.Buf = append(sc.Buf, '"')
	default:
		if !IsName(body) {
			return pos, sc.Syntax(pos, "'&' does not start a reference")
		}
		return pos, sc.Fail(pos, Entity, "&%s;", body)
	}
	return next, nil
}

// CheckRune validates the non-ASCII or control character at pos and
// returns its length.
func (sc *Scanner) CheckRune(pos int) (int, error) {
	s := sc.S
	c := s[pos]
	if c < utf8.RuneSelf {
		if c == '\t' || c == '\n' || c == '\r' {
			return 1, nil
		}
		return 0, sc.Fail(pos, InvalidChar, "%U", rune(c))
	}
	r, n := utf8.DecodeRuneInString(s[pos:])
	if r == utf8.RuneError && n <= 1 {
		if !utf8.FullRuneInString(s[pos:]) {
			return 0, sc.EOF(len(s))
		}
		return 0, sc.Errs.ScanError(pos, Encoding, "invalid UTF-8")
	}
	if !IsXMLChar(r) {
		return 0, sc.Fail(pos, InvalidChar, "%U", r)
	}
	return n, nil
}

// CheckChars validates the characters of S[i:j].
func (sc *Scanner) CheckChars(i, j int) error {
	s := sc.S
	for i < j {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		n, err := sc.CheckRune(i)
		if err != nil {
			if err == ErrNeedMore && j < len(s) {
				return sc.Errs.ScanError(i, Encoding, "invalid UTF-8")
			}
			return err
		}
		i += n
	}
	return nil
}

// ---- character data ----

// CharData reads character data at pos, up to the next '<' that starts an
// element or end tag, folding in references, CDATA sections, comments and
// processing instructions. It returns the decoded text, whether a CDATA
// section was present, and the offset of that '<'. When the run needs no
// decoding the text is a substring of the input.
func (sc *Scanner) CharData(pos int) (text string, cdata bool, next int, err error) {
	s := sc.S
	// fast path: plain text up to a tag
	i := SkipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
	for i < len(s) && byteClass[s[i]]&clText == 0 {
		i++
	}
	if i+1 < len(s) && s[i] == '<' && (s[i+1] == '/' || byteClass[s[i+1]]&clStart != 0) && i-pos <= sc.Lim.MaxTokenBytes {
		if i > pos {
			if err := sc.Token(pos); err != nil {
				return "", false, pos, err
			}
		}
		return s[pos:i], false, i, nil
	}
	start := pos
	decoded := false // the text so far is in sc.Buf up to runStart
	sc.Buf = sc.Buf[:0]
	runStart := pos
	flush := func(p int) {
		sc.Buf = append(sc.Buf, s[runStart:p]...)
		decoded = true
	}
	for {
		for pos < len(s) && byteClass[s[pos]]&clText == 0 {
			pos++
		}
		if pos-start > sc.Lim.MaxTokenBytes {
			return "", false, pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			if sc.Fragment {
				if decoded {
					flush(pos)
					return string(sc.Buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
			return "", false, pos, sc.EOF(pos)
		}
		var end int
		switch c := s[pos]; c {
		case '<':
			if err := sc.Need(pos, 2); err != nil {
				return "", false, pos, err
			}
			switch s[pos+1] {
			case '!':
				if err := sc.Need(pos, 4); err != nil {
					return "", false, pos, err
				}
				if s[pos+2] == '-' && s[pos+3] == '-' {
					flush(pos)
					end, err = sc.Comment(pos)
					break
				}
				if err := sc.Need(pos, 9); err != nil {
					return "", false, pos, err
				}
				if s[pos:pos+9] == "<![CDATA[" {
					flush(pos)
					end, err = sc.CDATA(pos)
					cdata = true
					break
				}
				if s[pos:pos+9] == "<!DOCTYPE" {
					return "", false, pos, sc.Errs.ScanError(pos, DOCTYPE, "")
				}
				return "", false, pos, sc.Syntax(pos, "invalid markup declaration")
			case '?':
				flush(pos)
				end, err = sc.PI(pos)
			default:
				// an element or end tag ends the run
				if pos > start {
					if err := sc.Token(start); err != nil {
						return "", false, pos, err
					}
				}
				if decoded {
					flush(pos)
					return string(sc.Buf), cdata, pos, nil
				}
				return s[start:pos], cdata, pos, nil
			}
		case '&':
			flush(pos)
			end, err = sc.Ref(pos)
		case '\r':
			flush(pos)
			sc.Buf = append(sc.Buf, '\n')
			if pos+1 >= len(s) && !sc.Fragment {
				return "", false, pos, sc.EOF(pos + 1)
			}
			end = pos + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case ']':
			if pos+3 > len(s) {
				if !sc.Fragment {
					return "", false, pos, sc.EOF(len(s))
				}
				pos++ // too short for "]]>"
				continue
			}
			if s[pos+1] == ']' && s[pos+2] == '>' {
				return "", false, pos, sc.Syntax(pos, "']]>' in character data")
			}
			pos++
			continue
		default:
			n, err := sc.CheckRune(pos)
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

// Comment skips the comment at pos ("<!--") and returns the offset after it.
func (sc *Scanner) Comment(pos int) (int, error) {
	s := sc.S
	i := pos + 4
	for {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			if err := sc.CheckChars(i, len(s)); err != nil {
				return pos, err
			}
			if len(s)-pos > sc.Lim.MaxTokenBytes {
				return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
			}
			return pos, sc.EOF(len(s))
		}
		if err := sc.CheckChars(i, i+j); err != nil {
			return pos, err
		}
		i += j
		if err := sc.Need(i, 2); err != nil {
			return pos, err
		}
		if s[i+1] == '-' {
			if err := sc.Need(i, 3); err != nil {
				return pos, err
			}
			if s[i+2] != '>' {
				return pos, sc.Syntax(i, "'--' in comment")
			}
			if i+3-pos > sc.Lim.MaxTokenBytes {
				return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
			}
			return i + 3, sc.Token(pos)
		}
		i++
	}
}

// CDATA reads the CDATA section at pos, appending its characters (with
// line ends normalised) to Buf, and returns the offset after it.
func (sc *Scanner) CDATA(pos int) (int, error) {
	s := sc.S
	i := pos + 9
	j := strings.Index(s[i:], "]]>")
	if j < 0 {
		if len(s)-pos > sc.Lim.MaxTokenBytes {
			return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
		}
		if err := sc.CheckChars(i, max(i, len(s)-3)); err != nil {
			return pos, err
		}
		return pos, sc.EOF(len(s))
	}
	if j+12 > sc.Lim.MaxTokenBytes {
		return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
	}
	body := s[i : i+j]
	if err := sc.CheckChars(i, i+j); err != nil {
		return pos, err
	}
	sc.Buf = appendNormalisedEOL(sc.Buf, body)
	return i + j + 3, sc.Token(pos)
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

// PI skips the processing instruction at pos ("<?") and returns the offset
// after it. The XML declaration is read by XMLDecl, not here.
func (sc *Scanner) PI(pos int) (int, error) {
	s := sc.S
	target, i, err := sc.Name(pos + 2)
	if err != nil {
		return pos, err
	}
	if strings.EqualFold(target, "xml") {
		return pos, sc.Syntax(pos, "XML declaration not at the start of the document")
	}
	if strings.IndexByte(target, ':') >= 0 {
		return pos, sc.Fail(pos, Prefix, "colon in processing instruction target %q", target)
	}
	j := strings.Index(s[i:], "?>")
	if j < 0 {
		if len(s)-pos > sc.Lim.MaxTokenBytes {
			return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
		}
		return pos, sc.EOF(len(s))
	}
	if j > 0 && !IsSpace(s[i]) {
		return pos, sc.Syntax(i, "processing instruction target not followed by space")
	}
	if err := sc.CheckChars(i, i+j); err != nil {
		return pos, err
	}
	if i+j+2-pos > sc.Lim.MaxTokenBytes {
		return pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, pos)
	}
	return i + j + 2, sc.Token(pos)
}

// XMLDecl checks the XML declaration at pos ("<?xml" and white space) and
// returns the offset after it.
func (sc *Scanner) XMLDecl(pos int) (int, error) {
	s := sc.S
	j := strings.Index(s[pos:], "?>")
	if j < 0 {
		if len(s)-pos > 1024 {
			return pos, sc.Syntax(pos, "unterminated XML declaration")
		}
		return pos, sc.EOF(len(s))
	}
	body := s[pos+5 : pos+j]
	i := 0
	seen := 0
	for {
		k := i
		for k < len(body) && IsSpace(body[k]) {
			k++
		}
		if k == len(body) {
			break
		}
		if k == i {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		eq := strings.IndexByte(body[k:], '=')
		if eq < 0 {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		key := TrimSpace(body[k : k+eq])
		v := k + eq + 1
		for v < len(body) && IsSpace(body[v]) {
			v++
		}
		if v >= len(body) || body[v] != '"' && body[v] != '\'' {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		q := body[v]
		e := strings.IndexByte(body[v+1:], q)
		if e < 0 {
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
		val := body[v+1 : v+1+e]
		i = v + 2 + e
		switch {
		case key == "version" && seen == 0:
			if len(val) < 3 || val[:2] != "1." || strings.Trim(val[2:], "0123456789") != "" {
				return pos, sc.Syntax(pos, "unsupported XML version %q", val)
			}
			seen = 1
		case key == "encoding" && seen == 1:
			// EncName: a letter, then letters, digits, '.', '_' and '-'
			if val == "" || !(val[0] >= 'a' && val[0] <= 'z' || val[0] >= 'A' && val[0] <= 'Z') ||
				strings.Trim(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
				return pos, sc.Syntax(pos, "malformed encoding name %q", val)
			}
			seen = 2
		case key == "standalone" && seen >= 1 && seen < 3:
			if val != "yes" && val != "no" {
				return pos, sc.Syntax(pos, "malformed standalone value %q", val)
			}
			seen = 3
		default:
			return pos, sc.Syntax(pos, "malformed XML declaration")
		}
	}
	if seen == 0 {
		return pos, sc.Syntax(pos, "XML declaration without version")
	}
	return pos + j + 2, nil
}

// Misc skips white space, comments and processing instructions at pos
// (outside the root element, or between children of an element whose
// text is not wanted). It returns the offset of the next '<' that is not
// one of those, of other text, or len(S) at the end of input.
func (sc *Scanner) Misc(pos int) (int, error) {
	s := sc.S
	for {
		pos = sc.SkipSpace(pos)
		if pos >= len(s) {
			return pos, nil
		}
		if s[pos] != '<' {
			return pos, nil
		}
		if err := sc.Need(pos, 2); err != nil {
			return pos, err
		}
		switch s[pos+1] {
		case '?':
			end, err := sc.PI(pos)
			if err != nil {
				return pos, err
			}
			pos = end
		case '!':
			if err := sc.Need(pos, 4); err != nil {
				return pos, err
			}
			if s[pos+2] != '-' || s[pos+3] != '-' {
				return pos, nil
			}
			end, err := sc.Comment(pos)
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

// manyAttrs is the number of attributes above which duplicates are found
// with a map rather than by comparing pairs.
const manyAttrs = 16

// StartTag reads the start tag at S[pos] == '<', processes its namespace
// declarations, pushes it on the path, and returns it. The attributes,
// namespace declarations included, are left in Attrs.
func (sc *Scanner) StartTag(pos int) (Tag, int, error) {
	s := sc.S
	t := Tag{Start: pos}
	if len(sc.Path) >= sc.Lim.MaxDepth {
		return t, pos, sc.Limit("MaxDepth", sc.Lim.MaxDepth, pos)
	}
	if err := sc.Token(pos); err != nil {
		return t, pos, err
	}
	nm, colon, i, err := sc.QName(pos + 1)
	if err != nil {
		return t, pos, err
	}
	t.Name = nm
	t.LStart = int32(colon + 1)
	sc.Attrs = sc.Attrs[:0]
	mark := len(sc.NS)
	// fast path: a start tag without attributes and an unprefixed name
	if i < len(s) && s[i] == '>' && colon < 0 {
		sc.Path = append(sc.Path, nm)
		sc.NSMark = append(sc.NSMark, mark)
		return t, i + 1, nil
	}
	for {
		j := sc.SkipSpace(i)
		if j >= len(s) {
			return t, pos, sc.EOF(j)
		}
		c := s[j]
		if c == '>' {
			i = j + 1
			break
		}
		if c == '/' {
			if err := sc.Need(j, 2); err != nil {
				return t, pos, err
			}
			if s[j+1] != '>' {
				return t, pos, sc.Syntax(j, "expected '>' after '/'")
			}
			t.Self = true
			i = j + 2
			break
		}
		if j == i {
			return t, pos, sc.Syntax(j, "expected white space before attribute")
		}
		if len(sc.Attrs) >= sc.Lim.MaxAttrs {
			return t, pos, sc.Limit("MaxAttrs", sc.Lim.MaxAttrs, j)
		}
		an, k, err := sc.Name(j)
		if err != nil {
			return t, pos, err
		}
		k = sc.SkipSpace(k)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		if s[k] != '=' {
			return t, pos, sc.Syntax(k, "expected '=' after attribute %s", an)
		}
		k = sc.SkipSpace(k + 1)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		q := s[k]
		if q != '"' && q != '\'' {
			return t, pos, sc.Syntax(k, "attribute value not quoted")
		}
		val, end, err := sc.AttrValue(k+1, q)
		if err != nil {
			return t, pos, err
		}
		dup := false
		if len(sc.Attrs) < manyAttrs {
			for _, a := range sc.Attrs {
				if a.Name == an {
					dup = true
					break
				}
			}
		} else {
			dup = sc.repeated(an)
		}
		if dup {
			return t, pos, sc.Fail(j, DuplicateAttr, "%s", an)
		}
		sc.Attrs = append(sc.Attrs, Attr{Name: an, Value: val, Pos: j})
		i = end
	}
	// namespace declarations first, so they apply to this element's names
	for _, a := range sc.Attrs {
		if a.Name == "xmlns" {
			if a.Value == NamespaceXML || a.Value == NamespaceXMLNS {
				return t, pos, sc.Fail(a.Pos, Prefix, "reserved namespace bound as default")
			}
			if len(sc.NS) >= sc.Lim.MaxNamespaces {
				return t, pos, sc.Limit("MaxNamespaces", sc.Lim.MaxNamespaces, a.Pos)
			}
			sc.NS = append(sc.NS, Binding{"", a.Value})
		} else if strings.HasPrefix(a.Name, "xmlns:") {
			p := a.Name[6:]
			switch {
			case a.Value == "":
				return t, pos, sc.Fail(a.Pos, Prefix, "empty namespace for prefix %s", p)
			case p == "xmlns":
				return t, pos, sc.Fail(a.Pos, Prefix, "prefix xmlns declared")
			case p == "xml" && a.Value != NamespaceXML, p != "xml" && a.Value == NamespaceXML, a.Value == NamespaceXMLNS:
				return t, pos, sc.Fail(a.Pos, Prefix, "reserved prefix or namespace misused")
			}
			if len(sc.NS) >= sc.Lim.MaxNamespaces {
				return t, pos, sc.Limit("MaxNamespaces", sc.Lim.MaxNamespaces, a.Pos)
			}
			sc.NS = append(sc.NS, Binding{p, a.Value})
		}
	}
	sc.Path = append(sc.Path, nm)
	sc.NSMark = append(sc.NSMark, mark)
	if p := PrefixOf(nm); p != "" {
		if _, err := sc.Resolve(p, pos+1); err != nil {
			return t, pos, err
		}
	}
	// prefixed attributes: declared, and no two with the same expanded
	// name; each prefix is resolved once
	nPrefixed := 0
	for k := range sc.Attrs {
		a := &sc.Attrs[k]
		p := PrefixOf(a.Name)
		if p == "" || p == "xmlns" {
			continue
		}
		nPrefixed++
		uri, err := sc.Resolve(p, a.Pos)
		if err != nil {
			return t, pos, err
		}
		a.URI = uri
	}
	if nPrefixed > 1 {
		if x, y := sc.sameExpanded(nPrefixed); y >= 0 {
			ax, ay := &sc.Attrs[x], &sc.Attrs[y]
			return t, pos, sc.Fail(ay.Pos, DuplicateAttr, "%s and %s name the same attribute", ax.Name, ay.Name)
		}
	}
	return t, i, nil
}

// repeated reports whether an attribute named an was already read in a
// start tag with manyAttrs or more attributes so far.
func (sc *Scanner) repeated(an string) bool {
	n := len(sc.Attrs)
	if n == manyAttrs {
		if sc.seen == nil {
			sc.seen = make(map[string]int)
		}
		clear(sc.seen)
		for k, a := range sc.Attrs {
			sc.seen[a.Name] = k
		}
	}
	if _, dup := sc.seen[an]; dup {
		return true
	}
	sc.seen[an] = n
	return false
}

// prefixedAttr reports whether a is an attribute with a prefix other than
// xmlns.
func prefixedAttr(a *Attr) bool {
	p := PrefixOf(a.Name)
	return p != "" && p != "xmlns"
}

// sameExpanded finds two prefixed attributes with the same expanded name:
// the first x that has one, and its first y. It returns y = -1 if there
// are none.
func (sc *Scanner) sameExpanded(nPrefixed int) (x, y int) {
	if nPrefixed <= manyAttrs {
		for x := range sc.Attrs {
			ax := &sc.Attrs[x]
			if !prefixedAttr(ax) {
				continue
			}
			for y := x + 1; y < len(sc.Attrs); y++ {
				ay := &sc.Attrs[y]
				if !prefixedAttr(ay) || ay.URI != ax.URI || LocalName(ax.Name) != LocalName(ay.Name) {
					continue
				}
				return x, y
			}
		}
		return -1, -1
	}
	if sc.seen == nil {
		sc.seen = make(map[string]int)
	}
	clear(sc.seen)
	bx, by := -1, -1
	for k := range sc.Attrs {
		a := &sc.Attrs[k]
		if !prefixedAttr(a) {
			continue
		}
		key := a.URI + "\x00" + LocalName(a.Name)
		first, dup := sc.seen[key]
		switch {
		case !dup:
			sc.seen[key] = k
		case first >= 0:
			// the first repeat of this name: its pair is (first, k)
			if by < 0 || first < bx {
				bx, by = first, k
			}
			sc.seen[key] = -1
		}
	}
	return bx, by
}

// Lookup finds the innermost binding of prefix and its index in NS (-1
// for the predeclared xml prefix, -2 when unbound).
func (sc *Scanner) Lookup(prefix string) (string, int) {
	for i := len(sc.NS) - 1; i >= 0; i-- {
		if sc.NS[i].Prefix == prefix {
			return sc.NS[i].URI, i
		}
	}
	if prefix == "xml" {
		return NamespaceXML, -1
	}
	return "", -2
}

// Resolve checks that prefix (used at pos) is declared and, when
// Capturing, records declarations below CapFloor that it relies on.
func (sc *Scanner) Resolve(prefix string, pos int) (string, error) {
	uri, idx := sc.Lookup(prefix)
	if idx == -2 {
		return "", sc.Errs.ScanError(pos, UndeclaredPrefix, prefix)
	}
	if sc.Capturing && idx >= 0 && idx < sc.CapFloor {
		sc.Capture(Binding{Prefix: prefix, URI: uri})
	}
	return uri, nil
}

// Capture records n in Captured, once per prefix.
func (sc *Scanner) Capture(n Binding) {
	for _, c := range sc.Captured {
		if c.Prefix == n.Prefix {
			return
		}
	}
	sc.Captured = append(sc.Captured, n)
}

// AttrValue reads an attribute value after its opening quote and returns
// the decoded, normalised value and the offset after the closing quote.
func (sc *Scanner) AttrValue(pos int, q byte) (string, int, error) {
	s := sc.S
	start := pos
	decoded := false
	sc.Buf = sc.Buf[:0]
	runStart := pos
	for {
		for pos < len(s) && byteClass[s[pos]]&clAttr == 0 {
			pos++
		}
		if pos-start > sc.Lim.MaxTokenBytes {
			return "", pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			return "", pos, sc.EOF(pos)
		}
		c := s[pos]
		switch {
		case c == q:
			if decoded {
				sc.Buf = append(sc.Buf, s[runStart:pos]...)
				return string(sc.Buf), pos + 1, nil
			}
			return s[start:pos], pos + 1, nil
		case c == '"' || c == '\'':
			pos++
		case c == '<':
			return "", pos, sc.Syntax(pos, "'<' in attribute value")
		case c == '&':
			sc.Buf = append(sc.Buf, s[runStart:pos]...)
			decoded = true
			end, err := sc.Ref(pos)
			if err != nil {
				return "", pos, err
			}
			pos, runStart = end, end
		case c == '\t' || c == '\n' || c == '\r':
			sc.Buf = append(sc.Buf, s[runStart:pos]...)
			decoded = true
			sc.Buf = append(sc.Buf, ' ')
			if c == '\r' {
				if pos+1 >= len(s) {
					return "", pos, sc.EOF(pos + 1)
				}
				if s[pos+1] == '\n' {
					pos++
				}
			}
			pos++
			runStart = pos
		default:
			n, err := sc.CheckRune(pos)
			if err != nil {
				return "", pos, err
			}
			pos += n
		}
	}
}

// EndTag reads the end tag at S[pos] == '<' (followed by '/'), checks it
// closes the innermost open element, pops it and returns the offset after.
func (sc *Scanner) EndTag(pos int) (int, error) {
	s := sc.S
	open := sc.Path[len(sc.Path)-1]
	// fast path: the expected name followed by '>'
	if i := pos + 2 + len(open); i < len(s) && s[i] == '>' && s[pos+2:i] == open {
		sc.Pop()
		return i + 1, nil
	}
	nm, i, err := sc.Name(pos + 2)
	if err != nil {
		return pos, err
	}
	i = sc.SkipSpace(i)
	if i >= len(s) {
		return pos, sc.EOF(i)
	}
	if s[i] != '>' {
		return pos, sc.Syntax(i, "expected '>' in end tag")
	}
	if nm != open {
		return pos, sc.Syntax(pos, "end tag </%s> does not match <%s>", nm, open)
	}
	sc.Pop()
	return i + 1, nil
}

// Pop closes the innermost element.
func (sc *Scanner) Pop() {
	n := len(sc.Path) - 1
	sc.Path = sc.Path[:n]
	sc.NS = sc.NS[:sc.NSMark[n]]
	sc.NSMark = sc.NSMark[:n]
}
