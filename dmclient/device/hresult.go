package device

import (
	"context"
	"errors"
	"net"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
)

// HRESULTOf returns the HRESULT that LastError and msft:originalerror
// report for err: SOK for nil; the failure code of the first error in
// err's chain with a method HRESULT() that returns a dmclient.HRESULT or a
// uint32 (an Enroller's typed fault, such as the SOAP fault of package
// discovery/mde2, reports its own this way); then, in this
// order, ERROR_FILE_NOT_FOUND for ErrNoEndpoint, ERROR_BUSY,
// ERROR_ALREADY_EXISTS and ERROR_NOT_FOUND for ErrBusy, ErrEnrolled and
// ErrNotEnrolled, E_ABORT for a cancelled context or ErrInterrupted,
// ERROR_TIMEOUT for a deadline, MENROLL_E_DEVICE_INTERNALSERVICE_ERROR
// for a discovery *ServerError, MENROLL_E_DEVICE_MESSAGE_FORMAT_ERROR for
// a discovery answer that does not decode or validate,
// WININET_E_CANNOT_CONNECT for a network error, and E_FAIL otherwise.
func HRESULTOf(err error) dmclient.HRESULT {
	if err == nil {
		return dmclient.SOK
	}
	var coded interface{ HRESULT() dmclient.HRESULT }
	if errors.As(err, &coded) {
		if h := coded.HRESULT(); h.Failed() {
			return h
		}
	}
	var raw interface{ HRESULT() uint32 }
	if errors.As(err, &raw) {
		if h := dmclient.HRESULT(raw.HRESULT()); h.Failed() {
			return h
		}
	}
	var (
		se *discovery.ServerError
		de *discovery.DecodeError
		fe *discovery.FieldError
		le *discovery.LimitError
		ne net.Error
		oe *net.OpError
	)
	switch {
	case errors.Is(err, ErrNoEndpoint):
		return dmclient.ErrorFileNotFound
	case errors.Is(err, ErrBusy):
		return ErrorBusy
	case errors.Is(err, ErrEnrolled):
		return ErrorAlreadyExists
	case errors.Is(err, ErrNotEnrolled):
		return ErrorNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, ErrInterrupted):
		return EAbort
	case errors.Is(err, context.DeadlineExceeded):
		return ErrorTimeout
	case errors.As(err, &se):
		return dmclient.MenrollEDeviceInternalServiceError
	case errors.As(err, &de), errors.As(err, &fe), errors.As(err, &le),
		errors.Is(err, discovery.ErrContentType), errors.Is(err, discovery.ErrURL),
		errors.Is(err, discovery.ErrInsecureURL), errors.Is(err, discovery.ErrHostNotAllowed),
		errors.Is(err, discovery.ErrAuthPolicy), errors.Is(err, discovery.ErrPairMismatch),
		errors.Is(err, discovery.ErrRequired):
		return dmclient.MenrollEDeviceMessageFormatError
	case errors.As(err, &oe), errors.As(err, &ne):
		return InternetCannotConnect
	}
	return EFail
}
