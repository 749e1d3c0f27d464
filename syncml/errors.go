package syncml

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's errors; each message starts with "syncml: ".
const pkg = xmlerr.Pkg("syncml")

// Causes carried by a *DecodeError, or by the error of Marshal, an Encoder
// or a Decoder (test with errors.Is). They are the module's shared
// sentinels: syncml.ErrSyntax is declaredconfig.ErrSyntax, ddf.ErrSyntax
// and discovery.ErrSyntax, and so on for every condition that more than one
// package reports. The kinds of ErrSyntax (ErrDOCTYPE, ErrEntity,
// ErrNamespace, ErrDuplicateAttr, ErrInvalidChar, ErrEncoding) also match
// ErrSyntax.
var (
	// ErrSyntax: the input is not well-formed XML 1.0.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrDOCTYPE: a document type declaration, which SyncML never needs.
	ErrDOCTYPE = xmlerr.ErrDOCTYPE
	// ErrEntity: a reference to an entity other than the five predefined.
	ErrEntity = xmlerr.ErrEntity
	// ErrNamespace: input that breaks Namespaces in XML 1.0: a prefix with
	// no declaration in scope, a name that is not a qualified name, a
	// prefix bound to the empty name, the reserved prefixes or namespace
	// names misused (in input, or in a value given to Marshal).
	ErrNamespace = xmlerr.ErrNamespace
	// ErrDuplicateAttr: an attribute given twice on one element.
	ErrDuplicateAttr = xmlerr.ErrDuplicateAttr
	// ErrStructure: well-formed XML that is not a SyncML message (an
	// unexpected element, text where only elements may stand, a repeated
	// single child…). A message without SyncHdr is not an error: Microsoft's
	// samples often omit it, and the decoder accepts that (Message.NoHeader).
	ErrStructure = xmlerr.ErrStructure
	// ErrEncoding: bytes that are not in the declared or detected encoding,
	// or an encoding that cannot be read.
	ErrEncoding = xmlerr.ErrEncoding
	// ErrInvalidChar: a character XML cannot carry (in input or in a value
	// given to Marshal).
	ErrInvalidChar = xmlerr.ErrInvalidChar
	// ErrLimit: input beyond one of the Limits; every *LimitError matches it.
	ErrLimit = xmlerr.ErrLimit
	// ErrState: a call out of order, returned wrapped but never inside a
	// *DecodeError: an Encoder method out of its order (EncodeHeader once,
	// then EncodeCommand, then EncodeEnd once), or Decoder.Decode once
	// Next has returned a command. Decoder.Header and Next have no wrong
	// order (Next reads the header itself).
	ErrState = errors.New("call out of order")
	// ErrNilMessage: a nil *Message given to Unmarshal, UnmarshalLimits,
	// UnmarshalOwned, Decoder.Decode, Marshal, MarshalIndent,
	// AppendMessage, Encoder.Encode, Message.Validate or
	// Message.ValidateCmdIDs; returned wrapped, never inside a
	// *DecodeError, and the call has no other effect.
	ErrNilMessage = errors.New("nil *Message")
)

// A DecodeError reports malformed input: where it was found and why. It is
// the one decode error of the module (declaredconfig.DecodeError,
// ddf.ParseError and discovery.DecodeError are the same type), with the
// fields Offset, Line, Column, Path (the open elements, such as
// "/SyncML/SyncBody/Replace/Item") and Err (the cause, which wraps one of
// the Err… sentinels); errors.As finds it whichever package returned it.
//
// Here Offset, Line and Column refer to the input after transcoding to
// UTF-8 and after any byte-order mark (for UTF-8 input without one they
// are the raw positions); Column counts bytes from 1, and CR, CRLF and LF
// each end a line. Bytes that are invalid in the input's encoding (an
// ErrEncoding) are the exception: Offset is that of their first byte in
// the input as received (what Limits.MaxBytes counts, a byte-order mark
// included), and Line and Column are where the text decoded before them
// ends; an encoding that cannot be read at all is at offset 0, line 1,
// column 1.
type DecodeError = xmlerr.DecodeError

// A LimitError reports input that exceeds one of the decoder's Limits:
// Limit names the Limits field (such as "MaxDepth"), Max is its value,
// Offset and Path say where it was exceeded. It matches ErrLimit, and is
// the one limit error of the module (declaredconfig.LimitError,
// ddf.LimitError and discovery.LimitError are the same type).
type LimitError = xmlerr.LimitError

// errorf makes an error with the package prefix (once, also when it wraps
// an error of this package).
func errorf(format string, args ...any) error {
	return pkg.Errorf(format, args...)
}

// nilMessage is the error of fn, an entry point given a nil *Message; it
// matches ErrNilMessage.
func nilMessage(fn string) error {
	return errorf("%s was given a %w", fn, ErrNilMessage)
}
