package xmlscan

import (
	"math/bits"
	"strings"
)

// manyAttrs is the number of attributes above which duplicates are found
// with a map rather than by comparing pairs.
const manyAttrs = 16

// StartTag reads the start tag at input[pos] == '<', processes its namespace
// declarations, pushes it on the path, and returns it. The attributes,
// namespace declarations included, are left for Attrs. The element is on
// the path once its name is read, so that an error in its attributes
// names it in PathString, as one in its content does; after an error the
// element may stay open (a caller stops there, or Rewinds).
func (sc *Scanner) StartTag(pos int) (Tag, int, error) {
	s := sc.src
	t := Tag{Start: pos}
	if len(sc.path) >= sc.lim.MaxDepth {
		return t, pos, sc.limit("MaxDepth", sc.lim.MaxDepth, pos)
	}
	if err := sc.token(pos); err != nil {
		return t, pos, err
	}
	// fast path: <name> with a name of one to seven ASCII letters, read
	// as one word
	if pos+9 <= len(s) {
		x := Load64(s, pos+1)
		if n := bits.TrailingZeros64(nonLetters(x)) >> 3; n > 0 && n < 8 && n <= sc.lim.MaxTokenBytes {
			switch s[pos+1+n] {
			case '>':
				t.Name = s[pos+1 : pos+1+n]
				sc.attrs = sc.attrs[:0]
				sc.path = append(sc.path, openElem{t.Name, len(sc.ns), x & wordMask(n)})
				return t, pos + 2 + n, nil
			case ' ':
				t.Name = s[pos+1 : pos+1+n]
				if end, ok := sc.defaultDecl(t.Name, x&wordMask(n), pos+1+n); ok {
					return t, end, nil
				}
			}
		}
	}
	nm, colon, i, err := sc.qname(pos + 1)
	if err != nil {
		return t, pos, err
	}
	t.Name = nm
	t.LStart = int32(colon + 1)
	sc.attrs = sc.attrs[:0]
	mark := len(sc.ns)
	// fast path: a start tag without attributes and an unprefixed name
	if i < len(s) && s[i] == '>' && colon < 0 {
		sc.path = append(sc.path, openElem{nm, mark, nameWord(s, pos+1, len(nm))})
		return t, i + 1, nil
	}
	// and one with a declaration of the default namespace alone
	if i < len(s) && s[i] == ' ' && colon < 0 {
		if end, ok := sc.defaultDecl(nm, nameWord(s, pos+1, len(nm)), i); ok {
			return t, end, nil
		}
	}
	// open from here, for the errors in its attributes (its declarations,
	// read below, go above mark)
	sc.path = append(sc.path, openElem{nm, mark, nameWord(s, pos+1, len(nm))})
	for {
		j := sc.skipSpace(i)
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
		if len(sc.attrs) >= sc.lim.MaxAttrs {
			return t, pos, sc.limit("MaxAttrs", sc.lim.MaxAttrs, j)
		}
		an, k, err := sc.Name(j)
		if err != nil {
			return t, pos, err
		}
		k = sc.skipSpace(k)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		if s[k] != '=' {
			return t, pos, sc.Syntax(k, "expected '=' after attribute %s", an)
		}
		k = sc.skipSpace(k + 1)
		if k >= len(s) {
			return t, pos, sc.EOF(k)
		}
		q := s[k]
		if q != '"' && q != '\'' {
			return t, pos, sc.Syntax(k, "attribute value not quoted: %s", found(s[k:]))
		}
		val, end, err := sc.attrValue(k+1, q)
		if err != nil {
			return t, pos, err
		}
		dup := false
		if len(sc.attrs) < manyAttrs {
			for _, a := range sc.attrs {
				if a.Name == an {
					dup = true
					break
				}
			}
		} else {
			dup = sc.repeated(an)
		}
		if dup {
			return t, pos, sc.fail(j, DuplicateAttr, "%s", an)
		}
		sc.attrs = append(sc.attrs, Attr{Name: an, Value: val, Pos: j})
		i = end
	}
	// namespace declarations first, so they apply to this element's names
	for _, a := range sc.attrs {
		if a.Name == "xmlns" {
			if a.Value == NamespaceXML || a.Value == NamespaceXMLNS {
				return t, pos, sc.fail(a.Pos, Prefix, "reserved namespace bound as default")
			}
			if len(sc.ns)-sc.nsBase >= sc.lim.MaxNamespaces {
				return t, pos, sc.limit("MaxNamespaces", sc.lim.MaxNamespaces, a.Pos)
			}
			sc.ns = append(sc.ns, Binding{"", a.Value})
		} else if strings.HasPrefix(a.Name, "xmlns:") {
			p := a.Name[6:]
			switch {
			case a.Value == "":
				return t, pos, sc.fail(a.Pos, Prefix, "empty namespace for prefix %s", p)
			case p == "xmlns":
				return t, pos, sc.fail(a.Pos, Prefix, "prefix xmlns declared")
			case p == "xml" && a.Value != NamespaceXML, p != "xml" && a.Value == NamespaceXML, a.Value == NamespaceXMLNS:
				return t, pos, sc.fail(a.Pos, Prefix, "reserved prefix or namespace misused")
			}
			if len(sc.ns)-sc.nsBase >= sc.lim.MaxNamespaces {
				return t, pos, sc.limit("MaxNamespaces", sc.lim.MaxNamespaces, a.Pos)
			}
			sc.ns = append(sc.ns, Binding{p, a.Value})
		}
	}
	if p := PrefixOf(nm); p != "" {
		if _, err := sc.resolve(p, pos+1); err != nil {
			return t, pos, err
		}
	}
	// prefixed attributes: declared, and no two with the same expanded
	// name; each prefix is resolved once
	nPrefixed := 0
	for k := range sc.attrs {
		a := &sc.attrs[k]
		p := PrefixOf(a.Name)
		if p == "" || p == "xmlns" {
			continue
		}
		nPrefixed++
		uri, err := sc.resolve(p, a.Pos)
		if err != nil {
			return t, pos, err
		}
		a.URI = uri
	}
	if nPrefixed > 1 {
		if x, y := sc.sameExpanded(nPrefixed); y >= 0 {
			ax, ay := &sc.attrs[x], &sc.attrs[y]
			return t, pos, sc.fail(ay.Pos, DuplicateAttr, "%s and %s name the same attribute", ax.Name, ay.Name)
		}
	}
	return t, i, nil
}

