package declaredconfig

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The reader is a purpose-built scanner over the input, not encoding/xml:
// it enforces XML 1.0 well-formedness (characters, names, references,
// comments, processing instructions, the XML declaration, one root, no
// DOCTYPE) and Namespaces in XML (qualified names, declared prefixes, the
// reserved prefixes, no prefix bound to the empty name, no two attributes
// with the same expanded name), so that what it accepts is what the syncml
// codec accepts as XML Data and what a conformant device parser reads the
// same way. It never recurses over the input's nesting.

// A node is one element of a parsed document: the generic tree that the
// typed decoders read.
type node struct {
	name     string // qualified name as written
	attrs    []Attr
	children []*node
	text     string // character data directly inside the element, before any child
	textNWS  bool   // text (anywhere directly inside) holds a character other than XML white space
	inner    string // the content between the tags, as written
	raw      string // the whole element, as written
	off      int    // offset of '<' in the scanned (normalised) text
}

// nsBinding is one in-scope namespace declaration.
type nsBinding struct {
	prefix, uri string
	depth       int // depth of the declaring element; 0 for the caller's scope
}

// Namespace names that XML reserves.
const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
)

// class bits for the byte table used by the hot loops.
const (
	clText  = 1 << iota // ends or interrupts a run of character data
	clAttr              // ends or interrupts an attribute value
	clName              // ASCII name character
	clStart             // ASCII name start character
	clSpace             // XML white space
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		ctl := c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x80
		if ctl || c == '<' || c == '&' || c == ']' || c == '\r' {
			t[c] |= clText
		}
		if ctl || c < 0x20 || c == '<' || c == '&' || c == '"' || c == '\'' {
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

// srcmap maps offsets in the scanned text back to the caller's input.
type srcmap struct {
	orig []byte
	lead int  // bytes skipped at the start (BOM, white space)
	crs  bool // line ends were normalised
}

// offset returns the input offset of scanned offset pos.
func (m *srcmap) offset(pos int) int {
	if !m.crs {
		return min(m.lead+pos, len(m.orig))
	}
	i := m.lead
	for j := 0; j < pos && i < len(m.orig); j++ {
		if m.orig[i] == '\r' && i+1 < len(m.orig) && m.orig[i+1] == '\n' {
			i++
		}
		i++
	}
	return i
}

// lineCol returns the 1-based line and byte column of input offset off.
func (m *srcmap) lineCol(off int) (line, col int) {
	line, start := 1, 0
	b := m.orig[:off]
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			line, start = line+1, i+1
		}
	}
	return line, off - start + 1
}

func (m *srcmap) errAt(pos int, path string, cause error) error {
	off := m.offset(pos)
	line, col := m.lineCol(off)
	return &DecodeError{Offset: int64(off), Line: line, Column: col, Path: path, Err: cause}
}

// A tree is a parsed document.
type tree struct {
	root *node
	src  srcmap
}

