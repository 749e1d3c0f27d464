package xmlcharset

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html/charset"

	"github.com/windc-go/windc/internal/xmlerr"
)

// An Error is input that is not valid in its encoding.
type Error struct {
	// Offset is where decoding stopped in the input as received (a
	// byte-order mark included): the first byte of the character that is
	// not valid. For the one stateful encoding, ISO-2022-JP, it may
	// instead be the start of the piece (up to 16 KiB) that holds it.
	Offset int
	Err    error // what is wrong; matches xmlerr.ErrEncoding
}

// Error returns the message of Err.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ErrorOffset returns the input offset an error of ToUTF8 names, or 0.
func ErrorOffset(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Offset
	}
	return 0
}

// HeadBytes is how many leading bytes Sniff needs to decide: an XML
// declaration must end within them.
const HeadBytes = 1024

// Source is what the first bytes of a document say about its encoding.
type Source struct {
	Skip  int    // bytes of byte-order mark to drop
	Label string // "" for UTF-8, else a label NewReader accepts
}

// Sniff inspects the first bytes of a message: a byte-order mark, UTF-16
// without one, or the encoding named by the XML declaration. A declaration
// that names UTF-16 on bytes that are plainly not UTF-16 (Windows sends
// such messages) is read as UTF-8.
func Sniff(head []byte) (Source, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return Source{Skip: 3}, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return Source{Skip: 2, Label: "utf-16be"}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return Source{Skip: 2, Label: "utf-16le"}, nil
	case bytes.HasPrefix(head, []byte{0, '<', 0}):
		return Source{Label: "utf-16be"}, nil
	case bytes.HasPrefix(head, []byte{'<', 0}):
		return Source{Label: "utf-16le"}, nil
	}
	if startsDecl(head) && len(head) >= HeadBytes && !bytes.Contains(head, []byte("?>")) {
		return Source{}, fmt.Errorf("%w: XML declaration longer than %d bytes", xmlerr.ErrSyntax, HeadBytes)
	}
	label := DeclaredEncoding(head)
	key := labelKey(label)
	if key == "" {
		return Source{}, nil
	}
	if _, ok := ianaLabels[key]; ok {
		return Source{Label: label}, nil
	}
	enc, name := charset.Lookup(key)
	switch {
	case enc == nil || name == "replacement":
		// the WHATWG "replacement" encoding (ISO-2022-KR, HZ-GB-2312…)
		// reads any input as one U+FFFD: an encoding that cannot be read
		return Source{}, fmt.Errorf("%w: unsupported encoding %q", xmlerr.ErrEncoding, label)
	case name == "utf-8":
		return Source{}, nil
	case name == "utf-16le" || name == "utf-16be":
		// the bytes are not UTF-16 (no BOM, no "<\0"): mislabelled UTF-8
		return Source{}, nil
	}
	return Source{Label: label}, nil
}

// labelKey normalises an encoding label for lookup.
func labelKey(label string) string {
	return strings.ToLower(strings.Trim(label, "\t\n\f\r "))
}

