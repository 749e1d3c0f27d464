package declaredconfig

import (
	"encoding/xml"
	"strings"
	"unicode/utf8"
)

// A writer appends canonical XML: no declaration, no indentation, modeled
// attributes in a fixed order followed by the kept ones, text escaped where
// it cannot stand raw. The first error is kept and the rest is skipped.
type writer struct {
	b   []byte
	err error
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
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			w.attr(name, kv[i], kv[i+1])
		}
	}
	for i, a := range extra {
		if !isName(a.Name) {
			w.fail("<%s>: attribute name %q is not an XML name", name, a.Name)
			return
		}
		for j := 0; j+1 < len(kv); j += 2 {
			if kv[j] == a.Name && (a.Value != "" || kv[j+1] != "") {
				w.fail("<%s>: attribute %q is set by its field; keep it in Attrs only with an empty value", name, a.Name)
				return
			}
		}
		for _, b := range extra[:i] {
			if b.Name == a.Name {
				w.fail("<%s>: attribute %q given twice", name, a.Name)
				return
			}
		}
		w.attr(name, a.Name, a.Value)
	}
}

func (w *writer) attr(elem, name, value string) {
	if !validChars(value) {
		w.fail("<%s %s>: value holds a character XML cannot carry", elem, name)
		return
	}
	w.b = append(w.b, ' ')
	w.b = append(w.b, name...)
	w.b = append(w.b, '=', '"')
	w.b = appendEscaped(w.b, value, true)
	w.b = append(w.b, '"')
}

// close ends an open start tag as an empty element.
func (w *writer) close() { w.b = append(w.b, '/', '>') }

// gt ends an open start tag.
func (w *writer) gt() { w.b = append(w.b, '>') }

// end writes an end tag.
func (w *writer) end(name string) {
	w.b = append(w.b, '<', '/')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// leaf writes an element holding a value: escaped text, or markup written
// as is. An empty text value gives an empty element.
func (w *writer) leaf(name, value string, markup bool, extra []Attr, kv ...string) {
	w.start(name, extra, kv...)
	if markup {
		if err := checkMarkup(value); err != nil {
			w.fail("<%s>: markup value: %v", name, err)
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
	if !validChars(value) {
		w.fail("<%s>: value holds a character XML cannot carry", name)
		return
	}
	w.gt()
	w.b = appendEscaped(w.b, value, false)
	w.end(name)
}

// unknown writes elements kept as markup, after checking that each is one
// well-formed element that is none of the known children.
func (w *writer) unknown(parent string, raws []string, known ...string) {
	for _, r := range raws {
		n, err := parseRaw(r)
		if err != nil {
			w.fail("<%s>: kept element: %v", parent, err)
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
// it back gives the same bytes.
func parseRaw(r string) (*node, error) {
	if r == "" || r[0] != '<' || r[len(r)-1] != '>' {
		return nil, errorf("%q is not one element", r)
	}
	if strings.IndexByte(r, '\r') >= 0 {
		return nil, errorf("markup holds a raw carriage return; write &#xD;")
	}
	n, err := parse([]byte(r))
	if err != nil {
		return nil, err
	}
	if n.raw != r {
		return nil, errorf("%q is not one element", r)
	}
	return n, nil
}

// checkMarkup checks that v is well-formed element content holding at
// least one element, so that it reads back as markup.
func checkMarkup(v string) error {
	if strings.IndexByte(v, '\r') >= 0 {
		return errorf("markup holds a raw carriage return; write &#xD;")
	}
	n, err := parse([]byte("<m>" + v + "</m>"))
	if err != nil {
		return err
	}
	if len(n.children) == 0 {
		return errorf("markup holds no element")
	}
	return nil
}

// appendEscaped appends s with the characters that cannot stand raw
// replaced by references. In attributes, TAB, LF and CR are escaped too
// so that attribute-value normalisation leaves them alone.
func appendEscaped(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		case '\r':
			esc = "&#xD;"
		case '\n':
			if !attr {
				continue
			}
			esc = "&#xA;"
		case '\t':
			if !attr {
				continue
			}
			esc = "&#x9;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// validChars reports whether s is UTF-8 made of characters XML 1.0 allows.
func validChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += size
	}
	return true
}

// isName reports whether s is an attribute name that reads back as
// written: an XML name with at most one colon, not at either end.
func isName(s string) bool {
	if s == "" || strings.Count(s, ":") > 1 || s[0] == ':' || s[len(s)-1] == ':' {
		return false
	}
	d := xml.NewDecoder(strings.NewReader("<x " + s + "=\"\"/>"))
	tok, err := d.RawToken()
	if err != nil {
		return false
	}
	st, ok := tok.(xml.StartElement)
	return ok && len(st.Attr) == 1 && qname(st.Attr[0].Name) == s
}
