package provisioning

import (
	"bytes"
	"encoding/xml"
	"strings"
	"unicode/utf8"
)

// validName reports whether s can be written as an element or attribute
// name that the reader gives back unchanged: an XML name with at most one
// colon. ASCII names are checked here; others are checked by the tokenizer
// the reader uses, so that writer and reader agree.
func validName(s string) bool {
	if s == "" || strings.Count(s, ":") > 1 {
		return false
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		start := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == ':'
		if i == 0 && !start {
			return false
		}
		if !start && !(c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	if ascii {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	d := xml.NewDecoder(strings.NewReader("<" + s + "/>"))
	tok, err := d.RawToken()
	if err != nil {
		return false
	}
	se, ok := tok.(xml.StartElement)
	return ok && joinName(se.Name) == s
}

// joinName writes a name as the input had it.
func joinName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// checkChars returns ErrEncoding for invalid UTF-8 and ErrInvalidChar for a
// character XML does not allow, or nil.
func checkChars(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return ErrEncoding
		}
		if !isXMLChar(r) {
			return ErrInvalidChar
		}
		i += size
	}
	return nil
}

// unescapeAttr returns the value of an attribute as XML defines it from its
// raw text between the quotes (already checked by the tokenizer): a
// literal TAB, LF, CR or CRLF becomes one space, and references are
// replaced by their characters.
func unescapeAttr(raw []byte) string {
	if !bytes.ContainsAny(raw, "&\t\n\r") {
		return string(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
		case '\t', '\n':
			b.WriteByte(' ')
		case '&':
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 { // cannot happen after the tokenizer's check
				b.Write(raw[i:])
				return b.String()
			}
			ref := string(raw[i+1 : i+end])
			i += end
			switch ref {
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "amp":
				b.WriteByte('&')
			case "apos":
				b.WriteByte('\'')
			case "quot":
				b.WriteByte('"')
			default:
				b.WriteRune(charRef(ref))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// charRef decodes "#N" or "#xH"; the tokenizer has checked it.
func charRef(ref string) rune {
	var r rune
	if strings.HasPrefix(ref, "#x") {
		for _, c := range ref[2:] {
			switch {
			case c >= '0' && c <= '9':
				r = r*16 + c - '0'
			case c >= 'a' && c <= 'f':
				r = r*16 + c - 'a' + 10
			case c >= 'A' && c <= 'F':
				r = r*16 + c - 'A' + 10
			}
			if r > utf8.MaxRune {
				return utf8.RuneError
			}
		}
		return r
	}
	for _, c := range strings.TrimPrefix(ref, "#") {
		r = r*10 + c - '0'
		if r > utf8.MaxRune {
			return utf8.RuneError
		}
	}
	return r
}

// duplicate reports a key that occurs twice among key(0) … key(n-1).
func duplicate(n int, key func(int) string) (string, bool) {
	if i, dup := duplicateAt(n, key); dup {
		return key(i), true
	}
	return "", false
}

// duplicateAt returns the first i whose key(i) is one of key(0) …
// key(i-1), in the order the module's other readers find a repeated
// attribute: by pairs for the few attributes of most elements, by a set
// for many.
func duplicateAt(n int, key func(int) string) (int, bool) {
	if n <= 8 {
		for i := 1; i < n; i++ {
			k := key(i)
			for j := range i {
				if k == key(j) {
					return i, true
				}
			}
		}
		return 0, false
	}
	seen := make(map[string]bool, n)
	for i := range n {
		k := key(i)
		if seen[k] {
			return i, true
		}
		seen[k] = true
	}
	return 0, false
}
