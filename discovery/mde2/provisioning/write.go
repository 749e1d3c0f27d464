package provisioning

import (
	"fmt"
	"strings"
)

// Marshal returns the canonical XML of d: no XML declaration, the root's
// version and other attributes, then one node per line indented by two
// spaces per level; a characteristic or parm without children is written
// as an empty-element tag; attributes in the order type (or name, value,
// datatype), then Attrs; values escaped so that every XML 1.0 reader gives
// them back (&, <, >, ", TAB, LF and CR as references in attributes; &, <,
// > and CR in text). An Element's content is written as it is, without
// indentation, since its white space may mean something. It is
// d.MarshalText.
func Marshal(d *Document) ([]byte, error) {
	return d.AppendText(nil)
}

// MarshalText returns the canonical XML of d (see Marshal).
func (d *Document) MarshalText() ([]byte, error) {
	return d.AppendText(nil)
}

// AppendText appends the canonical XML of d to b (see Marshal). A Document
// that cannot be written so that Unmarshal gives it back (a bad name, a
// character XML cannot carry, a Text outside an Element, ...) is an error
// matching ErrValue that names the node.
func (d *Document) AppendText(b []byte) ([]byte, error) {
	if d == nil {
		return b, pkg.Errorf("%w: nil *Document", ErrValue)
	}
	w := writer{b: b}
	w.b = append(w.b, '<')
	w.b = append(w.b, Root...)
	var fixed []Attr
	if d.Version != "" {
		fixed = []Attr{{"version", d.Version}}
	}
	if err := w.attrs("/"+Root, fixed, d.Attrs, "version"); err != nil {
		return b, err
	}
	if len(d.Nodes) == 0 {
		w.b = append(w.b, "/>"...)
		return w.b, nil
	}
	w.b = append(w.b, '>')
	if err := w.nodes("/"+Root, d.Nodes, 1, false); err != nil {
		return b, err
	}
	w.b = append(w.b, "\n</"...)
	w.b = append(w.b, Root...)
	w.b = append(w.b, '>')
	return w.b, nil
}

type writer struct {
	b []byte
}

func valueErr(path, format string, args ...any) error {
	return pkg.Errorf("%s: %w: %s", path, ErrValue, fmt.Sprintf(format, args...))
}

// attrs writes the fixed attributes then the others; others must not
// repeat a name, and may name one of the optional fields (optional) only
// when that field is absent and the attribute empty, as the reader keeps
// it.
func (w *writer) attrs(path string, fixed, others []Attr, optional ...string) error {
	for _, a := range fixed {
		if err := w.attr(path, a); err != nil {
			return err
		}
	}
	for i, a := range others {
		for _, f := range fixed {
			if f.Name == a.Name {
				return valueErr(path, "attribute %s given twice", a.Name)
			}
		}
		for _, p := range others[:i] {
			if p.Name == a.Name {
				return valueErr(path, "attribute %s given twice", a.Name)
			}
		}
		for _, o := range optional {
			if a.Name == o && a.Value != "" {
				return valueErr(path, "attribute %s belongs in its field", a.Name)
			}
		}
		if err := w.attr(path, a); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) attr(path string, a Attr) error {
	if !validName(a.Name) {
		return valueErr(path, "attribute name %q is not an XML name", a.Name)
	}
	if err := checkChars(a.Value); err != nil {
		return valueErr(path, "attribute %s: %v", a.Name, err)
	}
	w.b = append(w.b, ' ')
	w.b = append(w.b, a.Name...)
	w.b = append(w.b, `="`...)
	w.b = appendAttrValue(w.b, a.Value)
	w.b = append(w.b, '"')
	return nil
}

func (w *writer) indent(depth int) {
	w.b = append(w.b, '\n')
	for range depth {
		w.b = append(w.b, "  "...)
	}
}

// nodes writes the children of the root or of a characteristic (inElem
// false, indented) or of an Element (inElem true, as they are).
func (w *writer) nodes(path string, nodes []Node, depth int, inElem bool) error {
	var prevText bool
	for i, n := range nodes {
		np := fmt.Sprintf("%s[%d]", path, i)
		if !inElem {
			w.indent(depth)
		}
		isText := false
		switch n := n.(type) {
		case *Characteristic:
			if n == nil || inElem {
				return valueErr(np, "a characteristic cannot stand here")
			}
			w.b = append(w.b, "<characteristic"...)
			if err := w.attrs(np, []Attr{{"type", n.Type}}, n.Attrs); err != nil {
				return err
			}
			if len(n.Nodes) == 0 {
				w.b = append(w.b, "/>"...)
				break
			}
			w.b = append(w.b, '>')
			if err := w.nodes(np, n.Nodes, depth+1, false); err != nil {
				return err
			}
			w.indent(depth)
			w.b = append(w.b, "</characteristic>"...)
		case *Parm:
			if n == nil || inElem {
				return valueErr(np, "a parm cannot stand here")
			}
			fixed := []Attr{{"name", n.Name}}
			if n.NoValue {
				if n.Value != "" {
					return valueErr(np, "parm %s has NoValue and a Value", n.Name)
				}
			} else {
				fixed = append(fixed, Attr{"value", n.Value})
			}
			if n.Datatype != "" {
				fixed = append(fixed, Attr{"datatype", n.Datatype})
			}
			for _, a := range n.Attrs {
				if a.Name == "value" {
					return valueErr(np, "attribute value belongs in its field")
				}
			}
			w.b = append(w.b, "<parm"...)
			if err := w.attrs(np, fixed, n.Attrs, "datatype"); err != nil {
				return err
			}
			w.b = append(w.b, "/>"...)
		case *Element:
			if n == nil {
				return valueErr(np, "nil *Element")
			}
			if !validName(n.Name) {
				return valueErr(np, "element name %q is not an XML name", n.Name)
			}
			if !inElem && (n.Name == "characteristic" || n.Name == "parm") {
				return valueErr(np, "an Element named %s would read back as a %s", n.Name, n.Name)
			}
			w.b = append(w.b, '<')
			w.b = append(w.b, n.Name...)
			if err := w.attrs(np, nil, n.Attrs); err != nil {
				return err
			}
			if len(n.Nodes) == 0 {
				w.b = append(w.b, "/>"...)
				break
			}
			w.b = append(w.b, '>')
			if err := w.nodes(np, n.Nodes, depth+1, true); err != nil {
				return err
			}
			w.b = append(w.b, "</"...)
			w.b = append(w.b, n.Name...)
			w.b = append(w.b, '>')
		case *Comment:
			if n == nil {
				return valueErr(np, "nil *Comment")
			}
			if err := checkChars(n.Text); err != nil {
				return valueErr(np, "comment: %v", err)
			}
			if strings.Contains(n.Text, "--") || strings.HasSuffix(n.Text, "-") {
				return valueErr(np, "comment contains -- or ends with -")
			}
			w.b = append(w.b, "<!--"...)
			w.b = append(w.b, n.Text...)
			w.b = append(w.b, "-->"...)
		case *Text:
			if n == nil || !inElem {
				return valueErr(np, "text stands only inside an Element")
			}
			if n.Text == "" || prevText {
				return valueErr(np, "empty text or two texts in a row")
			}
			if err := checkChars(n.Text); err != nil {
				return valueErr(np, "text: %v", err)
			}
			w.b = appendText(w.b, n.Text)
			isText = true
		default:
			return valueErr(np, "node of type %T", n)
		}
		prevText = isText
	}
	return nil
}
