package device

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
)

// State is what the handler keeps for the LinkedEnrollment of one
// provider: the values of its nodes and the enrollment it set up. Its JSON
// form is what FileStore writes.
type State struct {
	// DiscoveryEndpoint is the node's value; "" when it is not set.
	DiscoveryEndpoint string `json:"discoveryEndpoint,omitempty"`
	// Priority is the Priority node's value; nil when it is not set.
	Priority *int32 `json:"priority,omitempty"`
	// Status is the EnrollStatus node's value.
	Status dmclient.EnrollStatus `json:"enrollStatus"`
	// LastError is the LastError node's value: the HRESULT of the last
	// enroll or unenroll that failed, SOK after one that succeeded.
	LastError dmclient.HRESULT `json:"lastError"`
	// Reason is the text of the error behind LastError, for logs; ""
	// when LastError is SOK.
	Reason string `json:"reason,omitempty"`
	// Enrollment is the linked enrollment; nil when there is none.
	Enrollment *Enrollment `json:"enrollment,omitempty"`
	// Changed is when the state last changed (Config.Now).
	Changed time.Time `json:"changed"`
}

// Enrollment is what a linked enrollment set up, as the Enroller returned
// it; it goes back to the Unenroller at Unenroll.
type Enrollment struct {
	// ManagementURL is the OMA-DM server of the linked enrollment: where
	// the device's declared configuration sessions go.
	ManagementURL string `json:"managementURL"`
	// AuthPolicy is the policy discovery returned and the enrollment used.
	AuthPolicy discovery.AuthPolicy `json:"authPolicy,omitempty"`
	// EnrollmentServiceURL is the enrollment service discovery named
	// (the Handler fills it in when the Enroller left it empty): where
	// a renewal goes (see Handler.Renew). It is empty in a state saved
	// before it was recorded. A FileStore of a build before it refuses
	// a state that holds it (ErrCorrupt: unknown field), so going back
	// to such a build loses the saved state.
	EnrollmentServiceURL string `json:"enrollmentServiceURL,omitempty"`
	// Data is what the Enroller keeps about the enrollment (the
	// provisioning document, the client certificate…), opaque to the
	// handler.
	Data []byte `json:"data,omitempty"`
	// Enrolled is when the enrollment succeeded (Config.Now when the
	// Enroller left it zero).
	Enrolled time.Time `json:"enrolled"`
}

// clone returns a deep copy of s.
func (s State) clone() State {
	if s.Priority != nil {
		p := *s.Priority
		s.Priority = &p
	}
	s.Enrollment = s.Enrollment.clone()
	return s
}

// clone returns a deep copy of e; nil for nil.
func (e *Enrollment) clone() *Enrollment {
	if e == nil {
		return nil
	}
	c := *e
	c.Data = slices.Clone(e.Data)
	return &c
}

// initialState is the state of a device that was never asked anything.
func initialState() State {
	return State{Status: dmclient.StatusEnrollmentNotStarted}
}

// check reports a state the handler cannot have saved: an EnrollStatus
// outside 1 to 8, or an Enrollment that the status contradicts (there is
// one from a successful enrollment until a successful unenrollment) or
// that has no ManagementURL.
func (s State) check() error {
	if !s.Status.Known() || s.Status == dmclient.StatusUndefined {
		return fmt.Errorf("EnrollStatus %d is not a documented value", int(s.Status))
	}
	enrolled := s.Status >= dmclient.StatusEnrollmentSucceeded && s.Status <= dmclient.StatusUnenrollmentFailed
	switch {
	case enrolled && s.Enrollment == nil:
		return fmt.Errorf("EnrollStatus %v without an enrollment", s.Status)
	case !enrolled && s.Enrollment != nil:
		return fmt.Errorf("EnrollStatus %v with an enrollment", s.Status)
	case s.Enrollment != nil && s.Enrollment.ManagementURL == "":
		return errors.New("an enrollment without a ManagementURL")
	}
	return nil
}

// String describes e without its Data, which can hold a private key.
func (e Enrollment) String() string {
	return fmt.Sprintf("{ManagementURL:%s AuthPolicy:%s EnrollmentServiceURL:%s Data:%d bytes Enrolled:%s}",
		e.ManagementURL, e.AuthPolicy, e.EnrollmentServiceURL, len(e.Data), e.Enrolled.Format(time.RFC3339))
}

// GoString is String, for the %#v verb.
func (e Enrollment) GoString() string { return e.String() }