// defaultDecl is StartTag's fast path for the start tag of the unprefixed
// name (word its nameWord) whose attributes start at s[i] == ' ' when they
// are one declaration of the default namespace, as on a SyncML root
// (<SyncML xmlns="SYNCML:SYNCML1.2">) or a Meta child, whose value needs
// no decoding (no reference, control or non-ASCII character): it does
// what the general path does with it and returns the offset after the
// tag. Anything else, limits that would fail included, is not ok and
// leaves the scanner as it was, for the general path.
func (sc *Scanner) defaultDecl(name string, word uint64, i int) (int, bool) {
	s := sc.src
	const attr = ` xmlns="`
	if i+len(attr) > len(s) || s[i:i+len(attr)] != attr || sc.lim.MaxAttrs < 1 || len(sc.ns)-sc.nsBase >= sc.lim.MaxNamespaces {
		return i, false
	}
	v := i + len(attr)
	e := SkipPlain3(s, v, bcastQuot, bcastLT, bcastAmp)
	for e < len(s) && byteClass[s[e]]&clAttr == 0 {
		e++
	}
	if e+1 >= len(s) || s[e] != '"' || s[e+1] != '>' || e-v > sc.lim.MaxTokenBytes {
		return i, false
	}
	val := s[v:e]
	if val == NamespaceXML || val == NamespaceXMLNS {
		return i, false
	}
	sc.attrs = append(sc.attrs[:0], Attr{Name: "xmlns", Value: val, Pos: i + 1})
	mark := len(sc.ns)
	sc.ns = append(sc.ns, Binding{"", val})
	sc.path = append(sc.path, openElem{name, mark, word})
	return e + 2, true
}

// repeated reports whether an attribute named an was already read in a
// start tag with manyAttrs or more attributes so far.
func (sc *Scanner) repeated(an string) bool {
	n := len(sc.attrs)
	if n == manyAttrs {
		if sc.seen == nil {
			sc.seen = make(map[string]int)
		}
		clear(sc.seen)
		for k, a := range sc.attrs {
			sc.seen[a.Name] = k
		}
	}
	if _, dup := sc.seen[an]; dup {
		return true
	}
	sc.seen[an] = n
	return false
}

