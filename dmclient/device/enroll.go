package device

import (
	"context"

	"github.com/windc-go/windc/discovery"
)

// EnrollRequest is what the enrollment step gets once discovery answered.
type EnrollRequest struct {
	// ProviderID is the provider whose LinkedEnrollment/Enroll ran.
	ProviderID string
	// Endpoint is the DiscoveryEndpoint discovery was posted to.
	Endpoint string
	// Discovery is the request the device posted, and Response the
	// service's answer: the enrollment URLs and the AuthPolicy to use.
	Discovery *discovery.Request
	Response  *discovery.Response
}

// An Enroller is the enrollment step of a linked enrollment: MS-MDE2
// against the URLs discovery returned, with the AuthPolicy it returned.
// It returns the Enrollment it set up, or an error; an error with a
// method HRESULT() dmclient.HRESULT gives LastError its code (see
// HRESULTOf). Enroll must return when ctx ends.
type Enroller interface {
	Enroll(ctx context.Context, r *EnrollRequest) (*Enrollment, error)
}

// EnrollerFunc adapts a function to Enroller.
type EnrollerFunc func(ctx context.Context, r *EnrollRequest) (*Enrollment, error)

// Enroll calls f.
func (f EnrollerFunc) Enroll(ctx context.Context, r *EnrollRequest) (*Enrollment, error) {
	return f(ctx, r)
}

// An Unenroller rolls back what a linked enrollment set up: the settings
// and resources declared configuration applied (the agent's part) and the
// enrollment itself. The Enrollment stays in the state when it fails, so
// that Unenroll can be run again. Unenroll must return when ctx ends.
type Unenroller interface {
	Unenroll(ctx context.Context, e *Enrollment) error
}

// UnenrollerFunc adapts a function to Unenroller.
type UnenrollerFunc func(ctx context.Context, e *Enrollment) error

// Unenroll calls f.
func (f UnenrollerFunc) Unenroll(ctx context.Context, e *Enrollment) error { return f(ctx, e) }
