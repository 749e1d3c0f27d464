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

// Escaping for the writers of every package. Each context (character
// data, a double-quoted attribute value, a CDATA section) reads its input
// eight bytes at a time: a word with no byte that needs a look is stored
// to the output whole, so a long plain run costs one load, one mask, one
// test and one store per eight bytes. In text and attribute values the
// input is taken a chunk at a time (see chunkLen), written into a
// fixed-size window of the output so that no store needs a bounds check;
// an ASCII word with bytes to replace is rewritten in place from its
// mask, each replacement one table look-up and two stores (the
// replacement, then the input after it). The first byte of
// 0x80 and above or the first control character XML cannot carry is
// found from the mask and checked alone: UTF-8 validity and the XML Char
// production are checked on every byte of 0x80 and above and every
// control character, and Marshal refuses what XML cannot carry.

// escaper says, for one context, which bytes pass through unchanged and
// what the others become.
type escaper struct {
	m maskArgs

	// tab packs what each byte becomes into one word: the replacement
	// (the byte itself when it passes through) in the low six bytes,
	// stored whole as output; slowByte in byte six for a byte the word
	// loop leaves to copyRune (a control character XML cannot carry, or
	// one of 0x80 and above, which starts a multi-byte sequence or is
	// invalid); in byte seven the replacement's length less one, what
	// the output gains over the input.
	tab [256]uint64
}

// maskArgs are the arguments of an escaper's mask: it flags the bytes
// equal to a or b after OR-ing them with fa and fb, the control
// characters, and with hi = msb the bytes of 0x80 and above.
type maskArgs struct{ a, fa, b, fb, hi uint64 }

// slowByte marks a byte of escaper.tab for copyRune.
const slowByte = 1 << 48

// maxRep is the longest replacement ("&quot;").
const maxRep = 6

// wordRoom is the room escapeInto keeps after its input's remaining
// length: its short path stores words modulo shortValue into a
// fixed-size array, and escapeSlow stores one replacement word.
const wordRoom = 128

func (e *escaper) set(c byte, rep string) {
	if len(rep) > maxRep {
		panic("xmlscan: escape replacement longer than maxRep: " + rep) // the table word would not hold it
	}
	var w [8]byte
	copy(w[:], rep)
	e.tab[c] = binary.LittleEndian.Uint64(w[:])&(1<<48-1) | uint64(len(rep)-1)<<56
}

// newEscaper returns the escaper that replaces each byte of reps' keys
// by its value. A checked escaper leaves the other control characters
// and the bytes of 0x80 and above to copyRune, which refuses what XML
// cannot carry; an unchecked one passes every other byte through, for
// writers that have checked their strings. a, fa, b and fb are the
// mask's arguments (see escaper): together with the control characters
// they must flag every byte reps replaces.
func newEscaper(reps map[byte]string, checked bool, a, fa, b, fb byte) *escaper {
	e := &escaper{m: maskArgs{a: Broadcast(a), fa: Broadcast(fa), b: Broadcast(b), fb: Broadcast(fb)}}
	if checked {
		e.m.hi = msb
	}
	for c := 0; c < 256; c++ {
		e.tab[c] = uint64(c)
		if checked && (c < 0x20 && c != '\t' && c != '\n' || c >= utf8.RuneSelf) {
			e.tab[c] |= slowByte
		}
	}
	for c, rep := range reps {
		e.set(c, rep)
	}
	return e
}

