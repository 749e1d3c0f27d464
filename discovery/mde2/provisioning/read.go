package provisioning

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlscan"
)

// Unmarshal decodes a provisioning document from data into d, under the
// default Limits. It is d.UnmarshalText.
func Unmarshal(data []byte, d *Document) error {
	return UnmarshalLimits(data, d, Limits{})
}

// UnmarshalText decodes the XML of a provisioning document into d,
// replacing its contents, under the default Limits.
func (d *Document) UnmarshalText(text []byte) error {
	return UnmarshalLimits(text, d, Limits{})
}

// UnmarshalLimits decodes a provisioning document from data into d under
// the limits lim (zero fields take their defaults). The input is XML 1.0
// whose root is wap-provisioningdoc, in UTF-8 (with or without a byte
// order mark; also when the XML declaration names UTF-16, as .NET writers
// do), UTF-16, or a declared ISO-8859-1 or US-ASCII; MaxBytes counts the
// input's bytes. Error offsets count the input's bytes for UTF-8 and the
// UTF-8 text it was transcoded to otherwise. Refused input is a
// *DecodeError or a *LimitError; d is then left unchanged. A MaxDepth
// above 65536 is taken as 65536, as MarshalLimits takes it, so that a
// document read with lim is written with lim.
func UnmarshalLimits(data []byte, d *Document, lim Limits) error {
	if d == nil {
		return pkg.Errorf("%w: Unmarshal into a nil *Document", ErrValue)
	}
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	text, skip, transcoded, err := toUTF8(data)
	if err != nil {
		off := int64(xmlcharset.ErrorOffset(err))
		line, col := position(data, off)
		return pkg.Decode(off, line, col, "", err)
	}
	r := reader{data: data, lim: lim}
	if !transcoded {
		r.base = skip // UTF-8: offsets count the input
	} else {
		r.data = text // transcoded: offsets count the UTF-8 text
	}
	doc, err := r.read()
	if err != nil {
		return err
	}
	*d = *doc
	return nil
}

// reader decodes one document with encoding/xml's raw tokens, checking
// what RawToken leaves to its caller (matching end tags, one root,
// duplicate attributes) and reading attribute values from the raw tag so
// that attribute-value normalization follows XML 1.0.
type reader struct {
	data  []byte
	base  int // bytes skipped before the tokenizer (a byte order mark)
	lim   Limits
	dec   *xml.Decoder
	stack []frame
	// tag names the element whose start tag is being read, once its name
	// is read: an error in the tag (in its attributes, or a missing or
	// misplaced one) names it last in its path, as the module's other
	// readers name it
	tag   string
	elems int
	ns    nsScope
}

// frame is an open element.
type frame struct {
	name  string
	kind  int     // kindRoot, kindChar, kindParm or kindElem
	nodes *[]Node // where its children go (nil for a parm)
	last  *Text   // the Text being extended inside an Element, if any
	buf   []byte  // its characters so far
	mark  int     // the namespace scope to restore at its end tag
}

const (
	kindRoot = iota
	kindChar
	kindParm
	kindElem
)

func (r *reader) path() string {
	if len(r.stack) == 0 && r.tag == "" {
		return ""
	}
	var b strings.Builder
	for _, f := range r.stack {
		b.WriteByte('/')
		b.WriteString(f.name)
	}
	if r.tag != "" {
		b.WriteByte('/')
		b.WriteString(r.tag)
	}
	return b.String()
}

// errAt makes a DecodeError at byte offset off of the input.
func (r *reader) errAt(off int64, cause error) error {
	line, col := position(r.data, off)
	return pkg.Decode(off, line, col, r.path(), cause)
}

// position returns the 1-based line and byte column of offset off; CR,
// CRLF and LF each end a line.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, start := 1, 0
	for i := 0; i < int(off); i++ {
		switch data[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				continue
			}
			line, start = line+1, i+1
		}
	}
	return line, int(off) - start + 1
}

