package discovery

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/utf8cut"
)

// Validate checks the request against the schema: osVersion is present
// and shaped like a Windows version, and enrollmentType is Device, User,
// empty or absent. The other fields are optional and free text. A nil
// request lacks osVersion, as an empty one does.
func (r *Request) Validate() error {
	if r == nil {
		return nilRequest()
	}
	if r.OSVersion == "" {
		return &FieldError{Field: "osVersion", Err: ErrRequired}
	}
	if _, err := ParseOSVersion(r.OSVersion); err != nil {
		return &FieldError{Field: "osVersion", Err: ErrOSVersion}
	}
	if r.RequiredAuthPolicy() == "" {
		return &FieldError{Field: "enrollmentType", Err: fmt.Errorf("%w: %s", ErrEnrollmentType, quote(*r.EnrollmentType))}
	}
	return nil
}

// URLPolicy says which URLs a Response may carry.
type URLPolicy struct {
	// AllowLoopbackHTTP accepts http URLs whose host is localhost or a
	// loopback address, for tests and local development. https is
	// always accepted.
	AllowLoopbackHTTP bool
	// AllowedHosts, when not empty, lists the only host names (compared
	// without case, without port) the URLs may name.
	AllowedHosts []string
}

// Validate is ValidateWith with the zero URLPolicy: only https URLs, to
// any host.
func (r *Response) Validate() error { return r.ValidateWith(URLPolicy{}) }

// ValidateWith checks the response against the schema. A successful
// response (ErrorCode empty) needs EnrollmentServiceUrl,
// EnrollmentPolicyServiceUrl, AuthenticationServiceUrl and AuthPolicy;
// an error response needs none of them. Every URL present, TouUrl
// included, must be absolute and allowed by p, and a present AuthPolicy
// must be Federated or Certificate. ManagementResource names a token
// audience, not a location, and is not checked. A nil response lacks
// EnrollmentServiceUrl, as an empty one does.
func (r *Response) ValidateWith(p URLPolicy) error {
	if r == nil {
		return nilResponse()
	}
	success := r.ErrorCode == ""
	urls := []struct {
		name, value string
		required    bool
	}{
		{"EnrollmentServiceUrl", r.EnrollmentServiceURL, true},
		{"EnrollmentPolicyServiceUrl", r.EnrollmentPolicyServiceURL, true},
		{"AuthenticationServiceUrl", r.AuthenticationServiceURL, true},
		{"TouUrl", r.TouURL, false},
	}
	for _, u := range urls {
		if u.value == "" {
			if u.required && success {
				return &FieldError{Field: u.name, Err: ErrRequired}
			}
			continue
		}
		if err := p.Check(u.value); err != nil {
			return &FieldError{Field: u.name, Err: err}
		}
	}
	switch r.AuthPolicy {
	case AuthPolicyFederated, AuthPolicyCertificate:
	case "":
		if success {
			return &FieldError{Field: "AuthPolicy", Err: ErrRequired}
		}
	default:
		return &FieldError{Field: "AuthPolicy", Err: fmt.Errorf("%w: %s", ErrAuthPolicy, quote(r.AuthPolicy))}
	}
	return nil
}

// Check reports whether raw is an absolute URL that p allows: no user
// information, a host, a port from 1 to 65535 when one is given, the
// https scheme (or http to a loopback host when AllowLoopbackHTTP is
// set), and a host in AllowedHosts when that is set. The error matches
// ErrURL, ErrInsecureURL or ErrHostNotAllowed.
//
// Changed: a port outside 1 to 65535 (url.Parse takes any digits) is
// ErrURL; it was accepted, and the device failed later, when it dialled.
func (p URLPolicy) Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, password included
		}
		return fmt.Errorf("%w: %s: %s", ErrURL, quote(redactURL(raw)), utf8cut.Prefix(err.Error(), maxQuoted))
	}
	if !u.IsAbs() || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return fmt.Errorf("%w: %s is not an absolute URL with a host", ErrURL, quote(redactURL(raw)))
	}
	if u.User != nil {
		return fmt.Errorf("%w: %s carries user information", ErrURL, quote(redactURL(raw)))
	}
	if port := u.Port(); port != "" { // url.Parse checks only that it is digits
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return fmt.Errorf("%w: %s has port %s, not 1 to 65535", ErrURL, quote(raw), utf8cut.Prefix(port, maxQuoted))
		}
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if !p.AllowLoopbackHTTP || !isLoopback(host) {
			return fmt.Errorf("%w: %s", ErrInsecureURL, quote(raw))
		}
	default:
		return fmt.Errorf("%w: %s", ErrInsecureURL, quote(raw))
	}
	if len(p.AllowedHosts) > 0 {
		for _, h := range p.AllowedHosts {
			if strings.EqualFold(h, host) {
				return nil
			}
		}
		return fmt.Errorf("%w: %s", ErrHostNotAllowed, quote(host))
	}
	return nil
}

// redactURL returns raw with whatever precedes an '@' in its authority
// (user name and password) replaced by "xxxxx", for error texts: they
// reach logs and a device's saved state. It works on text that does not
// parse as a URL too.
func redactURL(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	authority := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		authority = rest[:j]
	}
	if k := strings.LastIndexByte(authority, '@'); k >= 0 {
		return prefix + "xxxxx" + rest[k:]
	}
	return raw
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ValidatePair checks the rule that ties a successful response to its
// request: a Device or legacy (absent or empty enrollmentType) request
// gets AuthPolicy Federated, a User request gets Certificate. Error
// responses (ErrorCode set) pass. The error is a *FieldError matching
// ErrPairMismatch, or ErrEnrollmentType for an undefined enrollmentType; a
// nil req or resp gives the error its Validate gives.
func ValidatePair(req *Request, resp *Response) error {
	if req == nil {
		return nilRequest()
	}
	if resp == nil {
		return nilResponse()
	}
	if resp.ErrorCode != "" {
		return nil
	}
	want := req.RequiredAuthPolicy()
	if want == "" {
		return &FieldError{Field: "enrollmentType", Err: fmt.Errorf("%w: %s", ErrEnrollmentType, quote(req.Type()))}
	}
	if resp.AuthPolicy != want {
		return &FieldError{Field: "AuthPolicy", Err: fmt.Errorf("%w: %s needs %s, got %s",
			ErrPairMismatch, req.Type(), want, quote(resp.AuthPolicy))}
	}
	return nil
}

// nilRequest is the error for a nil *Request: the first required field
// is missing, as in an empty request, and the text says why.
func nilRequest() error {
	return &FieldError{Field: "osVersion", Err: fmt.Errorf("%w (nil *Request)", ErrRequired)}
}

// nilResponse is nilRequest for a nil *Response.
func nilResponse() error {
	return &FieldError{Field: "EnrollmentServiceUrl", Err: fmt.Errorf("%w (nil *Response)", ErrRequired)}
}
