package xmlcharset_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlerr"
)

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16BE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func TestDeclaredEncoding(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<?xml version="1.0" encoding="UTF-8"?><a/>`, "UTF-8"},
		{`<?xml version='1.0' encoding = 'iso-8859-1' ?>`, "iso-8859-1"},
		{"<?xml version=\"1.0\"\n\tencoding\r\n=\n\"windows-1252\"?>", "windows-1252"},
		{`<?xml version="1.0"?><a encoding="x"/>`, ""},
		{`<?xml version="1.0" encoding=UTF-8?>`, ""},
		{`<?xml version="1.0" encoding="UTF-8`, ""},
		{`<a/>`, ""},
		{` <?xml version="1.0" encoding="UTF-8"?>`, ""},
		{`<?xml-stylesheet href="a" encoding="iso-8859-1"?><a/>`, ""},
		{`<?xmlx encoding="iso-8859-1"?><a/>`, ""},
		{"<?xml\tencoding='latin1'?>", "latin1"},
		{``, ""},
	} {
		if got := xmlcharset.DeclaredEncoding([]byte(c.in)); got != c.want {
			t.Errorf("DeclaredEncoding(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSniff(t *testing.T) {
	long := `<?xml version="1.0"` + strings.Repeat(" ", xmlcharset.HeadBytes) + `?>`
	for _, c := range []struct {
		name string
		in   []byte
		want xmlcharset.Source
		err  error
	}{
		{"none", []byte(`<a/>`), xmlcharset.Source{}, nil},
		{"UTF-8 BOM", []byte("\xEF\xBB\xBF<a/>"), xmlcharset.Source{Skip: 3}, nil},
		{"UTF-16LE BOM", utf16LE("<a/>", true), xmlcharset.Source{Skip: 2, Label: "utf-16le"}, nil},
		{"UTF-16BE BOM", utf16BE("<a/>", true), xmlcharset.Source{Skip: 2, Label: "utf-16be"}, nil},
		{"UTF-16LE bare", utf16LE("<a/>", false), xmlcharset.Source{Label: "utf-16le"}, nil},
		{"UTF-16BE bare", utf16BE("<a/>", false), xmlcharset.Source{Label: "utf-16be"}, nil},
		{"declared UTF-8", []byte(`<?xml version="1.0" encoding="utf-8"?><a/>`), xmlcharset.Source{}, nil},
		{"declared UTF-16 on UTF-8 bytes", []byte(`<?xml version="1.0" encoding="UTF-16"?><a/>`), xmlcharset.Source{}, nil},
		{"declared Latin-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`), xmlcharset.Source{Label: "ISO-8859-1"}, nil},
		{"declared Shift_JIS", []byte(`<?xml version="1.0" encoding="Shift_JIS"?><a/>`), xmlcharset.Source{Label: "Shift_JIS"}, nil},
		{"unknown label", []byte(`<?xml version="1.0" encoding="x-nothing"?><a/>`), xmlcharset.Source{}, xmlerr.ErrEncoding},
		{"declaration too long", []byte(long), xmlcharset.Source{}, xmlerr.ErrSyntax},
		{"long PI, not a declaration", []byte(`<?xml-stylesheet` + strings.Repeat(" ", xmlcharset.HeadBytes)), xmlcharset.Source{}, nil},
		{"PI naming an unknown encoding", []byte(`<?xml-stylesheet encoding="x-nothing"?><a/>`), xmlcharset.Source{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := xmlcharset.Sniff(c.in[:min(len(c.in), xmlcharset.HeadBytes)])
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Sniff = %+v, %v; want %v", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Sniff = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// TestToUTF8 decodes whole documents, and the same documents through
// NewReader one byte at a time, to the same text or the same failure.
func TestToUTF8(t *testing.T) {
	for _, c := range []struct {
		name       string
		in         []byte
		want       string
		transcoded bool
		err        error
		off        int // of the error
	}{
		{"UTF-8", []byte(`<a>é</a>`), `<a>é</a>`, false, nil, 0},
		{"UTF-8 BOM dropped", []byte("\xEF\xBB\xBF<a/>"), `<a/>`, false, nil, 0},
		{"UTF-16LE", utf16LE(`<a>é€𝄞</a>`, true), `<a>é€𝄞</a>`, true, nil, 0},
		{"UTF-16BE bare", utf16BE(`<a>é</a>`, false), `<a>é</a>`, true, nil, 0},
		{"UTF-16 lone surrogate", append(utf16LE(`<a>`, true), 0x00, 0xD8, '<', 0), "", false, xmlerr.ErrEncoding, 8},
		{"UTF-16 odd length", append(utf16LE(`<a/>`, true), '<'), "", false, xmlerr.ErrEncoding, 10},
		{"Latin-1 every byte", []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9\x80\xFF</a>"),
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é\u0080ÿ</a>", true, nil, 0},
		{"windows-1252", []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>"),
			"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>€</a>", true, nil, 0},
		{"windows-1252 undefined byte", []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x81</a>"), "", false, xmlerr.ErrEncoding, 48},
		{"US-ASCII high byte", []byte("<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>\xE9</a>"), "", false, xmlerr.ErrEncoding, 44},
		{"Shift_JIS", []byte("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x82\xA0</a>"),
			"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>あ</a>", true, nil, 0},
		{"Shift_JIS invalid, not replaced", []byte("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x82</a>"), "", false, xmlerr.ErrEncoding, 45},
		{"windows-1252 undefined byte in a later piece", []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\r\n<a>\r\n" + strings.Repeat("\x80", 20000) + "\n\x8D</a>"), "", false, xmlerr.ErrEncoding, 20053},
		{"Shift_JIS lead byte at the end", []byte("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x82\xA0</a>\x82"), "", false, xmlerr.ErrEncoding, 51},
		{"GB18030 own U+FFFD, then a bad byte", []byte("<?xml version=\"1.0\" encoding=\"GB18030\"?><a>\x84\x31\xA4\x37\xD6\xD0\xFF</a>"), "", false, xmlerr.ErrEncoding, 49},
		{"ISO-2022-JP bad escape", []byte("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><a>\x1B$B$\\\x1B(B\x1B(Z</a>"), "", false, xmlerr.ErrEncoding, 55},
		{"unknown label", []byte(`<?xml version="1.0" encoding="x-nothing"?><a/>`), "", false, xmlerr.ErrEncoding, 0},
		{"PI naming Latin-1 on UTF-8", []byte(`<?xml-stylesheet href="a" encoding="iso-8859-1"?><a>é</a>`), `<?xml-stylesheet href="a" encoding="iso-8859-1"?><a>é</a>`, false, nil, 0},
		{"UTF-16 high surrogate then end", append(utf16LE(`<`, true), 0x00, 0xD8), "", false, xmlerr.ErrEncoding, 4},
		{"UTF-16BE low surrogate first", append([]byte{0xFE, 0xFF}, 0xDC, 0x00), "", false, xmlerr.ErrEncoding, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, transcoded, err := xmlcharset.ToUTF8(c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("ToUTF8 = %q, %v; want %v", got, err, c.err)
				}
				if off := xmlcharset.ErrorOffset(err); off != c.off {
					t.Errorf("error at offset %d, want %d", off, c.off)
				}
				// the text before the error is what decodes from the
				// bytes before it
				if before, _, berr := xmlcharset.ToUTF8(c.in[:c.off]); berr == nil && got != before {
					t.Errorf("text before the error %q, want %q", got, before)
				}
			} else if err != nil || got != c.want || transcoded != c.transcoded {
				t.Fatalf("ToUTF8 = %q, %v, %v; want %q, %v", got, transcoded, err, c.want, c.transcoded)
			}
			// ToUTF8Owned agrees, and shares the memory of UTF-8 input.
			owned, otrans, oerr := xmlcharset.ToUTF8Owned(bytes.Clone(c.in))
			if owned != got || otrans != transcoded || (oerr == nil) != (err == nil) {
				t.Fatalf("ToUTF8Owned = %q, %v, %v; ToUTF8 = %q, %v, %v", owned, otrans, oerr, got, transcoded, err)
			}
			if in := bytes.Clone(c.in); err == nil && !transcoded && len(got) > 0 {
				text, _, _ := xmlcharset.ToUTF8Owned(in)
				in[len(in)-1] ^= 1 // the caller breaks the contract: the text sees it
				if text == got {
					t.Errorf("ToUTF8Owned copied the UTF-8 input")
				}
			}
			// The streaming path agrees.
			src, err := xmlcharset.Sniff(c.in[:min(len(c.in), xmlcharset.HeadBytes)])
			if err != nil {
				if c.err == nil {
					t.Fatalf("Sniff: %v", err)
				}
				return
			}
			var r io.Reader = iotest.OneByteReader(strings.NewReader(string(c.in[src.Skip:])))
			if src.Label != "" {
				if r, err = xmlcharset.NewReader(r, src.Label); err != nil {
					t.Fatalf("NewReader: %v", err)
				}
			}
			b, err := io.ReadAll(r)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("reader: %q, %v; want %v", b, err, c.err)
				}
				if off := src.Skip + xmlcharset.ErrorOffset(err); off != c.off {
					t.Errorf("reader: error at offset %d, want %d", off, c.off)
				}
				if string(b) != got {
					t.Errorf("reader: text before the error %q, ToUTF8's %q", b, got)
				}
				return
			}
			if err != nil || string(b) != c.want {
				t.Fatalf("reader: %q, %v; want %q", b, err, c.want)
			}
		})
	}
}
