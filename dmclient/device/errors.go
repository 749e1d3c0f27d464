package device

import (
	"errors"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/internal/xmlerr"
)

const pkg = xmlerr.Pkg("device")

// Causes of the errors the package returns and records (test with
// errors.Is). Each maps to the HRESULT that LastError and
// msft:originalerror report (see HRESULTOf).
var (
	// ErrNoEndpoint: Enroll was run while DiscoveryEndpoint is not set
	// (ERROR_FILE_NOT_FOUND, as the DMClient CSP documents).
	ErrNoEndpoint = errors.New("device: DiscoveryEndpoint is not set")
	// ErrBusy: an enrollment, unenrollment or renewal is already running
	// (ERROR_BUSY).
	ErrBusy = errors.New("device: an enrollment, unenrollment or renewal is in progress")
	// ErrEnrolled: Enroll was run while the linked enrollment exists
	// (ERROR_ALREADY_EXISTS).
	ErrEnrolled = errors.New("device: the linked enrollment already exists")
	// ErrNotEnrolled: Unenroll was run without a linked enrollment
	// (ERROR_NOT_FOUND).
	ErrNotEnrolled = errors.New("device: there is no linked enrollment")
	// ErrNoEnrollment: the Enroller returned neither an Enrollment nor an
	// error (E_FAIL).
	ErrNoEnrollment = errors.New("device: the enroller returned no enrollment")
	// ErrInterrupted: an enrollment or unenrollment was running when the
	// state was saved for the last time, and the program stopped (E_ABORT).
	ErrInterrupted = errors.New("device: interrupted by a restart")
	// ErrCorrupt: a FileStore file is torn or altered, or a Store holds a
	// state the handler cannot have saved; it is not used.
	ErrCorrupt = errors.New("device: stored state is corrupt")
	// ErrConfig: the Config cannot work (no ProviderID, no Enroller…),
	// or a FileStore file holds the state of another ProviderID (two IDs
	// that differ only in case, on a file system that ignores case).
	ErrConfig = errors.New("device: invalid configuration")
)

// HRESULTs the handler reports besides those package dmclient names.
const (
	// EAbort (E_ABORT): the operation was cancelled (its context ended)
	// or interrupted by a restart.
	EAbort dmclient.HRESULT = 0x80004004
	// EFail (E_FAIL): a failure with no more precise code.
	EFail dmclient.HRESULT = 0x80004005
	// ErrorBusy (ERROR_BUSY): an operation is already running.
	ErrorBusy dmclient.HRESULT = 0x800700AA
	// ErrorAlreadyExists (ERROR_ALREADY_EXISTS): Enroll while enrolled.
	ErrorAlreadyExists dmclient.HRESULT = 0x800700B7
	// ErrorNotFound (ERROR_NOT_FOUND): Unenroll while not enrolled.
	ErrorNotFound dmclient.HRESULT = 0x80070490
	// ErrorTimeout (ERROR_TIMEOUT): the operation's deadline passed.
	ErrorTimeout dmclient.HRESULT = 0x800705B4
	// InternetCannotConnect (WININET_E_CANNOT_CONNECT): a service could
	// not be reached.
	InternetCannotConnect dmclient.HRESULT = 0x80072EFD
)
