package xmlscan

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// validTextRef is ValidText one rune at a time, as XML defines it.
func validTextRef(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || !IsXMLChar(r) {
			return false
		}
		i += n
	}
	return true
}

// ValidText agrees with a rune-by-rune check on long runs of printable
// ASCII (which it skips a word at a time) with one other character put at
// every offset, and on random strings of bytes that XML text may or may
// not hold.
func TestValidTextAgrees(t *testing.T) {
	odd := []string{"\x00", "\x01", "\t", "\n", "\r", "\x1f", "\x7f", "\x80", "\xff", "é", "\uFFFE", "\uFFFD", "\xed\xa0\x80", "\U0001F600", "\xf0\x9f"}
	for n := range 40 {
		for at := 0; at <= n; at++ {
			for _, o := range odd {
				s := strings.Repeat("a", at) + o + strings.Repeat("b", n-at)
				if got, want := ValidText(s), validTextRef(s); got != want {
					t.Fatalf("ValidText(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	parts := append(odd, "abcdefgh", "x", " <>&'\"", "0123456789012345")
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		if got, want := ValidText(s), validTextRef(s); got != want {
			t.Fatalf("ValidText(%q) = %v, want %v", s, got, want)
		}
	}
}
