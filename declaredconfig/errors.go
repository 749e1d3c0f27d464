package declaredconfig

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's errors; each message starts with
// "declaredconfig: " once.
const pkg = xmlerr.Pkg("declaredconfig")

// Causes of the errors this package returns (test with errors.Is). The
// decoding causes are the module's shared sentinels: declaredconfig.ErrSyntax
// is syncml.ErrSyntax, and so on for every condition that syncml reports
// too. The kinds of ErrSyntax (ErrNamespace, ErrDuplicateAttr,
// ErrInvalidChar, ErrEncoding, ErrEntity, ErrDOCTYPE) also match ErrSyntax.
var (
	// ErrSyntax: the input is not well-formed XML.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrNamespace: input that breaks Namespaces in XML 1.0: an undeclared
	// prefix, a name that is not a qualified name, a prefix bound to the
	// empty name, the reserved prefixes xml and xmlns or their namespace
	// names misused.
	ErrNamespace = xmlerr.ErrNamespace
	// ErrDuplicateAttr: two attributes of one element with the same name,
	// or with prefixes bound to the same namespace and the same local name.
	ErrDuplicateAttr = xmlerr.ErrDuplicateAttr
	// ErrInvalidChar: a character (written or given by a character
	// reference) that XML 1.0 does not allow.
	ErrInvalidChar = xmlerr.ErrInvalidChar
	// ErrEncoding: bytes that are not UTF-8.
	ErrEncoding = xmlerr.ErrEncoding
	// ErrEntity: a reference to an entity other than XML's five.
	ErrEntity = xmlerr.ErrEntity
	// ErrDOCTYPE: a document type declaration.
	ErrDOCTYPE = xmlerr.ErrDOCTYPE
	// ErrStructure: well-formed XML that is not the expected document (a
	// wrong root element, text where only elements may stand, a repeated
	// single child).
	ErrStructure = xmlerr.ErrStructure
	// ErrLimit: input beyond one of the Limits; every *LimitError matches it.
	ErrLimit = xmlerr.ErrLimit

	// ErrValue: a value that cannot be written as asked (a character XML
	// cannot carry, a bad attribute name, markup that is not well-formed).
	ErrValue = errors.New("value cannot be written")
	// ErrInvalid: a document that breaks a rule of the CSP (see Validate).
	ErrInvalid = errors.New("invalid")
	// ErrNoSummary: a message carries no DeclaredConfiguration 1224 alert.
	ErrNoSummary = errors.New("no declared configuration summary")
	// ErrURI: a LocURI that is not a node of the DeclaredConfiguration CSP.
	ErrURI = errors.New("not a DeclaredConfiguration URI")
)

// A DecodeError reports input that was refused: where and why. It is the
// module's one decode error (the same type as syncml.DecodeError), with
// the fields Offset, Line, Column, Path and Err. Here Offset, Line and
// Column refer to the bytes given to UnmarshalText (Column counts bytes
// from 1); Path names the open elements at that point, such as
// "/DeclaredConfiguration/CSP/URI"; Err wraps ErrSyntax (or one of its
// kinds) or ErrStructure.
type DecodeError = xmlerr.DecodeError

// A LimitError reports input that exceeds one of the Limits: Limit names
// the Limits field, Max is its value, Offset and Path say where. It matches
// ErrLimit and is the module's one limit error (the same type as
// syncml.LimitError).
type LimitError = xmlerr.LimitError

// errorf makes an error with the package prefix, once: an error of this
// package among args is written without its own prefix.
func errorf(format string, args ...any) error {
	return pkg.Errorf(format, args...)
}
