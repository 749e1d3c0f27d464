package utf8cut

import (
	"testing"
	"unicode/utf8"
)

func TestPrefix(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 0, ""},
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abc", 2, "ab"},
		{"abc", 0, ""},
		{"aé", 2, "a"},   // é is 2 bytes: not split
		{"aé", 3, "aé"},  // whole
		{"a€b", 3, "a"},  // € is 3 bytes
		{"a€b", 4, "a€"}, // whole €
		{"€", 2, ""},     // no character fits
		{"a\xffb", 2, "a\xff"},
	} {
		got := Prefix(c.s, c.n)
		if got != c.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if utf8.ValidString(c.s) && !utf8.ValidString(got) {
			t.Errorf("Prefix(%q, %d) = %q splits a character", c.s, c.n, got)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 4, `""`},
		{"ab\n", 3, `"ab\n"`},
		{"abcde", 4, `"abcd"… (5 bytes)`},
		{"aéé", 4, `"aé"… (5 bytes)`}, // not split
	} {
		if got := Quote(c.s, c.n); got != c.want {
			t.Errorf("Quote(%q, %d) = %s, want %s", c.s, c.n, got, c.want)
		}
	}
}

func TestMiddle(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 4, ""},
		{"abcd", 4, "abcd"},
		{"abcdefgh", 4, "ab…(4 bytes)…gh"},
		{"aébcdeé", 4, "a…(6 bytes)…é"}, // neither end splits a character
		{"/a/b/c/d/e/f/last", 10, "/a/b/…(7 bytes)…/last"},
	} {
		got := Middle(c.s, c.n)
		if got != c.want {
			t.Errorf("Middle(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Middle(%q, %d) = %q splits a character", c.s, c.n, got)
		}
	}
}
