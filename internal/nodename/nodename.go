package nodename

import (
	"errors"
	"unicode/utf8"
)

// The reasons a name is refused, as ParseLocURI's errors give them after
// the URI.
var (
	ErrEmpty   = errors.New("empty segment")
	ErrControl = errors.New("control character")
	ErrSlash   = errors.New("'/' inside a node name")
	ErrDot     = errors.New("'.' or '..' segment")
	ErrUTF8    = errors.New("not UTF-8")
)

// Byte returns why byte c may not be in a decoded name (a C0 control
// character, DEL, or '/'), nil when it may.
func Byte(c byte) error {
	if c < 0x20 || c == 0x7F {
		return ErrControl
	}
	if c == '/' {
		return ErrSlash
	}
	return nil
}

// Whole returns why the decoded name s may not be a name for what its
// bytes one by one do not show: it is "." or "..", it is not UTF-8, or
// it holds a C1 control character. Byte is the rest of the rule.
func Whole(s string) error {
	if s == "." || s == ".." {
		return ErrDot
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return nonASCII(s[i:])
		}
	}
	return nil
}

// nonASCII is Whole for the part of a name from its first byte past
// ASCII on.
func nonASCII(s string) error {
	if !utf8.ValidString(s) {
		return ErrUTF8
	}
	for _, r := range s {
		if r >= 0x80 && r <= 0x9F {
			return ErrControl
		}
	}
	return nil
}

// Check returns why s may not be a node name, nil when it may: the
// error ParseLocURI gives for s percent-encoded as a segment, the first
// refused byte coming before what Whole checks.
func Check(s string) error {
	if s == "" {
		return ErrEmpty
	}
	for i := 0; i < len(s); i++ {
		if err := Byte(s[i]); err != nil {
			return err
		}
	}
	return Whole(s)
}
