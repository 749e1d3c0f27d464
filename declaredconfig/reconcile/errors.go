package reconcile

import (
	"errors"

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