// The escapers of the exported functions. '<' (0x3C) and '>' (0x3E)
// differ only in bit 1, '"' (0x22) and '&' (0x26) only in bit 2, so
// that one term of the mask can flag both of a pair.
var (
	// character data: AppendText, EscapeText
	textEscaper = *newEscaper(map[byte]string{'\r': "&#xD;", '&': "&amp;", '<': "&lt;", '>': "&gt;"},
		true, '&', 0, '>', 0x02)
	// double-quoted attribute values: AppendAttr
	attrEscaper = *newEscaper(map[byte]string{'\t': "&#x9;", '\n': "&#xA;", '\r': "&#xD;", '&': "&amp;", '<': "&lt;", '"': "&quot;"},
		true, '<', 0, '&', 0x04)
	// the same two, unchecked and with '>' escaped in attributes too:
	// AppendTextValue, AppendAttrValue
	textValueEscaper = *newEscaper(map[byte]string{'\r': "&#xD;", '&': "&amp;", '<': "&lt;", '>': "&gt;"},
		false, '&', 0, '>', 0x02)
	attrValueEscaper = *newEscaper(map[byte]string{'\t': "&#x9;", '\n': "&#xA;", '\r': "&#xD;", '&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;"},
		false, '>', 0x02, '&', 0x04)
)

// mask returns the high bit of each byte of x (x as Load64 reads it)
// that an escaper with arguments k may replace or stop at. As with
// SpecialMask, the lowest bit set is exact: a false alarm needs a borrow
// from a flagged byte below it, and a byte flagged without need is its
// own replacement in the escaper's table.
func (k maskArgs) mask(x uint64) uint64 {
	low := (x - Broadcast(0x20)) &^ x
	za, zb := (x|k.fa)^k.a, (x|k.fb)^k.b
	return (low | x&k.hi | (za-lsb)&^za | (zb-lsb)&^zb) & msb
}

// appendUnchecked appends s escaped by e, an unchecked escaper.
func appendUnchecked(b []byte, s string, e *escaper) []byte {
	if err := escapeInto(&b, s, e); err != nil {
		// an unchecked escaper stops at no byte (TestUncheckedEscapers),
		// and only such a byte can fail
		panic("xmlscan: an unchecked escaper failed: " + err.Error())
	}
	return b
}

// AppendTextValue appends s escaped as character data, as AppendText
// does, for writers that have checked that s holds only characters XML
// can carry: it checks nothing.
func AppendTextValue(b []byte, s string) []byte { return appendUnchecked(b, s, &textValueEscaper) }

// AppendAttrValue appends s escaped for a double-quoted attribute value,
// for writers whose output must read back to s exactly: &, <, >, " and
// the three white-space characters that attribute-value normalisation
// would change (TAB, LF, CR) become references. Unlike AppendAttr it
// also escapes '>' and checks nothing: the caller has checked that s
// holds only characters XML can carry.
func AppendAttrValue(b []byte, s string) []byte { return appendUnchecked(b, s, &attrValueEscaper) }

// AppendText appends s escaped as character data: &, <, > and CR become
// references. It fails on characters XML cannot carry, and then returns b
// as it was.
func AppendText(b []byte, s string) ([]byte, error) {
	err := textInto(&b, s)
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
func EscapeText(dst *[]byte, s string) error { return textInto(dst, s) }

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
// long value, a chunk at a time.
func escapeInto(dst *[]byte, s string, e *escaper) error {
	n := len(s)
	j0 := len(*dst)
	if cap(*dst)-j0 < max(n, shortValue)+wordRoom {
		*dst = slices.Grow(*dst, max(n, shortValue)+wordRoom)
	}
	if n > shortValue {
		return escapeSlow(dst, s, e, 0, j0)
	}
	// the mask's arguments in registers: the stores below could be to *e
	k := e.m
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
		if k.mask(x)&(1<<(8*n)-1) != 0 {
			return escapeSlow(dst, s, e, 0, j0)
		}
		binary.LittleEndian.PutUint64(o[:], x)
		*dst = (*dst)[:j0+n]
		return nil
	}
	i := 0
	for ; i < n-8; i += 8 {
		x := Load64(s, i)
		if k.mask(x) != 0 {
			return escapeSlow(dst, s, e, i, j0+i)
		}
		binary.LittleEndian.PutUint64(o[i&(shortValue-1):], x) // i < shortValue
	}
	// the last eight bytes, overlapping those stored when n is not a
	// multiple of eight
	x := Load64(s, n-8)
	if k.mask(x) != 0 {
		return escapeSlow(dst, s, e, i, j0+i)
	}
	binary.LittleEndian.PutUint64(o[(n-8)&(shortValue-1):], x) // n-8 < shortValue
	*dst = (*dst)[:j0+n]
	return nil
}

// textInto is escapeInto for character data, its mask on constants
// (textMask).
func textInto(dst *[]byte, s string) error {
	e := &textEscaper
	n := len(s)
	j0 := len(*dst)
	if cap(*dst)-j0 < max(n, shortValue)+wordRoom {
		*dst = slices.Grow(*dst, max(n, shortValue)+wordRoom)
	}
	if n > shortValue {
		return escapeSlow(dst, s, e, 0, j0)
	}
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
		if textMask(x)&(1<<(8*n)-1) != 0 {
			return escapeSlow(dst, s, e, 0, j0)
		}
		binary.LittleEndian.PutUint64(o[:], x)
		*dst = (*dst)[:j0+n]
		return nil
	}
	i := 0
	for ; i < n-8; i += 8 {
		x := Load64(s, i)
		if textMask(x) != 0 {
			return escapeSlow(dst, s, e, i, j0+i)
		}
		binary.LittleEndian.PutUint64(o[i&(shortValue-1):], x) // i < shortValue
	}
	// the last eight bytes, overlapping those stored when n is not a
	// multiple of eight
	x := Load64(s, n-8)
	if textMask(x) != 0 {
		return escapeSlow(dst, s, e, i, j0+i)
	}
	binary.LittleEndian.PutUint64(o[(n-8)&(shortValue-1):], x) // n-8 < shortValue
	*dst = (*dst)[:j0+n]
	return nil
}

