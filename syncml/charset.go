package syncml

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// sourceEncoding is what the first bytes of a message say about its
// encoding.
type sourceEncoding struct {
	skip  int    // bytes of byte-order mark to drop
	label string // "" for UTF-8, else a label for charset.Lookup
}

// sniff inspects the first bytes of a message: a byte-order mark, UTF-16
// without one, or the encoding named by the XML declaration. A declaration
// that names UTF-16 on bytes that are plainly not UTF-16 (Windows sends
// such messages) is read as UTF-8.
func sniff(head []byte) (sourceEncoding, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return sourceEncoding{skip: 3}, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return sourceEncoding{skip: 2, label: "utf-16be"}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return sourceEncoding{skip: 2, label: "utf-16le"}, nil
	case bytes.HasPrefix(head, []byte{0, '<', 0}):
		return sourceEncoding{label: "utf-16be"}, nil
	case bytes.HasPrefix(head, []byte{'<', 0}):
		return sourceEncoding{label: "utf-16le"}, nil
	}
	label := declaredEncoding(head)
	switch strings.ToLower(label) {
	case "", "utf-8", "utf8":
		return sourceEncoding{}, nil
	case "utf-16", "utf-16le", "utf-16be", "unicode", "ucs-2", "iso-10646-ucs-2":
		return sourceEncoding{}, nil // mislabelled UTF-8
	case "us-ascii", "ascii":
		return sourceEncoding{}, nil // a subset of UTF-8; non-ASCII bytes still fail as bad UTF-8
	}
	if enc, _ := charset.Lookup(label); enc == nil {
		return sourceEncoding{}, fmt.Errorf("%w: unsupported encoding %q", ErrEncoding, label)
	}
	return sourceEncoding{label: label}, nil
}

// declaredEncoding returns the encoding pseudo-attribute of an XML
// declaration at the start of head, or "".
func declaredEncoding(head []byte) string {
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(head[5:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || rest[0] != '"' && rest[0] != '\'' {
		return ""
	}
	j := strings.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return ""
	}
	return rest[1 : 1+j]
}

// transcodingReader returns a reader of UTF-8 for r in the given encoding.
func transcodingReader(r io.Reader, label string) (io.Reader, error) {
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("%w: unsupported encoding %q", ErrEncoding, label)
	}
	return enc.NewDecoder().Reader(r), nil
}

// toUTF8 returns data as UTF-8 text, transcoding when needed.
func toUTF8(data []byte) (string, error) {
	enc, err := sniff(data[:min(len(data), 1024)])
	if err != nil {
		return "", err
	}
	data = data[enc.skip:]
	if enc.label == "" {
		return string(data), nil
	}
	e, _ := charset.Lookup(enc.label)
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	return string(out), nil
}
