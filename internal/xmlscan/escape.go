package xmlscan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlerr"
)

// Escaping for the writers of every package. Each context (character data, a double-quoted
// attribute value, a CDATA section) reads its input eight bytes at a time:
// a word with no byte that needs a look is stored to the output whole, so
// a long plain run costs one load, one test and one store per eight bytes.
// In text and attribute values, an ASCII word with bytes to replace is
// rewritten in place from its mask, each replacement one table look-up and
// one store; the first byte of 0x80 and above or the first control
// character is found from the mask and checked alone. UTF-8 validity and
// the XML Char production are checked on every byte of 0x80 and above and
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
	a, b, fold uint64                // the arguments of SpecialMask for this context
	class      [256]uint8            // the class of each byte
	rep        [utf8.RuneSelf]uint64 // what an ASCII byte becomes (itself when plain), little-endian
	repN       [utf8.RuneSelf]uint8  // its length (at most 8)
	bad        [utf8.RuneSelf]uint8  // 1 for an ASCII byte XML cannot carry

	// word packs rep, bad and repN of an ASCII byte into one word, for
	// e.words: the replacement in the low six bytes, bad in byte six and
	// repN in byte seven. Stored as output, bytes six and seven are
	// overwritten by what follows the replacement.
	word [utf8.RuneSelf]uint64
}

// pack fills e.word from e.rep, e.bad and e.repN.
func (e *escaper) pack() {
	for c := range e.word {
		e.word[c] = e.rep[c] | uint64(e.bad[c])<<48 | uint64(e.repN[c])<<56
	}
}

// maxRep is the longest replacement ("&quot;").
const maxRep = 6

// wordRoom is the room an escaper keeps after its input's remaining
// length: a word of eight bytes may grow by 8*(maxRep-1), and an
// eight-byte store is made at each of its bytes' output, at most 50
// bytes past the word's start; twice 64 lets those stores be indexed
// modulo 64 into a fixed-size array without a bounds check.
const wordRoom = 128

func (e *escaper) set(c byte, rep string) {
	if len(rep) > maxRep {
		panic("xmlscan: escape replacement longer than maxRep: " + rep) // wordRoom would be too small
	}
	var w [8]byte
	copy(w[:], rep)
	e.class[c], e.rep[c], e.repN[c] = clEscape, binary.LittleEndian.Uint64(w[:]), uint8(len(rep))
}

var textEscaper, attrEscaper = func() (t, a escaper) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t.rep[c], t.repN[c], a.rep[c], a.repN[c] = uint64(c), 1, uint64(c), 1
	}
	for c := 0; c < 256; c++ {
		switch {
		case c < 0x20:
			t.class[c], a.class[c] = clInvalid, clInvalid
		case c >= utf8.RuneSelf:
			t.class[c], a.class[c] = clMulti, clMulti
		}
	}
	t.class['\t'], t.class['\n'] = clPlain, clPlain
	for c := 0; c < 0x20; c++ {
		t.bad[c], a.bad[c] = 1, 1
	}
	t.bad['\t'], t.bad['\n'], t.bad['\r'] = 0, 0, 0
	a.bad['\t'], a.bad['\n'], a.bad['\r'] = 0, 0, 0
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
	t.a, t.b, t.fold = Broadcast('&'), Broadcast('>'), Broadcast(0x02)
	a.a, a.b, a.fold = Broadcast('<'), Broadcast('&'), Broadcast(0x04)
	t.pack()
	a.pack()
	return t, a
}()

// AppendText appends s escaped as character data: &, <, > and CR become
// references. It fails on characters XML cannot carry, and then returns b
// as it was.
func AppendText(b []byte, s string) ([]byte, error) {
	err := escapeInto(&b, s, &textEscaper)
	return b, err
}

// AppendAttr appends s escaped for a double-quoted attribute value.
func AppendAttr(b []byte, s string) ([]byte, error) {
	err := escapeInto(&b, s, &attrEscaper)
	return b, err
}

