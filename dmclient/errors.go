package dmclient

import (
	"errors"
	"strconv"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
)

// Causes returned by the readers (test with errors.Is).
var (
	// ErrNoResult: the Results carry no item for the node asked about.
	ErrNoResult = errors.New("dmclient: no result for the node")
	// ErrOtherProvider: the Results answer the node of another provider
	// than the LinkedEnrollment reading them (see
	// LinkedEnrollment.ReadEnrollStatus).
	ErrOtherProvider = errors.New("dmclient: result for another provider")
	// ErrConflict: the Results carry the node asked about in more than
	// one item, with different values, so taking one would drop another.
	ErrConflict = errors.New("dmclient: node given more than once with different values")
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
	// HRESULT is what OriginalError reads to: zero when the Status
	// carried none or it does not read. Zero prints as "0x00000000 S_OK",
	// so test OriginalError != "" before showing it.
	HRESULT HRESULT
	// OriginalError is msft:originalerror as the device wrote it, such as
	// "0x80070002"; "" when the Status carried none.
	OriginalError string
}

// Error describes the DeviceError: the command, the status code, and the
// device's msft:originalerror when it sent one, such as
// `dmclient: Exec "3" failed: 500 Command failed (0x80070002 ERROR_FILE_NOT_FOUND)`.
// A zero HRESULT is shown without its S_OK name, which would read as
// success, and a Status without msft:originalerror shows no HRESULT.
func (e *DeviceError) Error() string {
	s := "dmclient: "
	if e.Cmd != "" {
		s += e.Cmd
	} else {
		s += "command"
	}
	if e.CmdRef != "" {
		s += " " + strconv.Quote(e.CmdRef)
	}
	s += " failed: " + e.Code.String()
	switch {
	case e.OriginalError == "" && e.HRESULT == 0:
	case e.HRESULT != 0:
		s += " (" + e.HRESULT.String() + ")"
	case isZeroHRESULT(e.OriginalError):
		s += " (msft:originalerror 0x00000000)"
	default:
		v := e.OriginalError
		if len(v) > 40 {
			v = utf8cut.Prefix(v, 40) + "…" // at a character's start
		}
		s += " (msft:originalerror " + strconv.Quote(v) + " does not read as an HRESULT)"
	}
	return s
}

// isZeroHRESULT reports whether msft:originalerror v reads as zero.
func isZeroHRESULT(v string) bool {
	h, err := ParseHRESULT(v)
	return err == nil && h == 0
}
