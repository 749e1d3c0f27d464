package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
)

func TestHRESULTOf(t *testing.T) {
	tests := []struct {
		err  error
		want dmclient.HRESULT
	}{
		{nil, dmclient.SOK},
		{ErrNoEndpoint, dmclient.ErrorFileNotFound},
		{fmt.Errorf("x: %w", ErrBusy), ErrorBusy},
		{ErrEnrolled, ErrorAlreadyExists},
		{ErrNotEnrolled, ErrorNotFound},
		{ErrInterrupted, EAbort},
		{context.Canceled, EAbort},
		{fmt.Errorf("post: %w", context.DeadlineExceeded), ErrorTimeout},
		{&discovery.ServerError{StatusCode: 503}, dmclient.MenrollEDeviceInternalServiceError},
		{fmt.Errorf("d: %w", discovery.ErrInsecureURL), dmclient.MenrollEDeviceMessageFormatError},
		{&discovery.FieldError{Field: "AuthPolicy", Err: discovery.ErrAuthPolicy}, dmclient.MenrollEDeviceMessageFormatError},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, InternetCannotConnect},
		// An error's own HRESULT wins over what wraps it.
		{fmt.Errorf("enroll: %w", hresultError(dmclient.MenrollEInMaintenance)), dmclient.MenrollEInMaintenance},
		{errors.Join(context.Canceled, hresultError(dmclient.MenrollEUserLicense)), dmclient.MenrollEUserLicense},
		{fmt.Errorf("soap: %w", rawFault(0x80180019)), dmclient.MenrollEEnrollmentDataInvalid},
		// A success code is no failure code: the rest decides.
		{fmt.Errorf("%w %w", hresultError(0), ErrBusy), ErrorBusy},
		{errors.New("anything"), EFail},
	}
	for _, tt := range tests {
		if got := HRESULTOf(tt.err); got != tt.want {
			t.Errorf("HRESULTOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// rawFault reports its HRESULT as a uint32, as package mde2's Fault does.
type rawFault uint32

func (f rawFault) Error() string   { return "fault" }
func (f rawFault) HRESULT() uint32 { return uint32(f) }
