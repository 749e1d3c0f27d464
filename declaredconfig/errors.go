package declaredconfig

import (
	"errors"
	"fmt"
	"strconv"
)

// Causes of the errors this package returns (test with errors.Is).
var (
	// ErrSyntax: the input is not well-formed XML.
	ErrSyntax = errors.New("not well-formed")
	// ErrStructure: well-formed XML that is not the expected document (a
	// wrong root element, text where only elements may stand, a repeated
	// single child).
	ErrStructure = errors.New("unexpected document structure")
	// ErrValue: a value that cannot be written as asked (a character XML
	// cannot carry, a bad attribute name, markup that is not well-formed).
	ErrValue = errors.New("value cannot be written")
	// ErrInvalid: a document that breaks a rule of the CSP (see Validate).
	ErrInvalid = errors.New("invalid")
	// ErrNoSummary: a message carries no DeclaredConfiguration 1224 alert.
	ErrNoSummary = errors.New("no declared configuration summary")
	// ErrURI: a LocURI that is not a node of the DeclaredConfiguration CSP.
	ErrURI = errors.New("not a DeclaredConfiguration URI")

	// The kinds of ErrSyntax below also match ErrSyntax.

	// ErrNamespace: input that breaks Namespaces in XML 1.0: an undeclared
	// prefix, a name that is not a qualified name, a prefix bound to the
	// empty name, the reserved prefixes xml and xmlns or their namespace
	// names misused.
	ErrNamespace = fmt.Errorf("%w: namespace not well-formed", ErrSyntax)
	// ErrDuplicateAttr: two attributes of one element with the same name,
	// or with prefixes bound to the same namespace and the same local name.
	ErrDuplicateAttr = fmt.Errorf("%w: duplicate attribute", ErrSyntax)
	// ErrInvalidChar: invalid UTF-8, or a character (written or given by
	// a character reference) that XML 1.0 does not allow.
	ErrInvalidChar = fmt.Errorf("%w: character not allowed in XML", ErrSyntax)
)

// A DecodeError reports input that was refused: where and why. Offset,
// Line and Column refer to the bytes given to UnmarshalText (Column counts
// bytes from 1); Path names the open elements at that point, such as
// "/DeclaredConfiguration/CSP/URI".
type DecodeError struct {
	Offset int64
	Line   int
	Column int
	Path   string
	Err    error // the cause; wraps ErrSyntax (or one of its kinds) or ErrStructure
}

func (e *DecodeError) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, "declaredconfig: line "...)
	b = strconv.AppendInt(b, int64(e.Line), 10)
	b = append(b, ", column "...)
	b = strconv.AppendInt(b, int64(e.Column), 10)
	b = append(b, " (offset "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	b = append(b, ')')
	if e.Path != "" {
		b = append(b, " in "...)
		b = append(b, e.Path...)
	}
	b = append(b, ": "...)
	b = append(b, e.Err.Error()...)
	return string(b)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// A LimitError reports input that exceeds one of the Limits.
type LimitError struct {
	Limit  string // the Limits field, such as "MaxDepth"
	Max    int64  // its value
	Offset int64  // where it was exceeded
	Path   string // the open elements at that point
}

func (e *LimitError) Error() string {
	s := "declaredconfig: limit " + e.Limit + " (" + strconv.FormatInt(e.Max, 10) + ") exceeded at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s
}

// errorf makes an error with the package prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("declaredconfig: "+format, args...)
}
