package syncml

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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
	if bytes.HasPrefix(head, []byte("<?xml")) && len(head) >= 1024 && !bytes.Contains(head, []byte("?>")) {
		return sourceEncoding{}, fmt.Errorf("%w: XML declaration longer than 1024 bytes", ErrSyntax)
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

// transcodingReader returns a reader of UTF-8 for r in the given
// encoding. Bytes that are not valid in that encoding are an error
// (ErrEncoding), never silently replaced.
func transcodingReader(r io.Reader, label string) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-16le":
		return &utf16Reader{r: r, le: true}, nil
	case "utf-16be":
		return &utf16Reader{r: r}, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "iso-ir-100":
		// XML's ISO-8859-1 maps every byte to the code point of the same
		// value (the WHATWG label table would read it as windows-1252)
		return &latin1Reader{r: r}, nil
	}
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("%w: unsupported encoding %q", ErrEncoding, label)
	}
	return &strictReader{r: enc.NewDecoder().Reader(r), label: label}, nil
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
	r, err := transcodingReader(bytes.NewReader(data), enc.label)
	if err != nil {
		return "", err
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// utf16Reader decodes UTF-16 to UTF-8, rejecting unpaired surrogates and a
// dangling odd byte.
type utf16Reader struct {
	r    io.Reader
	le   bool
	in   [4096]byte
	n    int    // bytes in in
	out  []byte // decoded, not yet returned
	hi   rune   // a high surrogate waiting for its pair
	err  error
	done bool
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.done {
			return 0, u.err
		}
		m, err := u.r.Read(u.in[u.n:])
		u.n += m
		i := 0
		for ; i+1 < u.n; i += 2 {
			var c rune
			if u.le {
				c = rune(u.in[i]) | rune(u.in[i+1])<<8
			} else {
				c = rune(u.in[i])<<8 | rune(u.in[i+1])
			}
			switch {
			case u.hi != 0 && c >= 0xDC00 && c <= 0xDFFF:
				u.out = utf8.AppendRune(u.out, (u.hi-0xD800)<<10+(c-0xDC00)+0x10000)
				u.hi = 0
			case u.hi != 0 || c >= 0xDC00 && c <= 0xDFFF:
				u.done, u.err = true, fmt.Errorf("%w: unpaired UTF-16 surrogate", ErrEncoding)
			case c >= 0xD800 && c <= 0xDBFF:
				u.hi = c
			default:
				u.out = utf8.AppendRune(u.out, c)
			}
			if u.done {
				break
			}
		}
		u.n = copy(u.in[:], u.in[i:u.n])
		if u.done {
			break
		}
		if err == io.EOF {
			u.done = true
			u.err = io.EOF
			if u.n != 0 || u.hi != 0 {
				u.err = fmt.Errorf("%w: truncated UTF-16", ErrEncoding)
			}
		} else if err != nil {
			u.done, u.err = true, err
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// latin1Reader decodes ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r   io.Reader
	in  [2048]byte
	out []byte
	err error
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		m, err := l.r.Read(l.in[:])
		l.out = l.out[:0]
		for _, c := range l.in[:m] {
			l.out = utf8.AppendRune(l.out, rune(c))
		}
		l.err = err
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// strictReader passes on a golang.org/x/text decoder's UTF-8 but fails on
// U+FFFD, which those decoders put where the input is invalid (legacy
// encodings cannot encode U+FFFD itself).
type strictReader struct {
	r       io.Reader
	label   string
	matched int // bytes of EF BF BD matched at the end of the last read
}

func (s *strictReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	const rep = "\uFFFD"
	for _, c := range p[:n] {
		switch {
		case c == rep[s.matched]:
			s.matched++
		case c == rep[0]:
			s.matched = 1
		default:
			s.matched = 0
		}
		if s.matched == len(rep) {
			return 0, fmt.Errorf("%w: bytes that are not %s", ErrEncoding, s.label)
		}
	}
	return n, err
}
