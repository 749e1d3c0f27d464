package plain

import (
	"strings"
	"testing"
)

func slow(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E || strings.IndexByte(`&<>"`, c) >= 0 {
			return false
		}
	}
	return true
}

// TestEveryByteEveryPlace: each of the 256 byte values at each place of
// values of 1 to 24 bytes (inside and after the 8-byte words), among
// plain bytes and next to the bytes that border the plain range.
func TestEveryByteEveryPlace(t *testing.T) {
	for _, fill := range []byte{'a', ' ', '~', '!', '=', '?', '%', '\'', '#'} {
		for n := 1; n <= 24; n++ {
			for at := range n {
				for c := range 256 {
					b := []byte(strings.Repeat(string(fill), n))
					b[at] = byte(c)
					if got, want := String(string(b)), slow(string(b)); got != want {
						t.Fatalf("%q: %v, want %v", b, got, want)
					}
				}
			}
		}
	}
	if !String("") || !String(strings.Repeat("MIIBase64+/=", 100)) {
		t.Error("plain values refused")
	}
}

// FuzzString compares with the byte-at-a-time test.
func FuzzString(f *testing.F) {
	f.Add("Subject=CN%3Dx&Stores=My%5CUser")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := String(s), slow(s); got != want {
			t.Fatalf("%q: %v, want %v", s, got, want)
		}
	})
}