func (r *reader) read() (*Document, error) {
	r.dec = xml.NewDecoder(bytes.NewReader(r.data[r.base:]))
	r.dec.Strict = true
	r.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) {
		return in, nil // toUTF8 has read the label and made the text UTF-8
	}
	var doc *Document
	done, selfClosed := false, false
	for tokens := 0; ; tokens++ {
		start := int64(r.base) + r.dec.InputOffset()
		// after an empty-element tag the tokenizer returns its end
		// without reading: the stack is not yet as it will be
		if !selfClosed {
			if err := r.markupDecl(r.data[start:]); err != nil {
				return nil, r.errAt(start, err)
			}
			if len(r.stack) == 0 && bytes.HasPrefix(r.data[start:], []byte("</")) {
				// before the tokenizer reads the tag, as the module's
				// other readers say it
				return nil, r.errAt(start, errEndTagOutside)
			}
			if done && len(r.stack) == 0 && startsElement(r.data[start:]) {
				// before the tokenizer reads the tag: whatever it holds,
				// as the module's other readers say it
				return nil, r.errAt(start, errAfterRoot)
			}
			if off, ok := r.textOutside(start); ok {
				// before the tokenizer checks the text's characters and
				// references: any text there is refused, at its first
				// byte that is not white space, as the module's other
				// readers refuse it
				return nil, r.errAt(off, errTextOutside)
			}
		}
		tok, err := r.dec.RawToken()
		end := int64(r.base) + r.dec.InputOffset()
		_, selfClosed = tok.(xml.StartElement)
		selfClosed = selfClosed && bytes.HasSuffix(r.data[start:end], []byte("/>"))
		if err == io.EOF {
			if len(r.stack) > 0 || !done {
				return nil, r.errAt(end, xmlscan.Cause(xmlscan.EOF, ""))
			}
			return doc, nil
		}
		if err != nil {
			r.tag = tagName(r.data[start:])
			if what := unclosed(r.data[start:], tokens == 0, err); what != "" {
				return nil, r.errAt(start, xmlscan.Cause(xmlscan.Unclosed, what))
			}
			if cutAtEnd(r.data, end, err) {
				// as the module's other readers say it: the input ends
				// inside a character, not in a wrong one
				return nil, r.errAt(int64(len(r.data)), xmlscan.Cause(xmlscan.EOF, ""))
			}
			if c := data0(r.data, start); c != '<' || !strings.ContainsRune("/!?", rune(data0(r.data, start+1))) {
				// text, or a start tag: a reference the tokenizer
				// refused is reported at its '&', as the module's other
				// readers say it
				if off, c := refFault(r.data, start, end, c == '<'); c != nil {
					return nil, r.errAt(off, c)
				}
			}
			cause := syntaxCause(err)
			if errors.Is(cause, ErrEncoding) || errors.Is(cause, ErrInvalidChar) {
				// at the character, as the module's other readers say
				// it, not after it where the tokenizer stopped
				if off, c := charFault(r.data, start, end); c != nil {
					return nil, r.errAt(off, c)
				}
			}
			return nil, r.errAt(end, cause)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "xml" && tokens == 0 {
				if !xmlDeclRE.Match(r.data[start:end]) {
					return nil, r.errAt(start, pkg.Errorf("%w: malformed XML declaration", ErrSyntax))
				}
				continue // the tokenizer checked the encoding
			}
			if strings.EqualFold(t.Target, "xml") {
				return nil, r.errAt(start, pkg.Errorf("%w: XML declaration not at the start", ErrSyntax))
			}
			return nil, r.errAt(start, pkg.Errorf("%w: processing instruction %q not supported", ErrStructure, t.Target))
		case xml.Directive:
			// markupDecl refused every "<!" that encoding/xml reads as a
			// Directive before the tokenizer saw it
			return nil, r.errAt(start, r.markupDeclErr(r.data[start:]))
		case xml.Comment:
			if off, c := charFault(r.data, start+4, end-3); c != nil {
				return nil, r.errAt(off, c)
			}
			if len(r.stack) == 0 {
				continue // a comment outside the root says nothing about the document
			}
			if r.stack[len(r.stack)-1].kind == kindParm {
				return nil, r.errAt(start, pkg.Errorf("%w: comment inside a parm", ErrStructure))
			}
			r.add(&Comment{Text: normalizeLineEnds(string(t))})
		case xml.CharData:
			if off, c := refFault(r.data, start, end, false); c != nil {
				return nil, r.errAt(off, c)
			}
			if len(r.stack) == 0 {
				// textOutside refused any text here but white space
				if off, ok := r.textOutside(start); ok || !isSpace(t) {
					return nil, r.errAt(max(off, start), errTextOutside)
				}
				continue
			}
			top := &r.stack[len(r.stack)-1]
			if top.kind != kindElem {
				if !isSpace(t) {
					return nil, r.errAt(start, pkg.Errorf("%w: text in %s", ErrStructure, top.name))
				}
				continue
			}
			if len(t) == 0 {
				continue // an empty CDATA section holds no text
			}
			if top.last == nil {
				top.last = &Text{}
				*top.nodes = append(*top.nodes, top.last)
			}
			top.buf = append(top.buf, t...)
		case xml.StartElement:
			if done {
				return nil, r.errAt(start, errAfterRoot)
			}
			r.elems++
			if r.elems > r.lim.MaxElements {
				return nil, pkg.Limit("MaxElements", int64(r.lim.MaxElements), start, r.path())
			}
			if len(r.stack)+1 > r.lim.MaxDepth {
				return nil, pkg.Limit("MaxDepth", int64(r.lim.MaxDepth), start, r.path())
			}
			name := joinName(t.Name)
			r.tag = name
			if len(t.Attr) > r.lim.MaxAttrs {
				return nil, pkg.Limit("MaxAttrs", int64(r.lim.MaxAttrs), start, r.path())
			}
			if off, c := refFault(r.data, start, end, true); c != nil {
				return nil, r.errAt(off, c)
			}
			attrs, at, err := r.attrs(t, r.data[start:end])
			if err != nil {
				return nil, r.errAt(start+int64(at), err)
			}
			mark, err := r.ns.open(name, attrs)
			if err != nil {
				return nil, r.errAt(start, err)
			}
			if len(r.stack) == 0 {
				if name != Root {
					return nil, r.errAt(start, pkg.Errorf("%w: root element is %s, not %s", ErrStructure, name, Root))
				}
				doc = &Document{}
				doc.Version, doc.Attrs = takeAttr(attrs, "version")
				r.stack = append(r.stack, frame{name: name, kind: kindRoot, nodes: &doc.Nodes, mark: mark})
				r.tag = ""
				continue
			}
			if err := r.open(name, attrs); err != nil {
				return nil, r.errAt(start, err)
			}
			r.tag = ""
			r.stack[len(r.stack)-1].mark = mark
		case xml.EndElement:
			name := joinName(t.Name)
			if len(r.stack) == 0 || r.stack[len(r.stack)-1].name != name {
				return nil, r.errAt(start, pkg.Errorf("%w: end tag %s does not match", ErrSyntax, name))
			}
			r.flush()
			r.ns.close(r.stack[len(r.stack)-1].mark)
			r.stack = r.stack[:len(r.stack)-1]
			if len(r.stack) == 0 {
				done = true
			}
		}
	}
}

