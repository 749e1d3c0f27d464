package xmlscan

import (
	"strings"
)

// manyAttrs is the number of attributes above which duplicates are found
// with a map rather than by comparing pairs.
const manyAttrs = 16

// StartTag reads the start tag at S[pos] == '<', processes its namespace
// declarations, pushes it on the path, and returns it. The attributes,
// namespace declarations included, are left in Attrs.
func (sc *Scanner) StartTag(pos int) (Tag, int, error) {
	s := sc.S
	t := Tag{Start: pos}
	if len(sc.Path) >= sc.Lim.MaxDepth {
		return t, pos, sc.Limit("MaxDepth", sc.Lim.MaxDepth, pos)
	}
	if err := sc.Token(pos); err != nil {
		return t, pos, err
	}
	nm, colon, i, err := sc.QName(pos + 1)
	if err != nil {
		return t, pos, err
	}
	t.Name = nm
	t.LStart = int32(colon + 1)
	sc.Attrs = sc.Attrs[:0]
	mark := len(sc.NS)
	// fast path: a start tag without attributes and an unprefixed name
	if i < len(s) && s[i] == '>' && colon < 0 {
		sc.Path = append(sc.Path, nm)
		sc.NSMark = append(sc.NSMark, mark)
		return t, i + 1, nil
	}
	for {
		j := sc.SkipSpace(i)
		if j >= len(s) {
			return t, pos, sc.EOF(j)
		}
		c := s[j]
		if c == '>' {
			i = j + 1
			break
		}
		if c == '/' {
			if err := sc.Need(j, 2); err != nil {
				return t, pos, err
			}
			if s[j+1] != '>' {
				return t, pos, sc.Syntax(j, "expected '>' after '/'")
			}
			t.Self = true
			i = j + 2
			break
		}
		if j == i {
			return t, pos, sc.Syntax(j, "expected white space before attribute")
		}
		if len(sc.Attrs) >= sc.Lim.MaxAttrs {
			return t, pos, sc.Limit("MaxAttrs", sc.Lim.MaxAttrs, j)
		}
		an, k, err := sc.Name(j)
		if err != nil {
			return t, pos, err
		}
		k = sc.SkipSpace(k)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		if s[k] != '=' {
			return t, pos, sc.Syntax(k, "expected '=' after attribute %s", an)
		}
		k = sc.SkipSpace(k + 1)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		q := s[k]
		if q != '"' && q != '\'' {
			return t, pos, sc.Syntax(k, "attribute value not quoted")
		}
		val, end, err := sc.AttrValue(k+1, q)
		if err != nil {
			return t, pos, err
		}
		dup := false
		if len(sc.Attrs) < manyAttrs {
			for _, a := range sc.Attrs {
				if a.Name == an {
					dup = true
					break
				}
			}
		} else {
			dup = sc.repeated(an)
		}
		if dup {
			return t, pos, sc.Fail(j, DuplicateAttr, "%s", an)
		}
		sc.Attrs = append(sc.Attrs, Attr{Name: an, Value: val, Pos: j})
		i = end
	}
	// namespace declarations first, so they apply to this element's names
	for _, a := range sc.Attrs {
		if a.Name == "xmlns" {
			if a.Value == NamespaceXML || a.Value == NamespaceXMLNS {
				return t, pos, sc.Fail(a.Pos, Prefix, "reserved namespace bound as default")
			}
			if len(sc.NS) >= sc.Lim.MaxNamespaces {
				return t, pos, sc.Limit("MaxNamespaces", sc.Lim.MaxNamespaces, a.Pos)
			}
			sc.NS = append(sc.NS, Binding{"", a.Value})
		} else if strings.HasPrefix(a.Name, "xmlns:") {
			p := a.Name[6:]
			switch {
			case a.Value == "":
				return t, pos, sc.Fail(a.Pos, Prefix, "empty namespace for prefix %s", p)
			case p == "xmlns":
				return t, pos, sc.Fail(a.Pos, Prefix, "prefix xmlns declared")
			case p == "xml" && a.Value != NamespaceXML, p != "xml" && a.Value == NamespaceXML, a.Value == NamespaceXMLNS:
				return t, pos, sc.Fail(a.Pos, Prefix, "reserved prefix or namespace misused")
			}
			if len(sc.NS) >= sc.Lim.MaxNamespaces {
				return t, pos, sc.Limit("MaxNamespaces", sc.Lim.MaxNamespaces, a.Pos)
			}
			sc.NS = append(sc.NS, Binding{p, a.Value})
		}
	}
	sc.Path = append(sc.Path, nm)
	sc.NSMark = append(sc.NSMark, mark)
	if p := PrefixOf(nm); p != "" {
		if _, err := sc.Resolve(p, pos+1); err != nil {
			return t, pos, err
		}
	}
	// prefixed attributes: declared, and no two with the same expanded
	// name; each prefix is resolved once
	nPrefixed := 0
	for k := range sc.Attrs {
		a := &sc.Attrs[k]
		p := PrefixOf(a.Name)
		if p == "" || p == "xmlns" {
			continue
		}
		nPrefixed++
		uri, err := sc.Resolve(p, a.Pos)
		if err != nil {
			return t, pos, err
		}
		a.URI = uri
	}
	if nPrefixed > 1 {
		if x, y := sc.sameExpanded(nPrefixed); y >= 0 {
			ax, ay := &sc.Attrs[x], &sc.Attrs[y]
			return t, pos, sc.Fail(ay.Pos, DuplicateAttr, "%s and %s name the same attribute", ax.Name, ay.Name)
		}
	}
	return t, i, nil
}

