package provisioning

import "strings"

// The namespaces that Namespaces in XML reserves.
const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
)

// nsScope checks Namespaces in XML 1.0 for the reader and the writer
// alike, so that the writer refuses what the reader would: names are
// qualified names, prefixes are declared, the reserved prefixes and
// namespace names are used only as the recommendation allows, and no
// element has two attributes with the same namespace and local name.
// Prefixes are checked, not resolved into the model: names stay as
// written.
type nsScope struct {
	binds []nsBind
}

type nsBind struct{ prefix, uri string }

func (s *nsScope) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return nsXML, true
	}
	for i := len(s.binds) - 1; i >= 0; i-- {
		if s.binds[i].prefix == prefix {
			return s.binds[i].uri, true
		}
	}
	return "", false
}

// split returns the prefix and local part of a qualified name; ok is false
// for a name with an empty prefix or local part.
func split(name string) (prefix, local string, ok bool) {
	p, l, found := strings.Cut(name, ":")
	if !found {
		return "", name, true
	}
	return p, l, p != "" && l != "" && !strings.Contains(l, ":")
}

// open checks the start tag of an element and brings its declarations into
// scope; close(mark) takes them out at its end tag. The error, without the
// package prefix, wraps ErrNamespace or ErrDuplicateAttr.
func (s *nsScope) open(name string, attrs []Attr) (mark int, err error) {
	mark = len(s.binds)
	if len(attrs) == 0 && strings.IndexByte(name, ':') < 0 {
		return mark, nil // nothing declared, no prefix to check
	}
	for _, a := range attrs {
		p, l, ok := split(a.Name)
		if !ok {
			return mark, pkg.Errorf("%w: attribute %s is not a qualified name", ErrNamespace, a.Name)
		}
		switch {
		case a.Name == "xmlns":
			if a.Value == nsXML || a.Value == nsXMLNS {
				return mark, pkg.Errorf("%w: default namespace %s", ErrNamespace, a.Value)
			}
		case p == "xmlns":
			switch {
			case l == "xmlns":
				return mark, pkg.Errorf("%w: the prefix xmlns declared", ErrNamespace)
			case l == "xml" && a.Value != nsXML, l != "xml" && a.Value == nsXML:
				return mark, pkg.Errorf("%w: the prefix xml and its namespace go together", ErrNamespace)
			case a.Value == nsXMLNS:
				return mark, pkg.Errorf("%w: the xmlns namespace bound to %s", ErrNamespace, l)
			case a.Value == "":
				return mark, pkg.Errorf("%w: prefix %s bound to the empty name", ErrNamespace, l)
			}
			s.binds = append(s.binds, nsBind{l, a.Value})
		}
	}
	p, _, ok := split(name)
	if !ok {
		return mark, pkg.Errorf("%w: element %s is not a qualified name", ErrNamespace, name)
	}
	if p == "xmlns" {
		return mark, pkg.Errorf("%w: element %s uses the prefix xmlns", ErrNamespace, name)
	}
	if _, ok := s.lookup(p); p != "" && !ok {
		return mark, pkg.Errorf("%w: prefix %s of element %s is not declared", ErrNamespace, p, name)
	}
	var expanded []string // namespace name and local name of each prefixed attribute
	for _, a := range attrs {
		p, l, _ := split(a.Name)
		if p == "" || p == "xmlns" {
			continue
		}
		uri, ok := s.lookup(p)
		if !ok {
			return mark, pkg.Errorf("%w: prefix %s of attribute %s is not declared", ErrNamespace, p, a.Name)
		}
		expanded = append(expanded, uri+"\x00"+l)
	}
	if n, dup := duplicate(len(expanded), func(i int) string { return expanded[i] }); dup {
		return mark, pkg.Errorf("%w: two attributes named {%s}", ErrDuplicateAttr, strings.Replace(n, "\x00", "}", 1))
	}
	return mark, nil
}

func (s *nsScope) close(mark int) { s.binds = s.binds[:mark] }
