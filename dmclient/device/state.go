package device

import (
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
