package mde2

import (
	"encoding/xml"
	"fmt"
	"strings"
	"sync"

	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlscan"
)

// node is one element of a parsed message: the SOAP messages of the
// enrollment protocol are small and read once, so a tree is enough.
type node struct {
	space, local string
	attrs        []xml.Attr
	text         string // character data directly inside
	kids         []*node
	parent       *node
	off          int64 // byte offset of the element's start tag
	kidsFrom     int   // while it is open: where its children start in pending
}

// tree is a parsed document and the bytes it came from, to place errors.
// Its nodes live in the treeParser that read it; release hands both back
// to the pool once the message has been read out of the tree.
type tree struct {
	data []byte
	root *node
	lim  Limits // with defaults
	p    *treeParser
}

// parserPool keeps treeParsers, with their lexer stacks and node blocks,
// between messages: a server reads one message per request.
var parserPool = sync.Pool{New: func() any { return new(treeParser) }}

// parseTree reads data as one XML document within lim, with the module's
// XML lexer (internal/xmlscan): optional byte-order mark and white space,
// XML declaration, comments and processing instructions around exactly
// one root element. Input in another encoding than UTF-8 (a UTF-16
// byte-order mark, a declared legacy encoding) is transcoded first, and
// offsets then count in the UTF-8 text; they count from after a
// byte-order mark. The caller releases the tree when it is done with its
// nodes (the strings read from it stay valid).
func parseTree(data []byte, lim Limits) (*tree, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	p := parserPool.Get().(*treeParser)
	t := &p.tree
	*t = tree{data: data, lim: lim, p: p}
	text, transcoded, err := xmlcharset.ToUTF8(data)
	if err != nil {
		err = t.errAt(int64(xmlcharset.ErrorOffset(err)), nil, err)
		t.release()
		return nil, err
	}
	switch {
	case transcoded:
		t.data = []byte(text)
	case len(text) < len(data):
		t.data = data[len(data)-len(text):] // after a UTF-8 byte-order mark
	}
	lead := 0
	for lead < len(text) && xmlscan.IsSpace(text[lead]) {
		lead++
	}
	p.lead, p.tagPos = lead, -1
	// at most one node per start tag
	if want := min(strings.Count(text, "<"), 256); cap(p.slab) < want {
		p.slab = make([]node, 0, want)
	}
	p.Init(text[lead:], xmlscan.Limits{
		MaxDepth:      lim.MaxDepth,
		MaxTokens:     lim.MaxTokens,
		MaxTokenBytes: int(min(lim.MaxBytes, int64(maxInt))),
		MaxAttrs:      lim.MaxAttrs,
		MaxNamespaces: lim.MaxNamespaces,
	}, p)
	if t.root, err = p.document(); err != nil {
		t.release()
		return nil, err
	}
	return t, nil
}

// release hands the tree's parser back to the pool; the tree and its
// nodes are not used after.
func (t *tree) release() {
	p := t.p
	if p == nil {
		return
	}
	if cap(p.slab) > 4096 || cap(p.kidBlock) > 4096 || cap(p.attrBlock) > 4096 {
		return // grown by an unusual message: left to the collector
	}
	p.Reset()
	clear(p.slab)
	clear(p.kidBlock)
	clear(p.attrBlock)
	clear(p.open)
	clear(p.pending[:cap(p.pending)])
	p.slab, p.kidBlock, p.attrBlock = p.slab[:0], p.kidBlock[:0], p.attrBlock[:0]
	p.open, p.pending = p.open[:0], p.pending[:0]
	clear(p.joins[:cap(p.joins)])
	p.joins = p.joins[:0]
	p.tree = tree{}
	parserPool.Put(p)
}

const maxInt = int(^uint(0) >> 1)

// treeParser builds a tree with an xmlscan.Scanner. Nodes, child lists
// and attributes are taken from blocks that are reused from message to
// message.
type treeParser struct {
	xmlscan.Scanner
	tree
	lead      int     // bytes skipped before the scanned text
	open      []*node // open elements, innermost last
	pending   []*node // children of the open elements, in order
	tagPos    int     // offset of the start tag being read, or -1
	slab      []node  // nodes are allocated from here, a block at a time
	kidBlock  []*node // child lists are cut from here
	attrBlock []xml.Attr
	joins     []join // texts being joined, of open elements, innermost last
}

// ScanError makes the DecodeError of a lexical problem, with the cause
// every package of the module gives that kind.
func (p *treeParser) ScanError(pos int, k xmlscan.Kind, msg string) error {
	// the lexer opens an element once its name is read, so that an error
	// in its start tag's attributes is reported inside it (localPath)
	return p.tree.errPath(int64(p.lead+pos), p.localPath(), xmlscan.Cause(k, msg))
}

