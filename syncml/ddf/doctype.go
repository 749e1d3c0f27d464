package ddf

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// doctype reads the document type declaration at pos ("<!DOCTYPE"), which
// a DDF may carry before its root element (Microsoft's do) and which the
// parser ignores, and returns the offset after it. It checks what finding
// the declaration's end needs: the root element's name, the external
// identifier (SYSTEM or PUBLIC and its quoted literals) and the internal
// subset, whose markup declarations (with their quoted literals),
// comments, processing instructions and parameter-entity references it
// steps over without reading them; and that it holds only UTF-8 of
// characters XML allows. Its entity declarations declare nothing: a
// reference to an entity other than XML's five is an error wherever it
// stands.
func (p *parser) doctype(pos int) (int, error) {
	s := p.Input()
	end, at, msg := doctypeEnd(s, pos)
	stop := end
	if at >= 0 {
		stop = at
	}
	if i, r := badChar(s[pos:stop]); i < stop-pos {
		if r < 0 {
			return pos, p.ScanError(pos+i, xmlscan.Encoding, "invalid UTF-8")
		}
		return pos, p.ScanError(pos+i, xmlscan.InvalidChar, fmt.Sprintf("%U", r))
	}
	switch {
	case at < 0:
		return end, nil
	case at >= len(s):
		return pos, p.EOF(len(s))
	}
	return pos, p.syntax(at, "%s", msg)
}

// doctypeEnd finds the end of the document type declaration at pos: the
// offset after it, with at -1; or where it is malformed (at), and how
// (msg), at len(s) when s ends inside it.
func doctypeEnd(s string, pos int) (end, at int, msg string) {
	eof := func() (int, int, string) { return 0, len(s), "" }
	i := pos + len("<!DOCTYPE")
	j := xmlscan.SkipSpace(s, i)
	switch {
	case j >= len(s):
		return eof()
	case j == i:
		return 0, j, "expected white space after <!DOCTYPE"
	}
	k := j
	for k < len(s) && !xmlscan.IsSpace(s[k]) && s[k] != '>' && s[k] != '[' {
		k++
	}
	switch {
	case k >= len(s):
		return eof()
	case !xmlscan.IsName(s[j:k]):
		return 0, j, "DOCTYPE without a root element name"
	}
	i = k
	// the external identifier
	literals := 0
	j = xmlscan.SkipSpace(s, i)
	switch rest := s[j:]; {
	case strings.HasPrefix(rest, "SYSTEM"):
		literals = 1
	case strings.HasPrefix(rest, "PUBLIC"):
		literals = 2
	}
	if literals > 0 {
		if j == i {
			return 0, j, "expected white space before the external identifier"
		}
		i = j + len("SYSTEM")
		for range literals {
			j = xmlscan.SkipSpace(s, i)
			switch {
			case j >= len(s):
				return eof()
			case j == i || s[j] != '"' && s[j] != '\'':
				return 0, j, "expected white space and a quoted literal in the external identifier"
			}
			e := strings.IndexByte(s[j+1:], s[j])
			if e < 0 {
				return eof()
			}
			i = j + 2 + e
		}
	}
	i = xmlscan.SkipSpace(s, i)
	if i < len(s) && s[i] == '[' {
		if i, at, msg = internalSubset(s, i+1); at >= 0 {
			return 0, at, msg
		}
		i = xmlscan.SkipSpace(s, i)
	}
	switch {
	case i >= len(s):
		return eof()
	case s[i] != '>':
		return 0, i, "expected '>' at the end of the DOCTYPE"
	}
	return i + 1, -1, ""
}

// internalSubset steps over the internal subset of a DOCTYPE from pos,
// after its '[', to the offset after its ']', as doctypeEnd says.
func internalSubset(s string, pos int) (end, at int, msg string) {
	i := pos
	for {
		i = xmlscan.SkipSpace(s, i)
		if i >= len(s) {
			return 0, len(s), ""
		}
		rest := s[i:]
		var e int
		switch {
		case rest[0] == ']':
			return i + 1, -1, ""
		case strings.HasPrefix(rest, "<!--"):
			if e = strings.Index(rest[4:], "--"); e >= 0 {
				if e += 4; !strings.HasPrefix(rest[e:], "-->") {
					return 0, i + e, "'--' in comment"
				}
				e += 3
			}
		case strings.HasPrefix(rest, "<?"):
			if e = strings.Index(rest, "?>"); e >= 0 {
				e += 2
			}
		case strings.HasPrefix(rest, "<!") && len(rest) > 2 && rest[2] >= 'A' && rest[2] <= 'Z':
			// a markup declaration: to its '>', over quoted literals
			e = 2
			for e < len(rest) && rest[e] != '>' {
				if q := rest[e]; q == '"' || q == '\'' {
					k := strings.IndexByte(rest[e+1:], q)
					if k < 0 {
						return 0, len(s), ""
					}
					e += 1 + k
				}
				e++
			}
			if e++; e > len(rest) {
				e = -1
			}
		case rest[0] == '%':
			k := strings.IndexByte(rest, ';')
			if k > 0 && !xmlscan.IsName(rest[1:k]) {
				return 0, i, "malformed parameter-entity reference in the DOCTYPE"
			}
			if e = k; e >= 0 {
				e++
			}
		default:
			return 0, i, "malformed internal subset in the DOCTYPE"
		}
		if e < 0 {
			return 0, len(s), ""
		}
		i += e
	}
}

// badChar returns the offset of the first byte of s that is not valid
// UTF-8 (with r -1) or starts a character XML does not allow
// (with r that character), or len(s).
func badChar(s string) (int, rune) {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return i, -1
		}
		if !xmlscan.IsXMLChar(r) {
			return i, r
		}
		i += n
	}
	return len(s), 0
}
