package syncml

import (
	"errors"
	"fmt"
	"strconv"
)

// Causes carried by a *DecodeError (test with errors.Is).
var (
	// ErrSyntax: the input is not well-formed XML 1.0.
	ErrSyntax = errors.New("not well-formed")
	// ErrDOCTYPE: a document type declaration, which SyncML never needs.
	ErrDOCTYPE = errors.New("DOCTYPE not allowed")
	// ErrEntity: a reference to an entity other than the five predefined.
	ErrEntity = errors.New("undefined entity")
	// ErrPrefix: a prefix with no namespace declaration in scope.
	ErrPrefix = errors.New("undeclared namespace prefix")
	// ErrDuplicateAttr: an attribute given twice on one element.
	ErrDuplicateAttr = errors.New("duplicate attribute")
	// ErrStructure: well-formed XML that is not a SyncML message
	// (an unexpected element, text where only elements may stand, a
	// missing SyncHdr, a repeated single child…).
	ErrStructure = errors.New("not a SyncML structure")
	// ErrEncoding: bytes that are not in the declared or detected encoding,
	// or an encoding that cannot be read.
	ErrEncoding = errors.New("bad character encoding")
	// ErrInvalidChar: a character XML cannot carry (in input or in a value
	// given to Marshal).
	ErrInvalidChar = errors.New("character not allowed in XML")
	// ErrState: a call out of order, returned wrapped but never inside a
	// *DecodeError: an Encoder method out of its order (EncodeHeader once,
	// then EncodeCommand, then EncodeEnd once), or Decoder.Decode once
	// Next has returned a command. Decoder.Header and Next have no wrong
	// order (Next reads the header itself).
	ErrState = errors.New("call out of order")
)

// A DecodeError reports malformed input: where it was found and why.
// Offset, Line and Column refer to the input after transcoding to UTF-8
// and after any byte-order mark (for UTF-8 input without one they are the
// raw positions); Column counts bytes from 1, and CR, CRLF and LF each end
// a line. Bytes that are invalid in the input's encoding are reported at
// line 1, column 1.
type DecodeError struct {
	Offset int64  // byte offset of the problem
	Line   int    // 1-based line
	Column int    // 1-based byte column
	Path   string // element path, such as "/SyncML/SyncBody/Replace/Item"
	Err    error  // the cause; wraps one of the Err… sentinels
}

// Error describes the DecodeError.
func (e *DecodeError) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, "syncml: line "...)
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

// A LimitError reports input that exceeds one of the decoder's Limits.
type LimitError struct {
	Limit  string // the Limits field, such as "MaxDepth"
	Max    int64  // its value
	Offset int64  // where it was exceeded
	Path   string // element path at that point
}

// Error describes the LimitError.
func (e *LimitError) Error() string {
	s := "syncml: limit " + e.Limit + " (" + strconv.FormatInt(e.Max, 10) + ") exceeded at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s
}

// errorf makes an error with the package prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("syncml: "+format, args...)
}