// ScanLimit makes the LimitError of an exceeded limit.
func (p *treeParser) ScanLimit(name string, max int64, pos int) error {
	if name == "MaxTokenBytes" {
		name = "MaxBytes" // one token cannot be larger than the message
	}
	return pkg.Limit(name, max, int64(p.lead+pos), p.localPath())
}

// localPath is the path of the open elements by local name, the one
// whose start tag is being read included once the lexer has opened it.
func (p *treeParser) localPath() string {
	var b strings.Builder
	for _, n := range p.open {
		b.WriteByte('/')
		b.WriteString(n.local)
	}
	if p.tagPos >= 0 && p.Depth() > len(p.open) {
		b.WriteByte('/')
		b.WriteString(p.tagLocal())
	}
	return b.String()
}

// tagLocal is the local name of the start tag being read, as the
// scanner read it (the name ends where the scanner ends it).
func (p *treeParser) tagLocal() string {
	open := p.PathString()
	return xmlscan.LocalName(open[strings.LastIndexByte(open, '/')+1:])
}

func (p *treeParser) syntax(pos int, format string, args ...any) error {
	return p.ScanError(pos, xmlscan.Syntax, fmt.Sprintf(format, args...))
}

func (p *treeParser) document() (*node, error) {
	s := p.Input()
	pos := 0
	if strings.HasPrefix(s, "<?xml") && len(s) > 5 && xmlscan.IsSpace(s[5]) {
		end, err := p.XMLDecl(0)
		if err != nil {
			return nil, err
		}
		pos = end
	}
	var root *node
	for {
		var err error
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
		if err := p.Need(pos, 2); err != nil {
			return nil, err
		}
		switch s[pos+1] {
		case '/':
			return nil, p.syntax(pos, "end tag outside the root element")
		case '!':
			// Only comments are allowed here (Misc read those): a
			// DOCTYPE or CDATA section is named, else say what came (a
			// dash that is not "-", such as "<!-—").
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

// element reads the element whose start tag is at pos, without
// recursion, and returns it with the offset after its end.
func (p *treeParser) element(pos int) (*node, int, error) {
	p.pending = p.pending[:0]
	root, pos, err := p.startTag(pos)
	if err != nil {
		return nil, pos, err
	}
	for len(p.open) > 0 {
		text, _, next, err := p.CharData(pos)
		if err != nil {
			return nil, next, err
		}
		if text != "" {
			p.addText(p.open[len(p.open)-1], text)
		}
		pos = next
		if p.Input()[pos+1] == '/' {
			if pos, err = p.EndTag(pos); err != nil {
				return nil, pos, err
			}
			p.closeElem()
		} else if _, pos, err = p.startTag(pos); err != nil {
			return nil, pos, err
		}
	}
	return root, pos, nil
}

// addText adds a run of character data to the open element n. The
// first run is kept as it is (a substring of the input); the runs of an
// element that has several (text cut by child elements) are joined in a
// growing buffer, set as its text when it closes, so that joining costs
// the length of the text once, not once per run.
func (p *treeParser) addText(n *node, text string) {
	if n.text == "" {
		n.text = text
		return
	}
	if j := len(p.joins) - 1; j >= 0 && p.joins[j].n == n {
		p.joins[j].b = append(p.joins[j].b, text...)
		return
	}
	b := make([]byte, 0, 2*(len(n.text)+len(text)))
	p.joins = append(p.joins, join{n, append(append(b, n.text...), text...)})
}

// join is the text of an open element that came in several runs.
type join struct {
	n *node
	b []byte
}

// closeElem closes the innermost open element: its children, pending
// since its start tag, get their list, and text joined from several runs
// becomes its text.
func (p *treeParser) closeElem() {
	n := p.open[len(p.open)-1]
	p.open = p.open[:len(p.open)-1]
	if j := len(p.joins) - 1; j >= 0 && p.joins[j].n == n {
		n.text = string(p.joins[j].b)
		p.joins[j] = join{}
		p.joins = p.joins[:j]
	}
	kids := p.pending[n.kidsFrom:]
	if len(kids) > 0 {
		if cap(p.kidBlock)-len(p.kidBlock) < len(kids) {
			p.kidBlock = make([]*node, 0, max(2*cap(p.kidBlock), len(kids), 32))
		}
		i := len(p.kidBlock)
		p.kidBlock = append(p.kidBlock, kids...)
		n.kids = p.kidBlock[i:len(p.kidBlock):len(p.kidBlock)]
	}
	p.pending = p.pending[:n.kidsFrom]
}

// startTag reads the start tag at pos and opens its element (or, for an
// empty-element tag, opens and closes it).
func (p *treeParser) startTag(pos int) (*node, int, error) {
	p.tagPos = pos
	tag, end, err := p.StartTag(pos)
	p.tagPos = -1
	if err != nil {
		return nil, pos, err
	}
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]node, 0, max(cap(p.slab), 32))
	}
	p.slab = append(p.slab, node{local: tag.Local(), off: int64(p.lead + pos)})
	n := &p.slab[len(p.slab)-1]
	n.space, _ = p.Lookup(xmlscan.PrefixOf(tag.Name)) // checked by StartTag
	if attrs := p.Attrs(); len(attrs) > 0 {
		i := len(p.attrBlock)
		for _, a := range attrs {
			if a.Name == "xmlns" || strings.HasPrefix(a.Name, "xmlns:") {
				continue
			}
			if len(p.attrBlock) == cap(p.attrBlock) {
				// a new block: this element's attributes move with it
				block := make([]xml.Attr, len(p.attrBlock)-i, max(2*cap(p.attrBlock), len(attrs), 16))
				copy(block, p.attrBlock[i:])
				p.attrBlock, i = block, 0
			}
			p.attrBlock = append(p.attrBlock, xml.Attr{Name: xml.Name{Space: a.URI, Local: xmlscan.LocalName(a.Name)}, Value: a.Value})
		}
		if len(p.attrBlock) > i {
			n.attrs = p.attrBlock[i:len(p.attrBlock):len(p.attrBlock)]
		}
	}
	if len(p.open) > 0 {
		n.parent = p.open[len(p.open)-1]
		p.pending = append(p.pending, n)
	}
	n.kidsFrom = len(p.pending)
	p.open = append(p.open, n)
	if tag.Self {
		p.Pop()
		p.closeElem()
	}
	return n, end, nil
}

