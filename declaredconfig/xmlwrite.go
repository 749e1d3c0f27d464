package declaredconfig

import (
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A writer appends canonical XML: no declaration, no indentation, modeled
// attributes in a fixed order followed by the kept ones, text escaped where
// it cannot stand raw. The first error is kept and the rest is skipped.
// It tracks the namespace declarations of kept attributes, so that what it
// writes is namespace-well-formed and kept markup is checked in the scope
// where it stands.
type writer struct {
	b     []byte
	err   error
	depth int         // open elements
	ns    []nsBinding // declarations in scope, innermost last
}

func (w *writer) fail(format string, args ...any) {
	if w.err == nil {
		w.err = errorf("%w: "+format, append([]any{ErrValue}, args...)...)
	}
}

// start writes "<name" followed by the modeled attributes kv (name, value
// pairs; empty values are absent) and the kept attributes extra. The tag is
// left open for end, close or text.
func (w *writer) start(name string, extra []Attr, kv ...string) {
	w.depth++
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			w.attr(name, kv[i], kv[i+1])
		}
	}
	if len(extra) == 0 {
		return
	}
	if !w.keptAttrs(name, extra, kv) {
		return
	}
	for _, a := range extra {
		w.attr(name, a.Name, a.Value)
	}
}

// keptAttrs checks the kept attributes of element name and takes in their
// namespace declarations.
func (w *writer) keptAttrs(name string, extra []Attr, kv []string) bool {
	prefixed := 0
	for i, a := range extra {
		if !xmlscan.IsQName(a.Name) {
			w.fail("<%s>: attribute name %s is not a qualified XML name", name, shown(a.Name))
			return false
		}
		for j := 0; j+1 < len(kv); j += 2 {
			if kv[j] == a.Name && (a.Value != "" || kv[j+1] != "") {
				w.fail("<%s>: attribute %s is set by its field; keep it in Attrs only with an empty value", name, shown(a.Name))
				return false
			}
		}
		for _, b := range extra[:i] {
			if b.Name == a.Name {
				w.fail("<%s>: attribute %s given twice", name, shown(a.Name))
				return false
			}
		}
		pfx := ""
		switch {
		case a.Name == "xmlns":
			if a.Value == nsXML || a.Value == nsXMLNS {
				w.fail("<%s>: reserved namespace name bound as the default", name)
				return false
			}
		case strings.HasPrefix(a.Name, "xmlns:"):
			pfx = a.Name[6:]
			if a.Value == "" || pfx == "xmlns" || pfx == "xml" && a.Value != nsXML || pfx != "xml" && a.Value == nsXML || a.Value == nsXMLNS {
				w.fail("<%s>: namespace declaration %s=%s is not allowed", name, shownName(a.Name), shown(a.Value))
				return false
			}
		default:
			if xmlscan.PrefixOf(a.Name) != "" {
				prefixed++
			}
			continue
		}
		w.ns = append(w.ns, nsBinding{prefix: pfx, uri: a.Value, depth: w.depth})
	}
	if prefixed == 0 {
		return true
	}
	for i, a := range extra {
		pfx := xmlscan.PrefixOf(a.Name)
		if pfx == "" || pfx == "xmlns" {
			continue
		}
		uri, ok := w.lookup(pfx)
		if !ok {
			w.fail("<%s>: attribute %s uses an undeclared prefix", name, shownName(a.Name))
			return false
		}
		for _, b := range extra[:i] {
			bp := xmlscan.PrefixOf(b.Name)
			if bp == "" || bp == "xmlns" || xmlscan.LocalName(b.Name) != xmlscan.LocalName(a.Name) {
				continue
			}
			if bu, _ := w.lookup(bp); bu == uri {
				w.fail("<%s>: attributes %s and %s name the same attribute", name, shownName(b.Name), shownName(a.Name))
				return false
			}
		}
	}
	return true
}

