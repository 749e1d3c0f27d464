package provisioning

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// toUTF8 returns the document as UTF-8 text for the tokenizer, and skip,
// the bytes of a UTF-8 byte order mark left out (offsets then still count
// the input's bytes). Other input is transcoded whole, and offsets count
// the UTF-8 text:
//
//   - UTF-16, by its byte order mark or by a first "<" of two bytes;
//   - ISO-8859-1 and US-ASCII, when the XML declaration names them.
//
// A declaration that names UTF-16 on bytes that are not UTF-16 is read as
// UTF-8, as .NET writers produce it. Any other declared encoding is an
// ErrEncoding: the documents are UTF-8 in practice, and a decoder that
// replaces what it cannot read would lose data silently.
func toUTF8(data []byte) (text []byte, skip int, err error) {
	var le bool
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], 3, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return fromUTF16(data[2:], true)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return fromUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{'<', 0}):
		le = true
		fallthrough
	case bytes.HasPrefix(data, []byte{0, '<'}):
		return fromUTF16(data, le)
	}
	switch label := strings.ToLower(declaredLabel(data)); label {
	case "", "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "ucs-2", "unicode":
		return data, 0, nil
	case "iso-8859-1", "iso_8859-1", "latin1", "l1", "iso-ir-100", "cp819", "ibm819", "csisolatin1":
		var b []byte
		for _, c := range data {
			b = utf8.AppendRune(b, rune(c))
		}
		return b, 0, nil
	case "us-ascii", "ascii", "iso646-us", "csascii":
		if i := bytes.IndexFunc(data, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
			return nil, i, pkg.Errorf("%w: a byte above 0x7F in US-ASCII", ErrEncoding)
		}
		return data, 0, nil
	default:
		return nil, 0, pkg.Errorf("%w: encoding %q is not read (UTF-8, UTF-16, ISO-8859-1 and US-ASCII are)", ErrEncoding, label)
	}
}

// fromUTF16 decodes UTF-16 strictly: an odd length or an unpaired
// surrogate is an ErrEncoding, with skip the offset of the bad unit.
func fromUTF16(data []byte, le bool) ([]byte, int, error) {
	if len(data)%2 != 0 {
		return nil, len(data) - 1, pkg.Errorf("%w: UTF-16 of odd length", ErrEncoding)
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if le {
			units[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
		} else {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		}
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case utf16.IsSurrogate(rune(u)):
			if u >= 0xDC00 || i+1 == len(units) || units[i+1] < 0xDC00 || units[i+1] > 0xDFFF {
				return nil, 2 * i, pkg.Errorf("%w: unpaired UTF-16 surrogate", ErrEncoding)
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(rune(u), rune(units[i+1])))
			i++
		default:
			out = utf8.AppendRune(out, rune(u))
		}
	}
	return out, 0, nil
}

// declaredLabel returns the encoding named by an XML declaration at the
// start of data, or "".
func declaredLabel(data []byte) string {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return ""
	}
	m := encodingRE.FindSubmatch(data[:end])
	if m == nil {
		return ""
	}
	return string(bytes.Trim(m[1], `"'`))
}