// errTextOutside is the cause of refusing text before or after the root
// element.
var errTextOutside = fmt.Errorf("%w: text outside the root element", ErrSyntax)

// tagName returns the name of the start tag that starts rest, when the
// name is a qualified name and a character follows it in rest (the name
// is all read); else "". It names the element of a start tag the
// tokenizer refused, for the path of the error.
func tagName(rest []byte) string {
	if !startsElement(rest) {
		return ""
	}
	i := 1
	for i < len(rest) {
		c, size := utf8.DecodeRune(rest[i:])
		if c == utf8.RuneError && size <= 1 {
			return "" // a byte that is not UTF-8 may be part of the name
		}
		if !xmlscan.IsNameRune(c) {
			break
		}
		i += size
	}
	if name := string(rest[1:i]); i < len(rest) && xmlscan.IsQName(name) {
		return name
	}
	return ""
}

// errEndTagOutside is the cause of refusing an end tag before or after
// the root element.
var errEndTagOutside = fmt.Errorf("%w: end tag outside the root element", ErrSyntax)

// errAfterRoot is the cause of refusing an element after the root
// element.
var errAfterRoot = fmt.Errorf("%w: content after the root element", ErrSyntax)

// startsElement reports whether rest starts with a '<' that starts no
// end tag, comment, declaration or processing instruction: a start tag,
// well-formed or not.
func startsElement(rest []byte) bool {
	return len(rest) >= 2 && rest[0] == '<' && !strings.ContainsRune("/!?", rune(rest[1]))
}

