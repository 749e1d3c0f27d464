package declaredconfig

import (
	"fmt"
	"strings"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlscan"
)

// The reader builds a tree with the module's XML scanner (internal/xmlscan,
// the lexer syncml reads messages with), not encoding/xml: it enforces XML
// 1.0 well-formedness (characters, names, references, comments, processing
// instructions, the XML declaration, one root, no DOCTYPE) and Namespaces
// in XML (qualified names, declared prefixes, the reserved prefixes, no
// prefix bound to the empty name, no two attributes with the same expanded
// name), so that what it accepts is what the syncml codec accepts as XML
// Data and what a conformant device parser reads the same way. It never
// recurses over the input's nesting.

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
	nsXML   = xmlscan.NamespaceXML
	nsXMLNS = xmlscan.NamespaceXMLNS
)

// srcmap maps offsets in the scanned text back to the caller's input.
type srcmap struct {
	orig string
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

func (m *srcmap) errAt(pos int, path string, cause error) error {
	off := m.offset(pos)
	line, col := xmlscan.LineCol(m.orig, off)
	return pkg.Decode(int64(off), line, col, path, cause)
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
		return t.structure(n, path, "text inside <%s>, which holds only elements", shownName(n.name))
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

// A builder makes the tree of a document from the tokens of a scan: the
// parser's own over a document alone, or syncml's over a message whose
// Data carries the document (see ReadMessage).
type builder struct {
	open     []openElem
	nodes    []node // slab of nodes handed out
	nodeN    int
	attrSlab []Attr
}

// parser scans one document.
type parser struct {
	xmlscan.Scanner
	builder
	lim Limits
	src srcmap

	elements int
	attrs    int // in all (Limits.MaxTotalAttrs)
}

// parse reads one XML document under lim: optional BOM, white space, XML
// declaration, comments and processing instructions around exactly one root
// element. Comments, processing instructions and the XML declaration are
// accepted and not kept; the text is taken as already decoded characters,
// whatever encoding the declaration names. scope holds namespace bindings
// in force around the document (for markup checked by the writer).
func parse(data string, lim Limits, scope ...nsBinding) (*tree, error) {
	if onParse != nil {
		onParse(data)
	}
	t := &tree{src: srcmap{orig: data}}
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	s := data
	lead := 0
	if strings.HasPrefix(s, "\uFEFF") {
		lead = 3
	}
	for lead < len(s) && xmlscan.IsSpace(s[lead]) {
		lead++
	}
	s = s[lead:]
	t.src.lead = lead
	if strings.IndexByte(s, '\r') >= 0 {
		s = xmlscan.NormalizeEOL(s)
		t.src.crs = true
	}
	p := &parser{lim: lim, src: t.src}
	p.Init(s, xmlscan.Limits{
		MaxDepth:      lim.MaxDepth,
		MaxTokens:     maxInt,
		MaxTokenBytes: lim.MaxTokenBytes,
		MaxAttrs:      lim.MaxAttrs,
		MaxNamespaces: lim.MaxNamespaces,
	}, p)
	if len(scope) > 0 {
		// the declarations around the document are not counted
		bs := make([]xmlscan.Binding, len(scope))
		for i, b := range scope {
			bs[i] = xmlscan.Binding{Prefix: b.prefix, URI: b.uri}
		}
		p.Declare(bs...)
	}
	root, err := p.document()
	if err != nil {
		return nil, err
	}
	t.root = root
	return t, nil
}

const maxInt = int(^uint(0) >> 1)

// onParse, set by tests only, is told each text parse lexes: with it
// they show that ReadMessage builds a document without lexing its bytes
// a second time.
var onParse func(text string)

// ScanError makes the package's error for a lexical problem, with the
// cause every package gives that kind (xmlscan.Cause).
func (p *parser) ScanError(pos int, k xmlscan.Kind, msg string) error {
	// an error in a start tag's attributes is in the element the scanner
	// opens for it: the path names it
	return p.src.errAt(pos, p.PathString(), xmlscan.Cause(k, utf8cut.Middle(msg, maxShown)))
}

// ScanLimit makes the package's error for an exceeded limit.
func (p *parser) ScanLimit(name string, max int64, pos int) error {
	return pkg.Limit(name, max, int64(p.src.offset(pos)), p.PathString())
}

func (p *parser) errAt(pos int, cause error) error {
	return p.src.errAt(pos, p.PathString(), cause)
}

func (p *parser) syntax(pos int, format string, args ...any) error {
	return p.errAt(pos, fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...))
}

func (p *parser) eof(pos int) error {
	return p.ScanError(pos, xmlscan.EOF, "")
}

func (p *parser) limit(name string, max int, pos int) error {
	return p.ScanLimit(name, int64(max), pos)
}

// ---- the document ----

func (p *parser) document() (*node, error) {
	s := p.Input()
	pos, err := p.Prolog(0)
	if err != nil {
		return nil, err
	}
	var root *node
	for {
		if pos, err = p.Misc(pos); err != nil {
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
			return nil, p.OutsideDeclError(pos, `"<!--"`)
		}
		if root != nil {
			return nil, p.syntax(pos, "content after the root element")
		}
		if root, pos, err = p.element(pos); err != nil {
			return nil, err
		}
	}
}

// element reads the element whose start tag is at pos, without recursion,
// and returns it with the offset after its end.
func (p *parser) element(pos int) (*node, int, error) {
	root, pos, err := p.startTag(pos)
	if err != nil {
		return nil, pos, err
	}
	s := p.Input()
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

func (b *builder) newNode() *node {
	if len(b.nodes) == 0 {
		b.nodeN = min(max(8, 2*b.nodeN), 256)
		b.nodes = make([]node, b.nodeN)
	}
	n := &b.nodes[0]
	b.nodes = b.nodes[1:]
	return n
}

// startTag reads the start tag at S[pos] == '<', opens the element (or,
// for an empty-element tag, opens and closes it) and returns it.
func (p *parser) startTag(pos int) (*node, int, error) {
	if len(p.open) >= p.lim.MaxDepth {
		return nil, pos, p.limit("MaxDepth", p.lim.MaxDepth, pos)
	}
	p.elements++
	if p.elements > p.lim.MaxElements {
		return nil, pos, p.limit("MaxElements", p.lim.MaxElements, pos)
	}
	t, i, err := p.StartTag(pos)
	if err != nil {
		return nil, pos, err
	}
	attrs := p.Attrs()
	if p.attrs += len(attrs); p.attrs > p.lim.MaxTotalAttrs {
		return nil, pos, p.limit("MaxTotalAttrs", p.lim.MaxTotalAttrs, pos)
	}
	n := p.start(t, attrs, i)
	if t.Self {
		p.end(p.Input(), i, i)
		p.Pop()
	}
	return n, i, nil
}

// start opens the element whose start tag t, with attributes attrs, ends
// at end, and returns it.
func (b *builder) start(t xmlscan.Tag, attrs []xmlscan.Attr, end int) *node {
	n := b.newNode()
	n.name, n.off = t.Name, t.Start
	if len(attrs) > 0 {
		n.attrs = b.keepAttrs(attrs)
	}
	if len(b.open) > 0 {
		parent := b.open[len(b.open)-1].n
		parent.children = append(parent.children, n)
	}
	b.open = append(b.open, openElem{n: n, inner: end})
	return n
}

// text records character data of the innermost open element.
func (b *builder) text(text string) {
	top := b.open[len(b.open)-1].n
	if !top.textNWS && !xmlscan.IsAllSpace(text) {
		top.textNWS = true
	}
	if len(top.children) == 0 {
		top.text = text
	}
}

// end closes the innermost open element, whose end tag in src lies
// between pos and end (both at the end of an empty-element tag).
func (b *builder) end(src string, pos, end int) {
	o := b.open[len(b.open)-1]
	o.n.inner = src[o.inner:pos]
	o.n.raw = src[o.n.off:end]
	b.open = b.open[:len(b.open)-1]
}

// keepAttrs copies attrs into the slab and returns them.
func (b *builder) keepAttrs(attrs []xmlscan.Attr) []Attr {
	n := len(attrs)
	if cap(b.attrSlab)-len(b.attrSlab) < n {
		b.attrSlab = make([]Attr, 0, max(32, n))
	}
	l := len(b.attrSlab)
	for _, a := range attrs {
		b.attrSlab = append(b.attrSlab, Attr{Name: a.Name, Value: a.Value})
	}
	return b.attrSlab[l : l+n : l+n]
}

// content reads the character data of the innermost open element at pos,
// folding in references, CDATA sections, comments and processing
// instructions, up to the '<' of the next start or end tag, whose offset
// it returns.
func (p *parser) content(pos int) (int, error) {
	text, _, next, err := p.CharData(pos)
	if err != nil {
		return next, err
	}
	if next > pos {
		p.text(text)
	}
	return next, nil
}

// endTag reads the end tag at S[pos] == '<' (followed by '/'), checks it
// closes the innermost open element and returns the offset after it.
func (p *parser) endTag(pos int) (int, error) {
	end, err := p.EndTag(pos)
	if err != nil {
		return pos, err
	}
	p.end(p.Input(), pos, end)
	return end, nil
}
