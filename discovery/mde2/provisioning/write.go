package provisioning

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/windc-go/windc/discovery/mde2/internal/plain"
	"github.com/windc-go/windc/internal/xmlscan"
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
//
// It refuses what Unmarshal would not read back (see AppendText).
func Marshal(d *Document) ([]byte, error) {
	return d.AppendText(nil)
}

// MarshalText returns the canonical XML of d (see Marshal).
func (d *Document) MarshalText() ([]byte, error) {
	return MarshalLimits(d, Limits{})
}

// MarshalLimits is Marshal within the limits lim instead of the defaults
// (zero fields take their defaults), so that UnmarshalLimits with the
// same lim reads the output back: a Document beyond a default can be
// written with that limit raised, and a limit lowered refuses more (see
// AppendText for the errors, with lim's values for the defaults'). A
// MaxDepth above 65536 is taken as 65536: the writer recurses once per
// level, and a goroutine's stack is bounded.
func MarshalLimits(d *Document, lim Limits) ([]byte, error) {
	if d == nil {
		return d.AppendText(nil)
	}
	n := len(Root) + 40 + attrsLen(d.Attrs) + nodesLen(d.Nodes, 1)
	b, err := d.appendText(make([]byte, 0, min(n, DefaultMaxBytes)), lim)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// attrsLen and nodesLen estimate the written size (escapes aside), so that
// MarshalLimits writes into one buffer (under the default limits; beyond
// them the buffer grows). nodesLen goes no deeper than DefaultMaxDepth
// and stops counting beyond DefaultMaxBytes, so that a node that holds
// itself or one held in many places (the writer refuses both) costs it
// little.
func attrsLen(attrs []Attr) int {
	n := 0
	for _, a := range attrs {
		n += len(a.Name) + len(a.Value) + 4
	}
	return n
}

func nodesLen(nodes []Node, depth int) int {
	n := 0
	if depth >= DefaultMaxDepth {
		return n
	}
	for _, nd := range nodes {
		if n > DefaultMaxBytes {
			return n
		}
		n += 1 + 2*depth
		switch nd := nd.(type) {
		case *Characteristic:
			if nd == nil {
				continue
			}
			n += 2*len("characteristic") + 16 + len(nd.Type) + attrsLen(nd.Attrs) + nodesLen(nd.Nodes, depth+1) + 1 + 2*depth
		case *Parm:
			if nd == nil {
				continue
			}
			n += 40 + len(nd.Name) + len(nd.Value) + len(nd.Datatype) + attrsLen(nd.Attrs)
		case *Element:
			if nd == nil {
				continue
			}
			n += 2*len(nd.Name) + 5 + attrsLen(nd.Attrs) + nodesLen(nd.Nodes, depth+1)
		case *Comment:
			if nd != nil {
				n += len(nd.Text) + 7
			}
		case *Text:
			if nd != nil {
				n += len(nd.Text)
			}
		}
	}
	return n
}

// AppendText appends the canonical XML of d to b (see Marshal). A Document
// that cannot be written so that Unmarshal gives it back is refused, b
// returned as it was given:
//   - a bad name, a character XML cannot carry, a Text outside an
//     Element, a nil node, a characteristic or element that holds itself
//     (at any depth), ...: a *FieldError matching ErrValue whose Path
//     names the node by its index below the root, such as
//     "/wap-provisioningdoc[2][0]";
//   - an element nested deeper than DefaultMaxDepth (the root counted as
//     1, as Limits.MaxDepth counts): a *LimitError for MaxDepth whose Path
//     names the node so;
//   - more than DefaultMaxElements elements (the root included), or an
//     element with more than DefaultMaxAttrs attributes (its fields'
//     attributes, such as type, and namespace declarations included): a
//     *LimitError for MaxElements or MaxAttrs whose Path names the node;
//   - more than DefaultMaxBytes of XML (Limits.MaxBytes; what AppendText
//     appends, b aside): a *LimitError for MaxBytes, given when the
//     output passes the limit, whose Offset counts the bytes appended by
//     then and whose Path names the node being written.
//
// The limits bound what writing costs: the indentation grows with the
// depth, and a node held in several places of a hand-made Document is
// written at each. A node that holds itself is reported as such unless
// the output passes DefaultMaxBytes first. MarshalLimits writes within
// other limits.
func (d *Document) AppendText(b []byte) ([]byte, error) {
	return d.appendText(b, Limits{})
}

// appendText is AppendText within lim (zero fields take their defaults).
func (d *Document) appendText(b []byte, lim Limits) ([]byte, error) {
	if d == nil {
		return b, pkg.Errorf("%w: nil *Document", ErrValue)
	}
	lim = lim.withDefaults()
	var idx [8]int
	w := writer{b: b, start: len(b), idx: idx[:0], root: d.Nodes, elems: 1, lim: lim}
	w.b = append(w.b, '<')
	w.b = append(w.b, Root...)
	var fixed [1]Attr
	n := 0
	if d.Version != "" {
		fixed[0] = Attr{"version", d.Version}
		n = 1
	}
	if err := w.attrs(fixed[:n], d.Attrs, "version"); err != nil {
		return b, err
	}
	if _, err := w.scope(Root, d.Attrs); err != nil {
		return b, err
	}
	if len(d.Nodes) == 0 {
		w.b = append(w.b, "/>"...)
		return w.b, nil
	}
	w.b = append(w.b, '>')
	if err := w.nodes(d.Nodes, 1, false); err != nil {
		return b, err
	}
	w.b = append(w.b, "\n</"...)
	w.b = append(w.b, Root...)
	w.b = append(w.b, '>')
	if w.written() > w.lim.MaxBytes {
		return b, w.limitError("MaxBytes", w.lim.MaxBytes)
	}
	return w.b, nil
}

// maxDepth is the largest MaxDepth the writer takes: it recurses once
// per level, and a goroutine's stack is bounded. The reader takes no
// more (withDefaults caps it for both), so that what it reads under some
// Limits is written under them.
const maxDepth = 1 << 16

type writer struct {
	b     []byte
	start int   // len(b) when the writing began
	idx   []int // the index of each open node, for error paths
	ns    nsScope
	root  []Node // the root's children, to find a node that holds itself
	elems int    // the elements written, the root included
	lim   Limits // with defaults; MaxDepth at most maxDepth
}

// element counts an element about to be written, and refuses one more
// than MaxElements.
func (w *writer) element() error {
	w.elems++
	if w.elems > w.lim.MaxElements {
		return w.limitError("MaxElements", int64(w.lim.MaxElements))
	}
	return nil
}

// written returns the number of bytes written.
func (w *writer) written() int64 { return int64(len(w.b) - w.start) }

// scope checks an element's names against Namespaces in XML, as the
// reader does, and returns the mark to close its scope with. The
// attributes of the model's fields have no prefix and need no check.
func (w *writer) scope(name string, others []Attr) (int, error) {
	mark, err := w.ns.open(name, others)
	if err != nil {
		return mark, w.errorf("%v", strings.TrimPrefix(err.Error(), pkg.Prefix()))
	}
	return mark, nil
}

// path names the node being written: the root, then the index of each
// node below it, such as "/wap-provisioningdoc[2][0]".
func (w *writer) path() string { return indexPath(w.idx) }

// indexPath names the node at the index path idx below the root.
func indexPath(idx []int) string {
	b := make([]byte, 0, len(rootPath)+4*len(idx))
	b = append(b, rootPath...)
	for _, i := range idx {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ']')
	}
	return string(b)
}

