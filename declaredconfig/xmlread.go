package declaredconfig

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// maxDepth bounds element nesting in one document.
const maxDepth = 128

// A node is one element of a parsed document: the generic tree that the
// typed decoders read.
type node struct {
	name     string // qualified name as written
	attrs    []Attr
	children []*node
	text     string // character data directly inside the element
	textNWS  bool   // text holds a character other than XML white space
	inner    string // the content between the tags, as written
	raw      string // the whole element, as written
}

// parse reads one XML document: optional BOM, white space, XML declaration,
// comments and processing instructions around exactly one root element.
// Comments, processing instructions, DOCTYPE-free prologs and the encoding
// declaration are accepted and not kept; the text is taken as already
// decoded characters, whatever encoding the declaration names.
func parse(data []byte) (*node, error) {
	s := string(data)
	s = strings.TrimPrefix(s, "\uFEFF")
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	s = s[lead:]
	if strings.IndexByte(s, '\r') >= 0 {
		s = normalizeNewlines(s)
	}
	d := xml.NewDecoder(strings.NewReader(s))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }

	type open struct {
		n          *node
		start      int
		innerStart int
		text       strings.Builder
		parts      int
	}
	var (
		stack []*open
		root  *node
		prev  int64
	)
	fail := func(format string, args ...any) error {
		return errorf("offset %d: "+format, append([]any{int64(lead) + prev}, args...)...)
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, fail("%w: unexpected end of input inside <%s>", ErrSyntax, stack[len(stack)-1].n.name)
			}
			if root == nil {
				return nil, fail("%w: no root element", ErrSyntax)
			}
			return root, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fail("%w: line %d: %s", ErrSyntax, se.Line, se.Msg)
			}
			return nil, fail("%w: %v", ErrSyntax, err)
		}
		off := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, fail("%w: content after the root element", ErrSyntax)
			}
			if len(stack) >= maxDepth {
				return nil, fail("%w: elements nested deeper than %d", ErrStructure, maxDepth)
			}
			n := &node{name: qname(t.Name)}
			if len(t.Attr) > 0 {
				n.attrs = make([]Attr, len(t.Attr))
				for i, a := range t.Attr {
					n.attrs[i] = Attr{Name: qname(a.Name), Value: a.Value}
					for _, b := range n.attrs[:i] {
						if b.Name == n.attrs[i].Name {
							return nil, fail("%w: attribute %q repeated on <%s>", ErrSyntax, b.Name, n.name)
						}
					}
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1].n
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, &open{n: n, start: int(prev), innerStart: off})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fail("%w: unexpected end tag </%s>", ErrSyntax, qname(t.Name))
			}
			o := stack[len(stack)-1]
			if name := qname(t.Name); name != o.n.name {
				return nil, fail("%w: end tag </%s> does not match <%s>", ErrSyntax, name, o.n.name)
			}
			o.n.inner = s[o.innerStart:prev]
			o.n.raw = s[o.start:off]
			if o.parts > 0 {
				o.n.text = o.text.String()
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if !isSpace(string(t)) {
					return nil, fail("%w: text outside the root element", ErrSyntax)
				}
				break
			}
			o := stack[len(stack)-1]
			if !o.n.textNWS && !isSpace(string(t)) {
				o.n.textNWS = true
			}
			o.text.Write(t)
			o.parts++
		case xml.Directive:
			return nil, fail("%w: DOCTYPE or other declaration not allowed", ErrSyntax)
		case xml.ProcInst:
			if t.Target == "xml" && prev != 0 {
				return nil, fail("%w: XML declaration not at the start", ErrSyntax)
			}
		case xml.Comment:
		}
		prev = int64(off)
	}
}

// qname returns a raw name as written: prefix:local or local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// isSpace reports whether s holds only XML white space.
func isSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// normalizeNewlines applies XML end-of-line handling: CR LF and lone CR
// become LF.
func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// structural checks that n carries no text other than white space, as an
// element that holds only elements must.
func structural(n *node) error {
	if n.textNWS {
		return errorf("%w: text inside <%s>, which holds only elements", ErrStructure, n.name)
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
