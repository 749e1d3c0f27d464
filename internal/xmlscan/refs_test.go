package xmlscan

import (
	"testing"
	"unicode/utf8"
)

// TestRef checks that Ref accepts exactly the references the scanner's
// own reader (ref) accepts, with the same character and end, on the
// predefined entities, character references of each form, and malformed
// or refused variants, each followed by more text or by nothing.
func TestRef(t *testing.T) {
	for _, in := range []string{
		"&lt;", "&gt;", "&amp;", "&quot;", "&apos;",
		"&#65;", "&#x41;", "&#X41;", "&#xe9;", "&#xE9;", "&#233;", "&#0000065;", "&#x0041;", "&#x1F600;", "&#128512;",
		"&#x10FFFF;", "&#x110000;", "&#1114112;", "&#99999999999;", "&#xFFFFFFFFFF;",
		"&#9;", "&#10;", "&#13;", "&#0;", "&#1;", "&#xD800;", "&#xFFFE;", "&#xFFFD;", "&#x20;",
		"&#;", "&#x;", "&#", "&#x", "&#65", "&#6a;", "&#x4g;", "&#-1;", "&# 65;",
		"&", "&;", "&l", "&lt", "&lt ;", "&LT;", "&nbsp;", "&ampx;", "&amp", "&quo;", "&apos", "&a;", "&x:y;", "&1;",
	} {
		for _, tail := range []string{"", "x", "<"} {
			s := in + tail
			var sc Scanner
			sc.Init(s, testLimits, testErrs{})
			end, err := sc.ref(0)
			want, wantEnd := rune(0), 0
			if err == nil {
				r, n := utf8.DecodeRune(sc.buf)
				if n != len(sc.buf) {
					t.Fatalf("%q: ref appended %q", s, sc.buf)
				}
				want, wantEnd = r, end
			}
			if r, got := Ref(s, 0); r != want || got != wantEnd {
				t.Errorf("Ref(%q) = %q, %d; the scanner reads %q, %d (%v)", s, r, got, want, wantEnd, err)
			}
			// at an offset
			if r, got := Ref("ab"+s, 2); r != want || (err == nil && got != wantEnd+2) || (err != nil && got != 2) {
				t.Errorf("Ref(%q, 2) = %q, %d", "ab"+s, r, got)
			}
		}
	}
}

// TestRefError: RefError words a refused reference as the scanner does.
func TestRefError(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		msg  string
	}{
		{"a&#xD800;", InvalidChar, "character reference &#xD800;"},
		{"a&#0;b", InvalidChar, "character reference &#0;"},
		{"a&#99999999;", InvalidChar, "character reference &#99999999; out of range"},
		{"a&#;", Syntax, "empty character reference"},
		{"a&#12a;", Syntax, "invalid character reference &#12a;"},
		{"a&nbsp;", Entity, "&nbsp;"},
		{"a& b;", Syntax, "'&' does not start a reference"},
		{"a&#12", EOF, ""},
		{"a&amp;", Syntax, ""},
	} {
		if k, msg := RefError(tc.in, 1); k != tc.kind || msg != tc.msg {
			t.Errorf("RefError(%q) = %d %q, want %d %q", tc.in, k, msg, tc.kind, tc.msg)
		}
	}
}
