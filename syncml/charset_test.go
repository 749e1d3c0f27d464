package syncml

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// TestTranscodingStrict: bytes that are invalid in the message's encoding
// are an error, never replaced; ISO-8859-1 is read as XML defines it.
func TestTranscodingStrict(t *testing.T) {
	msg := func(data string) string { return body(`<Alert><CmdID>1</CmdID><Data>` + data + `</Data></Alert>`) }
	loneSurrogate := utf16le(msg("AXB"))
	i := bytes.Index(loneSurrogate, []byte{'X', 0})
	loneSurrogate[i], loneSurrogate[i+1] = 0x00, 0xD8
	truncated := append(utf16le(msg("A")), '<')
	tests := []struct {
		name string
		in   []byte
		want string // the Data value, or "" for ErrEncoding
	}{
		{"utf-16 lone surrogate", loneSurrogate, ""},
		{"utf-16 odd length", truncated, ""},
		{"utf-16 astral", utf16le(msg("a😀b")), "a😀b"},
		{"latin1 C1 bytes", append([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?>`), msg("\x80\x9f\xe9")...), "\u0080\u009f\u00e9"},
		{"windows-1252", append([]byte(`<?xml version="1.0" encoding="windows-1252"?>`), msg("\x80")...), "€"},
		{"shift_jis invalid", append([]byte(`<?xml version="1.0" encoding="Shift_JIS"?>`), msg("\x81\x7f\xa0")...), ""},
		{"unknown encoding", append([]byte(`<?xml version="1.0" encoding="x-none"?>`), msg("a")...), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				var m Message
				var err error
				if stream {
					err = NewDecoder(iotest.OneByteReader(bytes.NewReader(tt.in))).Decode(&m)
				} else {
					err = Unmarshal(tt.in, &m)
				}
				if tt.want == "" {
					if !errors.Is(err, ErrEncoding) {
						t.Errorf("stream %v: err = %v, want ErrEncoding", stream, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("stream %v: %v", stream, err)
				}
				if got := m.Body.Commands[0].(*Alert).Data.Value; got != tt.want {
					t.Errorf("stream %v: Data = %q, want %q", stream, got, tt.want)
				}
			}
		})
	}
}

func utf16be(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// declared prefixes msg with an XML declaration naming label.
func declared(label, msg string) []byte {
	return []byte(`<?xml version="1.0" encoding="` + label + `"?>` + msg)
}

// errStallGaveUp is what stallReader returns once it has answered
// (0, nil) more often than any decoder should ask.
var errStallGaveUp = errors.New("stallReader: decoder kept reading after 10000 empty reads")

// stallReader returns the first n bytes of data, then (0, nil) on every
// call (up to a bound, so that a decoder that never gives up fails the test
// rather than hanging it).
type stallReader struct {
	data  []byte
	empty int
}

func (s *stallReader) Read(p []byte) (int, error) {
	if len(s.data) > 0 {
		n := copy(p, s.data)
		s.data = s.data[n:]
		return n, nil
	}
	if s.empty++; s.empty > 10000 {
		return 0, errStallGaveUp
	}
	return 0, nil
}

// TestDecoderNoProgress: a reader that stops making progress after 32 KiB
// (it returns (0, nil) forever) ends a streaming decode with an error
// wrapping io.ErrNoProgress, whatever the input's encoding.
func TestDecoderNoProgress(t *testing.T) {
	// one command bigger than the first 32 KiB, so the decoder must read on
	msg := body(`<Alert><CmdID>1</CmdID><Data>` + strings.Repeat("abcdefgh", 8<<10) + `</Data></Alert>`)
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf-8", []byte(msg)},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, msg...)},
		{"utf-16le", utf16le(msg)},
		{"utf-16be", utf16be(msg)},
		{"utf-16le no bom", utf16le(msg)[2:]},
		{"us-ascii", declared("US-ASCII", msg)},
		{"iso-8859-1", declared("ISO-8859-1", msg)},
		{"iso-8859-9", declared("ISO-8859-9", msg)},
		{"windows-1252", declared("windows-1252", msg)},
		{"shift_jis", declared("Shift_JIS", msg)},
		{"gb18030", declared("GB18030", msg)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.in) <= 32<<10 {
				t.Fatalf("input of %d bytes fits in the first 32 KiB", len(tt.in))
			}
			var err error
			for err == nil {
				_, err = NewDecoder(&stallReader{data: tt.in[:32<<10]}).Next()
				if err == nil {
					t.Fatal("Next returned a command from a truncated input")
				}
			}
			if !errors.Is(err, io.ErrNoProgress) {
				t.Errorf("Next: %v, want io.ErrNoProgress", err)
			}
			var m Message
			if err := NewDecoder(&stallReader{data: tt.in[:32<<10]}).Decode(&m); !errors.Is(err, io.ErrNoProgress) {
				t.Errorf("Decode: %v, want io.ErrNoProgress", err)
			}
			// the same input in full decodes
			if err := NewDecoder(bytes.NewReader(tt.in)).Decode(&m); err != nil {
				t.Errorf("whole input: %v", err)
			}
		})
	}
}

// TestEncodingLabels: each family of labels reads its bytes as one
// encoding, the same for Unmarshal and a Decoder. US-ASCII, ISO-8859-1,
// ISO-8859-9 and TIS-620 follow IANA (as XML does), not the WHATWG table
// that reads them as Windows code pages.
func TestEncodingLabels(t *testing.T) {
	type sample struct {
		raw  string
		want string // the Data value, or "" for ErrEncoding
	}
	families := []struct {
		name    string
		labels  []string
		samples []sample
	}{
		{
			"US-ASCII",
			[]string{"US-ASCII", "us-ascii", "ASCII", "ANSI_X3.4-1968", "ANSI_X3.4-1986", "iso-ir-6", "ISO646-US", "us", "IBM367", "cp367", "csASCII"},
			[]sample{{"a~\x7f", "a~\x7f"}, {"\xc3\xa9", ""}, {"\x80", ""}, {"a\xff", ""}},
		},
		{
			"ISO-8859-1",
			[]string{"ISO-8859-1", "iso-8859-1", "ISO_8859-1", "iso-ir-100", "latin1", "l1", "IBM819", "CP819", "csISOLatin1", "iso8859-1", "iso88591"},
			[]sample{{"\x80\x9f", "\u0080\u009f"}, {"\xa4\xe9\xff", "¤éÿ"}, {"\xc3\xa9", "Ã©"}},
		},
		{
			"ISO-8859-9",
			[]string{"ISO-8859-9", "ISO_8859-9", "iso-ir-148", "latin5", "l5", "csISOLatin5", "iso8859-9", "iso88599"},
			[]sample{{"\x80\x9f", "\u0080\u009f"}, {"\xd0\xdd\xfd\xe9", "Ğİıé"}},
		},
		{
			"TIS-620",
			[]string{"TIS-620", "ISO-8859-11", "iso8859-11", "iso885911"},
			[]sample{{"\x80\x85", "\u0080\u0085"}, {"\xa1\xe0", "\u0e01\u0e40"}, {"\xdb", ""}},
		},
		{
			"windows-1252",
			[]string{"windows-1252", "cp1252", "x-cp1252"},
			[]sample{{"\x80\x9f\xe9", "€Ÿé"}},
		},
		{
			"GB18030",
			[]string{"GB18030", "gb18030"},
			[]sample{
				{"\x84\x31\xa4\x37", "\uFFFD"},
				{"a\x84\x31\xa4\x37b\x84\x31\xa4\x37", "a\uFFFDb\uFFFD"},
				{"\x81\x30\x81\x30\xd6\xd0", "\u0080中"},
				{"\x90\x30\x81\x30", "\U00010000"},
				{"\xff", ""},
				{"\x81\x30\x81", ""},
				{"\x84\x31\xa4\x37\xff", ""},
			},
		},
		{
			// labels the WHATWG table maps to its "replacement" encoding,
			// which reads any input as one U+FFFD: an unsupported encoding
			"replacement",
			[]string{"ISO-2022-KR", "csISO2022KR", "ISO-2022-CN", "HZ-GB-2312"},
			[]sample{{"a", ""}, {"", ""}},
		},
		{
			"Shift_JIS",
			[]string{"Shift_JIS", "shift_jis", "sjis", "ms_kanji"},
			[]sample{{"\x88\x9f", "亜"}, {"\x81\x7f", ""}},
		},
	}
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			for _, label := range f.labels {
				for _, s := range f.samples {
					in := declared(label, body(`<Alert><CmdID>1</CmdID><Data>`+s.raw+`</Data></Alert>`))
					for _, stream := range []bool{false, true} {
						var m Message
						var err error
						if stream {
							err = NewDecoder(iotest.OneByteReader(bytes.NewReader(in))).Decode(&m)
						} else {
							err = Unmarshal(in, &m)
						}
						if s.want == "" {
							if !errors.Is(err, ErrEncoding) {
								t.Errorf("%s %q (stream %v): err = %v, want ErrEncoding", label, s.raw, stream, err)
							}
							continue
						}
						if err != nil {
							t.Errorf("%s %q (stream %v): %v", label, s.raw, stream, err)
							continue
						}
						if got := m.Body.Commands[0].(*Alert).Data.Value; got != s.want {
							t.Errorf("%s %q (stream %v): Data = %q, want %q", label, s.raw, stream, got, s.want)
						}
					}
				}
			}
		})
	}
}

// TestLegacyLongInput: multi-byte characters (GB18030's own U+FFFD among
// them) that straddle the decoder's internal pieces and reads decode whole.
func TestLegacyLongInput(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{"a" + strings.Repeat("\xd6\xd0", 20000), "a" + strings.Repeat("中", 20000)},
		{"ab" + strings.Repeat("\x84\x31\xa4\x37", 9000), "ab" + strings.Repeat("\uFFFD", 9000)},
		{"abc" + strings.Repeat("\x84\x31\xa4\x37\xd6\xd0", 7000), "abc" + strings.Repeat("\uFFFD中", 7000)},
	} {
		in := declared("GB18030", body(`<Alert><CmdID>1</CmdID><Data>`+tt.raw+`</Data></Alert>`))
		for _, stream := range []bool{false, true} {
			var m Message
			var err error
			if stream {
				err = NewDecoder(iotest.HalfReader(bytes.NewReader(in))).Decode(&m)
			} else {
				err = Unmarshal(in, &m)
			}
			if err != nil {
				t.Fatalf("stream %v: %v", stream, err)
			}
			if got := m.Body.Commands[0].(*Alert).Data.Value; got != tt.want {
				t.Errorf("stream %v: Data of %d bytes differs from the %d expected", stream, len(got), len(tt.want))
			}
		}
	}
}

// TestEncodingErrorPosition: a byte that is not valid in the message's
// encoding is reported at its offset in the input as received (what
// MaxBytes counts, a byte-order mark included) and at the line and
// column of the text decoded before it, by Unmarshal and the Decoder
// alike.
func TestEncodingErrorPosition(t *testing.T) {
	cmd := "<Alert><CmdID>1</CmdID>\r\n<Data>ok\n"
	tests := []struct {
		name      string
		in        []byte
		bad       string // the bad bytes, found in in from its end
		line, col int
	}{
		{"windows-1252", declared("windows-1252", "\r\n"+body(cmd+"caf\xe9 \x81</Data></Alert>")), "\x81", 4, 7},
		{"Shift_JIS", declared("Shift_JIS", "\n"+body(cmd+"\x82\xA0\x82<</Data></Alert>")), "\x82<", 4, 4},
		{"US-ASCII", declared("US-ASCII", body(cmd+"x\xe9</Data></Alert>")), "\xe9", 3, 2},
		{"ISO-8859-1 is all valid, TIS-620 not", declared("TIS-620", body(cmd+"\xa1\xdb</Data></Alert>")), "\xdb", 3, 4},
		{"UTF-16 with BOM", append(utf16le(body(cmd+"ab")), 0x00, 0xDC, '<', 0), "\x00\xdc", 3, 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := int64(bytes.LastIndex(tt.in, []byte(tt.bad)))
			for _, how := range []string{"Unmarshal", "UnmarshalOwned", "Decoder", "Decoder one byte at a time"} {
				var m Message
				var err error
				switch how {
				case "Unmarshal":
					err = Unmarshal(tt.in, &m)
				case "UnmarshalOwned":
					err = UnmarshalOwned(bytes.Clone(tt.in), &m, Limits{})
				case "Decoder":
					err = NewDecoder(bytes.NewReader(tt.in)).Decode(&m)
				default:
					err = NewDecoder(iotest.OneByteReader(bytes.NewReader(tt.in))).Decode(&m)
				}
				var de *DecodeError
				if !errors.As(err, &de) || !errors.Is(err, ErrEncoding) {
					t.Fatalf("%s: err = %v, want a *DecodeError matching ErrEncoding", how, err)
				}
				if de.Offset != off || de.Line != tt.line || de.Column != tt.col {
					t.Errorf("%s: %v; want line %d, column %d (offset %d)", how, err, tt.line, tt.col, off)
				}
			}
		})
	}
}

// TestSyntaxHintsInMessage: the hints of the lexer reach a message's
// error, also before and after the root element, which syncml reads
// itself (a typographic dash after "<!-" read as an invalid name, and as
// "content after the root element").
func TestSyntaxHintsInMessage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<!-—x—>" + body(""), `syncml: line 1, column 1 (offset 0): not well-formed: invalid markup declaration "<!-—x": expected "<!--"`},
		{body("") + "\n<!-—x—>", `syncml: line 2, column 1 (offset 170): not well-formed: invalid markup declaration "<!-—x": expected "<!--"`},
		{body(`<Alert><CmdID>1</CmdID><Data><x a=’c’/></Data></Alert>`), `syncml: line 1, column 184 (offset 183) in /SyncML/SyncBody/Alert/Data/x: not well-formed: attribute value not quoted: found U+2019 '’'`},
	} {
		for _, stream := range []bool{false, true} {
			var m Message
			var err error
			if stream {
				err = NewDecoder(iotest.OneByteReader(strings.NewReader(tt.in))).Decode(&m)
			} else {
				err = Unmarshal([]byte(tt.in), &m)
			}
			if !errors.Is(err, ErrSyntax) || err.Error() != tt.want {
				t.Errorf("stream %v:\n got %v\nwant %s", stream, err, tt.want)
			}
		}
	}
}
