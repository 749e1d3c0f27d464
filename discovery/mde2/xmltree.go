package mde2

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// node is one element of a parsed message. The SOAP messages of the
// enrollment protocol are small and read once, so a tree built from
// encoding/xml's token stream is enough; the bounds are counted here.
type node struct {
	space, local string
	attrs        []xml.Attr
	text         strings.Builder // character data directly inside
	kids         []*node
	parent       *node
	off          int64 // byte offset where the element's start tag ends
}

// tree is a parsed document and the bytes it came from, to place errors.
type tree struct {
	data []byte
	root *node
}

// parseTree reads data as one XML document within lim.
func parseTree(data []byte, lim Limits) (*tree, error) {
	lim = lim.withDefaults()
	t := &tree{data: data}
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		cr, err := charset.NewReaderLabel(label, r)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrEncoding, label)
		}
		return cr, nil
	}
	var cur *node
	tokens, depth := 0, 0
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, t.syntaxErr(off, cur, err)
		}
		tokens++
		if tokens > lim.MaxTokens {
			return nil, pkg.Limit("MaxTokens", int64(lim.MaxTokens), off, cur.path())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > lim.MaxDepth {
				return nil, pkg.Limit("MaxDepth", int64(lim.MaxDepth), off, cur.path())
			}
			n := &node{space: tok.Name.Space, local: tok.Name.Local, parent: cur, off: off}
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.attrs = append(n.attrs, a)
			}
			if cur == nil {
				if t.root != nil {
					return nil, t.errAt(off, nil, fmt.Errorf("%w: a second root element", ErrSyntax))
				}
				t.root = n
			} else {
				cur.kids = append(cur.kids, n)
			}
			cur = n
		case xml.EndElement:
			depth--
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.text.Write(tok)
			} else if len(bytes.TrimSpace(tok)) != 0 {
				return nil, t.errAt(off, nil, fmt.Errorf("%w: text outside the root element", ErrSyntax))
			}
		case xml.Directive:
			return nil, t.errAt(off, cur, ErrDOCTYPE)
		}
	}
	if t.root == nil {
		return nil, t.errAt(int64(len(data)), nil, fmt.Errorf("%w: no root element", ErrSyntax))
	}
	return t, nil
}

// syntaxErr turns an encoding/xml error into a DecodeError.
func (t *tree) syntaxErr(off int64, cur *node, err error) error {
	if errors.Is(err, ErrSyntax) {
		return t.errAt(off, cur, err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return t.errAt(off, cur, fmt.Errorf("%w: %s", ErrSyntax, se.Msg))
	}
	return t.errAt(off, cur, fmt.Errorf("%w: %v", ErrSyntax, err))
}

// errAt makes a DecodeError at byte offset off inside element n.
func (t *tree) errAt(off int64, n *node, cause error) error {
	if off > int64(len(t.data)) {
		off = int64(len(t.data))
	}
	line, col := lineCol(t.data[:off])
	return pkg.Decode(off, line, col, n.path(), cause)
}

// structErr reports that element n is not what the message needs.
func (t *tree) structErr(n *node, format string, args ...any) error {
	var off int64
	if n != nil {
		off = n.off
	}
	return t.errAt(off, n, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

// lineCol returns the 1-based line and byte column after b; CR, CRLF and
// LF each end a line.
func lineCol(b []byte) (line, col int) {
	line, start := 1, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			line++
			start = i + 1
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			line++
			start = i + 1
		}
	}
	return line, len(b) - start + 1
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
	return strings.TrimSpace(n.text.String())
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
