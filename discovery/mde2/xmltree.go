package mde2

import (
	"encoding/xml"
	"fmt"
	"strings"

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
}

// tree is a parsed document and the bytes it came from, to place errors.
type tree struct {
	data []byte
	root *node
}

// parseTree reads data as one XML document within lim, with the module's
// XML lexer (internal/xmlscan): optional byte-order mark and white space,
// XML declaration, comments and processing instructions around exactly
// one root element. Input in another encoding than UTF-8 (a UTF-16
// byte-order mark, a declared legacy encoding) is transcoded first, and
// offsets then count in the UTF-8 text; they count from after a
// byte-order mark.
func parseTree(data []byte, lim Limits) (*tree, error) {
	lim = lim.withDefaults()
	t := &tree{data: data}
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	text, transcoded, err := xmlcharset.ToUTF8(data)
	if err != nil {
		return nil, t.errAt(int64(xmlcharset.ErrorOffset(err)), nil, err)
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
	// about one node per two tags: one block holds a message's nodes
	p := &treeParser{t: t, lead: lead, tagPos: -1, slab: make([]node, 0, min(strings.Count(text, "<")/2+1, 256))}
	p.Init(text[lead:], xmlscan.Limits{
		MaxDepth:      lim.MaxDepth,
		MaxTokens:     lim.MaxTokens,
		MaxTokenBytes: int(min(lim.MaxBytes, int64(maxInt))),
		MaxAttrs:      lim.MaxAttrs,
		MaxNamespaces: lim.MaxNamespaces,
	}, p)
	if t.root, err = p.document(); err != nil {
		return nil, err
	}
	return t, nil
}

const maxInt = int(^uint(0) >> 1)

// treeParser builds a tree with an xmlscan.Scanner.
type treeParser struct {
	xmlscan.Scanner
	t      *tree
	lead   int     // bytes skipped before the scanned text
	open   []*node // open elements, innermost last
	tagPos int     // offset of the start tag being read, or -1
	slab   []node  // nodes are allocated from here, a block at a time
}

// ScanError makes the DecodeError of a lexical problem, with the cause
// every package of the module gives that kind.
func (p *treeParser) ScanError(pos int, k xmlscan.Kind, msg string) error {
	path := p.localPath()
	if p.tagPos >= 0 && p.Depth() == len(p.open) && (k == xmlscan.Prefix || k == xmlscan.DuplicateAttr) {
		// a start tag's attributes are checked before its element is
		// open; they are reported inside it
		path += "/" + p.tagLocal()
	}
	return p.t.errPath(int64(p.lead+pos), path, xmlscan.Cause(k, msg))
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

// tagLocal is the local name of the start tag being read.
func (p *treeParser) tagLocal() string {
	name := p.Input()[p.tagPos+1:]
	if i := strings.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	return xmlscan.LocalName(name)
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
			if strings.HasPrefix(s[pos:], "<!DOCTYPE") {
				return nil, p.ScanError(pos, xmlscan.DOCTYPE, "")
			}
			if len(s)-pos < 9 {
				return nil, p.EOF(len(s))
			}
			return nil, p.syntax(pos, "invalid markup outside the root element")
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
			// one run as it is (a substring of the input); more are
			// joined (text around a comment)
			p.open[len(p.open)-1].text += text
		}
		pos = next
		if p.Input()[pos+1] == '/' {
			if pos, err = p.EndTag(pos); err != nil {
				return nil, pos, err
			}
			p.open = p.open[:len(p.open)-1]
		} else if _, pos, err = p.startTag(pos); err != nil {
			return nil, pos, err
		}
	}
	return root, pos, nil
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
		p.slab = make([]node, 0, 32)
	}
	p.slab = append(p.slab, node{local: tag.Local(), off: int64(p.lead + pos)})
	n := &p.slab[len(p.slab)-1]
	n.space, _ = p.Lookup(xmlscan.PrefixOf(tag.Name)) // checked by StartTag
	for _, a := range p.Attrs() {
		if a.Name == "xmlns" || strings.HasPrefix(a.Name, "xmlns:") {
			continue
		}
		n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Space: a.URI, Local: xmlscan.LocalName(a.Name)}, Value: a.Value})
	}
	if len(p.open) > 0 {
		parent := p.open[len(p.open)-1]
		n.parent = parent
		if parent.kids == nil {
			parent.kids = make([]*node, 0, 4) // one allocation for most parents
		}
		parent.kids = append(parent.kids, n)
	}
	if tag.Self {
		p.Pop()
	} else {
		p.open = append(p.open, n)
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
	return n != nil && strings.EqualFold(n.local, local) && n.space == space
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
		if !strings.EqualFold(k.local, local) {
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
		if strings.EqualFold(k.local, local) && k.space == space {
			out = append(out, k)
		}
	}
	return out
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
		if strings.EqualFold(a.Name.Local, local) {
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
