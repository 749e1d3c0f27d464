package syncml

import (
	"bytes"
	"errors"
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
					m, err = decodeStream(iotest.OneByteReader(bytes.NewReader(tt.in)))
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

// decodeStream reads a whole message with a Decoder.
func decodeStream(r interface{ Read([]byte) (int, error) }) (Message, error) {
	d := NewDecoder(r)
	var m Message
	h, err := d.Header()
	if err != nil {
		return m, err
	}
	m.Header, m.XMLNS = *h, d.Namespace()
	for {
		c, err := d.Next()
		if err != nil {
			if err.Error() == "EOF" {
				m.Body.Final = d.Final()
				return m, nil
			}
			return m, err
		}
		m.Body.Commands = append(m.Body.Commands, c)
	}
}