// textOutside returns the offset of the first byte that is not white
// space in the text at start, outside every element; ok is false inside
// an element, or when no such text starts there (a '<' comes first).
func (r *reader) textOutside(start int64) (off int64, ok bool) {
	if len(r.stack) > 0 {
		return 0, false
	}
	i := start
	for i < int64(len(r.data)) && isSpaceByte(r.data[i]) {
		i++
	}
	if i >= int64(len(r.data)) || r.data[i] == '<' {
		return 0, false
	}
	return i, true
}

// add appends n to the open element, which is not a parm.
func (r *reader) add(n Node) {
	r.flush()
	top := &r.stack[len(r.stack)-1]
	*top.nodes = append(*top.nodes, n)
}

// flush ends the text being read in the open element: adjacent character
// data (text, references, CDATA sections) is one Text, built once.
func (r *reader) flush() {
	top := &r.stack[len(r.stack)-1]
	if top.last != nil {
		top.last.Text = string(top.buf)
		top.last, top.buf = nil, top.buf[:0]
	}
}

// open handles a start tag below the root.
func (r *reader) open(name string, attrs []Attr) error {
	r.flush()
	top := &r.stack[len(r.stack)-1]
	if top.kind == kindParm {
		return pkg.Errorf("%w: element %s inside a parm", ErrStructure, name)
	}
	if top.kind == kindElem || (name != "characteristic" && name != "parm") {
		e := &Element{Name: name, Attrs: attrs}
		*top.nodes = append(*top.nodes, e)
		r.stack = append(r.stack, frame{name: name, kind: kindElem, nodes: &e.Nodes})
		return nil
	}
	if name == "characteristic" {
		typ, rest, ok := takeRequired(attrs, "type")
		if !ok {
			return pkg.Errorf("%w: characteristic without a type attribute", ErrStructure)
		}
		c := &Characteristic{Type: typ, Attrs: rest}
		*top.nodes = append(*top.nodes, c)
		r.stack = append(r.stack, frame{name: name, kind: kindChar, nodes: &c.Nodes})
		return nil
	}
	nm, rest, ok := takeRequired(attrs, "name")
	if !ok {
		return pkg.Errorf("%w: parm without a name attribute", ErrStructure)
	}
	p := &Parm{Name: nm}
	var hasValue bool
	p.Value, rest, hasValue = takeRequired(rest, "value")
	p.NoValue = !hasValue
	p.Datatype, rest = takeAttr(rest, "datatype")
	p.Attrs = rest
	*top.nodes = append(*top.nodes, p)
	r.stack = append(r.stack, frame{name: name, kind: kindParm})
	return nil
}