// structure returns an ErrStructure error about element n, whose path is
// path.
func (t *tree) structure(n *node, path string, format string, args ...any) error {
	return t.src.errAt(n.off, path, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

// structural checks that n carries no text other than white space, as an
// element that holds only elements must.
func (t *tree) structural(n *node, path string) error {
	if n.textNWS {
		return t.structure(n, path, "text inside <%s>, which holds only elements", n.name)
	}
	return nil
}

// leafValue returns the value of an element that holds a value: its text,
// or, when it holds elements, its content as markup.
func leafValue(n *node) (value string, markup bool) {
	if len(n.children) > 0 {
		return n.inner, true
	}
	return n.text, false
}

// makeFor returns a slice with room for the children of n named name, or
// nil if there are none.
func makeFor[T any](n *node, name string) []T {
	k := 0
	for _, c := range n.children {
		if c.name == name {
			k++
		}
	}
	if k == 0 {
		return nil
	}
	return make([]T, 0, k)
}

type openElem struct {
	n     *node
	inner int // offset after the start tag
}

// parser scans one document.
type parser struct {
	s    string
	lim  Limits
	src  srcmap
	open []openElem
	ns   []nsBinding
	buf  []byte

	elements int
	attrs    []Attr // attributes of the tag being read
	apos     []int  // their offsets
	seen     map[string]int

	nodes    []node // slab of nodes handed out
	nodeN    int
	attrSlab []Attr
}

// parse reads one XML document under lim: optional BOM, white space, XML
// declaration, comments and processing instructions around exactly one root
// element. Comments, processing instructions and the XML declaration are
// accepted and not kept; the text is taken as already decoded characters,
// whatever encoding the declaration names. scope holds namespace bindings
// in force around the document (for markup checked by the writer).
func parse(data []byte, lim Limits, scope ...nsBinding) (*tree, error) {
	t := &tree{src: srcmap{orig: data}}
	if len(data) > lim.MaxBytes {
		return nil, &LimitError{Limit: "MaxBytes", Max: int64(lim.MaxBytes), Offset: int64(lim.MaxBytes)}
	}
	s := string(data)
	lead := 0
	if strings.HasPrefix(s, "\uFEFF") {
		lead = 3
	}
	for lead < len(s) && byteClass[s[lead]]&clSpace != 0 {
		lead++
	}
	s = s[lead:]
	t.src.lead = lead
	if strings.IndexByte(s, '\r') >= 0 {
		s = normalizeNewlines(s)
		t.src.crs = true
	}
	p := &parser{s: s, lim: lim, src: t.src}
	for _, b := range scope {
		b.depth = 0
		p.ns = append(p.ns, b)
	}
	root, err := p.document()
	if err != nil {
		return nil, err
	}
	t.root = root
	return t, nil
}

// normalizeNewlines applies XML end-of-line handling: CR LF and lone CR
// become LF.
func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// ---- errors ----

func (p *parser) path() string {
	if len(p.open) == 0 {
		return ""
	}
	var b strings.Builder
	for _, o := range p.open {
		b.WriteByte('/')
		b.WriteString(o.n.name)
	}
	return b.String()
}

func (p *parser) errAt(pos int, cause error) error {
	return p.src.errAt(pos, p.path(), cause)
}

func (p *parser) syntax(pos int, format string, args ...any) error {
	return p.errAt(pos, fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...))
}

func (p *parser) kind(pos int, kind error, format string, args ...any) error {
	return p.errAt(pos, fmt.Errorf("%w: "+format, append([]any{kind}, args...)...))
}

func (p *parser) eof(pos int) error {
	return p.errAt(pos, fmt.Errorf("%w: %w", ErrSyntax, io.ErrUnexpectedEOF))
}

func (p *parser) limit(name string, max int, pos int) error {
	return &LimitError{Limit: name, Max: int64(max), Offset: int64(p.src.offset(pos)), Path: p.path()}
}

// ---- characters and names ----

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r == 0x9 || r == 0xA || r == 0xD ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// isNameStartRune and isNameRune are the XML 1.0 fifth-edition classes.
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

// isQName reports whether s is an XML name with at most one colon, not at
// either end: a qualified name of Namespaces in XML.
func isQName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == utf8.RuneError || i == 0 && !isNameStartRune(r) || !isNameRune(r) {
			return false
		}
	}
	c := strings.IndexByte(s, ':')
	return c < 0 || c > 0 && c < len(s)-1 && strings.IndexByte(s[c+1:], ':') < 0
}

func prefixOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i]
	}
	return ""
}

func localOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// isSpace reports whether s holds only XML white space.
func isSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if byteClass[s[i]]&clSpace == 0 {
			return false
		}
	}
	return true
}

func (p *parser) skipSpace(pos int) int {
	for pos < len(p.s) && byteClass[p.s[pos]]&clSpace != 0 {
		pos++
	}
	return pos
}

