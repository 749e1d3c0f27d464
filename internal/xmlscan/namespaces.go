package xmlscan

// Namespace names that XML reserves.
const (
	NamespaceXML   = "http://www.w3.org/XML/1998/namespace"
	NamespaceXMLNS = "http://www.w3.org/2000/xmlns/"
)

// Binding is one in-scope namespace declaration.
type Binding struct {
	Prefix, URI string
}

// prefixedAttr reports whether a is an attribute with a prefix other than
// xmlns.
func prefixedAttr(a *Attr) bool {
	p := PrefixOf(a.Name)
	return p != "" && p != "xmlns"
}

// sameExpanded finds two prefixed attributes with the same expanded name:
// the first x that has one, and its first y. It returns y = -1 if there
// are none.
func (sc *Scanner) sameExpanded(nPrefixed int) (x, y int) {
	if nPrefixed <= manyAttrs {
		for x := range sc.attrs {
			ax := &sc.attrs[x]
			if !prefixedAttr(ax) {
				continue
			}
			for y := x + 1; y < len(sc.attrs); y++ {
				ay := &sc.attrs[y]
				if !prefixedAttr(ay) || ay.URI != ax.URI || LocalName(ax.Name) != LocalName(ay.Name) {
					continue
				}
				return x, y
			}
		}
		return -1, -1
	}
	if sc.seen == nil {
		sc.seen = make(map[string]int)
	}
	clear(sc.seen)
	bx, by := -1, -1
	for k := range sc.attrs {
		a := &sc.attrs[k]
		if !prefixedAttr(a) {
			continue
		}
		key := a.URI + "\x00" + LocalName(a.Name)
		first, dup := sc.seen[key]
		switch {
		case !dup:
			sc.seen[key] = k
		case first >= 0:
			// the first repeat of this name: its pair is (first, k)
			if by < 0 || first < bx {
				bx, by = first, k
			}
			sc.seen[key] = -1
		}
	}
	return bx, by
}

// Lookup returns the namespace bound to prefix in scope ("" for the
// default namespace) and whether it is bound; the xml prefix is always
// bound.
func (sc *Scanner) Lookup(prefix string) (uri string, ok bool) {
	uri, idx := sc.lookup(prefix)
	return uri, idx != -2
}

// lookup finds the innermost binding of prefix and its index in ns (-1
// for the predeclared xml prefix, -2 when unbound).
func (sc *Scanner) lookup(prefix string) (string, int) {
	for i := len(sc.ns) - 1; i >= 0; i-- {
		if sc.ns[i].Prefix == prefix {
			return sc.ns[i].URI, i
		}
	}
	if prefix == "xml" {
		return NamespaceXML, -1
	}
	return "", -2
}

// resolve checks that prefix (used at pos) is declared and, when
// capturing, records declarations below capFloor that it relies on.
func (sc *Scanner) resolve(prefix string, pos int) (string, error) {
	uri, idx := sc.lookup(prefix)
	if idx == -2 {
		return "", sc.errs.ScanError(pos, UndeclaredPrefix, prefix)
	}
	if sc.capturing && idx >= 0 && idx < sc.capFloor {
		sc.capture(Binding{Prefix: prefix, URI: uri})
	}
	return uri, nil
}

// capture records n in captured, once per prefix.
func (sc *Scanner) capture(n Binding) {
	for _, c := range sc.captured {
		if c.Prefix == n.Prefix {
			return
		}
	}
	sc.captured = append(sc.captured, n)
}
