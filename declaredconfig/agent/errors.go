package agent

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

const pkg = xmlerr.Pkg("agent")

// Causes of the errors this package returns and of those a Surface may
// return (test with errors.Is).
var (
	// ErrNotFound: a Surface has no such node. A setting that fails with
	// it is reported with status 404.
	ErrNotFound = errors.New("node not found")
	// ErrNotAllowed: a Surface refuses the operation on the node. A
	// setting that fails with it is reported with status 405.
	ErrNotAllowed = errors.New("operation not allowed")
	// ErrCorrupt: a Store found saved state that is torn or does not
	// match its checksum, or New found in the Snapshot a Store gave it
	// something no agent saves (a document that does not read or is
	// there twice, a state or interval out of range, a setting naming a
	// node its document does not make, or for a version not applied yet
	// the version applied before it, which its record holds: a record
	// that holds none, as builds before DocumentRecord.Applied saved it,
	// loses such settings instead, see New); nothing of it is used.
	ErrCorrupt = errors.New("saved state is corrupt")
	// ErrSurfaceTimeout: a Surface call did not return within
	// Config.SurfaceTimeout. A setting that fails with it is reported
	// with status 500.
	ErrSurfaceTimeout = errors.New("surface call timed out")
	// ErrConfig: a Config the agent cannot work with.
	ErrConfig = errors.New("bad configuration")
)

func errorf(format string, args ...any) error {
	return pkg.Errorf(format, args...)
}