// name reads a qualified name at pos and returns it with the offset after.
func (p *parser) name(pos int) (string, int, error) {
	s := p.s
	i := pos
	if i >= len(s) {
		return "", i, p.eof(i)
	}
	if c := s[i]; c < utf8.RuneSelf {
		if byteClass[c]&clStart == 0 {
			return "", i, p.syntax(i, "invalid name start %q", rune(c))
		}
		i++
	} else {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return "", i, p.kind(i, ErrInvalidChar, "invalid UTF-8")
		}
		if !isNameStartRune(r) {
			return "", i, p.syntax(i, "invalid name start %q", r)
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
			return "", i, p.kind(i, ErrInvalidChar, "invalid UTF-8")
		}
		if !isNameRune(r) {
			break
		}
		i += n
	}
	if i-pos > p.lim.MaxTokenBytes {
		return "", i, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
	}
	nm := s[pos:i]
	if c := strings.IndexByte(nm, ':'); c >= 0 {
		if c == 0 || c == len(nm)-1 || strings.IndexByte(nm[c+1:], ':') >= 0 {
			return "", pos, p.kind(pos, ErrNamespace, "name %q is not a qualified name", nm)
		}
	}
	return nm, i, nil
}

// checkRune validates the non-ASCII or control character at pos and
// returns its length.
func (p *parser) checkRune(pos int) (int, error) {
	s := p.s
	c := s[pos]
	if c < utf8.RuneSelf {
		if c == '\t' || c == '\n' || c == '\r' || c >= 0x20 {
			return 1, nil
		}
		return 0, p.kind(pos, ErrInvalidChar, "%U", rune(c))
	}
	r, n := utf8.DecodeRuneInString(s[pos:])
	if r == utf8.RuneError && n <= 1 {
		return 0, p.kind(pos, ErrInvalidChar, "invalid UTF-8")
	}
	if !isXMLChar(r) {
		return 0, p.kind(pos, ErrInvalidChar, "%U", r)
	}
	return n, nil
}

// checkChars validates the characters of s[i:j].
func (p *parser) checkChars(i, j int) error {
	s := p.s
	for i < j {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		n, err := p.checkRune(i)
		if err != nil {
			return err
		}
		i += n
	}
	return nil
}

// ref decodes the reference at s[pos] == '&', appends its characters to
// p.buf and returns the offset after ';'.
func (p *parser) ref(pos int) (int, error) {
	s := p.s
	i := pos + 1
	if i < len(s) && s[i] == '#' {
		// a character reference may carry any number of leading zeros
		i++
		if i < len(s) && s[i] == 'x' {
			i++
		}
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f' || s[i] >= 'A' && s[i] <= 'F') {
			i++
		}
	} else {
		for i < len(s) && i-pos <= 64 && s[i] != ';' && (byteClass[s[i]]&clName != 0 || s[i] >= utf8.RuneSelf) {
			i++
		}
	}
	if i >= len(s) {
		return pos, p.eof(len(s))
	}
	if s[i] != ';' {
		return pos, p.syntax(pos, "'&' does not start a reference")
	}
	semi := i - pos
	body := s[pos+1 : pos+semi]
	next := pos + semi + 1
	if len(body) > 0 && body[0] == '#' {
		digits, base := body[1:], rune(10)
		if len(digits) > 0 && digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return pos, p.syntax(pos, "empty character reference")
		}
		var r rune
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
				return pos, p.syntax(pos, "invalid character reference &%s;", body)
			}
			r = r*base + d
			if r > 0x10FFFF {
				return pos, p.kind(pos, ErrInvalidChar, "character reference &%s; out of range", body)
			}
		}
		if !isXMLChar(r) {
			return pos, p.kind(pos, ErrInvalidChar, "character reference &%s;", body)
		}
		p.buf = utf8.AppendRune(p.buf, r)
		return next, nil
	}
	switch body {
	case "lt":
		p.buf = append(p.buf, '<')
	case "gt":
		p.buf = append(p.buf, '>')
	case "amp":
		p.buf = append(p.buf, '&')
	case "apos":
		p.buf = append(p.buf, '\'')
	case "quot":
		p.buf = append(p.buf, '"')
	default:
		if !isQName(body) {
			return pos, p.syntax(pos, "'&' does not start a reference")
		}
		return pos, p.syntax(pos, "undefined entity &%s;", body)
	}
	return next, nil
}

// ---- comments, processing instructions, CDATA, the XML declaration ----

