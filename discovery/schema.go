package discovery

// EnrollmentType is the request's enrollmentType: the kind of parent
// enrollment the device has.
type EnrollmentType string

// The enrollment types the schema defines. A request without an
// enrollmentType, or with an empty one, is the legacy form and is treated
// as EnrollmentTypeDevice.
const (
	// EnrollmentTypeDevice marks a Microsoft Entra joined device.
	EnrollmentTypeDevice EnrollmentType = "Device"
	// EnrollmentTypeUser marks a Microsoft Entra registered device.
	EnrollmentTypeUser EnrollmentType = "User"
)

// AuthPolicy is the response's AuthPolicy: how the device authenticates
// to the enrollment service.
type AuthPolicy string

// The authentication policies the schema defines.
const (
	// AuthPolicyFederated is used by Entra joined devices (Entra device
	// token).
	AuthPolicyFederated AuthPolicy = "Federated"
	// AuthPolicyCertificate is used by Entra registered devices (the
	// MDM certificate of the parent enrollment).
	AuthPolicyCertificate AuthPolicy = "Certificate"
)

// ErrorCodeUPNRequired is the errorCode with which a discovery service
// asks the device to repeat the request with a UPN.
const ErrorCodeUPNRequired = "UPNRequired"

// Request is the JSON body a device posts to the discovery service.
//
// Empty string fields are omitted when encoding and an absent member
// decodes to the empty string, except EnrollmentType, where absent (nil)
// and empty (pointer to "") are both legacy requests but stay distinct so
// that a body round-trips exactly. In Go 1.26 and later,
// new(EnrollmentTypeUser) makes the pointer.
type Request struct {
	UserDomain     string          // userDomain: domain of the enrolled account
	UPN            string          // upn: user principal name of the enrolled account
	TenantID       string          // tenantId: tenant of the enrolled account
	EMMDeviceID    string          // emmDeviceId: EMM device ID of the enrolled account
	EnrollmentType *EnrollmentType // enrollmentType: nil when absent
	OSVersion      string          // osVersion: required, e.g. "10.0.26100.1301"
}

// Type returns the request's enrollment type with absent and empty both
// mapped to EnrollmentTypeDevice, the legacy meaning. Other values are
// returned unchanged. A nil request is read as an empty one: Device.
func (r *Request) Type() EnrollmentType {
	if r == nil || r.EnrollmentType == nil || *r.EnrollmentType == "" {
		return EnrollmentTypeDevice
	}
	return *r.EnrollmentType
}

// RequiredAuthPolicy returns the AuthPolicy a response to r must carry:
// Federated for Device and legacy requests, Certificate for User, and ""
// for an enrollmentType the schema does not define. A nil request, read
// as an empty one, needs Federated.
func (r *Request) RequiredAuthPolicy() AuthPolicy {
	switch r.Type() {
	case EnrollmentTypeDevice:
		return AuthPolicyFederated
	case EnrollmentTypeUser:
		return AuthPolicyCertificate
	}
	return ""
}

// Response is the JSON body the discovery service answers with. Empty
// fields are omitted when encoding and absent members decode to "".
//
// A Response whose ErrorCode is set is an error response: it need not
// carry the fields a successful response requires.
type Response struct {
	EnrollmentServiceURL       string     // EnrollmentServiceUrl: required
	EnrollmentVersion          string     // EnrollmentVersion
	EnrollmentPolicyServiceURL string     // EnrollmentPolicyServiceUrl: required
	AuthenticationServiceURL   string     // AuthenticationServiceUrl: required
	ManagementResource         string     // ManagementResource
	TouURL                     string     // TouUrl: terms of use
	AuthPolicy                 AuthPolicy // AuthPolicy: required
	ErrorCode                  string     // errorCode, e.g. ErrorCodeUPNRequired
	Message                    string     // message: status text
}

// JSON member names, in encoding order.
var (
	requestFields = []string{
		"userDomain", "upn", "tenantId", "emmDeviceId", "enrollmentType", "osVersion",
	}
	responseFields = []string{
		"EnrollmentServiceUrl", "EnrollmentVersion", "EnrollmentPolicyServiceUrl",
		"AuthenticationServiceUrl", "ManagementResource", "TouUrl", "AuthPolicy",
		"errorCode", "message",
	}
)

// Index of enrollmentType in requestFields.
const enrollmentTypeIndex = 4
