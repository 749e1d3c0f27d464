package reconcile

import (
	"errors"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/syncml/session"
)

// pkg makes the package's errors; each message starts with "reconcile: "
// once.
const pkg = xmlerr.Pkg("reconcile")

// Causes of the errors this package returns (test with errors.Is).
var (
	// ErrInvalid: a Doc that cannot be declared (see Reconciler.Declare).
	ErrInvalid = errors.New("invalid declaration")
	// ErrLimit is the module's limit sentinel: every *LimitError (such as
	// Config.MaxDocuments exceeded) matches it.
	ErrLimit = xmlerr.ErrLimit
	// ErrConflict is session.ErrConflict: a Store compare-and-swap found
	// another version; after Config.MaxRetries attempts it is returned.
	ErrConflict = session.ErrConflict
	// ErrStoredState is session.ErrStoredState: the state the Store
	// holds for a device does not read (the error says where), the
	// Reconciler's or the session's, one check for both.
	ErrStoredState = session.ErrStoredState
)

// A LimitError reports a limit exceeded: Limit names the Config field,
// Max its value and Offset the count it would have reached. It is the
// module's one limit error.
type LimitError = xmlerr.LimitError

func errorf(format string, args ...any) error { return pkg.Errorf(format, args...) }

// A SummaryError reports an entry of a device's summary (its 1224 alert)
// that is not read as the device sent it; a Problem event carries it
// (Event.Err, wrapped: use errors.As). It is one of three things:
//
//   - an entry whose scope and DocID an earlier entry lists already:
//     First is that earlier entry, the one read; this entry is not
//     (nor is any later one of the same scope and DocID);
//   - an entry whose state is not a DCCSPURIState the CSP defines
//     (declaredconfig.State.Known), or is not a number: First is zero,
//     and the document's state is read as it reads (a word reads as
//     NotDefined), which says nothing of where the device stands;
//   - an entry without an id (or one of white space alone): Path ends
//     in "@id", DocID and First are zero; it names no document and is
//     not read (it is no Stray). The Problem's Status is zero.
//
// Changed: an entry without an id was kept, without a Problem, as a
// Stray of an empty DocID (which Remove cannot name).
type SummaryError struct {
	// Entry counts the entry from 1 among the summary's
	// DeclaredConfiguration elements; Path names it and the attribute at
	// fault, such as "/DeclaredConfigurations/DeclaredConfiguration[2]/@state".
	Entry int
	Path  string
	Scope declaredconfig.Scope // the scope the entry's context names
	DocID string
	// Value is the attribute as the device sent it: the id of an entry
	// listed again, the state of an undefined one.
	Value string
	// First is the entry read for the DocID listed again; 0 for a state.
	First int
}

// Error says what the entry holds, where, and how it is read.
func (e *SummaryError) Error() string {
	b := make([]byte, 0, 160)
	b = append(b, pkg.Prefix()...)
	b = append(b, "summary entry "...)
	b = strconv.AppendInt(b, int64(e.Entry), 10)
	b = append(b, " ("...)
	b = append(b, e.Path...)
	b = append(b, "): "...)
	if e.First == 0 && strings.HasSuffix(e.Path, "/@id") {
		b = append(b, e.Scope.String()...)
		b = append(b, " entry without an id ("...)
		b = append(b, utf8cut.Quote(e.Value, 40)...)
		b = append(b, ") names no document; it is not read"...)
		return string(b)
	}
	if e.First > 0 {
		b = append(b, e.Scope.String()...)
		b = append(b, " document "...)
		b = append(b, utf8cut.Quote(e.DocID, 80)...)
		b = append(b, " listed again; entry "...)
		b = strconv.AppendInt(b, int64(e.First), 10)
		b = append(b, " is read, this one is not"...)
		return string(b)
	}
	b = append(b, "state "...)
	b = append(b, utf8cut.Quote(e.Value, 40)...)
	b = append(b, " of "...)
	b = append(b, e.Scope.String()...)
	b = append(b, " document "...)
	b = append(b, utf8cut.Quote(e.DocID, 80)...)
	b = append(b, " is no state the CSP defines; where the document stands is not known"...)
	return string(b)
}

// shown is s, a text a peer or a caller gave (a device's ID, a DocID, a
// checksum), quoted for a message: cut in the middle beyond 256 bytes, so
// that a message does not echo a peer's megabyte.
func shown(s string) string { return utf8cut.QuoteMiddle(s, 256) }
