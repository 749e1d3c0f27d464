package xmlscan

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
)

func TestNameClasses(t *testing.T) {
	// what IsName, IsQName, LocalName and PrefixOf say of each input
	for in, want := range map[string]string{
		"a":                   "true true a ",
		"p:a":                 "true true a p",
		"_x-1.2":              "true true _x-1.2 ",
		"\u00e9t\u00e9\u00b7": "true true \u00e9t\u00e9\u00b7 ",
		":a":                  "true false a ",
		"a:":                  "true false  a",
		"a:b:c":               "true false b:c a",
		"1a":                  "false false 1a ",
		"-a":                  "false false -a ",
		"":                    "false false  ",
		"a b":                 "false false a b ",
		"a\xff":               "false false a\xff ",
		"a\uFFFD":             "true true a\uFFFD ",
	} {
		if got := fmt.Sprintf("%v %v %s %s", IsName(in), IsQName(in), LocalName(in), PrefixOf(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if !IsNameStartByte('a') || !IsNameStartByte(':') || IsNameStartByte('1') || IsNameStartByte(0x80) {
		t.Error("IsNameStartByte")
	}
	if (Tag{Name: "p:abc", LStart: 2}).Local() != "abc" {
		t.Error("Tag.Local")
	}
}

func TestSpaceAndText(t *testing.T) {
	if !IsAllSpace(" \t\r\n") || IsAllSpace(" x ") || !IsAllSpace("") {
		t.Error("IsAllSpace")
	}
	if got := TrimSpace("\t a b \r\n"); got != "a b" {
		t.Errorf("TrimSpace = %q", got)
	}
	if got := TrimSpace(" \u00a0 "); got != "\u00a0" {
		t.Errorf("TrimSpace trims NBSP, which is not XML white space: %q", got)
	}
	for s, want := range map[string]bool{
		"ok \t\r\n\u00e9\U0001F600": true, "": true,
		"\x00": false, "\x1f": false, "\xff": false, "\uFFFE": false, "\xed\xa0\x80": false,
	} {
		if got := ValidText(s); got != want {
			t.Errorf("ValidText(%q) = %v", s, got)
		}
	}
	for _, c := range []struct {
		b byte
		v int
	}{{'0', 0}, {'9', 9}, {'a', 10}, {'F', 15}, {'g', -1}, {' ', -1}} {
		if got := Unhex(c.b); got != c.v {
			t.Errorf("Unhex(%q) = %d", c.b, got)
		}
	}
}

func TestPositions(t *testing.T) {
	for _, tc := range []struct {
		s         string
		line, col int
	}{
		{"", 1, 1},
		{"abc", 1, 4},
		{"a\nbc", 2, 3},
		{"a\r\nbc", 2, 3},
		{"a\rbc", 2, 3},
		{"a\r\r\nb\n", 4, 1},
	} {
		if l, c := Advance(1, 1, tc.s); l != tc.line || c != tc.col {
			t.Errorf("Advance(%q) = %d:%d, want %d:%d", tc.s, l, c, tc.line, tc.col)
		}
	}
	// Advance composes: the position after a+b is that after b from a's
	if l, c := Advance(3, 7, "xy"); l != 3 || c != 9 {
		t.Errorf("Advance from 3:7 = %d:%d", l, c)
	}
	if l, c := LineCol("ab\ncd", 4); l != 2 || c != 2 {
		t.Errorf("LineCol = %d:%d", l, c)
	}
	if l, c := LineCol("ab", 99); l != 1 || c != 3 {
		t.Errorf("LineCol past the end = %d:%d", l, c)
	}
	for in, want := range map[string]string{"a\r\nb\rc\n": "a\nb\nc\n", "none": "none", "\r\r\n": "\n\n"} {
		if got := NormalizeEOL(in); got != want {
			t.Errorf("NormalizeEOL(%q) = %q", in, got)
		}
	}
}

func TestCause(t *testing.T) {
	type want struct {
		is   error
		text string
	}
	for _, c := range []struct {
		k    Kind
		msg  string
		want want
	}{
		{EOF, "", want{io.ErrUnexpectedEOF, ""}},
		{EOF, "", want{xmlerr.ErrSyntax, ""}},
		{DOCTYPE, "", want{xmlerr.ErrDOCTYPE, ""}},
		{UndeclaredPrefix, "p", want{xmlerr.ErrNamespace, "undeclared prefix p"}},
		{Prefix, "m", want{xmlerr.ErrNamespace, ": m"}},
		{BadQName, "m", want{xmlerr.ErrNamespace, ": m"}},
		{DuplicateAttr, "x", want{xmlerr.ErrDuplicateAttr, ": x"}},
		{InvalidChar, "U+0001", want{xmlerr.ErrInvalidChar, "U+0001"}},
		{Encoding, "invalid UTF-8", want{xmlerr.ErrEncoding, "invalid UTF-8"}},
		{Entity, "&x;", want{xmlerr.ErrEntity, "&x;"}},
		{Syntax, "m", want{xmlerr.ErrSyntax, ": m"}},
		{Syntax, "", want{xmlerr.ErrSyntax, ""}},
	} {
		if err := Cause(c.k, c.msg); !errors.Is(err, c.want.is) || !strings.Contains(err.Error(), c.want.text) {
			t.Errorf("Cause(%d, %q) = %v, want %v", c.k, c.msg, err, c.want)
		}
	}
}

// TestEscapeInPlace: EscapeText and EscapeCDATA append to the buffer they
// are given, as AppendText and AppendCDATA return, and leave it as it
// was on an error.
func TestEscapeInPlace(t *testing.T) {
	b := []byte("pre")
	if err := EscapeText(&b, "a<b"); err != nil || string(b) != "prea&lt;b" {
		t.Errorf("EscapeText: %q, %v", b, err)
	}
	if err := EscapeCDATA(&b, "]]>"); err != nil || string(b) != "prea&lt;b<![CDATA[]]]]><![CDATA[>]]>" {
		t.Errorf("EscapeCDATA: %q, %v", b, err)
	}
	n := len(b)
	if err := EscapeText(&b, "x\x00"); err == nil || len(b) != n {
		t.Errorf("EscapeText of NUL: %q, %v", b, err)
	}
	if err := EscapeCDATA(&b, "x\x00"); err == nil || len(b) != n {
		t.Errorf("EscapeCDATA of NUL: %q, %v", b, err)
	}
}
