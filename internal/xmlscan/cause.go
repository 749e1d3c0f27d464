package xmlscan

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlerr"
)

// Cause returns the cause that a package puts in its DecodeError for a
// lexical problem of kind k with message msg: the shared sentinel of that
// condition (internal/xmlerr), wrapped with msg, so that every package
// reading XML through a Scanner reports the same condition the same way.
func Cause(k Kind, msg string) error {
	switch k {
	case EOF:
		return fmt.Errorf("%w: %w", xmlerr.ErrSyntax, io.ErrUnexpectedEOF)
	case Unclosed:
		return fmt.Errorf("%w: unterminated %s: %w", xmlerr.ErrSyntax, msg, io.ErrUnexpectedEOF)
	case DOCTYPE:
		return xmlerr.ErrDOCTYPE
	case UndeclaredPrefix:
		return fmt.Errorf("%w: undeclared prefix %s", xmlerr.ErrNamespace, msg)
	}
	var s error
	switch k {
	case Prefix, BadQName:
		s = xmlerr.ErrNamespace
	case DuplicateAttr:
		s = xmlerr.ErrDuplicateAttr
	case InvalidChar:
		s = xmlerr.ErrInvalidChar
	case Encoding:
		s = xmlerr.ErrEncoding
	case Entity:
		s = xmlerr.ErrEntity
	default:
		s = xmlerr.ErrSyntax
	}
	if msg == "" {
		return s
	}
	return fmt.Errorf("%w: %s", s, msg)
}

// found describes the character that starts s, where another was
// expected: "found U+2019 '’'" (a typographic quote looks like a quote),
// or "found byte 0xff" for a byte that starts no UTF-8 character.
func found(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		if s == "" {
			return "found the end of input"
		}
		return fmt.Sprintf("found byte %#x", s[0])
	}
	return fmt.Sprintf("found %U %q", r, r)
}

// MarkupDeclError returns the Syntax error for the "<!" at pos that starts
// none of want, the declarations allowed there (such as `"<!--"`), with
// the message MarkupDecl makes.
func (sc *Scanner) MarkupDeclError(pos int, want string) error {
	return sc.Syntax(pos, "%s", MarkupDecl(sc.src[pos:], want))
}

// MarkupDecl returns the message for the "<!" that starts s and none of
// want: it names what was found, "<!" and up to three characters after it
// (up to a '>'), and what was expected. Readers that do not scan with a
// Scanner (ddf's) use it to say the same.
func MarkupDecl(s, want string) string {
	i := min(2, len(s))
	for n := 0; n < 3 && i < len(s); n++ {
		c := s[i]
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if c == '>' {
			break
		}
	}
	return fmt.Sprintf("invalid markup declaration %q: expected %s", s[:i], want)
}

// OutsideDecl returns the kind and message of the error for the "<!" that
// starts rest, outside the root element, and starts no comment (Misc has
// read those): DOCTYPE for a document type declaration; a Syntax
// "CDATA section outside the root element" for a CDATA section, closed or
// not, as for text there; EOF (no message) when rest ends where a
// comment or a DOCTYPE may still start, since the error is then the end
// of the input (a DOCTYPE is refused as such); else a Syntax error with
// the message MarkupDecl makes, want naming what may stand there. A cut
// "<![CD" is of the last kind: no CDATA section may start there. Every
// reader says the same of the same "<!" before and after its root
// element through it (provisioning's, which reads without a Scanner,
// too).
func OutsideDecl(rest, want string) (Kind, string) {
	switch {
	case strings.HasPrefix(rest, doctypeOpen):
		return DOCTYPE, ""
	case strings.HasPrefix(rest, cdataOpen):
		return Syntax, "CDATA section outside the root element"
	case CutShort(rest, commentOpen, doctypeOpen):
		return EOF, ""
	}
	return Syntax, MarkupDecl(rest, want)
}

// OutsideDeclError returns the error OutsideDecl describes for the "<!"
// at pos: at pos, or the end of input at the end. Over partial input too
// short to tell which it is (a CDATA section's opener cut short among
// them), it returns ErrNeedMore.
func (sc *Scanner) OutsideDeclError(pos int, want string) error {
	rest := sc.src[pos:]
	if sc.partial && CutShort(rest, commentOpen, doctypeOpen, cdataOpen) {
		return ErrNeedMore
	}
	k, msg := OutsideDecl(rest, want)
	if k == EOF {
		return sc.EOF(len(sc.src))
	}
	return sc.errs.ScanError(pos, k, msg)
}
