package b64

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// pairs maps 12 bits to their two characters, the first in the low byte.
var pairs = func() (t [4096]uint16) {
	for v := range t {
		t[v] = uint16(alphabet[v>>6]) | uint16(alphabet[v&63])<<8
	}
	return t
}()

// EncodedLen is the length of n bytes in base64.
func EncodedLen(n int) int { return base64.StdEncoding.EncodedLen(n) }

// AppendEncode appends src in base64 to dst, as
// base64.StdEncoding.AppendEncode does.
func AppendEncode(dst, src []byte) []byte {
	n := EncodedLen(len(src))
	dst = slices.Grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	// fourteen bytes are read, twelve encoded, in two independent words
	for len(src) >= 14 && len(out) >= 16 {
		x := binary.BigEndian.Uint64(src)
		y := binary.BigEndian.Uint64(src[6:])
		binary.LittleEndian.PutUint64(out, uint64(pairs[x>>52])|uint64(pairs[x>>40&0xFFF])<<16|
			uint64(pairs[x>>28&0xFFF])<<32|uint64(pairs[x>>16&0xFFF])<<48)
		binary.LittleEndian.PutUint64(out[8:], uint64(pairs[y>>52])|uint64(pairs[y>>40&0xFFF])<<16|
			uint64(pairs[y>>28&0xFFF])<<32|uint64(pairs[y>>16&0xFFF])<<48)
		src, out = src[12:], out[16:]
	}
	// eight bytes are read, six encoded
	for len(src) >= 8 && len(out) >= 8 {
		x := binary.BigEndian.Uint64(src)
		binary.LittleEndian.PutUint64(out, uint64(pairs[x>>52])|uint64(pairs[x>>40&0xFFF])<<16|
			uint64(pairs[x>>28&0xFFF])<<32|uint64(pairs[x>>16&0xFFF])<<48)
		src, out = src[6:], out[8:]
	}
	base64.StdEncoding.Encode(out, src)
	return dst[:len(dst)+n]
}

// EncodeToString returns src in base64.
func EncodeToString(src []byte) string {
	return string(AppendEncode(make([]byte, 0, EncodedLen(len(src))), src))
}