// comment skips the comment at pos ("<!--") and returns the offset after.
func (p *parser) comment(pos int) (int, error) {
	s := p.s
	i := pos + 4
	j := strings.Index(s[i:], "--")
	if j < 0 {
		if len(s)-pos > p.lim.MaxTokenBytes {
			return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
		}
		if err := p.checkChars(i, len(s)); err != nil {
			return pos, err
		}
		return pos, p.eof(len(s))
	}
	if j+7 > p.lim.MaxTokenBytes {
		return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
	}
	if err := p.checkChars(i, i+j); err != nil {
		return pos, err
	}
	if i+j+2 >= len(s) {
		return pos, p.eof(len(s))
	}
	if s[i+j+2] != '>' {
		return pos, p.syntax(i+j, "'--' in comment")
	}
	return i + j + 3, nil
}

// pi skips the processing instruction at pos ("<?") and returns the offset
// after it. The XML declaration is read by xmlDecl, not here.
func (p *parser) pi(pos int) (int, error) {
	s := p.s
	target, i, err := p.name(pos + 2)
	if err != nil {
		return pos, err
	}
	if strings.EqualFold(target, "xml") {
		return pos, p.syntax(pos, "XML declaration not at the start")
	}
	if strings.IndexByte(target, ':') >= 0 {
		return pos, p.kind(pos, ErrNamespace, "colon in processing instruction target %q", target)
	}
	j := strings.Index(s[i:], "?>")
	if j < 0 {
		if len(s)-pos > p.lim.MaxTokenBytes {
			return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
		}
		return pos, p.eof(len(s))
	}
	if i+j+2-pos > p.lim.MaxTokenBytes {
		return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
	}
	if j > 0 && byteClass[s[i]]&clSpace == 0 {
		return pos, p.syntax(i, "processing instruction target not followed by space")
	}
	if err := p.checkChars(i, i+j); err != nil {
		return pos, err
	}
	return i + j + 2, nil
}

// cdata reads the CDATA section at pos, appends its characters to p.buf
// and returns the offset after it.
func (p *parser) cdata(pos int) (int, error) {
	s := p.s
	i := pos + 9
	j := strings.Index(s[i:], "]]>")
	if j < 0 {
		if len(s)-pos > p.lim.MaxTokenBytes {
			return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
		}
		if err := p.checkChars(i, len(s)); err != nil {
			return pos, err
		}
		return pos, p.eof(len(s))
	}
	if j+12 > p.lim.MaxTokenBytes {
		return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, pos)
	}
	if err := p.checkChars(i, i+j); err != nil {
		return pos, err
	}
	p.buf = append(p.buf, s[i:i+j]...)
	return i + j + 3, nil
}

// xmlDecl reads the XML declaration at the start of s: version, then
// optionally encoding and standalone, in that order.
func (p *parser) xmlDecl() (int, error) {
	s := p.s
	end := strings.Index(s, "?>")
	if end < 0 {
		if len(s) > p.lim.MaxTokenBytes {
			return 0, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, 0)
		}
		return 0, p.eof(len(s))
	}
	if end+2 > p.lim.MaxTokenBytes {
		return 0, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, 0)
	}
	body := s[5:end]
	pos := 5
	order := []string{"version", "encoding", "standalone"}
	k := 0
	for {
		i := 0
		for i < len(body) && byteClass[body[i]]&clSpace != 0 {
			i++
		}
		if i == len(body) {
			break
		}
		if i == 0 {
			return 0, p.syntax(pos, "malformed XML declaration")
		}
		body, pos = body[i:], pos+i
		eq := strings.IndexByte(body, '=')
		if eq < 0 {
			return 0, p.syntax(pos, "malformed XML declaration")
		}
		name := strings.TrimRight(body[:eq], " \t\n")
		for k < len(order) && order[k] != name {
			if k == 0 {
				return 0, p.syntax(pos, "XML declaration without version")
			}
			k++
		}
		if k == len(order) {
			return 0, p.syntax(pos, "XML declaration: unexpected %q", name)
		}
		k++
		rest := strings.TrimLeft(body[eq+1:], " \t\n")
		if rest == "" || rest[0] != '"' && rest[0] != '\'' {
			return 0, p.syntax(pos, "XML declaration: %s not quoted", name)
		}
		q := strings.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return 0, p.syntax(pos, "XML declaration: %s not quoted", name)
		}
		v := rest[1 : 1+q]
		ok := true
		switch name {
		case "version":
			ok = len(v) > 2 && v[:2] == "1." && strings.Trim(v[2:], "0123456789") == ""
		case "encoding":
			ok = v != "" && (v[0] >= 'a' && v[0] <= 'z' || v[0] >= 'A' && v[0] <= 'Z') &&
				strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
		case "standalone":
			ok = v == "yes" || v == "no"
		}
		if !ok {
			return 0, p.syntax(pos, "XML declaration: bad %s %q", name, v)
		}
		adv := len(body) - len(rest) + q + 2
		body, pos = body[adv:], pos+adv
	}
	if k == 0 {
		return 0, p.syntax(0, "XML declaration without version")
	}
	return end + 2, nil
}

