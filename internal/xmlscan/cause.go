package xmlscan

import (
	"fmt"
	"io"

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
