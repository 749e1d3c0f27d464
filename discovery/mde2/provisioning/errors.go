package provisioning

import (
	"errors"
	"fmt"
	"strings"

	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's errors; each message starts with
// "provisioning: " once.
const pkg = xmlerr.Pkg("provisioning")

// Causes of the errors this package returns (test with errors.Is). The
// decoding causes are the module's shared sentinels: provisioning.ErrSyntax
// is syncml.ErrSyntax, and so on. The kinds of ErrSyntax (ErrNamespace,
// ErrDuplicateAttr, ErrInvalidChar, ErrEncoding, ErrEntity, ErrDOCTYPE)
// also match ErrSyntax.
var (
	// ErrSyntax: the input is not well-formed XML.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrNamespace: input that breaks Namespaces in XML 1.0: a name that
	// is not a qualified name, an undeclared prefix, a prefix bound to the
	// empty name, the reserved prefixes xml and xmlns or their namespace
	// names misused.
	ErrNamespace = xmlerr.ErrNamespace
	// ErrDuplicateAttr: two attributes of one element with the same name,
	// or with prefixes bound to the same namespace and the same local
	// name.
	ErrDuplicateAttr = xmlerr.ErrDuplicateAttr
	// ErrInvalidChar: a character that XML 1.0 does not allow.
	ErrInvalidChar = xmlerr.ErrInvalidChar
	// ErrEncoding: bytes that are not valid in the input's encoding, or an
	// encoding the reader does not take (see UnmarshalLimits).
	ErrEncoding = xmlerr.ErrEncoding
	// ErrEntity: a reference to an entity other than XML's five.
	ErrEntity = xmlerr.ErrEntity
	// ErrDOCTYPE: a document type declaration.
	ErrDOCTYPE = xmlerr.ErrDOCTYPE
	// ErrStructure: well-formed XML that is not a provisioning document: a
	// root other than wap-provisioningdoc, a characteristic without type,
	// a parm without name or with content, text where only elements may
	// stand, a processing instruction.
	ErrStructure = xmlerr.ErrStructure
	// ErrLimit: input beyond one of the Limits; every *LimitError matches
	// it.
	ErrLimit = xmlerr.ErrLimit

	// ErrValue: a Document that cannot be written as it is (a name that is
	// not an XML name, a character XML cannot carry, a node where the
	// format allows none); the error says which node.
	ErrValue = errors.New("value cannot be written")
	// ErrInvalid: a value of the typed view that breaks a rule of the CSP
	// that defines it (a number that is not one, a bad base64 certificate,
	// a second APPAUTH of one level, ...).
	ErrInvalid = errors.New("invalid value")
	// ErrRequired: a characteristic or parm that the typed view needs is
	// missing or empty.
	ErrRequired = errors.New("required value missing")
	// ErrThumbprint: a CertificateStore characteristic is not named by the
	// SHA-1 thumbprint of the certificate it holds.
	ErrThumbprint = errors.New("characteristic does not name the certificate's SHA-1 thumbprint")
	// ErrProviderID: the DMClient provider ID differs from the w7
	// APPLICATION's PROVIDER-ID.
	ErrProviderID = errors.New("DMClient provider ID differs from the w7 PROVIDER-ID")
)

// A DecodeError reports input that was refused: where and why. It is the
// module's one decode error (the same type as syncml.DecodeError): Offset,
// Line and Column refer to the bytes given to Unmarshal, or for input
// transcoded from UTF-16 or ISO-8859-1 to its UTF-8 text (Column counts
// bytes from 1); Path names the open elements, such as
// "/wap-provisioningdoc/characteristic/parm", the element whose start
// tag holds the problem among them once its name is read; Err wraps ErrSyntax (or one
// of its kinds) or ErrStructure.
type DecodeError = xmlerr.DecodeError

// A LimitError reports input beyond one of the Limits: Limit names the
// Limits field, Max is its value, Offset and Path say where. It matches
// ErrLimit and is the module's one limit error (the same type as
// syncml.LimitError).
type LimitError = xmlerr.LimitError

// A FieldError reports a characteristic or parm of the typed view
// (Enrollment) that is wrong, missing or cannot be written, or a node of a
// Document that the writer cannot write (Marshal, AppendText).
type FieldError struct {
	// Path names the place in the document, characteristic types and the
	// parm name joined by "/", such as "APPLICATION/APPAUTH[CLIENT]/AAUTHTYPE"
	// or "CertificateStore/Root/System/<thumbprint>/EncodedCertificate";
	// for a node of a Document (the writer's errors, Enrollment's check
	// of the tree), "/" and the root, then the indexes of the nodes that
	// lead to it from the root, such as "/wap-provisioningdoc[2][0]"
	// (the root itself is "/wap-provisioningdoc"), as a DecodeError's
	// or LimitError's path starts with "/".
	Path string
	// Err is the rule broken; it matches ErrInvalid, ErrRequired,
	// ErrThumbprint, ErrProviderID or ErrValue.
	Err error
}

// Error implements the error interface.
func (e *FieldError) Error() string {
	return pkg.Prefix() + e.Path + ": " + strings.TrimPrefix(e.Err.Error(), pkg.Prefix())
}

// Unwrap returns the rule broken.
func (e *FieldError) Unwrap() error { return e.Err }

// fieldErr makes a FieldError whose cause wraps sentinel with a detail.
func fieldErr(path string, sentinel error, format string, args ...any) error {
	if format == "" {
		return &FieldError{Path: path, Err: sentinel}
	}
	return &FieldError{Path: path, Err: &detailErr{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}}
}

// detailErr is a sentinel with a detail: "detail: sentinel".
type detailErr struct {
	sentinel error
	msg      string
}

func (e *detailErr) Error() string { return e.msg + ": " + e.sentinel.Error() }
func (e *detailErr) Unwrap() error { return e.sentinel }