// misc skips white space, comments and processing instructions at pos,
// outside the root element. It returns the offset of the next '<' that is
// not one of those, of other text, or len(s).
func (p *parser) misc(pos int) (int, error) {
	s := p.s
	for {
		pos = p.skipSpace(pos)
		if pos+1 >= len(s) || s[pos] != '<' {
			return pos, nil
		}
		var err error
		switch {
		case s[pos+1] == '?':
			pos, err = p.pi(pos)
		case strings.HasPrefix(s[pos:], "<!--"):
			pos, err = p.comment(pos)
		default:
			return pos, nil
		}
		if err != nil {
			return pos, err
		}
	}
}

// ---- the document ----

func (p *parser) document() (*node, error) {
	s := p.s
	pos := 0
	if strings.HasPrefix(s, "<?xml") && len(s) > 5 && (byteClass[s[5]]&clSpace != 0 || s[5] == '?') {
		end, err := p.xmlDecl()
		if err != nil {
			return nil, err
		}
		pos = end
	}
	var root *node
	for {
		var err error
		if pos, err = p.misc(pos); err != nil {
			return nil, err
		}
		if pos >= len(s) {
			if root == nil {
				return nil, p.syntax(pos, "no root element")
			}
			return root, nil
		}
		if s[pos] != '<' {
			return nil, p.syntax(pos, "text outside the root element")
		}
		if pos+1 >= len(s) {
			return nil, p.eof(len(s))
		}
		switch c := s[pos+1]; {
		case c == '/':
			return nil, p.syntax(pos, "end tag outside the root element")
		case c == '!':
			return nil, p.declaration(pos)
		}
		if root != nil {
			return nil, p.syntax(pos, "content after the root element")
		}
		if root, pos, err = p.element(pos); err != nil {
			return nil, err
		}
	}
}

// declaration returns the error for "<!" at pos that starts neither a
// comment nor (inside an element) a CDATA section.
func (p *parser) declaration(pos int) error {
	switch rest := p.s[pos:]; {
	case strings.HasPrefix(rest, "<!DOCTYPE"):
		return p.syntax(pos, "DOCTYPE not allowed")
	case strings.HasPrefix(rest, "<![CDATA["):
		return p.syntax(pos, "CDATA section outside the root element")
	case len(rest) < 9:
		return p.eof(len(p.s))
	}
	return p.syntax(pos, "invalid markup declaration")
}

// element reads the element whose start tag is at pos, without recursion,
// and returns it with the offset after its end.
func (p *parser) element(pos int) (*node, int, error) {
	root, pos, err := p.startTag(pos)
	if err != nil {
		return nil, pos, err
	}
	s := p.s
	for len(p.open) > 0 {
		if pos, err = p.content(pos); err != nil {
			return nil, pos, err
		}
		if s[pos+1] == '/' {
			pos, err = p.endTag(pos)
		} else {
			_, pos, err = p.startTag(pos)
		}
		if err != nil {
			return nil, pos, err
		}
	}
	return root, pos, nil
}