// normalizeLineEnds applies XML's end-of-line rule (CRLF and CR become
// LF), which the tokenizer does not apply to comments.
func normalizeLineEnds(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// takeRequired removes the attribute name from attrs and returns its
// value; ok is false when it is absent.
func takeRequired(attrs []Attr, name string) (value string, rest []Attr, ok bool) {
	for i, a := range attrs {
		if a.Name == name {
			rest = append(attrs[:i:i], attrs[i+1:]...)
			if len(rest) == 0 {
				rest = nil
			}
			return a.Value, rest, true
		}
	}
	return "", attrs, false
}

// takeAttr removes a non-empty attribute name from attrs and returns its
// value; an empty one stays in attrs, so that "" can mean absent.
func takeAttr(attrs []Attr, name string) (string, []Attr) {
	for i, a := range attrs {
		if a.Name == name && a.Value != "" {
			rest := append(attrs[:i:i], attrs[i+1:]...)
			if len(rest) == 0 {
				rest = nil
			}
			return a.Value, rest
		}
	}
	return "", attrs
}

// attrs returns the attributes of a start tag with their values read from
// the raw tag, and refuses duplicates. On error, at is the offset in raw
// of the attribute refused (of the tag when no attribute is to blame), as
// the module's other readers report it.
func (r *reader) attrs(t xml.StartElement, raw []byte) (attrs []Attr, at int, err error) {
	if len(t.Attr) == 0 {
		return nil, 0, nil
	}
	vals, bad := rawAttrValues(raw, nil)
	if bad >= 0 {
		return nil, bad, pkg.Errorf("%w: expected white space before attribute", ErrSyntax)
	}
	if len(vals) != len(t.Attr) {
		return nil, 0, pkg.Errorf("%w: attributes of %s could not be read", ErrSyntax, joinName(t.Name))
	}
	out := make([]Attr, len(t.Attr))
	for i, a := range t.Attr {
		out[i] = Attr{Name: joinName(a.Name), Value: unescapeAttr(vals[i])}
	}
	if i, dup := duplicateAt(len(out), func(i int) string { return out[i].Name }); dup {
		var names []int // read again, on this error only
		rawAttrValues(raw, &names)
		return nil, names[i], pkg.Errorf("%w: %s", ErrDuplicateAttr, out[i].Name)
	}
	return out, 0, nil
}

// rawAttrValues returns the raw text of each attribute value of a start
// tag that the tokenizer has accepted, in order, and appends the offset
// in tag of each attribute's name to *names unless names is nil; bad is
// the offset of the first attribute that does not follow white space,
// which XML requires and the tokenizer does not check, or -1.
func rawAttrValues(tag []byte, names *[]int) (vals [][]byte, bad int) {
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++
	}
	for i < len(tag) {
		sp := i
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i < len(tag) && tag[i] != '>' && tag[i] != '/' && i == sp {
			return nil, i
		}
		if i >= len(tag) || tag[i] == '>' || tag[i] == '/' {
			break
		}
		if names != nil {
			*names = append(*names, i)
		}
		for i < len(tag) && tag[i] != '=' {
			i++
		}
		i++ // '='
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i >= len(tag) {
			break
		}
		q := tag[i]
		i++
		j := bytes.IndexByte(tag[i:], q)
		if j < 0 {
			break
		}
		vals = append(vals, tag[i:i+j])
		i += j + 1
	}
	return vals, -1
}

// xmlDeclRE is the XML declaration as XML 1.0 writes it (the tokenizer
// reads it leniently).
var xmlDeclRE = regexp.MustCompile(`^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*("1\.[0-9]+"|'1\.[0-9]+')` +
	`([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*("[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?` +
	`([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*("(yes|no)"|'(yes|no)'))?[ \t\r\n]*\?>$`)

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

