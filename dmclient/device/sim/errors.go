package sim

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

const pkg = xmlerr.Pkg("sim")

// Causes of the errors the package returns (test with errors.Is).
var (
	// ErrConfig: a Config or FleetConfig the package cannot work with.
	ErrConfig = errors.New("sim: invalid configuration")
	// ErrNoSetting: the device holds no applied setting to drift.
	ErrNoSetting = errors.New("sim: no applied setting to drift")
)

// errRefused is the surface's answer to a set that unrepairable drift
// refuses.
var errRefused = errors.New("sim: the node refuses the value (simulated drift)")