func (p *parser) newNode() *node {
	if len(p.nodes) == 0 {
		p.nodeN = min(max(8, 2*p.nodeN), 256)
		p.nodes = make([]node, p.nodeN)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	return n
}

// keepAttrs copies the tag's attributes into the slab and returns them.
func (p *parser) keepAttrs() []Attr {
	n := len(p.attrs)
	if cap(p.attrSlab)-len(p.attrSlab) < n {
		p.attrSlab = make([]Attr, 0, max(32, n))
	}
	l := len(p.attrSlab)
	p.attrSlab = append(p.attrSlab, p.attrs...)
	return p.attrSlab[l : l+n : l+n]
}

// startTag reads the start tag at s[pos] == '<', opens the element (or,
// for an empty-element tag, opens and closes it) and returns it.
func (p *parser) startTag(pos int) (*node, int, error) {
	s := p.s
	if len(p.open) >= p.lim.MaxDepth {
		return nil, pos, p.limit("MaxDepth", p.lim.MaxDepth, pos)
	}
	p.elements++
	if p.elements > p.lim.MaxElements {
		return nil, pos, p.limit("MaxElements", p.lim.MaxElements, pos)
	}
	nm, i, err := p.name(pos + 1)
	if err != nil {
		return nil, pos, err
	}
	p.attrs, p.apos = p.attrs[:0], p.apos[:0]
	self := false
	for {
		j := p.skipSpace(i)
		if j >= len(s) {
			return nil, pos, p.eof(j)
		}
		c := s[j]
		if c == '>' {
			i = j + 1
			break
		}
		if c == '/' {
			if j+1 >= len(s) {
				return nil, pos, p.eof(len(s))
			}
			if s[j+1] != '>' {
				return nil, pos, p.syntax(j, "expected '>' after '/'")
			}
			self = true
			i = j + 2
			break
		}
		if j == i {
			return nil, pos, p.syntax(j, "expected white space before attribute")
		}
		if len(p.attrs) >= p.lim.MaxAttrs {
			return nil, pos, p.limit("MaxAttrs", p.lim.MaxAttrs, j)
		}
		an, k, err := p.name(j)
		if err != nil {
			return nil, pos, err
		}
		k = p.skipSpace(k)
		if k >= len(s) {
			return nil, pos, p.eof(k)
		}
		if s[k] != '=' {
			return nil, pos, p.syntax(k, "expected '=' after attribute %s", an)
		}
		k = p.skipSpace(k + 1)
		if k >= len(s) {
			return nil, pos, p.eof(k)
		}
		q := s[k]
		if q != '"' && q != '\'' {
			return nil, pos, p.syntax(k, "attribute value not quoted")
		}
		val, end, err := p.attrValue(k+1, q)
		if err != nil {
			return nil, pos, err
		}
		p.attrs = append(p.attrs, Attr{Name: an, Value: val})
		p.apos = append(p.apos, j)
		i = end
	}

	n := p.newNode()
	n.name, n.off = nm, pos
	if len(p.attrs) > 0 {
		n.attrs = p.keepAttrs()
	}
	if len(p.open) > 0 {
		parent := p.open[len(p.open)-1].n
		parent.children = append(parent.children, n)
	}
	p.open = append(p.open, openElem{n: n, inner: i})
	if len(p.attrs) > 0 || strings.IndexByte(nm, ':') >= 0 {
		if err := p.namespaces(pos); err != nil {
			return nil, pos, err
		}
	}
	if self {
		n.raw = s[pos:i]
		p.close()
	}
	return n, i, nil
}

// namespaces checks the names of the element just opened (at pos) and its
// attributes against Namespaces in XML, after taking in its declarations.
func (p *parser) namespaces(pos int) error {
	depth := len(p.open)
	n := p.open[depth-1].n
	// the same qualified name twice
	if len(p.attrs) > 1 {
		if err := p.distinct(func(a Attr) (string, bool) { return a.Name, true }, func(x, y int) error {
			return p.kind(p.apos[y], ErrDuplicateAttr, "%s", p.attrs[y].Name)
		}); err != nil {
			return err
		}
	}
	for x, a := range p.attrs {
		var pfx string
		switch {
		case a.Name == "xmlns":
			if a.Value == nsXML || a.Value == nsXMLNS {
				return p.kind(p.apos[x], ErrNamespace, "reserved namespace name bound as the default")
			}
		case strings.HasPrefix(a.Name, "xmlns:"):
			pfx = a.Name[6:]
			switch {
			case a.Value == "":
				return p.kind(p.apos[x], ErrNamespace, "prefix %s bound to the empty name", pfx)
			case pfx == "xmlns":
				return p.kind(p.apos[x], ErrNamespace, "prefix xmlns declared")
			case pfx == "xml" && a.Value != nsXML, pfx != "xml" && a.Value == nsXML, a.Value == nsXMLNS:
				return p.kind(p.apos[x], ErrNamespace, "reserved prefix or namespace name misused by %s", a.Name)
			}
		default:
			continue
		}
		p.ns = append(p.ns, nsBinding{prefix: pfx, uri: a.Value, depth: depth})
	}
	if pfx := prefixOf(n.name); pfx != "" {
		if _, ok := p.lookup(pfx); !ok {
			return p.kind(pos+1, ErrNamespace, "undeclared prefix %s", pfx)
		}
	}
	prefixed := 0
	for x, a := range p.attrs {
		pfx := prefixOf(a.Name)
		if pfx == "" || pfx == "xmlns" {
			continue
		}
		prefixed++
		if _, ok := p.lookup(pfx); !ok {
			return p.kind(p.apos[x], ErrNamespace, "undeclared prefix %s", pfx)
		}
	}
	if prefixed > 1 {
		return p.distinct(func(a Attr) (string, bool) {
			pfx := prefixOf(a.Name)
			if pfx == "" || pfx == "xmlns" {
				return "", false
			}
			uri, _ := p.lookup(pfx)
			return uri + "\x00" + localOf(a.Name), true
		}, func(x, y int) error {
			return p.kind(p.apos[y], ErrDuplicateAttr, "%s and %s name the same attribute", p.attrs[x].Name, p.attrs[y].Name)
		})
	}
	return nil
}

// distinct reports the first two attributes of the tag with the same key;
// attributes without a key are skipped. It is linear in the attributes.
func (p *parser) distinct(key func(Attr) (string, bool), dup func(x, y int) error) error {
	if len(p.attrs) <= 16 {
		for y := 1; y < len(p.attrs); y++ {
			ky, ok := key(p.attrs[y])
			if !ok {
				continue
			}
			for x := 0; x < y; x++ {
				if kx, ok := key(p.attrs[x]); ok && kx == ky {
					return dup(x, y)
				}
			}
		}
		return nil
	}
	if p.seen == nil {
		p.seen = make(map[string]int, len(p.attrs))
	}
	clear(p.seen)
	for y, a := range p.attrs {
		k, ok := key(a)
		if !ok {
			continue
		}
		if x, dupe := p.seen[k]; dupe {
			return dup(x, y)
		}
		p.seen[k] = y
	}
	return nil
}

// lookup finds the namespace name bound to prefix.
func (p *parser) lookup(prefix string) (string, bool) {
	for i := len(p.ns) - 1; i >= 0; i-- {
		if p.ns[i].prefix == prefix {
			return p.ns[i].uri, true
		}
	}
	if prefix == "xml" {
		return nsXML, true
	}
	return "", false
}

// close closes the innermost open element.
func (p *parser) close() {
	depth := len(p.open)
	p.open = p.open[:depth-1]
	for len(p.ns) > 0 && p.ns[len(p.ns)-1].depth >= depth {
		p.ns = p.ns[:len(p.ns)-1]
	}
}

// attrValue reads an attribute value after its opening quote and returns
// the decoded, normalised value (TAB and LF become spaces) and the offset
// after the closing quote.
func (p *parser) attrValue(pos int, q byte) (string, int, error) {
	s := p.s
	start := pos
	decoded := false
	p.buf = p.buf[:0]
	runStart := pos
	for {
		for pos < len(s) && byteClass[s[pos]]&clAttr == 0 {
			pos++
		}
		if pos-start > p.lim.MaxTokenBytes {
			return "", pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			return "", pos, p.eof(pos)
		}
		switch c := s[pos]; {
		case c == q:
			if decoded {
				p.buf = append(p.buf, s[runStart:pos]...)
				return string(p.buf), pos + 1, nil
			}
			return s[start:pos], pos + 1, nil
		case c == '"' || c == '\'':
			pos++
		case c == '<':
			return "", pos, p.syntax(pos, "'<' in attribute value")
		case c == '&':
			p.buf = append(p.buf, s[runStart:pos]...)
			decoded = true
			end, err := p.ref(pos)
			if err != nil {
				return "", pos, err
			}
			pos, runStart = end, end
		case c == '\t' || c == '\n' || c == '\r':
			p.buf = append(p.buf, s[runStart:pos]...)
			p.buf = append(p.buf, ' ')
			decoded = true
			pos++
			runStart = pos
		default:
			n, err := p.checkRune(pos)
			if err != nil {
				return "", pos, err
			}
			pos += n
		}
	}
}

// content reads the character data of the innermost open element at pos,
// folding in references, CDATA sections, comments and processing
// instructions, up to the '<' of the next start or end tag, whose offset
// it returns.
func (p *parser) content(pos int) (int, error) {
	s := p.s
	top := p.open[len(p.open)-1].n
	start, runStart := pos, pos
	decoded := false
	p.buf = p.buf[:0]
	flush := func(at int) {
		p.buf = append(p.buf, s[runStart:at]...)
		decoded = true
	}
	for {
		for pos < len(s) && byteClass[s[pos]]&clText == 0 {
			pos++
		}
		if pos-start > p.lim.MaxTokenBytes {
			return pos, p.limit("MaxTokenBytes", p.lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			return pos, p.eof(pos)
		}
		var end int
		var err error
		switch s[pos] {
		case '<':
			if pos+1 >= len(s) {
				return pos, p.eof(len(s))
			}
			switch s[pos+1] {
			case '!':
				switch {
				case strings.HasPrefix(s[pos:], "<!--"):
					flush(pos)
					end, err = p.comment(pos)
				case strings.HasPrefix(s[pos:], "<![CDATA["):
					flush(pos)
					end, err = p.cdata(pos)
				default:
					return pos, p.declaration(pos)
				}
			case '?':
				flush(pos)
				end, err = p.pi(pos)
			default:
				if pos > start {
					text := s[start:pos]
					if decoded {
						flush(pos)
						text = string(p.buf)
					}
					if !top.textNWS && !isSpace(text) {
						top.textNWS = true
					}
					if len(top.children) == 0 {
						top.text = text
					}
				}
				return pos, nil
			}
		case '&':
			flush(pos)
			end, err = p.ref(pos)
		case ']':
			if strings.HasPrefix(s[pos:], "]]>") {
				return pos, p.syntax(pos, "']]>' in character data")
			}
			pos++
			continue
		default:
			n, err := p.checkRune(pos)
			if err != nil {
				return pos, err
			}
			pos += n
			continue
		}
		if err != nil {
			return pos, err
		}
		pos, runStart = end, end
	}
}

// endTag reads the end tag at s[pos] == '<' (followed by '/'), checks it
// closes the innermost open element and returns the offset after it.
func (p *parser) endTag(pos int) (int, error) {
	s := p.s
	o := p.open[len(p.open)-1]
	open := o.n.name
	end := pos + 2 + len(open)
	if !(end < len(s) && s[end] == '>' && s[pos+2:end] == open) {
		nm, i, err := p.name(pos + 2)
		if err != nil {
			return pos, err
		}
		i = p.skipSpace(i)
		if i >= len(s) {
			return pos, p.eof(i)
		}
		if s[i] != '>' {
			return pos, p.syntax(i, "expected '>' in end tag")
		}
		if nm != open {
			return pos, p.syntax(pos, "end tag </%s> does not match <%s>", nm, open)
		}
		end = i
	}
	o.n.inner = s[o.inner:pos]
	o.n.raw = s[o.n.off : end+1]
	p.close()
	return end + 1, nil
}