// markupDecl checks a "<!" at the start of rest before encoding/xml reads
// it, and returns the cause of refusing it, or nil. encoding/xml reads any
// "<!" but a comment or CDATA section as a Directive, up to a '>' that is
// not inside a nested '<' or a quoted string: a "<!>" or "<!x" in a
// document with a tag after it runs to the end of the input, and was an
// end-of-input error at the end. Here a DOCTYPE is refused as such,
// wherever it stands, and any other "<!" that starts no comment (nor a
// CDATA section, inside the root) is refused at its "<", as the module's
// other readers refuse it. Input that ends where one of those may start
// is left to the tokenizer, whose end-of-input error is then right.
func (r *reader) markupDecl(rest []byte) error {
	if len(rest) < 2 || rest[0] != '<' || rest[1] != '!' {
		return nil
	}
	head := string(rest[:min(len(rest), len(doctypeOpen))])
	if len(r.stack) == 0 {
		// as the module's other readers say it outside the root
		k, msg := xmlscan.OutsideDecl(string(rest[:min(len(rest), 2+3*utf8.UTFMax)]), `"<!--"`)
		switch {
		case strings.HasPrefix(head, commentOpen), k == xmlscan.EOF:
			return nil // the tokenizer reads the comment, or the end of input
		case k == xmlscan.DOCTYPE:
			return ErrDOCTYPE
		}
		return xmlscan.Cause(k, msg)
	}
	switch {
	case strings.HasPrefix(head, commentOpen), strings.HasPrefix(head, cdataOpen):
		return nil
	case strings.HasPrefix(head, doctypeOpen):
		return ErrDOCTYPE
	case xmlscan.CutShort(head, commentOpen, doctypeOpen, cdataOpen):
		return nil
	}
	return r.markupDeclErr(rest)
}

// unclosed returns what construct starts rest (the input from the token
// the tokenizer failed on) and runs to the end of the input, when err is
// the tokenizer's end of input inside it: "comment", "CDATA section",
// "processing instruction" or, at the start, "XML declaration"; else "".
// Such a construct is reported where it starts, as the module's other
// readers report it: it swallowed the rest of the input, whose end says
// nothing of where the mistake is.
func unclosed(rest []byte, first bool, err error) string {
	var se *xml.SyntaxError
	if !errors.As(err, &se) || !strings.HasPrefix(se.Msg, "unexpected EOF") {
		return ""
	}
	switch {
	case bytes.HasPrefix(rest, []byte(commentOpen)):
		return "comment"
	case bytes.HasPrefix(rest, []byte(cdataOpen)):
		return "CDATA section"
	case first && bytes.HasPrefix(rest, []byte("<?xml")) && len(rest) > 5 && isSpaceByte(rest[5]):
		return "XML declaration"
	case bytes.HasPrefix(rest, []byte("<?")):
		return "processing instruction"
	}
	return ""
}

// The openers of what may follow "<!".
const (
	commentOpen = "<!--"
	cdataOpen   = "<![CDATA["
	doctypeOpen = "<!DOCTYPE"
)

// markupDeclErr returns the syntax error for the "<!" that starts rest
// and starts no comment or CDATA section (or no comment outside the
// root): what came, and what was expected there.
func (r *reader) markupDeclErr(rest []byte) error {
	want := `"<!--"` // only comments outside the root
	if len(r.stack) > 0 {
		want = `"<!--" or "<![CDATA["`
	}
	// MarkupDecl quotes "<!" and up to three characters after it
	return pkg.Errorf("%w: %s", ErrSyntax, xmlscan.MarkupDecl(string(rest[:min(len(rest), 2+3*utf8.UTFMax)]), want))
}

// cutAtEnd reports whether err is the tokenizer's "invalid UTF-8" for a
// character that data ends inside: the tokenizer stopped at the end (end),
// and the last bytes of data start a UTF-8 sequence they do not finish.
func cutAtEnd(data []byte, end int64, err error) bool {
	var se *xml.SyntaxError
	if !errors.As(err, &se) || se.Msg != "invalid UTF-8" || end != int64(len(data)) {
		return false
	}
	for k := len(data) - 1; k >= 0 && k >= len(data)-utf8.UTFMax+1; k-- {
		if c := data[k]; c < utf8.RuneSelf {
			return false
		} else if utf8.RuneStart(c) {
			return !utf8.FullRune(data[k:])
		}
	}
	return false
}