// errorf returns the error for the node being written, matching ErrValue.
func (w *writer) errorf(format string, args ...any) error {
	return &FieldError{Path: w.path(), Err: pkg.Errorf("%w: %s", ErrValue, fmt.Sprintf(format, args...))}
}

// limitError returns the error for the node being written when it passes
// the limit named: the FieldError for a node that holds itself if the
// nodes open around it hold one (the limit was passed for it), else a
// LimitError.
func (w *writer) limitError(limit string, max int64) error {
	if err := w.selfError(); err != nil {
		return err
	}
	return pkg.Limit(limit, max, w.written(), w.path())
}

// selfError looks for a node that holds itself among the nodes open
// where the writer stands (at most MaxDepth of them): it follows
// w.idx down from the root, and returns the error for the first node
// found inside itself, or nil. It runs only for an error, once.
func (w *writer) selfError() error {
	open := make(map[Node]bool, len(w.idx))
	nodes := w.root
	for j, i := range w.idx {
		if i >= len(nodes) {
			return nil
		}
		n := nodes[i]
		switch c := n.(type) {
		case *Characteristic:
			nodes = c.Nodes
		case *Element:
			nodes = c.Nodes
		default:
			return nil
		}
		if open[n] {
			return &FieldError{Path: indexPath(w.idx[:j+1]), Err: pkg.Errorf("%w: a node that holds itself", ErrValue)}
		}
		open[n] = true
	}
	return nil
}

