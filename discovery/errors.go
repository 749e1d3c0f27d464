package discovery

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's decode and limit errors; their messages start
// with "discovery: " once.
const pkg = xmlerr.Pkg("discovery")

// Sentinel errors. Every error this package returns about its input
// matches one of them with errors.Is, either directly or through
// DecodeError, LimitError, FieldError or ServerError; the Client's
// failures to post or to wait (net/http's errors, a context that ended)
// wrap those errors instead. ErrSyntax and ErrLimit are the module's
// shared sentinels (the same values as syncml.ErrSyntax and
// syncml.ErrLimit).
var (
	// ErrSyntax reports input that is not well-formed JSON.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrType reports a JSON value of the wrong kind, such as a number
	// where a string is required or a body that is not an object.
	ErrType = errors.New("discovery: wrong JSON type")
	// ErrUnknownField reports an object member whose name the schema
	// does not define.
	ErrUnknownField = errors.New("discovery: unknown field")
	// ErrCaseMismatch reports an object member whose name equals a
	// schema name only when case is ignored.
	ErrCaseMismatch = errors.New("discovery: field name differs from the schema only in case")
	// ErrDuplicateField reports a member name that occurs twice.
	ErrDuplicateField = errors.New("discovery: duplicate field")
	// ErrTrailingData reports bytes other than white space after the
	// object.
	ErrTrailingData = errors.New("discovery: data after the JSON object")
	// ErrInvalidString reports text that is not valid UTF-8 or a \u
	// escape that is an unpaired surrogate, which cannot be kept exactly.
	ErrInvalidString = errors.New("discovery: string is not valid UTF-8")
	// ErrLimit reports input larger than a configured limit; every
	// *LimitError matches it.
	ErrLimit = xmlerr.ErrLimit

	// ErrRequired reports a required field that is empty.
	ErrRequired = errors.New("discovery: required field is missing")
	// ErrOSVersion reports an osVersion that is not shaped like a
	// Windows version (major.minor.build.revision).
	ErrOSVersion = errors.New("discovery: malformed Windows version")
	// ErrEnrollmentType reports an enrollmentType other than Device,
	// User or empty.
	ErrEnrollmentType = errors.New("discovery: unsupported enrollmentType")
	// ErrAuthPolicy reports an AuthPolicy other than Federated or
	// Certificate.
	ErrAuthPolicy = errors.New("discovery: unsupported AuthPolicy")
	// ErrPairMismatch reports a response whose AuthPolicy does not fit
	// the request's enrollmentType.
	ErrPairMismatch = errors.New("discovery: AuthPolicy does not match enrollmentType")
	// ErrURL reports a URL that is not absolute or cannot be parsed.
	ErrURL = errors.New("discovery: malformed URL")
	// ErrInsecureURL reports a URL whose scheme is not https (or http
	// to a loopback host when URLPolicy allows it).
	ErrInsecureURL = errors.New("discovery: URL is not HTTPS")
	// ErrHostNotAllowed reports a URL whose host is not in
	// URLPolicy.AllowedHosts.
	ErrHostNotAllowed = errors.New("discovery: URL host is not allowed")

	// ErrUPNRequired is the UPNRequired error code as an error. A
	// DiscoverFunc returns it to make the Handler ask for a UPN; a
	// ServerError carrying that code matches it.
	ErrUPNRequired = errors.New("discovery: server requires a UPN")
	// ErrContentType reports a body whose media type is not
	// application/json, or whose charset parameter names a charset
	// other than UTF-8.
	ErrContentType = errors.New("discovery: content type is not application/json")
)

// maxQuoted is how many bytes of a value from the peer (a body field,
// which can be nearly MaxBytes long, or a header, up to about 1 MB) an
// error's text quotes; real values are far shorter.
const maxQuoted = 256

// quote returns s quoted for an error's text, cut after maxQuoted bytes
// and then followed by its full length.
func quote[S ~string](s S) string { return utf8cut.Quote(string(s), maxQuoted) }

// detail returns the text of err without the package prefix, for
// composing messages that already carry it.
func detail(err error) string {
	return strings.TrimPrefix(err.Error(), pkg.Prefix())
}

// inError is an error of this package given context: its message is
// "discovery: " + context + ": " and err's without its own prefix, so
// that the prefix appears once; it unwraps to err.
type inError struct {
	context string
	err     error
}

func (e *inError) Error() string { return pkg.Prefix() + e.context + ": " + detail(e.err) }