// charFault returns the offset of the first byte of data[from:to] that
// is not UTF-8, or of the first character there that XML does not allow,
// with its cause worded as the module's other readers word it
// ("invalid UTF-8", "U+0001"); the cause is nil when there is none.
func charFault(data []byte, from, to int64) (int64, error) {
	for i := from; i < to; {
		c := data[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:to])
		if r == utf8.RuneError && size == 1 {
			return i, xmlscan.Cause(xmlscan.Encoding, "invalid UTF-8")
		}
		if !isXMLChar(r) {
			return i, xmlscan.Cause(xmlscan.InvalidChar, fmt.Sprintf("%U", r))
		}
		i += int64(size)
	}
	return 0, nil
}

// refFault returns the offset of the first reference in data[from:to]
// that the module's other readers refuse (a character XML does not allow,
// such as a surrogate, which the tokenizer takes as U+FFFD, or a
// malformed one), with its cause worded as they word it; the cause is nil
// when there is none. In a tag (tag), only a '&' in a quoted value is a
// reference; the CDATA section, comment or processing instruction that
// data[from:] may start holds none.
func refFault(data []byte, from, to int64, tag bool) (int64, error) {
	if bytes.IndexByte(data[from:to], '&') < 0 || bytes.HasPrefix(data[from:], []byte("<!")) || bytes.HasPrefix(data[from:], []byte("<?")) {
		return 0, nil
	}
	// No reference runs past a '<', but the scanner looks a few bytes
	// beyond one that ends it too soon (up to 6 after the '&' of a
	// named one, "&amp<" being no reference, not one cut by the end of
	// input): s holds as many, so that RefError words it as the other
	// readers do.
	stop := len(data)
	if j := bytes.IndexByte(data[to:], '<'); j >= 0 {
		stop = min(len(data), int(to)+j+refLookahead)
	}
	s := string(data[from:stop])
	var quote byte
	for i := 0; i < int(to-from); i++ {
		switch c := s[i]; {
		case tag && quote == 0 && (c == '"' || c == '\''):
			quote = c
		case tag && c == quote:
			quote = 0
		case c == '&' && (!tag || quote != 0):
			if _, n := xmlscan.Ref(s, i); n > i {
				i = n - 1
				continue
			}
			k, msg := xmlscan.RefError(s, i)
			switch {
			case k == xmlscan.EOF && stop == len(data):
				return int64(len(data)), xmlscan.Cause(k, msg)
			case k == xmlscan.EOF, msg == "":
				continue // no word on it here
			}
			return from + int64(i), xmlscan.Cause(k, msg)
		}
	}
	return 0, nil
}

// refLookahead is how many bytes from the '<' after a reference
// refFault gives RefError: more than a reference is read past its '&'.
const refLookahead = 8

// data0 returns data[i], or 0 past its end.
func data0(data []byte, i int64) byte {
	if i < int64(len(data)) {
		return data[i]
	}
	return 0
}

// syntaxCause maps an encoding/xml error to the module's sentinels.
func syntaxCause(err error) error {
	if errors.Is(err, ErrEncoding) {
		return pkg.Errorf("%w: only UTF-8 is read", ErrEncoding)
	}
	var se *xml.SyntaxError
	if !errors.As(err, &se) {
		return pkg.Errorf("%w: %v", ErrSyntax, err)
	}
	msg := se.Msg
	switch {
	case msg == "unexpected EOF":
		// as the module's other readers say it (io.ErrUnexpectedEOF)
		return xmlscan.Cause(xmlscan.EOF, "")
	case strings.Contains(msg, "invalid UTF-8"):
		return pkg.Errorf("%w: %s", ErrEncoding, msg)
	case strings.Contains(msg, "illegal character code"), strings.Contains(msg, "invalid character"):
		if strings.Contains(msg, "entity") {
			return pkg.Errorf("%w: %s", ErrEntity, msg)
		}
		return pkg.Errorf("%w: %s", ErrInvalidChar, msg)
	case strings.Contains(msg, "encoding"):
		return pkg.Errorf("%w: %s", ErrEncoding, msg)
	}
	return pkg.Errorf("%w: %s", ErrSyntax, msg)
}
