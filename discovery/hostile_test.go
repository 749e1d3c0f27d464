package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandlerRefusalSmall: the message of a refusal names what is wrong
// without echoing the request whole. It used to carry the decode error's
// text, whose member name or value JSON writes back with '<' as six
// bytes: a 64 KB request got a 390 KB answer, before any authentication.
func TestHandlerRefusalSmall(t *testing.T) {
	h := &Handler{Discover: answerByType, Logger: slog.New(slog.DiscardHandler)}
	for name, body := range map[string]string{
		"member name":    `{"` + strings.Repeat("<", 65000) + `":"x"}`,
		"enrollmentType": `{"enrollmentType":"` + strings.Repeat("<", 65000) + `","osVersion":"10.0.26100.1"}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest || w.Body.Len() > 2048 {
			t.Errorf("%s: %d with %d bytes, want 400 with at most 2048", name, w.Code, w.Body.Len())
		}
		r, err := ReadResponse(w.Body, 1<<20)
		if err != nil || r.ErrorCode != errorCodeInvalidRequest || r.Message == "" {
			t.Errorf("%s: answer %+v, %v; want InvalidRequest with a message", name, r, err)
		}
	}
}

// TestDecodeHostile: hostile bodies are refused with a *DecodeError whose
// offset is the byte where the body goes wrong and whose path names the
// member involved (a member named "" is "/", the JSON Pointer to it, not
// the body as a whole), through ReadRequest, ReadResponse and the
// Handler (400 InvalidRequest). encoding/json's syntax errors count their
// offsets differently in different places: after the byte at fault in
// some, at it in others.
func TestDecodeHostile(t *testing.T) {
	deep := strings.Repeat("[", 100000)
	tests := []struct {
		name   string
		in     string
		err    error
		offset int64
		path   string
	}{
		{"empty member name", `{"":"x"}`, ErrUnknownField, 1, "/"},
		{"empty member name later", `{"osVersion":"1", "":"x"}`, ErrUnknownField, 18, "/"},
		{"NUL in member name", `{"up\u0000n":"a"}`, ErrUnknownField, 1, "/up\x00n"},
		{"raw NUL in string", "{\"upn\":\"a\x00b\"}", ErrSyntax, 9, ""},
		{"raw NUL body", "\x00", ErrSyntax, 0, ""},
		{"raw NUL after space", "  \x00{}", ErrSyntax, 2, ""},
		{"raw tab in string", "{\"upn\":\"a\tb\"}", ErrSyntax, 9, ""},
		{"byte order mark", "\ufeff{}", ErrSyntax, 0, ""},
		{"bad escape", `{"upn":"\x"}`, ErrSyntax, 9, ""},
		{"short \\u escape", `{"upn":"\u12"}`, ErrSyntax, 12, ""},
		{"lone minus", `{"upn":-}`, ErrSyntax, 8, ""},
		{"bare point", `{"upn":1.}`, ErrSyntax, 9, ""},
		{"cut literal", `{"upn":tru}`, ErrSyntax, 10, ""},
		{"trailing comma", `{"osVersion":"1",}`, ErrSyntax, 17, ""},
		{"leading comma", `{,"osVersion":"1"}`, ErrSyntax, 1, ""},
		{"missing comma", `{"osVersion":"1" "upn":"2"}`, ErrSyntax, 17, ""},
		{"wrong close", `{"osVersion":"1"]`, ErrSyntax, 16, ""},
		{"missing colon", `{"upn" "a"}`, ErrSyntax, 7, ""},
		{"deep array value", `{"upn":` + deep, ErrType, 7, "/upn"},
		{"deep array body", deep, ErrType, 0, ""},
		{"deep objects", strings.Repeat(`{"a":`, 100000), ErrUnknownField, 1, "/a"},
		{"huge integer", `{"upn":` + strings.Repeat("9", 60000) + `}`, ErrType, 7, "/upn"},
		{"huge exponent", `{"upn":1e99999999999}`, ErrType, 7, "/upn"},
		{"huge body number", strings.Repeat("9", 60000), ErrType, 0, ""},
		{"leading zero", `{"upn":01}`, ErrType, 7, "/upn"}, // a number, then bad syntax
		{"duplicate with other type", `{"osVersion":"1","osVersion":2}`, ErrDuplicateField, 17, "/osVersion"},
		{"encoded surrogate", "{\"upn\":\"\xed\xa0\x80\"}", ErrInvalidString, 8, ""},
		{"overlong slash", "{\"upn\":\"\xc0\xaf\"}", ErrInvalidString, 8, ""},
		{"NUL after object", "{}\x00", ErrTrailingData, 2, ""},
	}
	h := &Handler{Discover: answerByType, Logger: slog.New(slog.DiscardHandler)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadRequest(strings.NewReader(tt.in), 1<<20)
			de, ok := errors.AsType[*DecodeError](err)
			if !ok || !errors.Is(err, tt.err) {
				t.Fatalf("ReadRequest: %v, want a *DecodeError matching %v", err, tt.err)
			}
			if de.Offset != tt.offset || de.Path != tt.path {
				t.Errorf("ReadRequest: offset %d, path %q (%v); want %d, %q", de.Offset, de.Path, err, tt.offset, tt.path)
			}
			if tt.name == "byte order mark" && !strings.Contains(err.Error(), "byte order mark") {
				t.Errorf("ReadRequest: %v, want it to name the byte order mark", err)
			}
			// a response body goes through the same decoder: same
			// sentinel (the names differ, so unknown ones stay unknown)
			_, err = ReadResponse(strings.NewReader(tt.in), 1<<20)
			if _, ok := errors.AsType[*DecodeError](err); !ok {
				t.Errorf("ReadResponse: %v, want a *DecodeError", err)
			}
			if len(tt.in) > DefaultMaxBytes {
				return
			}
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.in))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			r, err := ReadResponse(w.Body, 0)
			if w.Code != http.StatusBadRequest || err != nil || r.ErrorCode != errorCodeInvalidRequest {
				t.Errorf("Handler: %d %+v %v, want 400 InvalidRequest", w.Code, r, err)
			}
		})
	}
}

// TestClientHostileAnswers: a discovery service's hostile or mislabelled
// answers end Discover with a typed error, never a panic or a Response
// read wrongly. A charset other than UTF-8 is refused: its bytes would be
// read as UTF-8, "Ã©" for "é" in ISO-8859-1 taken as two characters.
func TestClientHostileAnswers(t *testing.T) {
	ok, _ := validResponse(AuthPolicyFederated).MarshalJSON()
	legacy := &Request{OSVersion: "10.0.26100.1301"}
	tests := []struct {
		name  string
		step  func(http.ResponseWriter, *Request)
		err   error // sentinel the error matches, nil for success
		errAs any
	}{
		{"charset utf-8 and other parameters", reply(200, string(ok), "Content-Type", "application/json; odata.metadata=minimal; charset=UTF-8"), nil, nil},
		{"charset utf8", reply(200, string(ok), "Content-Type", "application/json;charset=utf8"), nil, nil},
		{"charset latin-1", reply(200, string(ok), "Content-Type", "application/json; charset=iso-8859-1"), ErrContentType, nil},
		{"charset utf-16", reply(200, string(ok), "Content-Type", "application/json; charset=utf-16"), ErrContentType, nil},
		{"NUL byte", reply(200, "{\"AuthPolicy\":\"Feder\x00ated\"}"), ErrSyntax, new(*DecodeError)},
		{"deep nesting", reply(200, `{"message":`+strings.Repeat("[", 50000)), ErrType, new(*DecodeError)},
		{"huge number", reply(200, `{"message":`+strings.Repeat("9", 50000)+`}`), ErrType, new(*DecodeError)},
		{"duplicate", reply(200, `{"errorCode":"UPNRequired","errorCode":"x"}`), ErrDuplicateField, new(*DecodeError)},
		{"invalid UTF-8", reply(200, "{\"message\":\"\xff\"}"), ErrInvalidString, new(*DecodeError)},
		{"byte order mark", reply(200, "\ufeff"+string(ok)), ErrSyntax, new(*DecodeError)},
		{"error status with hostile body", reply(500, "{\"message\":\"\x00"), nil, new(*ServerError)},
		// two Content-Type fields: the first was read, whatever the
		// second said
		{"two Content-Types", func(w http.ResponseWriter, _ *Request) {
			w.Header()["Content-Type"] = []string{"application/json", "text/html"}
			w.Write(ok)
		}, ErrContentType, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(&script{steps: steps(tt.step)})
			defer srv.Close()
			c := Client{URL: srv.URL, HTTPClient: srv.Client()}
			resp, err := c.Discover(t.Context(), legacy, Headers{})
			if tt.err == nil && tt.errAs == nil {
				if err != nil || resp.AuthPolicy != AuthPolicyFederated {
					t.Fatalf("Discover = %+v, %v; want the Response", resp, err)
				}
				return
			}
			if resp != nil || err == nil {
				t.Fatalf("Discover = %+v, %v; want an error", resp, err)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if tt.errAs != nil && !errors.As(err, tt.errAs) {
				t.Errorf("error %T %v, want %T", err, err, tt.errAs)
			}
		})
	}
}

// TestHandlerTwoContentTypes: a request with two Content-Type fields is
// answered 415 without calling Discover, whichever comes first: the
// Handler read the first, where a proxy in front of it may read the
// other.
func TestHandlerTwoContentTypes(t *testing.T) {
	for _, cts := range [][]string{{"application/json", "text/plain"}, {"text/plain", "application/json"}, {"application/json", "application/json"}} {
		called := false
		h := &Handler{Discover: func(ctx context.Context, req *Request, hd Headers) (*Response, error) {
			called = true
			return answerByType(ctx, req, hd)
		}}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(joinedBody))
		req.Header["Content-Type"] = cts
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := `2 Content-Type fields, \"` + cts[0] + `\" first, want one`
		if rec.Code != http.StatusUnsupportedMediaType || called || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("Content-Type %q: answered %d %s (Discover called: %v); want 415 saying %s", cts, rec.Code, rec.Body, called, want)
		}
	}
}

// TestErrorTextBounded: an error quotes at most a few hundred bytes of a
// value from the peer, with its full length, however long the value: a
// response field can be nearly MaxBytes long and a header about 1 MB, and
// JSON or Go quoting writes some characters as six bytes. The fields of
// a ServerError keep the values whole.
func TestErrorTextBounded(t *testing.T) {
	long := strings.Repeat("<\x01", 30000)
	legacy := &Request{OSVersion: "10.0.26100.1301"}
	answer := func(mod func(*Response)) func(http.ResponseWriter, *Request) {
		r := validResponse(AuthPolicyFederated)
		mod(&r)
		b, _ := r.MarshalJSON()
		return reply(200, string(b))
	}
	tests := []struct {
		name string
		step func(http.ResponseWriter, *Request)
	}{
		{"server error message", reply(200, `{"errorCode":"`+strings.Repeat("E", 30000)+`","message":"`+strings.Repeat(`\u0001`, 10000)+`"}`)},
		{"insecure URL", answer(func(r *Response) { r.AuthenticationServiceURL = "http://a.example/" + long })},
		{"malformed URL", answer(func(r *Response) { r.TouURL = "https://a.example/%zz" + long })},
		{"relative URL", answer(func(r *Response) { r.TouURL = "/" + long })},
		{"long port", answer(func(r *Response) { r.TouURL = "https://a.example:" + strings.Repeat("x", 60000) + "/" })},
		{"host not allowed", answer(func(r *Response) { r.TouURL = "https://" + strings.Repeat("a", 60000) + ".example/" })},
		{"AuthPolicy", answer(func(r *Response) { r.AuthPolicy = AuthPolicy(long) })},
		{"content type", reply(200, "{}", "Content-Type", "text/plain; x="+strings.Repeat("y", 60000))},
		{"charset", reply(200, "{}", "Content-Type", "application/json; charset="+strings.Repeat("y", 60000))},
		{"huge Retry-After", reply(429, "{}", "Retry-After", strings.Repeat("9", 60000))},
		{"Retry-After not understood", reply(503, "{}", "Retry-After", strings.Repeat("soon", 15000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(&script{steps: steps(tt.step)})
			defer srv.Close()
			c := Client{URL: srv.URL, HTTPClient: srv.Client(), MaxBytes: 1 << 20,
				URLs: URLPolicy{AllowedHosts: []string{"127.0.0.1", "a.example", "manage.contoso.com"}}}
			_, err := c.Discover(t.Context(), legacy, Headers{})
			if err == nil {
				t.Fatal("no error")
			}
			if n := len(err.Error()); n > 2048 {
				t.Errorf("error text of %d bytes: %.200s…", n, err.Error())
			}
			if se, ok := errors.AsType[*ServerError](err); ok && se.StatusCode == 200 && (len(se.ErrorCode) != 30000 || len(se.Message) != 10000) {
				t.Errorf("ServerError fields cut: %d and %d bytes", len(se.ErrorCode), len(se.Message))
			}
		})
	}
	for name, fn := range map[string]func() error{
		"ParseOSVersion": func() error { _, err := ParseOSVersion(long); return err },
		"Supported":      func() error { _, err := Supported("10.0.26100.1", EnrollmentType(long)); return err },
		"ValidatePair": func() error {
			et := EnrollmentType(long)
			return ValidatePair(&Request{EnrollmentType: &et}, &Response{})
		},
		"Request.Validate": func() error {
			et := EnrollmentType(long)
			return (&Request{OSVersion: "10.0.1.1", EnrollmentType: &et}).Validate()
		},
	} {
		if err := fn(); err == nil || len(err.Error()) > 2048 {
			t.Errorf("%s: error of %d bytes, want one of at most 2048", name, len(fmt.Sprint(err)))
		}
	}
}
