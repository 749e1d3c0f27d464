package xmlscan

import (
	"unicode/utf8"
)

// Unhex returns the value of the hexadecimal digit c, or -1.
func Unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// ref decodes the reference at input[pos] == '&', appends its characters to
// the scratch buffer and returns the offset after ';'.
func (sc *Scanner) ref(pos int) (int, error) {
	s := sc.src
	// a character reference may carry any number of leading zeros; an
	// entity name is one of five short names
	end := 1
	if end < len(s)-pos && s[pos+1] == '#' {
		end++
		if end < len(s)-pos && s[pos+end] == 'x' {
			end++
		}
		for end < len(s)-pos && Unhex(s[pos+end]) >= 0 {
			end++
		}
	} else {
		for end < len(s)-pos && end < 6 && s[pos+end] != ';' {
			end++
		}
	}
	if end >= len(s)-pos {
		return pos, sc.EOF(len(s))
	}
	if s[pos+end] != ';' {
		return pos, sc.Syntax(pos, "'&' does not start a reference")
	}
	body := s[pos+1 : pos+end]
	next := pos + end + 1
	if body == "#" || body == "#x" {
		return pos, sc.Syntax(pos, "empty character reference")
	}
	if len(body) > 1 && body[0] == '#' {
		var r rune
		digits := body[1:]
		base := rune(10)
		if digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return pos, sc.Syntax(pos, "empty character reference")
		}
		for i := 0; i < len(digits); i++ {
			c := rune(digits[i])
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case base == 16 && c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case base == 16 && c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return pos, sc.Syntax(pos, "invalid character reference &%s;", body)
			}
			r = r*base + d
			if r > 0x10FFFF {
				return pos, sc.fail(pos, InvalidChar, "character reference &%s; out of range", body)
			}
		}
		if !IsXMLChar(r) {
			return pos, sc.fail(pos, InvalidChar, "character reference &%s;", body)
		}
		sc.buf = utf8.AppendRune(sc.buf, r)
		return next, nil
	}
	switch body {
	case "lt":
		sc.buf = append(sc.buf, '<')
	case "gt":
		sc.buf = append(sc.buf, '>')
	case "amp":
		sc.buf = append(sc.buf, '&')
	case "apos":
		sc.buf = append(sc.buf, '\'')
	case "quot":
		sc.buf = append(sc.buf, '"')
	default:
		if !IsName(body) {
			return pos, sc.Syntax(pos, "'&' does not start a reference")
		}
		return pos, sc.fail(pos, Entity, "&%s;", body)
	}
	return next, nil
}

// Ref decodes the reference at s[i] == '&' as the scanner reads it in
// character data: one of the five predefined entities, or a character
// reference (any number of leading zeros) to a character XML allows. It
// returns the character and the offset after the ';', or 0 and i when
// there is no such reference at i, which the scanner reports as an
// error (or, at the end of a partial input, waits for more).
func Ref(s string, i int) (rune, int) {
	if i+3 >= len(s) {
		return 0, i
	}
	if s[i+1] != '#' {
		switch t := s[i+1:]; {
		case t[:3] == "lt;":
			return '<', i + 4
		case t[:3] == "gt;":
			return '>', i + 4
		case len(t) >= 4 && t[:4] == "amp;":
			return '&', i + 5
		case len(t) >= 5 && t[:5] == "quot;":
			return '"', i + 6
		case len(t) >= 5 && t[:5] == "apos;":
			return '\'', i + 6
		}
		return 0, i
	}
	k, base := i+2, rune(10)
	if s[k] == 'x' {
		k, base = k+1, 16
	}
	first := k
	var r rune
	for ; k < len(s); k++ {
		d := rune(Unhex(s[k]))
		if d < 0 || d >= base {
			break
		}
		if r = r*base + d; r > 0x10FFFF {
			return 0, i
		}
	}
	if k == first || k >= len(s) || s[k] != ';' || !IsXMLChar(r) {
		return 0, i
	}
	return r, k + 1
}

// RefError returns the kind and message of the error a Scanner gives the
// reference at s[i] == '&' that Ref refuses, such as InvalidChar and
// "character reference &#xD800;" (EOF, with no message, when s ends
// inside it), so that a reader that checks references without a Scanner
// (provisioning's) words them the same. For a reference the scanner
// reads it returns Syntax and "".
func RefError(s string, i int) (Kind, string) {
	var e refErr
	sc := Scanner{src: s, errs: &e}
	if _, err := sc.ref(i); err == nil {
		return Syntax, ""
	}
	return e.k, e.msg
}

// refErr records the error of RefError.
type refErr struct {
	k   Kind
	msg string
}

func (e *refErr) ScanError(_ int, k Kind, msg string) error {
	e.k, e.msg = k, msg
	return ErrNeedMore // any error: RefError reads e
}

func (e *refErr) ScanLimit(string, int64, int) error { return ErrNeedMore }