// errAt makes a DecodeError at byte offset off inside element n.
func (t *tree) errAt(off int64, n *node, cause error) error {
	return t.errPath(off, n.path(), cause)
}

// errPath makes a DecodeError at byte offset off with an element path.
func (t *tree) errPath(off int64, path string, cause error) error {
	if off > int64(len(t.data)) {
		off = int64(len(t.data))
	}
	line, col := xmlscan.LineCol(string(t.data[:off]), int(off))
	return pkg.Decode(off, line, col, path, cause)
}

// structErr reports that element n is not what the message needs.
func (t *tree) structErr(n *node, format string, args ...any) error {
	var off int64
	if n != nil {
		off = n.off
	}
	return t.errAt(off, n, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

// path returns "/a/b/c" for the element and its ancestors, or "".
func (n *node) path() string {
	if n == nil {
		return ""
	}
	return n.parent.path() + "/" + n.local
}

// is reports whether n is the element {space}local.
func (n *node) is(space, local string) bool {
	return n != nil && sameName(n.local, local) && n.space == space
}

// sameName compares names without regard to case, the usual exact match
// first.
func sameName(a, b string) bool {
	return a == b || strings.EqualFold(a, b)
}

// child returns the first child named local in one of spaces (any
// namespace when spaces is empty), or nil. Names are compared without
// regard to case: Microsoft's documented fault samples are written in
// lower case throughout.
func (n *node) child(local string, spaces ...string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if !sameName(k.local, local) {
			continue
		}
		if len(spaces) == 0 {
			return k
		}
		for _, s := range spaces {
			if k.space == s {
				return k
			}
		}
	}
	return nil
}

// children returns every child named local in namespace space.
func (n *node) children(local, space string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if sameName(k.local, local) && k.space == space {
			out = append(out, k)
		}
	}
	return out
}

// only returns n's one child local in namespace space, nil when there is
// none; a second is a structure error.
func (t *tree) only(n *node, local, space string) (*node, error) {
	if n == nil {
		return nil, nil
	}
	var one *node
	for _, k := range n.kids {
		if !sameName(k.local, local) || k.space != space {
			continue
		}
		if one != nil {
			return nil, t.structErr(k, "a second %s", local)
		}
		one = k
	}
	return one, nil
}

// value returns the element's text with surrounding white space removed
// (the documented samples wrap URLs and tokens in new lines), or "" for a
// missing element.
func (n *node) value() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.text)
}

// attr returns the value of the attribute local (in any namespace; the
// samples write ValueType both prefixed and not), or "".
func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if sameName(a.Name.Local, local) {
			return a.Value
		}
	}
	return ""
}

// nilled reports whether the element carries xsi:nil="true".
func (n *node) nilled() bool {
	for _, a := range n.attrs {
		if a.Name.Local == "nil" && a.Name.Space == nsXSI && strings.TrimSpace(a.Value) == "true" {
			return true
		}
	}
	return false
}
