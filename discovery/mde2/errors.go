package mde2

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's decode and limit errors; their messages start
// with "mde2: " once.
const pkg = xmlerr.Pkg("mde2")

// Sentinel errors. Refused input matches ErrSyntax, ErrStructure or
// ErrLimit (the module's shared sentinels, the same values as
// syncml.ErrSyntax and the others) through a *DecodeError or *LimitError.
var (
	// ErrSyntax reports input that is not well-formed XML.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrDOCTYPE reports a document type declaration; it matches
	// ErrSyntax.
	ErrDOCTYPE = xmlerr.ErrDOCTYPE
	// ErrEncoding reports bytes that are not in the declared encoding,
	// or an encoding that cannot be read; it matches ErrSyntax.
	ErrEncoding = xmlerr.ErrEncoding
	// ErrStructure reports well-formed XML that is not the expected
	// message: a wrong root or body element, a missing required part.
	ErrStructure = xmlerr.ErrStructure
	// ErrLimit reports input beyond one of the Limits.
	ErrLimit = xmlerr.ErrLimit

	// ErrCSR reports a certificate request that cannot be read or whose
	// signature does not verify.
	ErrCSR = errors.New("mde2: bad certificate request")
	// ErrPKCS7 reports a renewal token that is not a PKCS#7 SignedData
	// this package can verify.
	ErrPKCS7 = errors.New("mde2: bad PKCS#7 renewal token")
	// ErrVersion reports a RequestVersion or EnrollmentVersion that is
	// not a decimal version number.
	ErrVersion = errors.New("mde2: malformed version")
	// ErrContentType reports an HTTP body that is not a SOAP message
	// (application/soap+xml, or text/xml for SOAP 1.1).
	ErrContentType = errors.New("mde2: content type is not SOAP")
	// ErrHTTPStatus reports an HTTP answer that is neither a SOAP
	// message nor a SOAP fault.
	ErrHTTPStatus = errors.New("mde2: unexpected HTTP status")
)

// DecodeError describes refused XML: Offset, Line and Column locate the
// problem in the bytes received, Path names the open elements (such as
// "/Envelope/Body/Discover"), Err is the cause. It is the module's one
// decode error (the same type as syncml.DecodeError).
type DecodeError = xmlerr.DecodeError

// LimitError reports input beyond one of the Limits; Limit names the
// field ("MaxBytes", "MaxDepth", "MaxTokens"). It is the module's one
// limit error (the same type as syncml.LimitError) and matches ErrLimit.
type LimitError = xmlerr.LimitError