func (e *inError) Unwrap() error { return e.err }

// DecodeError describes input that Request.UnmarshalJSON,
// Response.UnmarshalJSON, ReadRequest or ReadResponse rejected. It is the
// module's one decode error (the same type as syncml.DecodeError), read
// for JSON: Offset is the byte offset in the input where the problem
// starts, Line and Column its 1-based line and byte column; Path is the
// member involved as a JSON Pointer, such as "/osVersion", or "" for the
// body as a whole; Err is the cause, which matches one of the decoding
// sentinels (ErrSyntax, ErrType, ErrUnknownField, ErrCaseMismatch,
// ErrDuplicateField, ErrTrailingData, ErrInvalidString).
type DecodeError = xmlerr.DecodeError

// LimitError reports input that exceeded a limit: Limit names the field
// that sets it ("MaxBytes" of Handler or Client), Max is its value and
// Offset the byte offset where it was exceeded. It matches ErrLimit and is
// the module's one limit error (the same type as syncml.LimitError).
type LimitError = xmlerr.LimitError

// FieldError reports a schema rule that a field breaks.
type FieldError struct {
	// Field is the JSON member name, as spelled on the wire.
	Field string
	// Err is the rule broken; it matches one of the validation
	// sentinels.
	Err error
}

// Error implements the error interface; it is safe on a nil
// *FieldError.
func (e *FieldError) Error() string {
	if e == nil {
		return "discovery: invalid field (nil *FieldError)"
	}
	return fmt.Sprintf("discovery: %s: %s", e.Field, detail(e.Err))
}

// Unwrap returns the rule broken, nil for a nil *FieldError.
func (e *FieldError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// ServerError reports a discovery service answer that carries no usable
// Response: an HTTP status other than 200, or a body whose errorCode is
// set. A ServerError whose ErrorCode is UPNRequired matches
// ErrUPNRequired.
type ServerError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// ErrorCode and Message are the body's errorCode and message, when
	// the body could be decoded.
	ErrorCode string
	Message   string
	// RetryAfter is the delay the server asked for with Retry-After, or
	// zero when it sent none (or a date in the past). A delay over 2^31
	// seconds is held as 2^31 seconds; the message quotes the header as
	// sent.
	RetryAfter time.Duration

	retryable        bool   // a throttling status with a usable Retry-After
	retryAfterQuoted string // the Retry-After header of a throttling status, quoted (cut)
	stopped          string // why the Client did not repeat the request, if it was retryable
}

// Error implements the error interface; it is safe on a nil
// *ServerError.
func (e *ServerError) Error() string {
	if e == nil {
		return "discovery: server error (nil *ServerError)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "discovery: server answered status %d", e.StatusCode)
	if e.ErrorCode != "" {
		b.WriteString(", errorCode " + quote(e.ErrorCode))
	}
	if e.Message != "" {
		b.WriteString(", message " + quote(e.Message))
	}
	switch {
	case e.retryAfterQuoted != "" && !e.retryable:
		b.WriteString(", Retry-After " + e.retryAfterQuoted + " not understood")
	case e.retryAfterQuoted != "":
		fmt.Fprintf(&b, ", Retry-After %s (%s)", e.retryAfterQuoted, e.RetryAfter)
	case e.RetryAfter > 0:
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.stopped != "" {
		b.WriteString(", " + e.stopped)
	}
	return b.String()
}

// Is reports whether target is ErrUPNRequired and the error code says
// so; a nil *ServerError matches nothing.
func (e *ServerError) Is(target error) bool {
	return e != nil && target == ErrUPNRequired && e.ErrorCode == ErrorCodeUPNRequired
}

// ThrottleError is returned by a DiscoverFunc to make the Handler refuse
// the request for now and tell the client when to retry.
type ThrottleError struct {
	// After is the delay sent in Retry-After, rounded up to whole
	// seconds and capped at 2^31 seconds; zero or negative sends 0.
	After time.Duration
	// StatusCode is the HTTP status to answer with; zero means 429 Too
	// Many Requests. It must be a 4xx or 5xx status: the Handler answers
	// any other with 500 and logs the fault.
	StatusCode int
}

// Error implements the error interface; it is safe on a nil
// *ThrottleError.
func (e *ThrottleError) Error() string {
	if e == nil {
		return "discovery: throttled (nil *ThrottleError)"
	}
	return fmt.Sprintf("discovery: throttled, retry after %s", e.After)
}