// EscapeText appends s escaped as character data to *dst, in place: a
// writer that keeps its buffer with room stores no new slice header. On
// an error *dst is as it was.
func EscapeText(dst *[]byte, s string) error { return escapeInto(dst, s, &textEscaper) }

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
//
// A short value, the common case in a message, is tried whole first: its
// words are stored as they are while they need nothing replaced, the
// last one overlapping the one before, and a value of fewer than eight
// bytes is one word. escapeSlow takes what that does not finish, and a
// long value, whose runs e.words stores two words at a time.
func escapeInto(dst *[]byte, s string, e *escaper) error {
	n := len(s)
	j0 := len(*dst)
	if cap(*dst)-j0 < max(n, shortValue)+wordRoom {
		*dst = slices.Grow(*dst, max(n, shortValue)+wordRoom)
	}
	if n > shortValue {
		return escapeSlow(dst, s, e, 0, j0)
	}
	// the masks in registers: the stores below could be to *e
	a, b, fold := e.a, e.b, e.fold
	o := (*[shortValue + wordRoom]byte)((*dst)[j0 : j0+shortValue+wordRoom])
	if n < 8 {
		var x uint64 // s as the low bytes of a word, read within its length
		switch {
		case n >= 4:
			x = load32(s, 0) | load32(s, n-4)<<(8*(n-4))
		case n > 0:
			x = uint64(s[0]) | uint64(s[n>>1])<<(8*(n>>1)) | uint64(s[n-1])<<(8*(n-1))
		default:
			return nil
		}
		if SpecialMask(x, a, b, fold)&(1<<(8*n)-1) != 0 {
			return escapeSlow(dst, s, e, 0, j0)
		}
		binary.LittleEndian.PutUint64(o[:], x)
		*dst = (*dst)[:j0+n]
		return nil
	}
	i := 0
	for ; i < n-8; i += 8 {
		x := Load64(s, i)
		if SpecialMask(x, a, b, fold) != 0 {
			return escapeSlow(dst, s, e, i, j0+i)
		}
		binary.LittleEndian.PutUint64(o[i&(shortValue-1):], x) // i < shortValue
	}
	// the last eight bytes, overlapping those stored when n is not a
	// multiple of eight
	x := Load64(s, n-8)
	if SpecialMask(x, a, b, fold) != 0 {
		return escapeSlow(dst, s, e, i, j0+i)
	}
	binary.LittleEndian.PutUint64(o[(n-8)&(shortValue-1):], x) // n-8 < shortValue
	*dst = (*dst)[:j0+n]
	return nil
}

// shortValue is the longest value escapeInto tries whole before it hands
// over to e.words.
const shortValue = 128

// tailWord returns the bytes of s from i, fewer than eight, as the low
// bytes of a word (the others zero), reading s only within its length.
func tailWord(s string, i int) uint64 {
	r := len(s) - i
	switch {
	case len(s) >= 8:
		return Load64(s, len(s)-8) >> (64 - 8*r)
	case r >= 4:
		return load32(s, i) | load32(s, len(s)-4)<<(8*(r-4))
	case r > 0:
		return uint64(s[i]) | uint64(s[i+r>>1])<<(8*(r>>1)) | uint64(s[len(s)-1])<<(8*(r-1))
	}
	return 0
}

// load32 reads four bytes of s at i, little-endian.
func load32(s string, i int) uint64 {
	t := s[i : i+4]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24
}

// escapeSlow continues escapeInto from s[i] and (*dst)[:cap][j], one step
// at a time where e.words stops: a word with a byte of 0x80 or above or a
// byte XML cannot carry, or a last piece of fewer than eight bytes with
// something to replace.
func escapeSlow(dst *[]byte, s string, e *escaper, i, j int) error {
	n, j0 := len(s), len(*dst)
	buf := (*dst)[:cap(*dst)]
	for {
		if i < n && n-i >= 8 {
			i, j = e.words(buf, s, i, j)
		}
		if i == n {
			*dst = (*dst)[:j]
			return nil
		}
		// From here cap(buf)-j >= n-i+wordRoom, so a word may be stored at
		// j and an escape after it.
		if cap(buf)-j < n-i+wordRoom {
			buf = room(buf[:j], n-i+wordRoom)
			*dst = buf[:j0]
		}
		var x uint64
		r := n - i
		if r >= 8 {
			r = 8
			x = Load64(s, i)
		} else {
			x = tailWord(s, i)
		}
		m := SpecialMask(x, e.a, e.b, e.fold)
		if r < 8 {
			m &= 1<<(8*r) - 1 // the bytes above r are zero, not input
		}
		binary.LittleEndian.PutUint64(buf[j:], x)
		if m == 0 {
			i, j = i+r, j+r
			continue
		}
		k := bits.TrailingZeros64(m) >> 3
		i, j = i+k, j+k
		c := s[i]
		switch e.class[c] {
		case clPlain:
			buf[j] = c
			i, j = i+1, j+1
		case clEscape:
			binary.LittleEndian.PutUint64(buf[j:], e.rep[c])
			i, j = i+1, j+int(e.repN[c])
		default: // clInvalid, clMulti
			var err error
			if i, j, err = copyRune(buf, s, i, j); err != nil {
				*dst = (*dst)[:j0]
				return err
			}
		}
	}
}

