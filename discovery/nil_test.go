package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
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

// nilMethods holds, for each method in the method set of one of the
// package's exported pointer types, a check of its call through a nil
// pointer: no panic and the documented nil answer. TestNilMethodsListed
// keeps it complete.
var nilMethods = map[string]func(t *testing.T){
	"Client.Discover": func(t *testing.T) {
		_, err := (*Client)(nil).Discover(context.Background(), &Request{OSVersion: "10.0.1.1"}, Headers{})
		if !errors.Is(err, ErrURL) || !strings.Contains(err.Error(), "nil *Client") {
			t.Errorf("error %v, want ErrURL naming the nil *Client", err)
		}
	},
	"FieldError.Error": func(t *testing.T) {
		if msg := (*FieldError)(nil).Error(); msg != "discovery: invalid field (nil *FieldError)" {
			t.Errorf("text %q", msg)
		}
	},
	"FieldError.Unwrap": func(t *testing.T) {
		var fe *FieldError
		if fe.Unwrap() != nil || errors.Is(fmt.Errorf("wrapped: %w", fe), ErrRequired) {
			t.Error("a nil *FieldError unwraps to an error")
		}
	},
	"Handler.ServeHTTP": func(t *testing.T) {
		rec := httptest.NewRecorder()
		(*Handler)(nil).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody)))
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "nil *Handler") {
			t.Errorf("answer %d %s, want 500 naming the nil *Handler", rec.Code, rec.Body)
		}
	},
	"OSVersion.String": func(t *testing.T) {
		// A value method: Go panics before the body runs when it is called
		// through a nil pointer, and a pointer receiver would cost fmt of
		// an OSVersion value its format. fmt gives the nil text.
		if s := fmt.Sprint((*OSVersion)(nil)); s != "<nil>" {
			t.Errorf("fmt of a nil *OSVersion: %q", s)
		}
		if s := fmt.Sprint(OSVersion{10, 0, 26100, 1}); s != "10.0.26100.1" {
			t.Errorf("fmt of an OSVersion value: %q", s)
		}
	},
	"Request.MarshalJSON": func(t *testing.T) {
		// A value method, so that json.Marshal of a Request value uses the
		// schema's names too (one encoder for values and pointers): Go
		// panics before the body runs through a nil pointer, as documented;
		// json.Marshal of a nil *Request writes null.
		checkNilMarshal(t, (*Request)(nil))
	},
	"Request.RequiredAuthPolicy": func(t *testing.T) {
		if pol := (*Request)(nil).RequiredAuthPolicy(); pol != AuthPolicyFederated {
			t.Errorf("= %q, want Federated as for an empty request", pol)
		}
	},
	"Request.Type": func(t *testing.T) {
		if typ := (*Request)(nil).Type(); typ != EnrollmentTypeDevice {
			t.Errorf("= %q, want Device as for an empty request", typ)
		}
	},
	"Request.UnmarshalJSON": func(t *testing.T) {
		checkNilUnmarshal(t, (*Request)(nil).UnmarshalJSON([]byte(joinedBody)))
	},
	"Request.Validate": func(t *testing.T) {
		if err := (*Request)(nil).Validate(); !errors.Is(err, ErrRequired) {
			t.Errorf("error %v, want ErrRequired", err)
		}
	},
	"Response.MarshalJSON": func(t *testing.T) {
		checkNilMarshal(t, (*Response)(nil)) // a value method, as Request's
	},
	"Response.UnmarshalJSON": func(t *testing.T) {
		checkNilUnmarshal(t, (*Response)(nil).UnmarshalJSON([]byte(`{}`)))
	},
	"Response.Validate": func(t *testing.T) {
		if err := (*Response)(nil).Validate(); !errors.Is(err, ErrRequired) {
			t.Errorf("error %v, want ErrRequired", err)
		}
	},
	"Response.ValidateWith": func(t *testing.T) {
		if err := (*Response)(nil).ValidateWith(URLPolicy{}); !errors.Is(err, ErrRequired) {
			t.Errorf("error %v, want ErrRequired", err)
		}
	},
	"ServerError.Error": func(t *testing.T) {
		if msg := (*ServerError)(nil).Error(); msg != "discovery: server error (nil *ServerError)" {
			t.Errorf("text %q", msg)
		}
	},
	"ServerError.Is": func(t *testing.T) {
		if (*ServerError)(nil).Is(ErrUPNRequired) {
			t.Error("a nil *ServerError matches ErrUPNRequired")
		}
	},
	"ThrottleError.Error": func(t *testing.T) {
		if msg := (*ThrottleError)(nil).Error(); msg != "discovery: throttled (nil *ThrottleError)" {
			t.Errorf("text %q", msg)
		}
	},
	"URLPolicy.Check": func(t *testing.T) {
		// A value method: a URLPolicy is a small value, passed by value
		// (Response.ValidateWith takes one); the zero policy is the strict
		// one, so a caller holding no policy passes URLPolicy{}.
		if err := (URLPolicy{}).Check("http://e.example/"); !errors.Is(err, ErrInsecureURL) {
			t.Errorf("zero policy, http: error %v, want ErrInsecureURL", err)
		}
		err := URLPolicy{}.Check("https://user:secret@e.example/")
		if !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "secret") {
			t.Errorf("zero policy, user information: error %v, want ErrURL without the password", err)
		}
	},
	"DecodeError.Error": func(t *testing.T) {
		if msg := (*DecodeError)(nil).Error(); !strings.Contains(msg, "nil *DecodeError") {
			t.Errorf("text %q", msg)
		}
	},
	"DecodeError.Unwrap": func(t *testing.T) {
		if (*DecodeError)(nil).Unwrap() != nil {
			t.Error("a nil *DecodeError unwraps to an error")
		}
	},
	"LimitError.Error": func(t *testing.T) {
		if msg := (*LimitError)(nil).Error(); !strings.Contains(msg, "nil *LimitError") {
			t.Errorf("text %q", msg)
		}
	},
	"LimitError.Is": func(t *testing.T) {
		_ = (*LimitError)(nil).Is(ErrLimit) // any answer, without a panic
	},
}

