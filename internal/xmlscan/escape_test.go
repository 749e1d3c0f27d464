package xmlscan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlerr"
)

// refEscape is the escaping rule spelled out one character at a time: the
// reference the word-at-a-time writers are compared with.
func refEscape(s string, attr, cdata bool) (string, bool) {
	var b strings.Builder
	if cdata {
		b.WriteString("<![CDATA[")
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !IsXMLChar(r) {
			return "", false
		}
		switch {
		case cdata && r == '\r':
			b.WriteString("]]>&#xD;<![CDATA[")
		case cdata && strings.HasPrefix(s[i:], "]]>"):
			b.WriteString("]]]]><![CDATA[>")
			n = 3
		case cdata:
			b.WriteString(s[i : i+n])
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '>' && !attr:
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\t' && attr:
			b.WriteString("&#x9;")
		case r == '\n' && attr:
			b.WriteString("&#xA;")
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if cdata {
		b.WriteString("]]>")
	}
	return b.String(), true
}

// escapeSamples are strings with every kind of special byte at every
// offset a word-at-a-time loop can see it: ASCII that is escaped, control
// characters, invalid UTF-8, surrogates, non-characters and runes that
// XML can carry, alone and in runs, around "]]>".
func escapeSamples() []string {
	pieces := []string{"&", "<", ">", `"`, "'", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "]", "]]>", "]]", "]>",
		"é", "€", "\U0001F600", "\uFFFD", "\uFFFE", "\uFFFF", "\xed\xa0\x80", "\xc3", "\xc3(", "\xf4\x90\x80\x80",
		"\x80", "\xff", "\ufeff", "\u0085", "\u2028"}
	var out []string
	for n := 0; n <= 33; n++ {
		for pos := 0; pos <= n; pos++ {
			for _, p := range pieces {
				out = append(out, strings.Repeat("a", pos)+p+strings.Repeat("b", n-pos))
			}
		}
	}
	// values longer than the short path takes whole, so that the word
	// loops see every piece at every offset of a word and near the end
	for _, n := range []int{shortValue + 1, shortValue + 7, shortValue + 16, shortValue + 24} {
		for pos := 0; pos <= n; pos++ {
			for _, p := range pieces {
				out = append(out, strings.Repeat("a", pos)+p+strings.Repeat("b", n-pos))
			}
		}
	}
	// long values: chunks of the word loops, and output that outgrows the
	// room taken at the start (every byte replaced)
	for _, p := range []string{"&", "\"", "\r", "a<b>c&d\"e\rf", "é&", "\t\n", "]]>"} {
		out = append(out, strings.Repeat(p, 3*chunkLen))
	}
	for n := chunkLen - 12; n <= chunkLen+12; n++ {
		for _, p := range pieces {
			out = append(out, strings.Repeat("a", n)+p+strings.Repeat("<", 300)+p+strings.Repeat("b", n))
		}
	}
	r := rand.New(rand.NewSource(9))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for b.Len() < r.Intn(200) {
			if r.Intn(4) == 0 {
				b.WriteString(pieces[r.Intn(len(pieces))])
			} else {
				b.WriteString(strings.Repeat("x", r.Intn(20)))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestEscapeAgainstReference compares AppendText, AppendAttr and
// AppendCDATA with refEscape on every sample, appended to buffers with and
// without room, and checks that a refused value leaves dst as it was.
func TestEscapeAgainstReference(t *testing.T) {
	for _, tc := range []struct {
		name        string
		attr, cdata bool
		f           func([]byte, string) ([]byte, error)
	}{
		{"text", false, false, AppendText},
		{"attr", true, false, AppendAttr},
		{"cdata", false, true, AppendCDATA},
	} {
		for _, s := range escapeSamples() {
			want, ok := refEscape(s, tc.attr, tc.cdata)
			for _, dst := range [][]byte{nil, []byte("pre"), make([]byte, 2, len(s)+3), make([]byte, 1, 4*len(s)+64)} {
				orig := string(dst)
				got, err := tc.f(dst, s)
				if !ok {
					if !errors.Is(err, xmlerr.ErrInvalidChar) {
						t.Fatalf("%s(%q): err = %v, want ErrInvalidChar", tc.name, s, err)
					}
					if string(got) != orig {
						t.Fatalf("%s(%q): refused, but dst changed from %q to %q", tc.name, s, orig, got)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s(%q): %v", tc.name, s, err)
				}
				if !bytes.Equal(got, []byte(orig+want)) {
					t.Fatalf("%s(%q) = %q, want %q", tc.name, s, got[len(orig):], want)
				}
			}
		}
	}
}

// refUnchecked is the rule of AppendTextValue and AppendAttrValue, one
// byte at a time: only the bytes they replace change, whatever the rest.
func refUnchecked(s string, attr bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '\r':
			b.WriteString("&#xD;")
		case c == '"' && attr:
			b.WriteString("&quot;")
		case c == '\t' && attr:
			b.WriteString("&#x9;")
		case c == '\n' && attr:
			b.WriteString("&#xA;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestUncheckedEscapers compares AppendTextValue and AppendAttrValue with
// refUnchecked on every sample (those XML cannot carry too), and checks
// that their escapers stop at no byte, so that they cannot fail.
func TestUncheckedEscapers(t *testing.T) {
	for _, e := range []*escaper{&textValueEscaper, &attrValueEscaper} {
		for c, v := range e.tab {
			if v&slowByte != 0 {
				t.Fatalf("an unchecked escaper stops at byte %#x", c)
			}
		}
	}
	for _, s := range escapeSamples() {
		for _, dst := range [][]byte{nil, make([]byte, 1, 4*len(s)+64)} {
			orig := string(dst)
			if got, want := string(AppendTextValue(dst, s)), orig+refUnchecked(s, false); got != want {
				t.Fatalf("AppendTextValue(%q) = %q, want %q", s, got, want)
			}
			if got, want := string(AppendAttrValue(dst, s)), orig+refUnchecked(s, true); got != want {
				t.Fatalf("AppendAttrValue(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

// TestAppendAttrValue: encoding/xml reads AppendAttrValue's output back
// unchanged, attribute-value normalisation included.
func TestAppendAttrValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`a&b<c>d"e`, "a&amp;b&lt;c&gt;d&quot;e"},
		{"t\tl\nc\r", "t&#x9;l&#xA;c&#xD;"},
		{"'é'", "'é'"},
		{strings.Repeat(`<>&"`, 100) + "é", strings.Repeat("&lt;&gt;&amp;&quot;", 100) + "é"},
	}
	for _, tt := range tests {
		got := string(AppendAttrValue([]byte("x"), tt.in))
		if got != "x"+tt.want {
			t.Errorf("AppendAttrValue(%q) = %q, want %q", tt.in, got, "x"+tt.want)
		}
		var v struct {
			A string `xml:"a,attr"`
		}
		if err := xml.Unmarshal([]byte(`<e a="`+tt.want+`"/>`), &v); err != nil || v.A != tt.in {
			t.Errorf("%q read back as %q, %v", tt.in, v.A, err)
		}
	}
}

// FuzzEscape compares AppendText, AppendAttr and AppendCDATA with
// refEscape, and AppendTextValue and AppendAttrValue with refUnchecked,
// on arbitrary strings, appended after a prefix.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a&b", "<<<<>>>>&&&&\"\"\"\"", "abcdefgh\r\n\t]]>é\x00", "0123456&<é"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, pre int) {
		pre = pre & 63
		for _, tc := range []struct {
			attr, cdata bool
			f           func([]byte, string) ([]byte, error)
		}{{false, false, AppendText}, {true, false, AppendAttr}, {false, true, AppendCDATA}} {
			want, ok := refEscape(s, tc.attr, tc.cdata)
			dst := make([]byte, pre, pre+len(s)/2)
			got, err := tc.f(dst, s)
			if ok != (err == nil) || ok && string(got[pre:]) != want || !ok && len(got) != pre {
				t.Fatalf("attr=%v cdata=%v %q: got %q, %v; want %q, %v", tc.attr, tc.cdata, s, got, err, want, ok)
			}
		}
		for _, attr := range []bool{false, true} {
			f := AppendTextValue
			if attr {
				f = AppendAttrValue
			}
			if got, want := string(f(make([]byte, pre, pre+len(s)/2), s)[pre:]), refUnchecked(s, attr); got != want {
				t.Fatalf("unchecked attr=%v %q: got %q, want %q", attr, s, got, want)
			}
		}
	})
}

// TestEscapeNamesBadBytes: a byte that is not UTF-8 is reported as that
// byte, not as U+FFFD (which XML carries), in text, attributes and CDATA.
func TestEscapeNamesBadBytes(t *testing.T) {
	for _, s := range []string{"a\xffb", "a\xc3", "ab\xed\xa0\x80"} {
		for name, esc := range map[string]func([]byte, string) ([]byte, error){
			"text": AppendText, "attr": AppendAttr, "cdata": AppendCDATA,
		} {
			_, err := esc(nil, s)
			if !errors.Is(err, xmlerr.ErrInvalidChar) {
				t.Fatalf("%s %q: %v, want ErrInvalidChar", name, s, err)
			}
			i := strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError })
			want := fmt.Sprintf("invalid UTF-8 byte %#02x at byte %d", s[i], i)
			if !strings.HasSuffix(err.Error(), want) {
				t.Errorf("%s %q: %v, want it to end %q", name, s, err, want)
			}
		}
	}
	// U+FFFD itself is a character like any other
	if _, err := AppendText(nil, "\uFFFD"); err != nil {
		t.Errorf("U+FFFD: %v", err)
	}
}
