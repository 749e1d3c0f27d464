package xmlscan

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// class bits for the byte table used by the hot loops.
const (
	clText  = 1 << iota // ends or interrupts a run of character data
	clName              // ASCII name character
	clStart             // ASCII name start character
	clSpace             // XML white space
	clAttr              // ends or interrupts an attribute value run
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == ']' {
			t[c] |= clText
		}
		if c < 0x20 || c >= 0x80 || c == '<' || c == '&' || c == '"' || c == '\'' {
			t[c] |= clAttr
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' {
			t[c] |= clStart | clName
		}
		if c >= '0' && c <= '9' || c == '-' || c == '.' {
			t[c] |= clName
		}
	}
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		t[c] |= clSpace
	}
	return t
}()

// broadcasts of the bytes that interrupt character data
var (
	bcastLT   = Broadcast('<')
	bcastAmp  = Broadcast('&')
	bcastRSqB = Broadcast(']')
	bcastQuot = Broadcast('"')
)

// IsXMLChar reports whether r may appear in an XML 1.0 document.
func IsXMLChar(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// IsNameStartRune and IsNameRune are the XML 1.0 fifth-edition classes.
func IsNameStartRune(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_' || r == ':' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

// IsNameRune reports whether r may continue an XML name.
func IsNameRune(r rune) bool {
	return IsNameStartRune(r) || r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// IsName reports whether s is an XML name.
func IsName(s string) bool {
	for i, r := range s {
		if i == 0 && !IsNameStartRune(r) || i > 0 && !IsNameRune(r) {
			return false
		}
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return false // invalid UTF-8
		}
	}
	return s != ""
}

// IsQName reports whether s is an XML name with at most one colon, not at
// either end: a qualified name of Namespaces in XML.
func IsQName(s string) bool {
	if !IsName(s) {
		return false
	}
	c := strings.IndexByte(s, ':')
	return c < 0 || c > 0 && c < len(s)-1 && strings.IndexByte(s[c+1:], ':') < 0
}

// LocalName returns the local part of qualified name q.
func LocalName(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// PrefixOf returns the prefix of qualified name q, or "".
func PrefixOf(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i]
	}
	return ""
}

// IsSpace reports whether c is XML white space.
func IsSpace(c byte) bool { return byteClass[c]&clSpace != 0 }

// IsNameStartByte reports whether the ASCII byte c may start a name.
func IsNameStartByte(c byte) bool { return byteClass[c]&clStart != 0 }

// IsAllSpace reports whether s holds only XML white space.
func IsAllSpace(s string) bool { return SkipSpace(s, 0) == len(s) }

// TrimSpace trims XML white space from both ends of s.
func TrimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && IsSpace(s[i]) {
		i++
	}
	for j > i && IsSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// skipSpace returns the offset of the first byte at or after pos that is
// not XML white space.
func (sc *Scanner) skipSpace(pos int) int { return SkipSpace(sc.src, pos) }

// Name reads an XML name at pos and returns it with the offset after it.
func (sc *Scanner) Name(pos int) (string, int, error) {
	nm, _, next, err := sc.qname(pos)
	return nm, next, err
}

// decodeRune decodes the rune at input[i], which starts with a byte of
// 0x80 or above, failing on invalid UTF-8 (or, at the end of the input, on
// a sequence cut short).
func (sc *Scanner) decodeRune(i int) (rune, int, error) {
	s := sc.src
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n <= 1 {
		if !utf8.FullRuneInString(s[i:]) {
			return r, n, sc.EOF(len(s))
		}
		return r, n, sc.errs.ScanError(i, Encoding, "invalid UTF-8")
	}
	return r, n, nil
}

// qname is Name that also returns the index of the name's colon, or -1.
func (sc *Scanner) qname(pos int) (string, int, int, error) {
	s := sc.src
	i := pos
	// fast path: ASCII letters, eight at a time (SyncML's element names
	// are made of them); what stops it is read by the byte loop below
	for i+8 <= len(s) {
		if m := nonLetters(Load64(s, i)); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		i += 8
	}
	rest := i // the bytes before rest are letters: no colon among them
	if i > pos {
		// the first byte is a letter, a valid name start
	} else if i >= len(s) {
		return "", -1, i, sc.EOF(i)
	} else if c := s[i]; c < utf8.RuneSelf {
		if byteClass[c]&clStart == 0 {
			return "", -1, i, sc.Syntax(i, "invalid name start %q", rune(c))
		}
		i++
	} else {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRuneInString(s[i:]) {
				return "", -1, i, sc.EOF(len(s))
			}
			return "", -1, i, sc.errs.ScanError(i, Encoding, "invalid UTF-8")
		}
		if !IsNameStartRune(r) {
			return "", -1, i, sc.Syntax(i, "invalid name start %q", r)
		}
		i += n
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if byteClass[c]&clName == 0 {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRuneInString(s[i:]) {
				return "", -1, i, sc.EOF(len(s))
			}
			return "", -1, i, sc.errs.ScanError(i, Encoding, "invalid UTF-8")
		}
		if !IsNameRune(r) {
			break
		}
		i += n
	}
	if i >= len(s) {
		return "", -1, i, sc.EOF(i)
	}
	if i-pos > sc.lim.MaxTokenBytes {
		return "", -1, i, sc.limit("MaxTokenBytes", sc.lim.MaxTokenBytes, pos)
	}
	nm := s[pos:i]
	// Namespaces in XML: at most one colon, not first or last.
	c := -1
	if rest < i {
		if c = strings.IndexByte(s[rest:i], ':'); c >= 0 {
			c += rest - pos
		}
	}
	if c >= 0 {
		if c == 0 || c == len(nm)-1 || strings.IndexByte(nm[c+1:], ':') >= 0 {
			return "", -1, pos, sc.fail(pos, BadQName, "name %q is not a qualified name", nm)
		}
	}
	return nm, c, i, nil
}