// textMask is textEscaper's mask, written out on constants:
// '&' (0x26) XOR 0x06 is 0x20, so that one subtraction flags both it and
// the control characters, and '<' (0x3C) and '>' (0x3E) differ only in
// bit 1. Each term flags the first byte that matches exactly (a borrow,
// and so a false flag, comes only from a byte below that matched); bytes
// of 0x80 and above are flagged by x itself.
func textMask(x uint64) uint64 {
	k := &textMaskArgs
	return (((x ^ k.k1) + k.k2) | x | (((x | k.k3) ^ k.k4) + k.k5)) & k.msb
}

// textMaskArgs are textMask's constants, kept in memory: the compiler
// folds a load into the instruction that uses it, where a 64-bit
// constant takes an instruction of its own at every use.
var textMaskArgs = struct{ k1, k2, k3, k4, k5, msb uint64 }{
	0x06 * lsb, -0x21 * lsb & (1<<64 - 1), 0x02 * lsb, '>' * lsb, -lsb & (1<<64 - 1), msb,
}

// shortValue is the longest value escapeInto tries whole before it hands
// over to escapeSlow.
const shortValue = 128

// load32 reads four bytes of s at i, little-endian.
func load32(s string, i int) uint64 {
	t := s[i : i+4]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24
}

// escapeSlow continues escapeInto from s[i] and (*dst)[:cap][j]: the
// word loop of e escapes a chunk at a time while it can, and this loop
// takes one character at a time where it stops (a character e.tab leaves
// to copyRune, or the last bytes of s, fewer than eight) and grows the
// buffer.
func escapeSlow(dst *[]byte, s string, e *escaper, i, j int) error {
	n, j0 := len(s), len(*dst)
	for i < n {
		// From here cap(*dst)-j >= chunkRoom, room for the output of a
		// chunk, and so for a replacement or a rune.
		if cap(*dst)-j < chunkRoom {
			*dst = room((*dst)[:j], max(chunkRoom, n-i+wordRoom))[:j0]
		}
		buf := (*dst)[:cap(*dst)]
		if n-i >= 16 {
			t := s[i:min(i+chunkLen+8, n)] // words start below chunkLen
			o := (*[chunkRoom]byte)(buf[j : j+chunkRoom])
			var di, dj int
			var stopped bool
			if e == &textEscaper {
				di, dj, stopped = textChunk(o, t)
			} else {
				di, dj, stopped = e.chunk(o, t)
			}
			i, j = i+di, j+dj
			if !stopped {
				continue
			}
		}
		if v := e.tab[s[i]]; v&slowByte == 0 {
			binary.LittleEndian.PutUint64(buf[j:], v)
			i, j = i+1, j+1+int(v>>56)
			continue
		}
		// a character the word loop leaves to copyRune, and those after
		// it while they are too (a run of multi-byte characters) and the
		// room lasts
		for {
			var err error
			if i, j, err = copyRune(buf, s, i, j); err != nil {
				*dst = (*dst)[:j0]
				return err
			}
			if i == n || cap(buf)-j < chunkRoom || e.tab[s[i]]&slowByte == 0 {
				break
			}
		}
	}
	*dst = (*dst)[:j]
	return nil
}

