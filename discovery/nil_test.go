package discovery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestNilInput: the exported entry points that take a *Request, a
// *Response, a *Client or an io.Reader from the caller answer a nil one
// with an error naming it instead of panicking. A nil body is read as one
// whose required fields are all missing: the *FieldError is the one an
// empty body gets, its text saying nil.
func TestNilInput(t *testing.T) {
	okReq := &Request{OSVersion: "10.0.26100.1"}
	okResp := &Response{
		EnrollmentServiceURL:       "https://e.example/enroll",
		EnrollmentPolicyServiceURL: "https://e.example/policy",
		AuthenticationServiceURL:   "https://e.example/auth",
		AuthPolicy:                 AuthPolicyFederated,
	}
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	client := &Client{URL: srv.URL, URLs: URLPolicy{AllowLoopbackHTTP: true}}

	tests := []struct {
		name  string
		call  func() error
		want  error  // a sentinel the error matches
		field string // the *FieldError's Field, "" when it is not one
		text  string // in the error's text
	}{
		{"Request.Validate", func() error { return (*Request)(nil).Validate() }, ErrRequired, "osVersion", "nil *Request"},
		{"Response.Validate", func() error { return (*Response)(nil).Validate() }, ErrRequired, "EnrollmentServiceUrl", "nil *Response"},
		{"Response.ValidateWith", func() error {
			return (*Response)(nil).ValidateWith(URLPolicy{AllowLoopbackHTTP: true})
		}, ErrRequired, "EnrollmentServiceUrl", "nil *Response"},
		{"ValidatePair nil request", func() error { return ValidatePair(nil, okResp) }, ErrRequired, "osVersion", "nil *Request"},
		{"ValidatePair nil response", func() error { return ValidatePair(okReq, nil) }, ErrRequired, "EnrollmentServiceUrl", "nil *Response"},
		{"ValidatePair both nil", func() error { return ValidatePair(nil, nil) }, ErrRequired, "osVersion", "nil *Request"},
		{"Client.Discover nil request", func() error {
			_, err := client.Discover(context.Background(), nil, Headers{})
			return err
		}, ErrRequired, "osVersion", "nil *Request"},
		{"nil Client.Discover", func() error {
			_, err := (*Client)(nil).Discover(context.Background(), okReq, Headers{})
			return err
		}, ErrURL, "", "nil *Client"},
		{"ReadRequest nil reader", func() error {
			_, err := ReadRequest(nil, 0)
			return err
		}, nil, "", "nil io.Reader"},
		{"ReadResponse nil reader", func() error {
			_, err := ReadResponse(nil, 0)
			return err
		}, nil, "", "nil io.Reader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				err = tt.call()
			}()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not match %v", err, tt.want)
			}
			if fe, ok := errors.AsType[*FieldError](err); tt.field != "" && (!ok || fe.Field != tt.field) {
				t.Errorf("error %#v, want a *FieldError for %s", err, tt.field)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "discovery: ") || strings.Count(msg, "discovery: ") != 1 ||
				!strings.Contains(msg, tt.text) {
				t.Errorf("error text %q, want one \"discovery: \" prefix and %q", msg, tt.text)
			}
		})
	}
	if n := posts.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}