// words escapes s from i into buf from j, a word of eight bytes at a time,
// while the word is ASCII and XML can carry it and buf has room, and
// returns where it stopped. A plain word is stored whole. In a word with
// bytes to replace, each flagged byte's replacement (itself when it is a
// plain byte flagged by the mask's approximation) is stored at its place
// and the rest of the word after it, shifted to follow, so a run of
// special bytes costs no branch per byte beyond the mask's loop.
func (e *escaper) words(buf []byte, s string, i, j int) (int, int) {
	lim := len(buf) - len(s) - wordRoom // room: j-i <= lim
	for i <= len(s)-8 && j-i <= lim {
		x := Load64(s, i)
		m := SpecialMask(x, e.a, e.b, e.fold)
		if m == 0 && i <= len(s)-16 {
			// a plain word: look at the next one too, and store both
			// when it is plain as well (j-i, and so the room, is unchanged)
			y := Load64(s, i+8)
			my := SpecialMask(y, e.a, e.b, e.fold)
			o := (*[16]byte)(buf[j : j+16])
			binary.LittleEndian.PutUint64(o[:8], x)
			if my == 0 {
				binary.LittleEndian.PutUint64(o[8:], y)
				i, j = i+16, j+16
				continue
			}
			i, j, x, m = i+8, j+8, y, my
		}
		o := (*[wordRoom]byte)(buf[j : j+wordRoom])
		binary.LittleEndian.PutUint64(o[:], x)
		if m == 0 {
			i, j = i+8, j+8
			continue
		}
		if x&(0x80*0x0101010101010101) != 0 {
			return i, j
		}
		d := 0
		var bad uint64
		for m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			m &= m - 1
			y := x >> (8 * k)
			v := e.word[uint8(y)&0x7f]
			binary.LittleEndian.PutUint64(o[(k+d)&63:], v)
			d += int(v>>56) - 1
			// rotated rather than shifted: with a known zero top byte
			// the compiler stores y>>8 a piece at a time; that byte
			// lands past the word's output, which later stores or the
			// end of the value make no part of the result
			binary.LittleEndian.PutUint64(o[(k+1+d)&63:], bits.RotateLeft64(y, -8))
			bad |= v
		}
		if bad&(0xff<<48) != 0 {
			return i, j
		}
		i, j = i+8, j+8+d
	}
	return i, j
}

// copyRune checks the character at s[i] (a control character, or the
// first byte of a multi-byte sequence), copies it to buf[j:] and returns
// the offsets after it.
func copyRune(buf []byte, s string, i, j int) (int, int, error) {
	size, err := escapeRune(s, i)
	if err != nil {
		return i, j, err
	}
	copy(buf[j:], s[i:i+size])
	return i + size, j + size, nil
}

// escapeRune returns the length of the UTF-8 sequence at s[i] (a control
// character, or a sequence that starts with a byte of 0x80 or above), or
// an error when it is not valid UTF-8 or
// not a character XML can carry.
func escapeRune(s string, i int) (int, error) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 || !IsXMLChar(r) {
		return 0, fmt.Errorf("%w: %U at byte %d", xmlerr.ErrInvalidChar, r, i)
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
var cdataA, cdataB, cdataFold = Broadcast(']'), Broadcast(']'), uint64(0)

// AppendCDATA appends s as CDATA sections. "]]>" is split across two
// sections and a CR is written as a reference between sections, so the
// decoded characters equal s. It fails on characters XML cannot carry,
// and then returns b as it was.
func AppendCDATA(b []byte, s string) ([]byte, error) {
	err := cdataInto(&b, s)
	return b, err
}

// EscapeCDATA appends s as CDATA sections to *dst, in place, as
// AppendCDATA does.
func EscapeCDATA(dst *[]byte, s string) error { return cdataInto(dst, s) }

// cdataInto is AppendCDATA in place, as escapeInto.
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
			x := Load64(s, i)
			m := SpecialMask(x, cdataA, cdataB, cdataFold)
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
		default: // a control character or one of 0x80 and above
			var err error
			if i, j, err = copyRune(buf, s, i, j); err != nil {
				*dst = (*dst)[:j0]
				return err
			}
		}
	}
}
