package mde2

import "unicode"

// AuthPolicy is how a device authenticates to the policy and enrollment
// services.
type AuthPolicy string

// The authentication policies of MS-MDE2.
const (
	// OnPremise: a user name and password in a WS-Security
	// UsernameToken.
	OnPremise AuthPolicy = "OnPremise"
	// Federated: a security token from the authentication service (or,
	// for a WinDC linked enrollment, an Entra device token).
	Federated AuthPolicy = "Federated"
	// Certificate: a client certificate the device already has (for a
	// WinDC linked enrollment, the parent enrollment's MDM certificate).
	Certificate AuthPolicy = "Certificate"
)

// Field is an element of a message that this package does not model,
// kept with its text so that nothing the device sent is lost.
type Field struct {
	Name  string
	Value string
}

// Discover is the device's first SOAP request (POST to
// …/EnrollmentServer/Discovery.svc).
type Discover struct {
	Header             Header
	EmailAddress       string       // the user's e-mail address or domain\user
	OSEdition          string       // the Windows edition number
	RequestVersion     string       // the protocol version the device asks for, e.g. "5.0"
	DeviceType         string       // e.g. "CIMClient_Windows"
	ApplicationVersion string       // the enrollment client's version
	OSVersion          string       // the Windows version
	AuthPolicies       []AuthPolicy // the policies the device supports
	Other              []Field      // other children of request, in order (their text only)
}

// SOAPHeader returns the message's header.
func (m *Discover) SOAPHeader() *Header { return &m.Header }
func (m *Discover) action() string      { return ActionDiscover }

var discoverFields = []string{"EmailAddress", "OSEdition", "RequestVersion", "DeviceType", "ApplicationVersion", "OSVersion", "AuthPolicies"}

func (m *Discover) writeBody(w *xw) {
	// Windows writes the namespace with a trailing slash; so do we.
	w.open("Discover", "xmlns", nsMDE+"/")
	w.open("request", "xmlns:i", nsXSI)
	w.opt("EmailAddress", m.EmailAddress)
	w.opt("OSEdition", m.OSEdition)
	w.opt("RequestVersion", m.RequestVersion)
	w.opt("DeviceType", m.DeviceType)
	w.opt("ApplicationVersion", m.ApplicationVersion)
	w.opt("OSVersion", m.OSVersion)
	if len(m.AuthPolicies) > 0 {
		w.open("AuthPolicies")
		for _, p := range m.AuthPolicies {
			w.elem("AuthPolicy", string(p))
		}
		w.close("AuthPolicies")
	}
	for _, f := range m.Other {
		if !validName(f.Name) {
			w.fail(f.Name)
			continue
		}
		w.elem(f.Name, f.Value)
	}
	w.close("request")
	w.close("Discover")
}

func (m *Discover) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "Discover", nsMDE, nsMDE+"/")
	if err != nil {
		return err
	}
	req := el.child("request", el.space)
	if req == nil {
		return t.structErr(el, "missing request")
	}
	ns := req.space
	m.EmailAddress = req.child("EmailAddress", ns).value()
	m.OSEdition = req.child("OSEdition", ns).value()
	m.RequestVersion = req.child("RequestVersion", ns).value()
	m.DeviceType = req.child("DeviceType", ns).value()
	m.ApplicationVersion = req.child("ApplicationVersion", ns).value()
	m.OSVersion = req.child("OSVersion", ns).value()
	m.AuthPolicies = nil
	for _, p := range req.child("AuthPolicies", ns).children("AuthPolicy", ns) {
		m.AuthPolicies = append(m.AuthPolicies, AuthPolicy(p.value()))
	}
	m.Other = nil
	for _, k := range req.kids {
		if isOneOf(k.local, discoverFields) {
			if k.space != ns {
				return t.structErr(k, "%s in namespace %s", k.local, quoted(k.space))
			}
			continue
		}
		if len(k.kids) > 0 {
			return t.structErr(k, "unexpected element %s", k.local)
		}
		m.Other = append(m.Other, Field{Name: k.local, Value: k.value()})
	}
	return nil
}

// DiscoverResponse answers Discover with where and how to enroll.
type DiscoverResponse struct {
	Header                     Header
	AuthPolicy                 AuthPolicy // required
	EnrollmentVersion          string     // e.g. "5.0"
	EnrollmentPolicyServiceURL string     // the MS-XCEP policy service
	EnrollmentServiceURL       string     // the MS-WSTEP enrollment service; required
	AuthenticationServiceURL   string     // Federated: the authentication page
}

// SOAPHeader returns the message's header.
func (m *DiscoverResponse) SOAPHeader() *Header { return &m.Header }
func (m *DiscoverResponse) action() string      { return ActionDiscoverResponse }

func (m *DiscoverResponse) writeBody(w *xw) {
	w.open("DiscoverResponse", "xmlns", nsMDE)
	w.open("DiscoverResult")
	w.elem("AuthPolicy", string(m.AuthPolicy))
	w.opt("EnrollmentVersion", m.EnrollmentVersion)
	w.opt("EnrollmentPolicyServiceUrl", m.EnrollmentPolicyServiceURL)
	w.elem("EnrollmentServiceUrl", m.EnrollmentServiceURL)
	w.opt("AuthenticationServiceUrl", m.AuthenticationServiceURL)
	w.close("DiscoverResult")
	w.close("DiscoverResponse")
}

func (m *DiscoverResponse) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "DiscoverResponse", nsMDE, nsMDE+"/")
	if err != nil {
		return err
	}
	res := el.child("DiscoverResult", el.space)
	if res == nil {
		return t.structErr(el, "missing DiscoverResult")
	}
	ns := res.space
	p, err := required(t, res, "AuthPolicy", ns)
	if err != nil {
		return err
	}
	m.AuthPolicy = AuthPolicy(p)
	m.EnrollmentVersion = res.child("EnrollmentVersion", ns).value()
	m.EnrollmentPolicyServiceURL = res.child("EnrollmentPolicyServiceUrl", ns).value()
	if m.EnrollmentServiceURL, err = required(t, res, "EnrollmentServiceUrl", ns); err != nil {
		return err
	}
	m.AuthenticationServiceURL = res.child("AuthenticationServiceUrl", ns).value()
	return nil
}

func isOneOf(s string, list []string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// validName reports whether s can be written as an unprefixed XML element
// name: a letter or '_' first, then letters, digits, marks, '_', '-',
// '.'.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r), r == '_':
		case i > 0 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd) || r == '-' || r == '.' || r == 0xB7):
		default:
			return false
		}
	}
	return true
}
