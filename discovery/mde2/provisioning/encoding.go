package provisioning

import "github.com/windc-go/windc/internal/xmlcharset"

// toUTF8 returns the document as UTF-8 text for the tokenizer through
// the module's one encoding step (internal/xmlcharset): a byte-order
// mark, UTF-16 without one, or the XML declaration's encoding, decoded
// strictly (bytes not valid in the encoding are an ErrEncoding, never
// replaced; a declared UTF-16 on bytes that are not UTF-16, as .NET
// writers produce, is read as UTF-8). UTF-8 input comes back as a slice
// of data after skip bytes of byte-order mark, so offsets still count
// the input's bytes; transcoded input comes back whole, and offsets then
// count the UTF-8 text.
func toUTF8(data []byte) (text []byte, skip int, transcoded bool, err error) {
	s, transcoded, err := xmlcharset.ToUTF8(data)
	switch {
	case err != nil:
		return nil, 0, false, err
	case transcoded:
		return []byte(s), 0, true, nil
	}
	skip = len(data) - len(s)
	return data[skip:], skip, false, nil
}