// attrs writes the fixed attributes then the others; others must not
// repeat a name, and may name one of the optional fields (optional) only
// when that field is absent and the attribute empty, as the reader keeps
// it.
func (w *writer) attrs(fixed, others []Attr, optional ...string) error {
	for _, a := range fixed {
		if err := w.attr(a); err != nil {
			return err
		}
	}
	if len(fixed)+len(others) > w.lim.MaxAttrs {
		// as the reader counts: fixed alone (at most three) passes a
		// MaxAttrs below three
		return w.limitError("MaxAttrs", int64(w.lim.MaxAttrs))
	}
	if len(others) == 0 {
		return nil // the fixed names differ
	}
	name := func(i int) string {
		if i < len(fixed) {
			return fixed[i].Name
		}
		return others[i-len(fixed)].Name
	}
	if n, dup := duplicate(len(fixed)+len(others), name); dup {
		return w.errorf("attribute %s given twice", n)
	}
	for _, a := range others {
		for _, o := range optional {
			if a.Name == o && a.Value != "" {
				return w.errorf("attribute %s belongs in its field", a.Name)
			}
		}
		if err := w.attr(a); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) attr(a Attr) error {
	switch a.Name {
	case "type", "name", "value", "datatype", "version":
	default:
		if !validName(a.Name) {
			return w.errorf("attribute name %q is not an XML name", a.Name)
		}
	}
	w.b = append(w.b, ' ')
	w.b = append(w.b, a.Name...)
	w.b = append(w.b, `="`...)
	if plain.String(a.Value) {
		// most values (names, numbers, base64) need neither a check nor
		// an escape
		w.b = append(w.b, a.Value...)
	} else {
		if err := checkChars(a.Value); err != nil {
			return w.errorf("attribute %s: %v", a.Name, err)
		}
		w.b = xmlscan.AppendAttrValue(w.b, a.Value)
	}
	w.b = append(w.b, '"')
	return nil
}

func (w *writer) indent(depth int) {
	if 1+2*depth <= len(newLineIndent) {
		w.b = append(w.b, newLineIndent[:1+2*depth]...)
		return
	}
	w.b = append(w.b, '\n')
	for range depth {
		w.b = append(w.b, "  "...)
	}
}

// newLineIndent starts a line at depths up to 15.
const newLineIndent = "\n                              "

// checkLimits refuses nodes, to be written at depth depth (the element
// depth of a node is depth+1), when the writer has written more than
// MaxBytes, or when one of them is an element deeper than MaxDepth. nodes checks once for each list of children: the bytes
// written pass the limit by at most the list's own content (its
// children's children are checked at their turn).
func (w *writer) checkLimits(nodes []Node, depth int) error {
	if w.written() > w.lim.MaxBytes {
		return w.limitError("MaxBytes", w.lim.MaxBytes)
	}
	if depth < w.lim.MaxDepth {
		return nil
	}
	for i, n := range nodes {
		switch n.(type) {
		case *Comment, *Text:
		default:
			w.idx[len(w.idx)-1] = i
			return w.limitError("MaxDepth", int64(w.lim.MaxDepth))
		}
	}
	return nil
}

// nodes writes the children of the root or of a characteristic (inElem
// false, indented) or of an Element (inElem true, as they are).
func (w *writer) nodes(nodes []Node, depth int, inElem bool) error {
	var prevText bool
	w.idx = append(w.idx, 0)
	if depth >= w.lim.MaxDepth || w.written() > w.lim.MaxBytes {
		if err := w.checkLimits(nodes, depth); err != nil {
			return err
		}
	}
	for i, n := range nodes {
		w.idx[len(w.idx)-1] = i
		if !inElem {
			w.indent(depth)
		}
		isText := false
		switch n := n.(type) {
		case *Characteristic:
			if n == nil || inElem {
				return w.errorf("a characteristic cannot stand here")
			}
			if err := w.element(); err != nil {
				return err
			}
			w.b = append(w.b, "<characteristic"...)
			fixed := [1]Attr{{"type", n.Type}}
			if err := w.attrs(fixed[:], n.Attrs); err != nil {
				return err
			}
			mark, err := w.scope("characteristic", n.Attrs)
			if err != nil {
				return err
			}
			if len(n.Nodes) == 0 {
				w.b = append(w.b, "/>"...)
				w.ns.close(mark)
				break
			}
			w.b = append(w.b, '>')
			if err := w.nodes(n.Nodes, depth+1, false); err != nil {
				return err
			}
			w.ns.close(mark)
			w.indent(depth)
			w.b = append(w.b, "</characteristic>"...)
		case *Parm:
			if n == nil || inElem {
				return w.errorf("a parm cannot stand here")
			}
			if err := w.element(); err != nil {
				return err
			}
			var buf [3]Attr
			fixed := append(buf[:0], Attr{"name", n.Name})
			if n.NoValue {
				if n.Value != "" {
					return w.errorf("parm %s has NoValue and a Value", n.Name)
				}
			} else {
				fixed = append(fixed, Attr{"value", n.Value})
			}
			if n.Datatype != "" {
				fixed = append(fixed, Attr{"datatype", n.Datatype})
			}
			for _, a := range n.Attrs {
				if a.Name == "value" {
					return w.errorf("attribute value belongs in its field")
				}
			}
			w.b = append(w.b, "<parm"...)
			if err := w.attrs(fixed, n.Attrs, "datatype"); err != nil {
				return err
			}
			mark, err := w.scope("parm", n.Attrs)
			if err != nil {
				return err
			}
			w.ns.close(mark)
			w.b = append(w.b, "/>"...)
		case *Element:
			if n == nil {
				return w.errorf("nil *Element")
			}
			if !validName(n.Name) {
				return w.errorf("element name %q is not an XML name", n.Name)
			}
			if !inElem && (n.Name == "characteristic" || n.Name == "parm") {
				return w.errorf("an Element named %s would read back as a %s", n.Name, n.Name)
			}
			if err := w.element(); err != nil {
				return err
			}
			w.b = append(w.b, '<')
			w.b = append(w.b, n.Name...)
			if err := w.attrs(nil, n.Attrs); err != nil {
				return err
			}
			mark, err := w.scope(n.Name, n.Attrs)
			if err != nil {
				return err
			}
			if len(n.Nodes) == 0 {
				w.b = append(w.b, "/>"...)
				w.ns.close(mark)
				break
			}
			w.b = append(w.b, '>')
			if err := w.nodes(n.Nodes, depth+1, true); err != nil {
				return err
			}
			w.ns.close(mark)
			w.b = append(w.b, "</"...)
			w.b = append(w.b, n.Name...)
			w.b = append(w.b, '>')
		case *Comment:
			if n == nil {
				return w.errorf("nil *Comment")
			}
			if err := checkChars(n.Text); err != nil {
				return w.errorf("comment: %v", err)
			}
			if strings.Contains(n.Text, "--") || strings.HasSuffix(n.Text, "-") || strings.Contains(n.Text, "\r") {
				return w.errorf("comment contains --, a CR or ends with -")
			}
			w.b = append(w.b, "<!--"...)
			w.b = append(w.b, n.Text...)
			w.b = append(w.b, "-->"...)
		case *Text:
			if n == nil || !inElem {
				return w.errorf("text stands only inside an Element")
			}
			if n.Text == "" || prevText {
				return w.errorf("empty text or two texts in a row")
			}
			if err := checkChars(n.Text); err != nil {
				return w.errorf("text: %v", err)
			}
			w.b = xmlscan.AppendTextValue(w.b, n.Text)
			isText = true
		default:
			return w.errorf("node of type %T", n)
		}
		prevText = isText
	}
	w.idx = w.idx[:len(w.idx)-1]
	return nil
}
