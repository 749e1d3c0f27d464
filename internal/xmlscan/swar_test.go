package xmlscan

import (
	"math/bits"
	"math/rand"
	"strings"
	"testing"
)

// TestSkipPlain checks that the word-at-a-time skip never passes a byte
// the byte loops must see, for every position of every special byte.
func TestSkipPlain(t *testing.T) {
	specials := []byte{0, 0x1f, '\t', '\n', '\r', 0x80, 0xff, '&', '<', '>'}
	a, b, c := Broadcast('&'), Broadcast('>'), Broadcast(0x02) // the text context's arguments
	isSpecial := func(x byte) bool { return x < 0x20 || x >= 0x80 || x == '&' || x == '<' || x == '>' }
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 40; n++ {
		for pos := 0; pos < n; pos++ {
			for _, sp := range specials {
				buf := make([]byte, n)
				for i := range buf {
					buf[i] = byte(0x20 + r.Intn(0x5f)) // printable ASCII
					if isSpecial(buf[i]) {
						buf[i] = 'x'
					}
				}
				buf[pos] = sp
				s := string(buf)
				for start := 0; start <= n; start++ {
					got := SkipPlain(s, start, a, b, c)
					if got < start || got > n {
						t.Fatalf("SkipPlain(%q, %d) = %d", s, start, got)
					}
					if start <= pos && got > pos {
						t.Fatalf("SkipPlain(%q, %d) = %d skips the special byte at %d", s, start, got, pos)
					}
				}
			}
		}
	}
}

// TestSkipPlainContexts: each context's arguments stop at exactly its own
// special bytes (a word holding no special is always skipped).
func TestSkipPlainContexts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		skip     func(s string) int
		specials string
	}{
		{"text", escSkip(&textEscaper), "&<>"},
		{"attr", escSkip(&attrEscaper), "&<\""},
		{"text value", escSkip(&textValueEscaper), "&<>"},
		{"attr value", escSkip(&attrValueEscaper), "&<>\""},
		{"chardata", func(s string) int { return SkipPlain3(s, 0, Broadcast('<'), Broadcast('&'), Broadcast(']')) }, "<&]"},
	} {
		for c := 0x20; c < 0x7f; c++ {
			word := string([]byte{'a', 'a', 'a', byte(c), 'a', 'a', 'a', 'a'})
			special := strings.IndexByte(tc.specials, byte(c)) >= 0
			if got := tc.skip(word); (got <= 3) != special || !special && got != 8 {
				t.Errorf("%s: byte %q: skip = %d, special %v", tc.name, rune(c), got, special)
			}
		}
	}
}

// escSkip skips the first word of s when e's mask flags none of its bytes,
// or else up to the first byte it flags.
func escSkip(e *escaper) func(string) int {
	return func(s string) int {
		if m := e.m.mask(Load64(s, 0)); m != 0 {
			return bits.TrailingZeros64(m) >> 3
		}
		return 8
	}
}

// TestNonLetters checks nonLetters against the byte test for every byte
// value at every position of a word, the other bytes letters or not.
func TestNonLetters(t *testing.T) {
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for _, fill := range []byte{'a', 'Z', 0xff, '@', '{', 0} {
		for pos := 0; pos < 8; pos++ {
			for v := 0; v < 256; v++ {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(v)
				m := nonLetters(Load64(string(w[:]), 0))
				for i, c := range w {
					if got := m>>(8*i+7)&1 == 1; got != !isLetter(c) {
						t.Fatalf("word %q: byte %d (%#x) flagged %v", w, i, c, got)
					}
				}
			}
		}
	}
}

// TestSkipPlain3Exact checks that SkipPlain3 passes only plain bytes and
// stops either at the first special byte or where less than a word is
// left.
func TestSkipPlain3Exact(t *testing.T) {
	isSpecial := func(x byte) bool { return x < 0x20 || x >= 0x80 || x == '<' || x == '&' || x == ']' }
	bytesFrom := []byte{'a', 'Z', '1', ' ', '>', '=', 0, 0x1f, '\n', 0x80, 0xc3, 0xff, '<', '&', ']', '\\', '|'}
	r := rand.New(rand.NewSource(2))
	for n := 0; n < 3000; n++ {
		buf := make([]byte, r.Intn(40))
		for i := range buf {
			buf[i] = 'x'
			if r.Intn(6) == 0 {
				buf[i] = bytesFrom[r.Intn(len(bytesFrom))]
			}
		}
		s := string(buf)
		for start := 0; start <= len(s); start++ {
			got := SkipPlain3(s, start, Broadcast('<'), Broadcast('&'), Broadcast(']'))
			for j := start; j < got; j++ {
				if isSpecial(s[j]) {
					t.Fatalf("%q from %d: skipped special byte at %d (stopped at %d)", s, start, j, got)
				}
			}
			if got < len(s) && !isSpecial(s[got]) && got+8 <= len(s) {
				t.Fatalf("%q from %d: stopped at plain byte %d with a word left", s, start, got)
			}
		}
	}
}

// TestSkipSpace compares SkipSpace with a byte loop on every start offset
// of strings built from white space (spaces in runs long enough to fill
// words) and the bytes next to it in value, so that no word boundary,
// run length or near-miss byte goes untried.
func TestSkipSpace(t *testing.T) {
	ref := func(s string, i int) int {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		return i
	}
	pieces := []string{" ", "  ", strings.Repeat(" ", 7), strings.Repeat(" ", 8), strings.Repeat(" ", 9),
		strings.Repeat(" ", 17), "\t", "\n", "\r\n", "\x00", "\x1f", "!", "\xa0", "<", "x", "\x0b", "\x0c"}
	r := rand.New(rand.NewSource(2))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := r.Intn(8); k >= 0; k-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		for i := 0; i <= len(s); i++ {
			if got, want := SkipSpace(s, i), ref(s, i); got != want {
				t.Fatalf("SkipSpace(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
		if got, want := IsAllSpace(s), ref(s, 0) == len(s); got != want {
			t.Fatalf("IsAllSpace(%q) = %v, want %v", s, got, want)
		}
	}
}