func (w *writer) lookup(prefix string) (string, bool) {
	for i := len(w.ns) - 1; i >= 0; i-- {
		if w.ns[i].prefix == prefix {
			return w.ns[i].uri, true
		}
	}
	if prefix == "xml" {
		return nsXML, true
	}
	return "", false
}

// pop leaves the innermost element's namespace scope.
func (w *writer) pop() {
	for len(w.ns) > 0 && w.ns[len(w.ns)-1].depth >= w.depth {
		w.ns = w.ns[:len(w.ns)-1]
	}
	w.depth--
}

func (w *writer) attr(elem, name, value string) {
	if !xmlscan.ValidText(value) {
		w.fail("<%s %s>: value holds a character XML cannot carry", elem, shownName(name))
		return
	}
	w.b = append(w.b, ' ')
	w.b = append(w.b, name...)
	w.b = append(w.b, '=', '"')
	w.b = xmlscan.AppendAttrValue(w.b, value)
	w.b = append(w.b, '"')
}

// close ends an open start tag as an empty element.
func (w *writer) close() {
	w.b = append(w.b, '/', '>')
	w.pop()
}

// gt ends an open start tag.
func (w *writer) gt() { w.b = append(w.b, '>') }

// end writes an end tag.
func (w *writer) end(name string) {
	w.b = append(w.b, '<', '/')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
	w.pop()
}

// leaf writes an element holding a value: escaped text, or markup written
// as is. An empty text value gives an empty element.
func (w *writer) leaf(name, value string, markup bool, extra []Attr, kv ...string) {
	w.start(name, extra, kv...)
	if markup {
		if err := checkMarkup(value, w.ns); err != nil {
			w.fail("<%s>: markup value: %v", name, shownErr(err))
			return
		}
		w.gt()
		w.b = append(w.b, value...)
		w.end(name)
		return
	}
	if value == "" {
		w.close()
		return
	}
	w.gt()
	var err error
	if w.b, err = xmlscan.AppendText(w.b, value); err != nil {
		w.fail("<%s>: value holds a character XML cannot carry", name)
		return
	}
	w.end(name)
}

// unknown writes elements kept as markup, after checking that each is one
// well-formed element that is none of the known children.
func (w *writer) unknown(parent string, raws []string, known ...string) {
	for _, r := range raws {
		n, err := parseRaw(r, w.ns)
		if err != nil {
			w.fail("<%s>: kept element: %v", parent, shownErr(err))
			return
		}
		for _, k := range known {
			if n.name == k {
				w.fail("<%s>: kept element <%s> is modeled; use its field", parent, k)
				return
			}
		}
		w.b = append(w.b, r...)
	}
}

// parseRaw checks that r is exactly one element, written so that reading
// it back gives the same bytes, in the namespace scope ns.
func parseRaw(r string, ns []nsBinding) (*node, error) {
	if r == "" || r[0] != '<' || r[len(r)-1] != '>' {
		return nil, errorf("%s is not one element", shown(r))
	}
	if strings.IndexByte(r, '\r') >= 0 {
		return nil, errorf("markup holds a raw carriage return; write &#xD;")
	}
	t, err := parse(r, noLimits, ns...)
	if err != nil {
		return nil, err
	}
	if t.root.raw != r {
		return nil, errorf("%s is not one element", shown(r))
	}
	return t.root, nil
}

// checkMarkup checks that v is well-formed element content holding at
// least one element, in the namespace scope ns, so that it reads back as
// markup.
func checkMarkup(v string, ns []nsBinding) error {
	if strings.IndexByte(v, '\r') >= 0 {
		return errorf("markup holds a raw carriage return; write &#xD;")
	}
	t, err := parse("<m>"+v+"</m>", noLimits, ns...)
	if err != nil {
		return err
	}
	if len(t.root.children) == 0 {
		return errorf("markup holds no element")
	}
	return nil
}
