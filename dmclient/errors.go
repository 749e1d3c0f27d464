package dmclient

import (
	"errors"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// Causes returned by the readers (test with errors.Is).
var (
	// ErrNoResult: the Results carry no item for the node asked about.
	ErrNoResult = errors.New("dmclient: no result for the node")
	// ErrNoStatus: there is no Status to read (ReadStatus(nil)), as for
	// a command the device has not answered yet.
	ErrNoStatus = errors.New("dmclient: no Status for the command")
	// ErrBadValue: the device's value does not read as the node's type.
	ErrBadValue = errors.New("dmclient: value does not read")
	// ErrProviderID: the ProviderID cannot name a node (see
	// LinkedEnrollment.Validate).
	ErrProviderID = errors.New("dmclient: invalid ProviderID")
)

// A DeviceError is a failed Status for a command: the SyncML status code
// and, when Windows supplied one, the HRESULT of msft:originalerror.
type DeviceError struct {
	Cmd    string // the command answered, such as "Exec"
	CmdRef string // its CmdID
	Code   syncml.StatusCode
	// HRESULT is the original error; zero when the Status carried none.
	HRESULT HRESULT
}

// Error describes the DeviceError.
func (e *DeviceError) Error() string {
	s := "dmclient: " + e.Cmd
	if e.CmdRef != "" {
		s += " " + strconv.Quote(e.CmdRef)
	}
	s += " failed: " + e.Code.String()
	if e.HRESULT != 0 {
		s += " (" + e.HRESULT.String() + ")"
	}
	return s
}
