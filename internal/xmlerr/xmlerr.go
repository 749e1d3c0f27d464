package xmlerr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/utf8cut"
)

// The causes a DecodeError wraps (test with errors.Is). The kinds of
// ErrSyntax (ErrDOCTYPE … ErrEncoding) also match ErrSyntax.
var (
	// ErrSyntax: the input is not well-formed (XML 1.0 with Namespaces,
	// or JSON).
	ErrSyntax = errors.New("not well-formed")
	// ErrDOCTYPE: a document type declaration where none is allowed.
	ErrDOCTYPE error = &syntaxKind{"DOCTYPE not allowed"}
	// ErrEntity: a reference to an entity other than XML's five.
	ErrEntity error = &syntaxKind{"undefined entity"}
	// ErrNamespace: input that breaks Namespaces in XML 1.0: an undeclared
	// prefix, a name that is not a qualified name, a prefix bound to the
	// empty name, the reserved prefixes xml and xmlns or their namespace
	// names misused.
	ErrNamespace error = &syntaxKind{"namespace not well-formed"}
	// ErrDuplicateAttr: two attributes of one element with the same name,
	// or with the same namespace name and local name.
	ErrDuplicateAttr error = &syntaxKind{"duplicate attribute"}
	// ErrInvalidChar: a character (written or given by a character
	// reference) that XML 1.0 does not allow.
	ErrInvalidChar error = &syntaxKind{"character not allowed in XML"}
	// ErrEncoding: bytes that are not in the input's declared or detected
	// encoding (invalid UTF-8 among them), or an encoding that cannot be
	// read.
	ErrEncoding error = &syntaxKind{"bad character encoding"}

	// ErrStructure: well-formed input that is not the expected document:
	// a wrong root, an unexpected element, text where only elements may
	// stand, a repeated single child, a missing required part.
	ErrStructure = errors.New("unexpected structure")

	// ErrLimit: input beyond one of the decoder's limits. Every
	// *LimitError matches it.
	ErrLimit = errors.New("limit exceeded")
)

// syntaxKind is a sentinel that is a kind of ErrSyntax.
type syntaxKind struct{ msg string }

func (k *syntaxKind) Error() string { return k.msg }

// Is reports that every kind of ErrSyntax is ErrSyntax.
func (k *syntaxKind) Is(target error) bool { return target == ErrSyntax }

// A DecodeError reports refused input: where the problem is and why.
// Offset counts bytes from the start of the input the package documents
// (for XML read after transcoding, the UTF-8 text); Line and Column are
// 1-based, Column counting bytes, and CR, CRLF and LF each end a line.
// Path names the open elements at that point, such as
// "/SyncML/SyncBody/Replace/Item" (for JSON, the member, such as
// "/osVersion"); it is empty where no element is open.
//
// A package makes its DecodeErrors with Pkg.Decode, which records the
// package name that starts the message.
type DecodeError struct {
	Offset int64  // byte offset of the problem
	Line   int    // 1-based line
	Column int    // 1-based byte column
	Path   string // element path, or "" outside every element
	Err    error  // the cause; wraps one of the Err… sentinels

	pkg Pkg
}