// repeated reports whether an attribute named an was already read in a
// start tag with manyAttrs or more attributes so far.
func (sc *Scanner) repeated(an string) bool {
	n := len(sc.Attrs)
	if n == manyAttrs {
		if sc.seen == nil {
			sc.seen = make(map[string]int)
		}
		clear(sc.seen)
		for k, a := range sc.Attrs {
			sc.seen[a.Name] = k
		}
	}
	if _, dup := sc.seen[an]; dup {
		return true
	}
	sc.seen[an] = n
	return false
}

// AttrValue reads an attribute value after its opening quote and returns
// the decoded, normalised value and the offset after the closing quote.
func (sc *Scanner) AttrValue(pos int, q byte) (string, int, error) {
	s := sc.S
	start := pos
	decoded := false
	sc.Buf = sc.Buf[:0]
	runStart := pos
	for {
		for pos < len(s) && byteClass[s[pos]]&clAttr == 0 {
			pos++
		}
		if pos-start > sc.Lim.MaxTokenBytes {
			return "", pos, sc.Limit("MaxTokenBytes", sc.Lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			return "", pos, sc.EOF(pos)
		}
		c := s[pos]
		switch {
		case c == q:
			if decoded {
				sc.Buf = append(sc.Buf, s[runStart:pos]...)
				return string(sc.Buf), pos + 1, nil
			}
			return s[start:pos], pos + 1, nil
		case c == '"' || c == '\'':
			pos++
		case c == '<':
			return "", pos, sc.Syntax(pos, "'<' in attribute value")
		case c == '&':
			sc.Buf = append(sc.Buf, s[runStart:pos]...)
			decoded = true
			end, err := sc.Ref(pos)
			if err != nil {
				return "", pos, err
			}
			pos, runStart = end, end
		case c == '\t' || c == '\n' || c == '\r':
			sc.Buf = append(sc.Buf, s[runStart:pos]...)
			decoded = true
			sc.Buf = append(sc.Buf, ' ')
			if c == '\r' {
				if pos+1 >= len(s) {
					return "", pos, sc.EOF(pos + 1)
				}
				if s[pos+1] == '\n' {
					pos++
				}
			}
			pos++
			runStart = pos
		default:
			n, err := sc.CheckRune(pos)
			if err != nil {
				return "", pos, err
			}
			pos += n
		}
	}
}

// EndTag reads the end tag at S[pos] == '<' (followed by '/'), checks it
// closes the innermost open element, pops it and returns the offset after.
func (sc *Scanner) EndTag(pos int) (int, error) {
	s := sc.S
	open := sc.Path[len(sc.Path)-1]
	// fast path: the expected name followed by '>'
	if i := pos + 2 + len(open); i < len(s) && s[i] == '>' && s[pos+2:i] == open {
		sc.Pop()
		return i + 1, nil
	}
	nm, i, err := sc.Name(pos + 2)
	if err != nil {
		return pos, err
	}
	i = sc.SkipSpace(i)
	if i >= len(s) {
		return pos, sc.EOF(i)
	}
	if s[i] != '>' {
		return pos, sc.Syntax(i, "expected '>' in end tag")
	}
	if nm != open {
		return pos, sc.Syntax(pos, "end tag </%s> does not match <%s>", nm, open)
	}
	sc.Pop()
	return i + 1, nil
}

// Pop closes the innermost element.
func (sc *Scanner) Pop() {
	n := len(sc.Path) - 1
	sc.Path = sc.Path[:n]
	sc.NS = sc.NS[:sc.NSMark[n]]
	sc.NSMark = sc.NSMark[:n]
}
