package declaredconfig

import (
	"errors"
	"fmt"
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
)

// errorf makes an error with the package prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("declaredconfig: "+format, args...)
}