// checkRune validates the non-ASCII or control character at pos and
// returns its length.
func (sc *Scanner) checkRune(pos int) (int, error) {
	c := sc.src[pos]
	if c < utf8.RuneSelf {
		if c == '\t' || c == '\n' || c == '\r' {
			return 1, nil
		}
		return 0, sc.fail(pos, InvalidChar, "%U", rune(c))
	}
	r, n, err := sc.decodeRune(pos)
	if err != nil {
		return 0, err
	}
	if !IsXMLChar(r) {
		return 0, sc.fail(pos, InvalidChar, "%U", r)
	}
	return n, nil
}

// cutRuneStart returns the offset of the incomplete UTF-8 sequence that s
// ends with, at or after from, or len(s) when s ends with no such cut
// character.
func cutRuneStart(s string, from int) int {
	for k := len(s) - 1; k >= from && k >= len(s)-utf8.UTFMax+1; k-- {
		if c := s[k]; c < utf8.RuneSelf {
			break
		} else if utf8.RuneStart(c) {
			if !utf8.FullRuneInString(s[k:]) {
				return k
			}
			break
		}
	}
	return len(s)
}

// checkChars validates the characters of input[i:j].
func (sc *Scanner) checkChars(i, j int) error {
	s := sc.src
	for i < j {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		n, err := sc.checkRune(i)
		if err != nil {
			if err == ErrNeedMore && j < len(s) {
				return sc.errs.ScanError(i, Encoding, "invalid UTF-8")
			}
			return err
		}
		i += n
	}
	return nil
}

// ValidText reports whether s is UTF-8 made only of characters XML 1.0
// allows.
func ValidText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			// then eight bytes at a time while all are printable ASCII
			// (NUL, the byte SkipPlain is also given, is a control)
			i = SkipPlain(s, i+1, 0, 0, 0)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !IsXMLChar(r) {
			return false
		}
		i += size
	}
	return true
}

// nonLetters returns the high bit of each byte of x (as Load64 reads it)
// that is not an ASCII letter. The test is exact for every byte: no sum
// carries from one byte into the next.
func nonLetters(x uint64) uint64 {
	y := x | lsb*0x20 // 'A'-'Z' to 'a'-'z'; nothing else lands there
	t := y &^ msb
	ge := t + lsb*(0x80-'a')   // high bit: t >= 'a'
	gt := t + lsb*(0x80-'z'-1) // high bit: t > 'z'
	return ^(ge &^ gt &^ y) & msb
}

// NonLetters returns the high bit of each byte of x (as Load64 reads it)
// that is not an ASCII letter, exactly.
func NonLetters(x uint64) uint64 { return nonLetters(x) }

// WordMask keeps the low n bytes of a word, n from 0 to 8.
func WordMask(n int) uint64 { return wordMask(n) }