// chunkLen is the most input a word loop takes at once, and outWin the
// size of the window of output it writes into: a power of two above the
// longest output of a chunk (every byte replaced by maxRep bytes), so
// that a store at an offset modulo outWin lands where it belongs.
// chunkRoom is the room the window needs, eight bytes more for the last
// store.
const (
	chunkLen  = 512
	outWin    = 4096
	chunkRoom = outWin + 8
)

// A chunk's output, with the input stored past a replacement, must fit
// the window: this does not compile when it would not.
const _ = uint(outWin - chunkLen*maxRep - 2*8)

// Each word loop escapes the words of t into o and returns the input it
// took, the output it wrote and whether it stopped early. A word is
// eight bytes of t read with the eight after it (so t's last eight bytes
// are never a word's first): the loop takes words while sixteen bytes
// remain, which is up to chunkLen bytes when the caller passes chunkLen+8,
// and stops early: for a checked escaper at the first byte of 0x80 and
// above, and at the start of a word holding a byte e.tab leaves to
// copyRune. Clean words are stored
// whole; in a word with bytes to replace, each flagged byte's replacement
// from e.tab (itself when the mask flagged a plain byte) is stored at its
// place, then the eight input bytes after it, which the next store
// overwrites from where the next replacement or word goes. The output
// offset runs ahead of the input offset by what the replacements added.
//
// textChunk is the loop for character data, with textMask.
func textChunk(o *[chunkRoom]byte, t string) (int, int, bool) {
	_ = o[0] // o is not nil: no check in the loop
	n, p := len(t), 0
	for len(t) >= 16 {
		u := t[:16]
		x := Load64(u, 0)
		m := textMask(x)
		binary.LittleEndian.PutUint64(o[p&(outWin-1):], x)
		if m != 0 {
			if x&msb != 0 {
				k := bits.TrailingZeros64(m) >> 3
				return n - len(t) + k, p + k, true
			}
			// q is where byte 0 of the word goes with the replacements
			// so far; slow gathers the table words, to see once whether
			// the word held a byte to stop at
			q, slow := p, uint64(0)
			for ; m != 0; m &= m - 1 {
				k := bits.TrailingZeros64(m) >> 3
				v := textEscaper.tab[u[k]]
				slow |= v
				binary.LittleEndian.PutUint64(o[(q+k)&(outWin-1):], v)
				q += int(v >> 56)
				binary.LittleEndian.PutUint64(o[(q+k+1)&(outWin-1):], Load64(u, k+1))
			}
			if slow&slowByte != 0 {
				// a control character XML cannot carry: the caller takes
				// the word a byte at a time and fails at it
				return n - len(t), p, true
			}
			p = q
		}
		p += 8
		t = t[8:]
	}
	return n - len(t), p, false
}

// chunk is the word loop for any escaper, with its mask; textChunk is
// the same for character data. An unchecked escaper (hi = 0) does not
// stop at bytes of 0x80 and above: they go through with their word.
func (e *escaper) chunk(o *[chunkRoom]byte, t string) (int, int, bool) {
	k := e.m
	tab := &e.tab
	_ = o[0]
	n, p := len(t), 0
	for len(t) >= 16 {
		u := t[:16]
		x := Load64(u, 0)
		m := k.mask(x)
		binary.LittleEndian.PutUint64(o[p&(outWin-1):], x)
		if m != 0 {
			if x&k.hi != 0 {
				c := bits.TrailingZeros64(m) >> 3
				return n - len(t) + c, p + c, true
			}
			q, slow := p, uint64(0)
			for ; m != 0; m &= m - 1 {
				c := bits.TrailingZeros64(m) >> 3
				v := tab[u[c]]
				slow |= v
				binary.LittleEndian.PutUint64(o[(q+c)&(outWin-1):], v)
				q += int(v >> 56)
				binary.LittleEndian.PutUint64(o[(q+c+1)&(outWin-1):], Load64(u, c+1))
			}
			if slow&slowByte != 0 {
				return n - len(t), p, true
			}
			p = q
		}
		p += 8
		t = t[8:]
	}
	return n - len(t), p, false
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
	if r == utf8.RuneError && size == 1 {
		// not U+FFFD, which XML carries: a byte that is no UTF-8
		return 0, fmt.Errorf("%w: invalid UTF-8 byte %#02x at byte %d", xmlerr.ErrInvalidChar, s[i], i)
	}
	if !IsXMLChar(r) {
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
