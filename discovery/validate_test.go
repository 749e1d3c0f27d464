package discovery

import (
	"errors"
	"testing"
)

func TestRequestValidate(t *testing.T) {
	tests := []struct {
		name  string
		req   Request
		err   error
		field string
	}{
		{"device", Request{EnrollmentType: new(EnrollmentTypeDevice), OSVersion: "10.0.22631.3958"}, nil, ""},
		{"user", Request{EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.22631.3958"}, nil, ""},
		{"legacy absent", Request{OSVersion: "10.0.19045.1"}, nil, ""},
		{"legacy empty", Request{EnrollmentType: new(EnrollmentType("")), OSVersion: "10.0.19045.1"}, nil, ""},
		{"placeholder version", Request{OSVersion: "10.0.00000.0"}, nil, ""},
		{"no osVersion", Request{UPN: "a@b"}, ErrRequired, "osVersion"},
		{"three parts", Request{OSVersion: "10.0.19045"}, ErrOSVersion, "osVersion"},
		{"five parts", Request{OSVersion: "10.0.19045.1.1"}, ErrOSVersion, "osVersion"},
		{"letters", Request{OSVersion: "10.0.19045.1a"}, ErrOSVersion, "osVersion"},
		{"sign", Request{OSVersion: "10.0.+19045.1"}, ErrOSVersion, "osVersion"},
		{"space", Request{OSVersion: "10.0.19045.1 "}, ErrOSVersion, "osVersion"},
		{"empty part", Request{OSVersion: "10..19045.1"}, ErrOSVersion, "osVersion"},
		{"overflow", Request{OSVersion: "10.0.4294967296.1"}, ErrOSVersion, "osVersion"},
		{"lower-case type", Request{EnrollmentType: new(EnrollmentType("device")), OSVersion: "10.0.1.1"}, ErrEnrollmentType, "enrollmentType"},
		{"other type", Request{EnrollmentType: new(EnrollmentType("Workplace")), OSVersion: "10.0.1.1"}, ErrEnrollmentType, "enrollmentType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.err == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.Is(err, tt.err) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Validate() = %v, want %v on %s", err, tt.err, tt.field)
			}
		})
	}
}

func validResponse(p AuthPolicy) Response {
	return Response{
		EnrollmentServiceURL:       "https://manage.contoso.com/Enrollment/Discovery",
		EnrollmentPolicyServiceURL: "https://manage.contoso.com/Enrollment/GetPolicies",
		AuthenticationServiceURL:   "https://manage.contoso.com/Enrollment/AuthService",
		AuthPolicy:                 p,
	}
}

