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
	// ErrConflict is session.ErrConflict: a Store compare-and-swap found
	// another version; after Config.MaxRetries attempts it is returned.
	ErrConflict = session.ErrConflict
)

func errorf(format string, args ...any) error { return pkg.Errorf(format, args...) }
