package syncml

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// Escaping for the writer. Each context (character data, a double-quoted
// attribute value, a CDATA section) reads its input eight bytes at a time:
// a word with no byte that needs a look is stored to the output whole, and
// the first byte that does is found from the word's mask, so a long plain
// run costs one load, one test and one store per eight bytes, and an
// escape costs one table look-up and one store. UTF-8 validity and the
// XML Char production are checked on every byte of 0x80 and above and
// every control character: Marshal refuses what XML cannot carry.

// The classes of a byte for an escaper.
const (
	clPlain   uint8 = iota // written as it is
	clEscape               // written as its replacement
	clInvalid              // a character XML cannot carry
	clMulti                // starts a multi-byte UTF-8 sequence (or is invalid UTF-8)
)

// escaper says, for one context, which bytes pass through unchanged and
// what the others become.
type escaper struct {
	a, b, fold uint64                // the arguments of xmlscan.SpecialMask for this context
	class      [256]uint8            // the class of each byte
	rep        [utf8.RuneSelf]uint64 // replacement of a clEscape byte, little-endian
	repN       [utf8.RuneSelf]uint8  // its length (at most 8)
}

// maxRep is the longest replacement ("&quot;").
const maxRep = 6

func (e *escaper) set(c byte, rep string) {
	var w [8]byte
	copy(w[:], rep)
	e.class[c], e.rep[c], e.repN[c] = clEscape, binary.LittleEndian.Uint64(w[:]), uint8(len(rep))
}

var textEscaper, attrEscaper = func() (t, a escaper) {
	for c := 0; c < 256; c++ {
		switch {
		case c < 0x20:
			t.class[c], a.class[c] = clInvalid, clInvalid
		case c >= utf8.RuneSelf:
			t.class[c], a.class[c] = clMulti, clMulti
		}
	}
	t.class['\t'], t.class['\n'] = clPlain, clPlain
	t.set('\r', "&#xD;")
	t.set('&', "&amp;")
	t.set('<', "&lt;")
	t.set('>', "&gt;")
	a.set('\t', "&#x9;")
	a.set('\n', "&#xA;")
	a.set('\r', "&#xD;")
	a.set('&', "&amp;")
	a.set('<', "&lt;")
	a.set('"', "&quot;")
	// '<' (0x3C) and '>' (0x3E) differ in bit 1; '"' (0x22) and '&' (0x26)
	// in bit 2, so with '<' alone the attribute case needs no fold
	t.a, t.b, t.fold = broadcast('&'), broadcast('>'), broadcast(0x02)
	a.a, a.b, a.fold = broadcast('<'), broadcast('&'), broadcast(0x04)
	return t, a
}()

// appendText appends s escaped as character data: &, <, > and CR become
// references. It fails on characters XML cannot carry, and then returns b
// as it was.
func appendText(b []byte, s string) ([]byte, error) {
	err := escapeInto(&b, s, &textEscaper)
	return b, err
}

// appendAttr appends s escaped for a double-quoted attribute value.
func appendAttr(b []byte, s string) ([]byte, error) {
	err := escapeInto(&b, s, &attrEscaper)
	return b, err
}

// text appends s escaped as character data to the writer's buffer.
func (w *writer) text(s string) error { return escapeInto(&w.b, s, &textEscaper) }

// room returns b[:cap] with at least n bytes of capacity after len(b).
func room(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		b = slices.Grow(b, n)
	}
	return b[:cap(b)]
}