func TestResponseValidate(t *testing.T) {
	with := func(f func(*Response)) Response {
		r := validResponse(AuthPolicyFederated)
		f(&r)
		return r
	}
	tests := []struct {
		name   string
		resp   Response
		policy URLPolicy
		err    error
		field  string
	}{
		{"ok", validResponse(AuthPolicyFederated), URLPolicy{}, nil, ""},
		{"ok certificate", validResponse(AuthPolicyCertificate), URLPolicy{}, nil, ""},
		{"upper-case scheme", with(func(r *Response) { r.TouURL = "HTTPS://x/tou" }), URLPolicy{}, nil, ""},
		{"no enrollment url", with(func(r *Response) { r.EnrollmentServiceURL = "" }), URLPolicy{}, ErrRequired, "EnrollmentServiceUrl"},
		{"no policy url", with(func(r *Response) { r.EnrollmentPolicyServiceURL = "" }), URLPolicy{}, ErrRequired, "EnrollmentPolicyServiceUrl"},
		{"no auth url", with(func(r *Response) { r.AuthenticationServiceURL = "" }), URLPolicy{}, ErrRequired, "AuthenticationServiceUrl"},
		{"no policy", with(func(r *Response) { r.AuthPolicy = "" }), URLPolicy{}, ErrRequired, "AuthPolicy"},
		{"on-premise policy", with(func(r *Response) { r.AuthPolicy = "OnPremise" }), URLPolicy{}, ErrAuthPolicy, "AuthPolicy"},
		{"lower-case policy", with(func(r *Response) { r.AuthPolicy = "federated" }), URLPolicy{}, ErrAuthPolicy, "AuthPolicy"},
		{"http", with(func(r *Response) { r.EnrollmentServiceURL = "http://manage.contoso.com/" }), URLPolicy{}, ErrInsecureURL, "EnrollmentServiceUrl"},
		{"http tou", with(func(r *Response) { r.TouURL = "http://manage.contoso.com/tou" }), URLPolicy{}, ErrInsecureURL, "TouUrl"},
		{"ftp", with(func(r *Response) { r.AuthenticationServiceURL = "ftp://x/" }), URLPolicy{}, ErrInsecureURL, "AuthenticationServiceUrl"},
		{"relative", with(func(r *Response) { r.EnrollmentServiceURL = "/Enrollment" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"no host", with(func(r *Response) { r.EnrollmentServiceURL = "https:///x" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"opaque", with(func(r *Response) { r.EnrollmentServiceURL = "https:x" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"user info", with(func(r *Response) { r.EnrollmentServiceURL = "https://u:p@x/" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"control char", with(func(r *Response) { r.EnrollmentServiceURL = "https://x/\n" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"port out of range", with(func(r *Response) { r.EnrollmentServiceURL = "https://x:65536/" }), URLPolicy{}, ErrURL, "EnrollmentServiceUrl"},
		{"port huge", with(func(r *Response) { r.EnrollmentPolicyServiceURL = "https://x:99999999999999999999/" }), URLPolicy{}, ErrURL, "EnrollmentPolicyServiceUrl"},
		{"port zero", with(func(r *Response) { r.AuthenticationServiceURL = "https://x:0/" }), URLPolicy{}, ErrURL, "AuthenticationServiceUrl"},
		{"port zero loopback", with(func(r *Response) { r.TouURL = "http://[::1]:0/" }), URLPolicy{AllowLoopbackHTTP: true}, ErrURL, "TouUrl"},
		{"port leading zeros", with(func(r *Response) { r.EnrollmentServiceURL = "https://x:00443/" }), URLPolicy{}, nil, ""},
		{"port highest", with(func(r *Response) { r.EnrollmentServiceURL = "https://x:65535/" }), URLPolicy{}, nil, ""},
		{"port empty", with(func(r *Response) { r.EnrollmentServiceURL = "https://x:/" }), URLPolicy{}, nil, ""},
		{"loopback http refused", with(func(r *Response) { r.EnrollmentServiceURL = "http://127.0.0.1:8080/" }), URLPolicy{}, ErrInsecureURL, "EnrollmentServiceUrl"},
		{"loopback http allowed", with(func(r *Response) { r.EnrollmentServiceURL = "http://127.0.0.1:8080/" }), URLPolicy{AllowLoopbackHTTP: true}, nil, ""},
		{"localhost http allowed", with(func(r *Response) { r.EnrollmentServiceURL = "http://LocalHost/" }), URLPolicy{AllowLoopbackHTTP: true}, nil, ""},
		{"ipv6 loopback allowed", with(func(r *Response) { r.EnrollmentServiceURL = "http://[::1]:80/" }), URLPolicy{AllowLoopbackHTTP: true}, nil, ""},
		{"non-loopback http with option", with(func(r *Response) { r.EnrollmentServiceURL = "http://10.0.0.1/" }), URLPolicy{AllowLoopbackHTTP: true}, ErrInsecureURL, "EnrollmentServiceUrl"},
		{"lookalike loopback", with(func(r *Response) { r.EnrollmentServiceURL = "http://127.0.0.1.evil.example/" }), URLPolicy{AllowLoopbackHTTP: true}, ErrInsecureURL, "EnrollmentServiceUrl"},
		{"allowed host", validResponse(AuthPolicyFederated), URLPolicy{AllowedHosts: []string{"MANAGE.contoso.com"}}, nil, ""},
		{"foreign host", with(func(r *Response) { r.AuthenticationServiceURL = "https://evil.example/" }), URLPolicy{AllowedHosts: []string{"manage.contoso.com"}}, ErrHostNotAllowed, "AuthenticationServiceUrl"},
		{"error response", Response{ErrorCode: "UPNRequired"}, URLPolicy{}, nil, ""},
		{"error response bad url", Response{ErrorCode: "X", TouURL: "http://x/"}, URLPolicy{}, ErrInsecureURL, "TouUrl"},
		{"error response bad policy", Response{ErrorCode: "X", AuthPolicy: "OnPremise"}, URLPolicy{}, ErrAuthPolicy, "AuthPolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.resp.ValidateWith(tt.policy)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("ValidateWith() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.Is(err, tt.err) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("ValidateWith() = %v, want %v on %s", err, tt.err, tt.field)
			}
		})
	}
	// Validate is the zero policy.
	r := with(func(r *Response) { r.EnrollmentServiceURL = "http://127.0.0.1/" })
	if err := r.Validate(); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("Validate() = %v, want ErrInsecureURL", err)
	}
}

func TestValidatePair(t *testing.T) {
	tests := []struct {
		name string
		typ  *EnrollmentType
		pol  AuthPolicy
		err  error
	}{
		{"device federated", new(EnrollmentTypeDevice), AuthPolicyFederated, nil},
		{"absent federated", nil, AuthPolicyFederated, nil},
		{"empty federated", new(EnrollmentType("")), AuthPolicyFederated, nil},
		{"user certificate", new(EnrollmentTypeUser), AuthPolicyCertificate, nil},
		{"device certificate", new(EnrollmentTypeDevice), AuthPolicyCertificate, ErrPairMismatch},
		{"absent certificate", nil, AuthPolicyCertificate, ErrPairMismatch},
		{"empty certificate", new(EnrollmentType("")), AuthPolicyCertificate, ErrPairMismatch},
		{"user federated", new(EnrollmentTypeUser), AuthPolicyFederated, ErrPairMismatch},
		{"user no policy", new(EnrollmentTypeUser), "", ErrPairMismatch},
		{"unknown type", new(EnrollmentType("Other")), AuthPolicyFederated, ErrEnrollmentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{EnrollmentType: tt.typ, OSVersion: "10.0.26100.1301"}
			resp := validResponse(tt.pol)
			err := ValidatePair(&req, &resp)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("ValidatePair = %v, want %v", err, tt.err)
			}
		})
	}
	// Error responses carry no AuthPolicy and pass.
	req := Request{EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.1.1"}
	if err := ValidatePair(&req, &Response{ErrorCode: ErrorCodeUPNRequired}); err != nil {
		t.Errorf("ValidatePair(error response) = %v", err)
	}
}