// checkNilMarshal checks that json.Marshal of the nil pointer v, whose
// type has a value MarshalJSON, writes null.
func checkNilMarshal(t *testing.T, v any) {
	t.Helper()
	if b, err := json.Marshal(v); err != nil || string(b) != "null" {
		t.Errorf("json.Marshal(%T nil) = %s, %v; want null", v, b, err)
	}
}

// checkNilUnmarshal checks the error of UnmarshalJSON on a nil pointer:
// the *json.InvalidUnmarshalError encoding/json gives one, under the
// package's prefix.
func checkNilUnmarshal(t *testing.T, err error) {
	t.Helper()
	if _, ok := errors.AsType[*json.InvalidUnmarshalError](err); !ok {
		t.Fatalf("error %#v, want a *json.InvalidUnmarshalError", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "discovery: ") || !strings.Contains(msg, "nil *discovery.") {
		t.Errorf("error text %q", msg)
	}
}

// TestNilReceivers calls every exported method of the package's exported
// types through a nil pointer (nilMethods): none panics, each gives its
// documented nil answer. The value methods (OSVersion.String,
// Request/Response.MarshalJSON, URLPolicy.Check) cannot be called so
// without Go's panic; their cases check what fmt and json.Marshal do with
// a nil pointer, or the zero value.
func TestNilReceivers(t *testing.T) {
	for name, check := range nilMethods {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			check(t)
		})
	}
}

// TestNilMethodsListed: nilMethods has a case for every method in the
// method set of a pointer to each of the package's exported types, and
// no other, so a new method cannot go untried.
func TestNilMethodsListed(t *testing.T) {
	types := []reflect.Type{
		reflect.TypeFor[AuthPolicy](), reflect.TypeFor[Client](), reflect.TypeFor[DecodeError](),
		reflect.TypeFor[DiscoverFunc](), reflect.TypeFor[EnrollmentType](), reflect.TypeFor[FieldError](),
		reflect.TypeFor[Handler](), reflect.TypeFor[Headers](), reflect.TypeFor[LimitError](),
		reflect.TypeFor[OSVersion](), reflect.TypeFor[Request](), reflect.TypeFor[Response](),
		reflect.TypeFor[ServerError](), reflect.TypeFor[ThrottleError](), reflect.TypeFor[URLPolicy](),
	}
	seen := map[string]bool{}
	for _, typ := range types {
		pt := reflect.PointerTo(typ)
		for i := range pt.NumMethod() {
			name := typ.Name() + "." + pt.Method(i).Name
			seen[name] = true
			if nilMethods[name] == nil {
				t.Errorf("no nil-receiver case for %s", name)
			}
		}
	}
	for name := range nilMethods {
		if !seen[name] {
			t.Errorf("case %s names no method", name)
		}
	}
}
