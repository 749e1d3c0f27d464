package syncml

import (
	"bytes"
	"errors"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
)

// TestErrorPrefixOnce: the errors of decoding (whole and streamed), of
// transcoding, of limits and of writing start with "syncml: " once.
func TestErrorPrefixOnce(t *testing.T) {
	inputs := map[string]string{
		"syntax":     item(`<Data><a></Data>`),
		"namespace":  item(`<Data><p:a/></Data>`),
		"structure":  body(`<Replace><Bogus/></Replace>`),
		"encoding":   `<?xml version="1.0" encoding="x-klingon"?><SyncML/>`,
		"limit":      item(`<Data>` + nestN(30) + `</Data>`),
		"empty":      ``,
		"bad UTF-16": "\xff\xfe<\x00",
	}
	for name, in := range inputs {
		var m Message
		errs := []error{Unmarshal([]byte(in), &m)}
		d := NewDecoder(bytes.NewReader([]byte(in)))
		_, err := d.Header()
		if err == nil {
			for err == nil {
				_, err = d.Next()
			}
		}
		errs = append(errs, err)
		for _, err := range errs {
			if err == nil {
				t.Errorf("%s: accepted", name)
				continue
			}
			if !errtest.PrefixOnce(err.Error(), "syncml: ") {
				t.Errorf("%s: %q does not start with %q once", name, err, "syncml: ")
			}
		}
	}
	_, err := Marshal(&Message{Body: Body{Commands: []Command{&Alert{Data: XML("<p:a/>")}}}})
	if err == nil || !errtest.PrefixOnce(err.Error(), "syncml: ") || !errors.Is(err, ErrNamespace) {
		t.Errorf("Marshal: %v", err)
	}
}

func nestN(n int) string {
	var b bytes.Buffer
	for range n {
		b.WriteString("<a>")
	}
	for range n {
		b.WriteString("</a>")
	}
	return b.String()
}