// Error describes the DecodeError:
// "pkg: line L, column C (offset O) in PATH: cause". A nil e, which has
// no package, says so without a prefix.
func (e *DecodeError) Error() string {
	if e == nil {
		return "decode error (nil *DecodeError)"
	}
	b := make([]byte, 0, 96)
	b = e.pkg.appendPrefix(b)
	b = append(b, "line "...)
	b = strconv.AppendInt(b, int64(e.Line), 10)
	b = append(b, ", column "...)
	b = strconv.AppendInt(b, int64(e.Column), 10)
	b = append(b, " (offset "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	b = append(b, ')')
	if e.Path != "" {
		b = append(b, " in "...)
		b = appendPath(b, e.Path)
	}
	b = append(b, ": "...)
	if e.Err == nil {
		b = append(b, ErrSyntax.Error()...)
	} else {
		b = append(b, e.pkg.trim(e.Err.Error())...)
	}
	return string(b)
}

// Unwrap returns the cause, nil for a nil e.
func (e *DecodeError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// maxShownPath bounds the path an error message shows: a JSON member name
// or a deep XML nesting can make Path as long as the input, and a message
// should not echo a peer's megabyte. The field itself stays whole.
const maxShownPath = 512

// appendPath appends path to b, cut to its ends when it is longer than
// maxShownPath (utf8cut.Middle).
func appendPath(b []byte, path string) []byte {
	return append(b, utf8cut.Middle(path, maxShownPath)...)
}

// A LimitError reports input beyond one of a decoder's limits. It matches
// ErrLimit.
type LimitError struct {
	Limit  string // the limit: the Limits field, such as "MaxDepth"
	Max    int64  // its value
	Offset int64  // byte offset where it was exceeded; -1 for a count
	Path   string // element path at that point, or ""
	// Count, for a limit on a count or a size that is no position in
	// input being read (a queue's commands, a device's documents, a
	// reply's bytes), is what it would have reached; Offset is then -1.
	Count int64

	pkg Pkg
}

// Error describes the LimitError:
// "pkg: limit NAME (MAX) exceeded at offset O in PATH", or for a count
// "pkg: limit NAME (MAX) exceeded: COUNT in PATH". A nil e says so
// without a prefix.
func (e *LimitError) Error() string {
	if e == nil {
		return "limit exceeded (nil *LimitError)"
	}
	b := make([]byte, 0, 96)
	b = e.pkg.appendPrefix(b)
	b = append(b, "limit "...)
	b = append(b, e.Limit...)
	b = append(b, " ("...)
	b = strconv.AppendInt(b, e.Max, 10)
	if e.Offset < 0 {
		b = append(b, ") exceeded: "...)
		b = strconv.AppendInt(b, e.Count, 10)
	} else {
		b = append(b, ") exceeded at offset "...)
		b = strconv.AppendInt(b, e.Offset, 10)
	}
	if e.Path != "" {
		b = append(b, " in "...)
		b = appendPath(b, e.Path)
	}
	return string(b)
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// Pkg is the name of a package that reports errors, such as "syncml". It
// makes the package's errors, each message starting with the name and
// ": " exactly once.
type Pkg string

// Prefix returns the message prefix, such as "syncml: ".
func (p Pkg) Prefix() string { return string(p) + ": " }

func (p Pkg) appendPrefix(b []byte) []byte {
	if p == "" {
		return b
	}
	return append(append(b, p...), ": "...)
}

// trim removes p's prefix from the start of s, so that a message that
// carries an error of the same package says the name once.
func (p Pkg) trim(s string) string {
	if p == "" {
		return s
	}
	return strings.TrimPrefix(s, p.Prefix())
}

// Decode returns a DecodeError of package p.
func (p Pkg) Decode(offset int64, line, column int, path string, cause error) *DecodeError {
	return &DecodeError{Offset: offset, Line: line, Column: column, Path: path, Err: cause, pkg: p}
}

// Limit returns a LimitError of package p.
func (p Pkg) Limit(limit string, max, offset int64, path string) *LimitError {
	return &LimitError{Limit: limit, Max: max, Offset: offset, Path: path, pkg: p}
}

// LimitCount returns a LimitError of package p for a limit on a count
// (or a size) that reached count, at no offset.
func (p Pkg) LimitCount(limit string, max, count int64, path string) *LimitError {
	return &LimitError{Limit: limit, Max: max, Offset: -1, Count: count, Path: path, pkg: p}
}

// Errorf formats an error of package p: its message is the prefix and the
// formatted text, where any error among args that already starts with the
// prefix is written without it. %w wraps as with fmt.Errorf.
func (p Pkg) Errorf(format string, args ...any) error {
	for i, a := range args {
		if err, ok := a.(error); ok && err != nil && strings.HasPrefix(err.Error(), p.Prefix()) {
			args[i] = &prefixless{p: p, err: err}
		}
	}
	return fmt.Errorf(p.Prefix()+format, args...)
}

// prefixless shows a wrapped error without its package prefix and keeps
// its chain.
type prefixless struct {
	p   Pkg
	err error
}

func (e *prefixless) Error() string { return e.p.trim(e.err.Error()) }
func (e *prefixless) Unwrap() error { return e.err }