// attrValue reads an attribute value after its opening quote and returns
// the decoded, normalised value and the offset after the closing quote.
func (sc *Scanner) attrValue(pos int, q byte) (string, int, error) {
	s := sc.src
	start := pos
	decoded := false
	sc.buf = sc.buf[:0]
	runStart := pos
	for {
		for pos < len(s) && byteClass[s[pos]]&clAttr == 0 {
			pos++
		}
		if pos-start > sc.lim.MaxTokenBytes {
			return "", pos, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, start)
		}
		if pos >= len(s) {
			return "", pos, sc.EOF(pos)
		}
		c := s[pos]
		switch {
		case c == q:
			if decoded {
				sc.buf = append(sc.buf, s[runStart:pos]...)
				return string(sc.buf), pos + 1, nil
			}
			return s[start:pos], pos + 1, nil
		case c == '"' || c == '\'':
			pos++
		case c == '<':
			return "", pos, sc.Syntax(pos, "'<' in attribute value")
		case c == '&':
			sc.buf = append(sc.buf, s[runStart:pos]...)
			decoded = true
			end, err := sc.ref(pos)
			if err != nil {
				return "", pos, err
			}
			pos, runStart = end, end
		case c == '\t' || c == '\n' || c == '\r':
			sc.buf = append(sc.buf, s[runStart:pos]...)
			decoded = true
			sc.buf = append(sc.buf, ' ')
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
			n, err := sc.checkRune(pos)
			if err != nil {
				return "", pos, err
			}
			pos += n
		}
	}
}

// EndTag reads the end tag at input[pos] == '<' (followed by '/'), checks it
// closes the innermost open element, pops it and returns the offset after.
func (sc *Scanner) EndTag(pos int) (int, error) {
	s := sc.src
	e := &sc.path[len(sc.path)-1]
	open := e.name
	// fast path: the expected name followed by '>', compared as one word
	// when it is short
	if n := len(open); n <= 8 && pos+11 <= len(s) {
		if s[pos+2+n] == '>' && Load64(s, pos+2)&wordMask(n) == e.word {
			sc.Pop()
			return pos + 3 + n, nil
		}
	} else if i := pos + 2 + n; i < len(s) && s[i] == '>' && s[pos+2:i] == open {
		sc.Pop()
		return i + 1, nil
	}
	nm, i, err := sc.Name(pos + 2)
	if err != nil {
		return pos, err
	}
	i = sc.skipSpace(i)
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
	n := len(sc.path) - 1
	sc.ns = sc.ns[:sc.path[n].mark]
	sc.path = sc.path[:n]
}

// openElem is an open element.
type openElem struct {
	name string
	mark int    // len(ns) when it started
	word uint64 // a name of at most eight bytes as Load64 reads it (nameWord)
}

// nameWord returns the n bytes of s at i as Load64 reads them, the bytes
// above them zero, when n is at most eight, and 0 otherwise.
func nameWord(s string, i, n int) uint64 {
	if n > 8 {
		return 0
	}
	if i+8 <= len(s) {
		return Load64(s, i) & wordMask(n)
	}
	var w uint64
	for k := n - 1; k >= 0; k-- {
		w = w<<8 | uint64(s[i+k])
	}
	return w
}

// wordMask keeps the low n bytes of a word, n from 0 to 8.
func wordMask(n int) uint64 { return wordMasks[n&15] }

var wordMasks = [16]uint64{0, 1<<8 - 1, 1<<16 - 1, 1<<24 - 1, 1<<32 - 1, 1<<40 - 1, 1<<48 - 1, 1<<56 - 1, 1<<64 - 1}

// LeafText reads at pos, after the start tag of the innermost open
// element, content that is plain character data (no reference, CDATA
// section, comment, processing instruction, control or non-ASCII
// character) directly followed by that element's end tag, when its name
// has at most eight bytes: it closes the element and returns the text and
// the offset after the end tag. For any other content ok is false and
// nothing is read, and the caller reads the content the general way
// (CharData, EndTag), which gives the same result where LeafText succeeds.
func (sc *Scanner) LeafText(pos int) (text string, end int, ok bool) {
	s := sc.src
	i := SkipPlain3(s, pos, bcastLT, bcastAmp, bcastRSqB)
	if i+1 >= len(s) || s[i] != '<' || s[i+1] != '/' || i-pos > sc.lim.MaxTokenBytes {
		return "", pos, false
	}
	e := &sc.path[len(sc.path)-1]
	n := len(e.name)
	if n > 8 || i+11 > len(s) || s[i+2+n] != '>' || Load64(s, i+2)&wordMask(n) != e.word {
		return "", pos, false
	}
	if i > pos {
		if sc.tokens >= sc.lim.MaxTokens {
			return "", pos, false
		}
		sc.tokens++
	}
	sc.Pop()
	return s[pos:i], i + 3 + n, true
}
