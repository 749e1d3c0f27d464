package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// TestNilReceivers: the methods of the package's exported pointer types
// answer a nil receiver instead of panicking: UnmarshalJSON with the
// error encoding/json gives a nil pointer, Type and RequiredAuthPolicy as
// for an empty request, the error types with a text naming the nil.
// MarshalJSON keeps its value receiver (json.Marshal of a Request value
// must use the schema's names), so a nil pointer is left to
// json.Marshal, which writes null.
func TestNilReceivers(t *testing.T) {
	noPanic := func(t *testing.T, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v", r)
			}
		}()
		f()
	}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"Request.UnmarshalJSON", func() error { return (*Request)(nil).UnmarshalJSON([]byte(joinedBody)) }},
		{"Response.UnmarshalJSON", func() error { return (*Response)(nil).UnmarshalJSON([]byte(`{}`)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			noPanic(t, func() { err = tt.call() })
			if _, ok := errors.AsType[*json.InvalidUnmarshalError](err); !ok {
				t.Fatalf("error %#v, want a *json.InvalidUnmarshalError", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "discovery: ") || !strings.Contains(msg, "nil *discovery.") {
				t.Errorf("error text %q", msg)
			}
		})
	}
	t.Run("Request.Type", func(t *testing.T) {
		var typ EnrollmentType
		var pol AuthPolicy
		noPanic(t, func() { typ, pol = (*Request)(nil).Type(), (*Request)(nil).RequiredAuthPolicy() })
		if typ != EnrollmentTypeDevice || pol != AuthPolicyFederated {
			t.Errorf("nil request: Type %q, RequiredAuthPolicy %q; want Device, Federated as for an empty one", typ, pol)
		}
	})
	t.Run("error types", func(t *testing.T) {
		var fe *FieldError
		var se *ServerError
		noPanic(t, func() {
			if msg := fe.Error(); !strings.Contains(msg, "nil *FieldError") {
				t.Errorf("nil *FieldError: %q", msg)
			}
			if fe.Unwrap() != nil {
				t.Error("nil *FieldError unwraps to an error")
			}
			if msg := se.Error(); !strings.Contains(msg, "nil *ServerError") {
				t.Errorf("nil *ServerError: %q", msg)
			}
			if errors.Is(error(se), ErrUPNRequired) {
				t.Error("nil *ServerError matches ErrUPNRequired")
			}
			if errors.Is(fmt.Errorf("wrapped: %w", fe), ErrRequired) {
				t.Error("nil *FieldError matches ErrRequired")
			}
		})
	})
	t.Run("json.Marshal", func(t *testing.T) {
		for _, v := range []any{(*Request)(nil), (*Response)(nil)} {
			if b, err := json.Marshal(v); err != nil || string(b) != "null" {
				t.Errorf("json.Marshal(%T nil) = %s, %v; want null", v, b, err)
			}
		}
		// a value inside a value: only a value receiver is called here
		b, err := json.Marshal(struct{ R Request }{Request{OSVersion: "10.0.1.1"}})
		if err != nil || string(b) != `{"R":{"osVersion":"10.0.1.1"}}` {
			t.Errorf("json.Marshal of a held Request = %s, %v", b, err)
		}
	})
}