// DeclaredEncoding returns the encoding pseudo-attribute of an XML
// declaration at the start of head, as written, or "".
func DeclaredEncoding(head []byte) string {
	if !startsDecl(head) {
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

// startsDecl reports whether head starts with an XML declaration: "<?xml"
// and white space, not a processing instruction whose target only starts
// with "xml" (<?xml-stylesheet encoding="…"?> names no encoding).
func startsDecl(head []byte) bool {
	return len(head) > 5 && bytes.HasPrefix(head, []byte("<?xml")) && strings.IndexByte(" \t\r\n", head[5]) >= 0
}

// A decoding turns the bytes of one character encoding into UTF-8.
type decoding interface {
	// decode appends to dst the UTF-8 of the longest prefix of src that
	// holds whole characters and returns dst and the bytes of src used.
	// Unless atEOF, an incomplete character at the end of src is left for
	// the next call. Bytes not valid in the encoding are an
	// xmlerr.ErrEncoding; dst then holds the text before them and the
	// count is the offset of their first byte in src.
	decode(dst, src []byte, atEOF bool) ([]byte, int, error)
}

// lookupDecoding returns the decoding for an encoding label that sniff
// accepted (or "utf-16le"/"utf-16be" from a byte-order mark).
func lookupDecoding(label string) (decoding, error) {
	key := labelKey(label)
	switch key {
	case "utf-16le":
		return utf16Decoding{le: true}, nil
	case "utf-16be":
		return utf16Decoding{}, nil
	}
	if t, ok := ianaLabels[key]; ok {
		return t, nil
	}
	enc, name := charset.Lookup(key)
	if enc == nil || name == "replacement" {
		return nil, fmt.Errorf("%w: unsupported encoding %q", xmlerr.ErrEncoding, label)
	}
	x := &legacyDecoding{label: label, dec: enc.NewDecoder(), fresh: func() transformer { return enc.NewDecoder() }}
	if name == "gb18030" {
		// the one legacy encoding that encodes U+FFFD itself
		x.fffd, x.check = []byte{0x84, 0x31, 0xA4, 0x37}, enc.NewDecoder()
	}
	return x, nil
}

// ToUTF8 returns data as UTF-8 text without its byte-order mark,
// transcoding when needed; transcoded tells whether it was. Bytes that
// are not valid in the encoding are an *Error (matching
// xmlerr.ErrEncoding) with their offset in data, and text is then the
// text decoded before them (to count lines and columns).
func ToUTF8(data []byte) (text string, transcoded bool, err error) {
	return toUTF8(data, false)
}

// ToUTF8Owned is ToUTF8 for data the caller hands over: when data is
// UTF-8 already, text shares its memory instead of copying it, so data
// must never be modified afterwards (text and every string cut from it
// would change).
func ToUTF8Owned(data []byte) (text string, transcoded bool, err error) {
	return toUTF8(data, true)
}

func toUTF8(data []byte, owned bool) (text string, transcoded bool, err error) {
	enc, err := Sniff(data[:min(len(data), HeadBytes)])
	if err != nil {
		return "", false, err
	}
	data = data[enc.Skip:]
	if enc.Label == "" {
		if owned {
			return unsafe.String(unsafe.SliceData(data), len(data)), false, nil
		}
		return string(data), false, nil
	}
	dec, err := lookupDecoding(enc.Label)
	if err != nil {
		return "", false, err
	}
	out, n, err := dec.decode(make([]byte, 0, len(data)+len(data)/2), data, true)
	if err == nil && n != len(data) {
		err = fmt.Errorf("%w: truncated %s", xmlerr.ErrEncoding, enc.Label)
	}
	if err != nil {
		return string(out), false, &Error{Offset: enc.Skip + n, Err: err}
	}
	// out is this function's own: the text can share its memory
	return unsafe.String(unsafe.SliceData(out), len(out)), true, nil
}

// transcoder reads UTF-8 from a reader of another encoding.
type transcoder struct {
	r   io.Reader
	dec decoding
	in  [4096]byte
	n   int    // bytes in in, not yet decoded
	off int    // bytes of r decoded before in[0]
	out []byte // decoded
	pos int    // out[pos:] not yet returned
	err error  // the reader's or the decoding's error, after out
}

// NewReader returns a reader of UTF-8 for r in the encoding a label
// names (a Source's Label). Bytes that are not valid in that encoding are an
// *Error (matching xmlerr.ErrEncoding) with their offset in r, never
// silently replaced; the text before them is read first.
func NewReader(r io.Reader, label string) (io.Reader, error) {
	dec, err := lookupDecoding(label)
	if err != nil {
		return nil, err
	}
	return &transcoder{r: r, dec: dec}, nil
}

func (t *transcoder) Read(p []byte) (int, error) {
	for t.pos == len(t.out) {
		if t.err != nil {
			return 0, t.err
		}
		m, err := t.r.Read(t.in[t.n:])
		t.n += m
		out, used, derr := t.dec.decode(t.out[:0], t.in[:t.n], err == io.EOF)
		t.out, t.pos = out, 0
		t.n = copy(t.in[:], t.in[used:t.n])
		t.off += used
		switch {
		case derr != nil:
			t.err = &Error{Offset: t.off, Err: derr}
		case err == io.EOF && t.n > 0:
			t.err = &Error{Offset: t.off, Err: fmt.Errorf("%w: truncated input", xmlerr.ErrEncoding)}
		case err != nil:
			t.err = err
		}
	}
	n := copy(p, t.out[t.pos:])
	t.pos += n
	return n, nil
}

// utf16Decoding decodes UTF-16, refusing unpaired surrogates and a
// dangling odd byte.
type utf16Decoding struct{ le bool }

func (u utf16Decoding) decode(dst, src []byte, atEOF bool) ([]byte, int, error) {
	unit := func(i int) rune {
		if u.le {
			return rune(src[i]) | rune(src[i+1])<<8
		}
		return rune(src[i])<<8 | rune(src[i+1])
	}
	i := 0
	for i+1 < len(src) {
		c := unit(i)
		switch {
		case c < 0xD800 || c > 0xDFFF:
			dst = utf8.AppendRune(dst, c)
			i += 2
			continue
		case c >= 0xDC00:
			return dst, i, fmt.Errorf("%w: unpaired UTF-16 surrogate", xmlerr.ErrEncoding)
		case i+3 >= len(src):
			if atEOF {
				return dst, i, fmt.Errorf("%w: unpaired UTF-16 surrogate", xmlerr.ErrEncoding)
			}
			return dst, i, nil
		}
		c2 := unit(i + 2)
		if c2 < 0xDC00 || c2 > 0xDFFF {
			return dst, i, fmt.Errorf("%w: unpaired UTF-16 surrogate", xmlerr.ErrEncoding)
		}
		dst = utf8.AppendRune(dst, (c-0xD800)<<10+(c2-0xDC00)+0x10000)
		i += 4
	}
	if atEOF && i < len(src) {
		return dst, i, fmt.Errorf("%w: truncated UTF-16", xmlerr.ErrEncoding)
	}
	return dst, i, nil
}

// A byteTable decodes an ASCII-compatible single-byte encoding: each byte
// from 0x80 up maps to one code point, or to -1 when the encoding leaves
// it undefined.
type byteTable struct {
	name string
	r    [128]rune // for bytes 0x80–0xFF
}

func (t *byteTable) decode(dst, src []byte, atEOF bool) ([]byte, int, error) {
	for i, c := range src {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			continue
		}
		r := t.r[c-0x80]
		if r < 0 {
			return dst, i, fmt.Errorf("%w: byte %#x is not %s", xmlerr.ErrEncoding, c, t.name)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst, len(src), nil
}

// newByteTable returns a table that maps 0x80–0xFF as ISO-8859-1 does (to
// the code point of the same value, C1 controls included), then applies
// the changes: a code point per byte, -1 for a byte left undefined.
func newByteTable(name string, changes map[byte]rune) *byteTable {
	t := &byteTable{name: name}
	for i := range t.r {
		t.r[i] = rune(0x80 + i)
	}
	for b, r := range changes {
		t.r[b-0x80] = r
	}
	return t
}

// The encoding labels read as IANA's charset registry defines them (the
// registry XML 1.0 refers to for encoding names), lower-cased. Everything
// else goes to golang.org/x/net/html/charset, whose table is the WHATWG
// Encoding Standard's: right for HTML, where browsers read these labels as
// Windows code pages, but not for XML, where a document labelled
// ISO-8859-1 means byte 0x80 as U+0080, not €, and one labelled US-ASCII
// has no byte from 0x80 up. So the US-ASCII, ISO-8859-1, ISO-8859-9 and
// TIS-620 (ISO-8859-11) families, which that table reads as windows-1252,
// windows-1254 and windows-874, are decoded here as the registry says;
// labels the table knows but the registry does not (iso88591, iso8859-9…)
// are taken to mean what their spelling says. Labels that contain a colon
// (ISO_8859-1:1987) cannot appear in an XML declaration.
var ianaLabels = func() map[string]*byteTable {
	ascii := &byteTable{name: "US-ASCII"}
	for i := range ascii.r {
		ascii.r[i] = -1
	}
	latin1 := newByteTable("ISO-8859-1", nil)
	latin5 := newByteTable("ISO-8859-9", map[byte]rune{
		0xD0: 'Ğ', 0xDD: 'İ', 0xDE: 'Ş', 0xF0: 'ğ', 0xFD: 'ı', 0xFE: 'ş',
	})
	thai := map[byte]rune{0xDB: -1, 0xDC: -1, 0xDD: -1, 0xDE: -1, 0xFC: -1, 0xFD: -1, 0xFE: -1, 0xFF: -1}
	for b := 0xA1; b <= 0xFB; b++ {
		if _, undefined := thai[byte(b)]; !undefined {
			thai[byte(b)] = rune(0x0E01 - 0xA1 + b)
		}
	}
	tis620 := newByteTable("TIS-620", thai)
	m := make(map[string]*byteTable)
	for t, labels := range map[*byteTable][]string{
		ascii:  {"us-ascii", "ascii", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso-ir-6", "iso646-us", "us", "ibm367", "cp367", "csascii"},
		latin1: {"iso-8859-1", "iso_8859-1", "iso-ir-100", "latin1", "l1", "ibm819", "cp819", "csisolatin1", "iso8859-1", "iso88591"},
		latin5: {"iso-8859-9", "iso_8859-9", "iso-ir-148", "latin5", "l5", "csisolatin5", "iso8859-9", "iso88599"},
		tis620: {"tis-620", "cstis620", "iso-8859-11", "iso8859-11", "iso885911"},
	} {
		for _, l := range labels {
			m[l] = t
		}
	}
	return m
}()

// legacyDecoding decodes through a golang.org/x/text decoder, which puts
// U+FFFD where its input is invalid: an U+FFFD in the output is an error
// unless the encoding has its own bytes for U+FFFD (GB18030 does) and the
// input holds exactly those bytes there.
type legacyDecoding struct {
	label string
	dec   transformer
	fresh func() transformer // a new decoder, to locate a bad byte
	fffd  []byte             // the encoding's bytes for U+FFFD, if it has them
	check transformer        // a second, stateless decoder to locate U+FFFD
}

// transformer is the part of an x/text decoder used here.
type transformer interface {
	Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error)
}

const replacementChar = "\uFFFD"

// legacyPiece is how much input legacyDecoding hands its decoder at once,
// so that the room it reserves for output stays small.
const legacyPiece = 16 << 10

func (x *legacyDecoding) decode(dst, src []byte, atEOF bool) ([]byte, int, error) {
	used := 0
	// at least one call, even on no input: at the end of input a decoder
	// may still have output to give (an incomplete character's U+FFFD)
	for {
		piece := src[used:min(len(src), used+legacyPiece)]
		final := used+len(piece) == len(src)
		// no decoder reachable here writes more than 4 bytes of UTF-8 per
		// input byte (most at most 3), so the output always has room
		dst = slices.Grow(dst, 4*len(piece)+16)
		start := len(dst)
		nDst, nSrc, err := x.dec.Transform(dst[start:cap(dst)], piece, atEOF && final)
		out := dst[start : start+nDst]
		if k := x.foreignReplacement(out, piece[:nSrc]); k >= 0 {
			n := x.locate(out[:k], piece, atEOF && final)
			if n < 0 {
				k, n = 0, 0 // not found again: the piece's start
			}
			return dst[:start+k], used + n, x.invalid()
		}
		if err != nil && (atEOF && final || nSrc == 0 && len(piece) > 16) {
			// with room for all output, what is left is an incomplete
			// character that cannot be completed
			return dst[:start+nDst], used + nSrc, x.invalid()
		}
		dst = dst[:start+nDst]
		used += nSrc
		if final {
			break // what is left is an incomplete character, for the next call
		}
	}
	return dst, used, nil
}

// invalid is the error for bytes that are not in x's encoding.
func (x *legacyDecoding) invalid() error {
	return fmt.Errorf("%w: bytes that are not %s", xmlerr.ErrEncoding, x.label)
}

// locate returns how many bytes of piece a decoder reads to give exactly
// good, the output before the first replaced character, which is then
// where that character starts; or -1 when a new decoder does not give
// good (a stateful decoder whose state at the piece's start differs).
// It runs only on the error path.
func (x *legacyDecoding) locate(good, piece []byte, atEOF bool) int {
	buf := make([]byte, len(good))
	// with room for exactly good, the decoder stops before the character
	// it replaces
	nDst, nSrc, _ := x.fresh().Transform(buf, piece, atEOF)
	if nDst != len(good) || !bytes.Equal(buf, good) {
		return -1
	}
	return nSrc
}

// foreignReplacement returns the offset in out, the decoding of src, of
// the first U+FFFD that does not come from the encoding's own bytes for
// U+FFFD, or -1.
func (x *legacyDecoding) foreignReplacement(out, src []byte) int {
	k := bytes.Index(out, []byte(replacementChar))
	if k < 0 || x.fffd == nil {
		return k
	}
	buf := make([]byte, len(out))
	done := 0 // bytes of out before the current one
	for {
		// decode exactly the characters before this U+FFFD to find where
		// it starts in src
		nDst, nSrc, _ := x.check.Transform(buf[:k], src, true)
		if nDst != k || !bytes.HasPrefix(src[nSrc:], x.fffd) {
			return done + k
		}
		src, out = src[nSrc+len(x.fffd):], out[k+len(replacementChar):]
		done += k + len(replacementChar)
		if k = bytes.Index(out, []byte(replacementChar)); k < 0 {
			return -1
		}
	}
}