// escapeInto appends s escaped by e to *dst; on an error *dst is as it
// was. It works in place: *dst is stored whole only when it grows, so
// writing into a buffer with room stores no pointer (and needs no write
// barrier while the garbage collector runs).
func escapeInto(dst *[]byte, s string, e *escaper) error {
	n := len(s)
	j0 := len(*dst)
	if cap(*dst)-j0 < n+8 {
		*dst = slices.Grow(*dst, n+8)
	}
	// Invariant: cap(buf)-j >= n-i+8, so a word may be stored at j.
	j, buf := j0, (*dst)[:cap(*dst)]
	for i := 0; ; {
		if i+8 <= n {
			x := xmlscan.Load64(s, i)
			m := xmlscan.SpecialMask(x, e.a, e.b, e.fold)
			binary.LittleEndian.PutUint64(buf[j:], x)
			if m == 0 {
				i, j = i+8, j+8
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			i, j = i+k, j+k
		} else {
			for i < n && e.class[s[i]] == clPlain {
				buf[j] = s[i]
				i, j = i+1, j+1
			}
			if i == n {
				*dst = (*dst)[:j]
				return nil
			}
		}
		c := s[i]
		switch e.class[c] {
		case clPlain:
			buf[j] = c
			i, j = i+1, j+1
		case clEscape:
			if cap(buf)-j < n-i+8+maxRep {
				buf = room(buf[:j], n-i+8+maxRep)
				*dst = buf[:j0]
			}
			binary.LittleEndian.PutUint64(buf[j:], e.rep[c])
			i, j = i+1, j+int(e.repN[c])
		case clInvalid:
			*dst = (*dst)[:j0]
			return fmt.Errorf("%w: %U at byte %d", ErrInvalidChar, rune(c), i)
		default:
			size, err := checkRune(s, i)
			if err != nil {
				*dst = (*dst)[:j0]
				return err
			}
			copy(buf[j:], s[i:i+size])
			i, j = i+size, j+size
		}
	}
}

// checkRune returns the length of the UTF-8 sequence at s[i], which starts
// with a byte of 0x80 or above, or an error when it is not valid UTF-8 or
// not a character XML can carry.
func checkRune(s string, i int) (int, error) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 || !isXMLChar(r) {
		return 0, fmt.Errorf("%w: %U at byte %d", ErrInvalidChar, r, i)
	}
	return size, nil
}

const (
	cdataOpen  = "<![CDATA["
	cdataClose = "]]>"
	cdataSplit = "]]" + cdataClose + cdataOpen                            // for "]]>": "]]" ends one section, ">" starts the next
	cdataCR    = cdataClose + "&#xD;" + cdataOpen                         // a CR between sections
	cdataMax   = max(len(cdataSplit), len(cdataCR)) + 8 + len(cdataClose) // room an escape needs to keep the invariant
)

// cdataA, cdataB and cdataFold make SpecialMask stop at ']' (besides
// control characters and bytes of 0x80 and above).
var cdataA, cdataB, cdataFold = broadcast(']'), broadcast(']'), uint64(0)

// appendCDATA appends s as CDATA sections. "]]>" is split across two
// sections and a CR is written as a reference between sections, so the
// decoded characters equal s. It fails on characters XML cannot carry,
// and then returns b as it was.
func appendCDATA(b []byte, s string) ([]byte, error) {
	err := cdataInto(&b, s)
	return b, err
}

// cdata appends s as CDATA sections to the writer's buffer.
func (w *writer) cdata(s string) error { return cdataInto(&w.b, s) }

// cdataInto is appendCDATA in place, as escapeInto.
func cdataInto(dst *[]byte, s string) error {
	n := len(s)
	j0 := len(*dst)
	if need := len(cdataOpen) + n + 8 + len(cdataClose); cap(*dst)-j0 < need {
		*dst = slices.Grow(*dst, need)
	}
	// Invariant: cap(buf)-j >= n-i+8+len(cdataClose).
	buf := (*dst)[:cap(*dst)]
	j := j0 + copy(buf[j0:], cdataOpen)
	for i := 0; ; {
		if i+8 <= n {
			x := xmlscan.Load64(s, i)
			m := xmlscan.SpecialMask(x, cdataA, cdataB, cdataFold)
			binary.LittleEndian.PutUint64(buf[j:], x)
			if m == 0 {
				i, j = i+8, j+8
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			i, j = i+k, j+k
		} else {
			for i < n && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != ']' {
				buf[j] = s[i]
				i, j = i+1, j+1
			}
			if i == n {
				j += copy(buf[j:], cdataClose)
				*dst = (*dst)[:j]
				return nil
			}
		}
		switch c := s[i]; {
		case c == ']' && strings.HasPrefix(s[i:], "]]>"):
			if cap(buf)-j < n-i+cdataMax {
				buf = room(buf[:j], n-i+cdataMax)
				*dst = buf[:j0]
			}
			i, j = i+2, j+copy(buf[j:], cdataSplit)
		case c == '\r':
			if cap(buf)-j < n-i+cdataMax {
				buf = room(buf[:j], n-i+cdataMax)
				*dst = buf[:j0]
			}
			i, j = i+1, j+copy(buf[j:], cdataCR)
		case c == ']' || c == '\t' || c == '\n':
			buf[j] = c
			i, j = i+1, j+1
		case c < 0x20:
			*dst = (*dst)[:j0]
			return fmt.Errorf("%w: %U at byte %d", ErrInvalidChar, rune(c), i)
		default:
			size, err := checkRune(s, i)
			if err != nil {
				*dst = (*dst)[:j0]
				return err
			}
			copy(buf[j:], s[i:i+size])
			i, j = i+size, j+size
		}
	}
}
