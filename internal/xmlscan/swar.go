package xmlscan

import "math/bits"

// Word-at-a-time scanning: SkipPlain advances over eight bytes at a time
// while none of them is a control character, a non-ASCII byte, or one of
// three given ASCII bytes. The byte loops that follow it handle the word
// it stops at exactly; a false alarm (the borrow trick can flag a byte
// next to a true hit) only stops the skipping early.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// Broadcast repeats c in every byte of a word.
func Broadcast(c byte) uint64 { return lsb * uint64(c) }

// Load64 reads eight bytes of s at i, little-endian. Slicing first
// leaves one bounds check, and the compiler merges the byte loads into
// one load.
func Load64(s string, i int) uint64 {
	t := s[i : i+8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// SkipPlain returns the first i' >= i at which a word may hold a byte
// below 0x20, a byte of 0x80 or above, or one of the bytes given as
// broadcasts: b after OR-ing each byte with fold (so one test can cover
// two bytes that differ in the fold bit, such as '<' and '>'), and a.
func SkipPlain(s string, i int, a, b, fold uint64) int {
	for i+8 <= len(s) && PlainWord(Load64(s, i), a, b, fold) {
		i += 8
	}
	return i
}

// PlainWord reports whether none of the eight bytes of x is special in
// the sense of SkipPlain.
func PlainWord(x, a, b, fold uint64) bool { return SpecialMask(x, a, b, fold) == 0 }

// SpecialMask returns the high bit of each byte of x (x as Load64 reads
// it) that may be special in the sense of SkipPlain. The lowest bit set
// marks the first special byte exactly: a false alarm needs a borrow from
// a special byte below it, so bits.TrailingZeros64(m)/8 is the number of
// plain bytes before the first special one.
func SpecialMask(x, a, b, fold uint64) uint64 {
	low := (x - Broadcast(0x20)) &^ x
	za, zb := x^a, (x|fold)^b
	return (low | x | (za-lsb)&^za | (zb-lsb)&^zb) & msb
}

// SkipPlain3 is SkipPlain for three ASCII bytes with nothing in common, except
// that when it stops at a word that holds a special byte it returns the
// offset of the first one (the lowest flagged byte is never a false
// alarm), so that short runs cost no byte loop.
func SkipPlain3(s string, i int, a, b, c uint64) int {
	for ; uint(i) < uint(len(s)) && i <= len(s)-8; i += 8 {
		x := Load64(s, i)
		// x flags the bytes of 0x80 and above; below them, the high bit
		// of a byte minus 0x20, or minus 1 after XOR-ing a, b or c (all
		// ASCII), is set only for a byte below 0x20 or equal to a, b or
		// c, or above one of those (a borrow): the &^ x of the usual
		// zero-byte test adds nothing
		if m := (x | (x - Broadcast(0x20)) | ((x ^ a) - lsb) | ((x ^ b) - lsb) | ((x ^ c) - lsb)) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	return i
}

// spaces8 is a word of eight ASCII spaces.
const spaces8 = lsb * ' '

// SkipSpace returns the offset of the first byte at or after i that is
// not XML white space. Runs of spaces (indentation) are read a word at a
// time: a word of eight spaces is skipped whole, and in any other word the
// spaces before its first other byte are; that byte, and every byte of
// the last seven, is looked up one at a time.
func SkipSpace(s string, i int) int {
	for uint(i) < uint(len(s)) && i <= len(s)-8 {
		x := Load64(s, i) ^ spaces8
		if x == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(x) >> 3 // the spaces before a byte that is not one
		if byteClass[s[i]]&clSpace == 0 {
			return i
		}
		i++
	}
	for i < len(s) && byteClass[s[i]]&clSpace != 0 {
		i++
	}
	return i
}
