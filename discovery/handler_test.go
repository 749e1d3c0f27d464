package discovery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logRecords decodes the JSON log lines.
func logRecords(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

const (
	joinedBody     = `{"userDomain":"contoso.com","upn":"johndoe@contoso.com","enrollmentType":"Device","osVersion":"10.0.26100.1301"}`
	registeredBody = `{"upn":"johndoe@contoso.com","enrollmentType":"User","osVersion":"10.0.26100.1301"}`
	legacyBody     = `{"userDomain":"contoso.com","osVersion":"10.0.26100.1301"}`
)

// answerByType is a DiscoverFunc that follows the pair rule.
func answerByType(_ context.Context, req *Request, _ Headers) (*Response, error) {
	r := validResponse(req.RequiredAuthPolicy())
	return &r, nil
}

func TestHandler(t *testing.T) {
	federated := validResponse(AuthPolicyFederated)
	federatedJSON, _ := federated.MarshalJSON()
	certificate := validResponse(AuthPolicyCertificate)
	certificateJSON, _ := certificate.MarshalJSON()

	tests := []struct {
		name        string
		handler     Handler
		method      string
		contentType string
		body        string
		headers     map[string]string
		wantStatus  int
		wantCode    string // errorCode of the answer, "" for success
		wantBody    string // exact body, when set
		wantRetry   string // Retry-After header
		wantCalled  bool
		wantLog     string // a substring of the logged error
	}{
		{name: "joined", handler: Handler{Discover: answerByType}, body: joinedBody,
			wantStatus: 200, wantBody: string(federatedJSON), wantCalled: true},
		{name: "registered", handler: Handler{Discover: answerByType}, body: registeredBody,
			wantStatus: 200, wantBody: string(certificateJSON), wantCalled: true},
		{name: "legacy", handler: Handler{Discover: answerByType}, body: legacyBody,
			wantStatus: 200, wantBody: string(federatedJSON), wantCalled: true},
		{name: "charset utf-8", handler: Handler{Discover: answerByType}, contentType: "application/json; charset=utf-8",
			body: joinedBody, wantStatus: 200, wantCalled: true},
		// a charset's name is not case-sensitive (RFC 2978): both used to
		// be answered 415
		{name: "charset Utf-8", handler: Handler{Discover: answerByType}, contentType: "Application/JSON; Charset=Utf-8",
			body: joinedBody, wantStatus: 200, wantCalled: true},
		{name: "charset quoted", handler: Handler{Discover: answerByType}, contentType: `application/json; charset="uTF-8"`,
			body: joinedBody, wantStatus: 200, wantCalled: true},
		{name: "GET", handler: Handler{Discover: answerByType}, method: http.MethodGet,
			wantStatus: 405, wantCode: "InvalidRequest", wantLog: "method GET"},
		{name: "PUT", handler: Handler{Discover: answerByType}, method: http.MethodPut, body: joinedBody,
			wantStatus: 405, wantCode: "InvalidRequest", wantLog: "method PUT"},
		{name: "no content type", handler: Handler{Discover: answerByType}, contentType: "-", body: joinedBody,
			wantStatus: 415, wantCode: "InvalidRequest", wantLog: "content type"},
		{name: "text/plain", handler: Handler{Discover: answerByType}, contentType: "text/plain", body: joinedBody,
			wantStatus: 415, wantCode: "InvalidRequest", wantLog: "content type"},
		{name: "utf-16 charset", handler: Handler{Discover: answerByType}, contentType: "application/json; charset=utf-16", body: joinedBody,
			wantStatus: 415, wantCode: "InvalidRequest", wantLog: `content type is not application/json: "application/json; charset=utf-16", the body must be UTF-8`},
		{name: "other parameter", handler: Handler{Discover: answerByType}, contentType: "application/json; version=2", body: joinedBody,
			wantStatus: 415, wantCode: "InvalidRequest", wantLog: `"application/json; version=2" has parameter "version", want none but charset`},
		{name: "text/plain quoted", handler: Handler{Discover: answerByType}, contentType: "text/plain", body: joinedBody,
			wantStatus: 415, wantCode: "InvalidRequest", wantLog: `content type is not application/json: "text/plain"`},
		{name: "too large", handler: Handler{Discover: answerByType, MaxBytes: 32}, body: joinedBody,
			wantStatus: 413, wantCode: "InvalidRequest", wantLog: "limit"},
		{name: "too large chunked", handler: Handler{Discover: answerByType, MaxBytes: 32}, body: joinedBody,
			headers: map[string]string{"X-Chunked": "1"}, wantStatus: 413, wantCode: "InvalidRequest", wantLog: "limit"},
		{name: "malformed", handler: Handler{Discover: answerByType}, body: `{"osVersion":`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "not well-formed"},
		{name: "unknown field", handler: Handler{Discover: answerByType}, body: `{"osVersion":"10.0.1.1","role":"admin"}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "unknown field"},
		{name: "case variant", handler: Handler{Discover: answerByType}, body: `{"osVersion":"10.0.1.1","EnrollmentType":"User"}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "only in case"},
		{name: "duplicate", handler: Handler{Discover: answerByType}, body: `{"enrollmentType":"Device","osVersion":"10.0.1.1","enrollmentType":"User"}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "duplicate"},
		{name: "trailing", handler: Handler{Discover: answerByType}, body: joinedBody + `{}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "after the JSON object"},
		{name: "no osVersion", handler: Handler{Discover: answerByType}, body: `{"upn":"a@b"}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "osVersion"},
		{name: "bad enrollmentType", handler: Handler{Discover: answerByType}, body: `{"enrollmentType":"Workplace","osVersion":"10.0.1.1"}`,
			wantStatus: 400, wantCode: "InvalidRequest", wantLog: "enrollmentType"},
		{name: "require UPN without", handler: Handler{Discover: answerByType, RequireUPN: true}, body: legacyBody,
			wantStatus: 200, wantBody: `{"errorCode":"UPNRequired"}`},
		{name: "require UPN with", handler: Handler{Discover: answerByType, RequireUPN: true}, body: joinedBody,
			wantStatus: 200, wantBody: string(federatedJSON), wantCalled: true},
		{name: "function asks for UPN", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, ErrUPNRequired
		}}, body: legacyBody, wantStatus: 200, wantBody: `{"errorCode":"UPNRequired"}`, wantCalled: true},
		{name: "function asks for UPN it has", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, ErrUPNRequired
		}}, body: joinedBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "requires a UPN"},
		{name: "throttled", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, &ThrottleError{After: 2100 * time.Millisecond}
		}}, body: joinedBody, wantStatus: 429, wantCode: "Throttled", wantRetry: "3", wantCalled: true, wantLog: "throttled"},
		{name: "throttled 503", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, wrapErr(&ThrottleError{After: time.Second, StatusCode: 503})
		}}, body: joinedBody, wantStatus: 503, wantCode: "Throttled", wantRetry: "1", wantCalled: true, wantLog: "rate limit"},
		// Retry-After is rounded up to whole seconds and capped at 2^31
		// seconds (the most this package's Client reads); durations near
		// MaxInt64 used to overflow to 0.
		{name: "throttled zero", handler: throttle(0, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "0", wantCalled: true, wantLog: "throttled"},
		{name: "throttled negative", handler: throttle(-time.Second, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "0", wantCalled: true, wantLog: "throttled"},
		{name: "throttled 1ns", handler: throttle(1, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "1", wantCalled: true, wantLog: "throttled"},
		{name: "throttled cap-1s", handler: throttle((1<<31-1)*time.Second, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483647", wantCalled: true, wantLog: "throttled"},
		{name: "throttled cap-1ns", handler: throttle(1<<31*time.Second-1, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled cap", handler: throttle(1<<31*time.Second, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled cap+1ns", handler: throttle(1<<31*time.Second+1, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled MaxInt64-1s", handler: throttle(math.MaxInt64-time.Second, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled MaxInt64-1s+1ns", handler: throttle(math.MaxInt64-time.Second+1, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled MaxInt64-1s+2ns", handler: throttle(math.MaxInt64-time.Second+2, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		{name: "throttled MaxInt64", handler: throttle(math.MaxInt64, 0), body: joinedBody,
			wantStatus: 429, wantCode: "Throttled", wantRetry: "2147483648", wantCalled: true, wantLog: "throttled"},
		// The status must be an HTTP error status (4xx or 5xx); anything
		// else answers 500 without Retry-After and is logged. Outside
		// 100-999 net/http panics; 1xx and 2xx/3xx would not refuse.
		{name: "throttled 400", handler: throttle(time.Second, 400), body: joinedBody,
			wantStatus: 400, wantCode: "Throttled", wantRetry: "1", wantCalled: true, wantLog: "throttled"},
		{name: "throttled 599", handler: throttle(time.Second, 599), body: joinedBody,
			wantStatus: 599, wantCode: "Throttled", wantRetry: "1", wantCalled: true, wantLog: "throttled"},
		{name: "throttled status -1", handler: throttle(time.Second, -1), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status -1"},
		{name: "throttled status 99", handler: throttle(time.Second, 99), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 99"},
		{name: "throttled status 1000", handler: throttle(time.Second, 1000), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 1000"},
		{name: "throttled status 100", handler: throttle(time.Second, 100), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 100"},
		{name: "throttled status 200", handler: throttle(time.Second, 200), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 200"},
		{name: "throttled status 399", handler: throttle(time.Second, 399), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 399"},
		{name: "throttled status 600", handler: throttle(time.Second, 600), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 600"},
		{name: "throttled status 999", handler: throttle(time.Second, 999), body: joinedBody,
			wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "status 999"},
		{name: "function fails", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, errors.New("database down")
		}}, body: joinedBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "database down"},
		{name: "function returns nil", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			return nil, nil
		}}, body: joinedBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "no response"},
		{name: "pair rule: registered gets Federated", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			r := validResponse(AuthPolicyFederated)
			return &r, nil
		}}, body: registeredBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "does not match"},
		{name: "pair rule: legacy gets Certificate", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			r := validResponse(AuthPolicyCertificate)
			return &r, nil
		}}, body: legacyBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "does not match"},
		{name: "insecure URL from function", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			r := validResponse(AuthPolicyFederated)
			r.EnrollmentServiceURL = "http://127.0.0.1/enroll"
			return &r, nil
		}}, body: joinedBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "not HTTPS"},
		{name: "loopback URL allowed by policy", handler: Handler{URLs: URLPolicy{AllowLoopbackHTTP: true}, Discover: func(context.Context, *Request, Headers) (*Response, error) {
			r := validResponse(AuthPolicyFederated)
			r.EnrollmentServiceURL = "http://127.0.0.1/enroll"
			return &r, nil
		}}, body: joinedBody, wantStatus: 200, wantCalled: true},
		{name: "invalid UTF-8 from function", handler: Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
			r := validResponse(AuthPolicyFederated)
			r.Message = "\xff"
			return &r, nil
		}}, body: joinedBody, wantStatus: 500, wantCode: "InternalError", wantCalled: true, wantLog: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			var called bool
			var gotHeaders Headers
			h := tt.handler
			h.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			inner := h.Discover
			h.Discover = func(ctx context.Context, req *Request, hd Headers) (*Response, error) {
				called, gotHeaders = true, hd
				return inner(ctx, req, hd)
			}
			srv := httptest.NewServer(&h)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			var body io.Reader = strings.NewReader(tt.body)
			if tt.headers["X-Chunked"] != "" {
				body = io.MultiReader(strings.NewReader(tt.body)) // unknown length: chunked
			}
			req, err := http.NewRequest(method, srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			switch tt.contentType {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header["MS-CV"] = []string{"cv.1.2"}
			req.Header["client-request-id"] = []string{"rid-42"}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			srv.Close() // waits for the handler, and so for its log record

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if ra := resp.Header.Get("Retry-After"); ra != tt.wantRetry {
				t.Errorf("Retry-After = %q, want %q", ra, tt.wantRetry)
			}
			if tt.wantStatus == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
			if tt.wantBody != "" && string(got) != tt.wantBody {
				t.Errorf("body = %s, want %s", got, tt.wantBody)
			}
			answer, err := ReadResponse(bytes.NewReader(got), 0)
			if err != nil {
				t.Fatalf("answer does not decode strictly: %v (%s)", err, got)
			}
			if answer.ErrorCode != tt.wantCode && !(tt.wantCode == "" && answer.ErrorCode == ErrorCodeUPNRequired) {
				t.Errorf("errorCode = %q, want %q", answer.ErrorCode, tt.wantCode)
			}
			if called != tt.wantCalled {
				t.Errorf("Discover called = %v, want %v", called, tt.wantCalled)
			}
			if called && (gotHeaders != Headers{CorrelationVector: "cv.1.2", ClientRequestID: "rid-42"}) {
				t.Errorf("Discover got headers %+v", gotHeaders)
			}
			recs := logRecords(t, logs.String())
			if len(recs) != 1 {
				t.Fatalf("%d log records, want 1: %s", len(recs), logs.String())
			}
			rec := recs[0]
			if rec["ms_cv"] != "cv.1.2" || rec["client_request_id"] != "rid-42" || rec["status"] != float64(tt.wantStatus) {
				t.Errorf("log record lacks headers or status: %v", rec)
			}
			if code, _ := rec["error_code"].(string); code != answer.ErrorCode {
				t.Errorf("logged error_code %q, answered %q", code, answer.ErrorCode)
			}
			if errText, _ := rec["error"].(string); !strings.Contains(errText, tt.wantLog) || (tt.wantLog == "") != (errText == "") {
				t.Errorf("logged error %q, want it to contain %q", errText, tt.wantLog)
			}
			if strings.Contains(logs.String(), "johndoe") {
				t.Errorf("log leaks the UPN: %s", logs.String())
			}
		})
	}
}

// throttle is a Handler whose function answers a ThrottleError.
func throttle(after time.Duration, status int) Handler {
	return Handler{Discover: func(context.Context, *Request, Headers) (*Response, error) {
		return nil, &ThrottleError{After: after, StatusCode: status}
	}}
}

// wrapErr wraps err the way a service might before returning it.
func wrapErr(err error) error { return errors.Join(errors.New("rate limit"), err) }

// TestHandlerPassesRequest checks that the function gets the decoded
// request unchanged, the pointer-typed enrollmentType included.
func TestHandlerPassesRequest(t *testing.T) {
	var got *Request
	h := &Handler{Logger: slog.New(slog.DiscardHandler), Discover: func(_ context.Context, req *Request, _ Headers) (*Response, error) {
		got = req
		return answerByType(context.Background(), req, Headers{})
	}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := `{"userDomain":"contoso.com","tenantId":"t","emmDeviceId":"e","enrollmentType":"","osVersion":"10.0.19045.4717"}`
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := &Request{UserDomain: "contoso.com", TenantID: "t", EMMDeviceID: "e", EnrollmentType: new(EnrollmentType("")), OSVersion: "10.0.19045.4717"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request mismatch (-want +got):\n%s", diff)
	}
}

// TestHandlerNilThrottleError: a DiscoverFunc that returns a typed nil
// *ThrottleError (a common slip: a nil pointer in an error interface) gets
// 500 and a logged fault, not a panic.
func TestHandlerNilThrottleError(t *testing.T) {
	var logs bytes.Buffer
	h := &Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Discover: func(context.Context, *Request, Headers) (*Response, error) {
		var te *ThrottleError
		return nil, te
	}}
	body := `{"userDomain":"contoso.com","tenantId":"t","emmDeviceId":"e","osVersion":"10.0.19045.4717"}`
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("ServeHTTP panics: %v", r)
			}
		}()
		h.ServeHTTP(rec, req)
	}()
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	if rec.Header().Get("Retry-After") != "" {
		t.Errorf("Retry-After %q for a nil ThrottleError", rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(logs.String(), "nil") {
		t.Errorf("log does not name the nil ThrottleError: %s", logs.String())
	}
}

// TestHandlerMisconfigured: a Handler without its DiscoverFunc, or a nil
// *Handler, answers 500 with the missing field named in the answer's
// message and in the logged error, instead of panicking (net/http would
// recover and the client would see only EOF).
func TestHandlerMisconfigured(t *testing.T) {
	body := `{"userDomain":"contoso.com","osVersion":"10.0.19045.4717"}`
	for _, tc := range []struct {
		name    string
		handler func(log *slog.Logger) *Handler
		want    string
	}{
		{"no Discover", func(log *slog.Logger) *Handler { return &Handler{Logger: log} }, "Handler.Discover is not set"},
		{"no Discover, RequireUPN", func(log *slog.Logger) *Handler { return &Handler{Logger: log, RequireUPN: true} }, "Handler.Discover is not set"},
		{"nil Handler", func(*slog.Logger) *Handler { return nil }, "nil *Handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := tc.handler(slog.New(slog.NewJSONHandler(&logs, nil)))
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("ServeHTTP panics: %v", r)
					}
				}()
				h.ServeHTTP(rec, req)
			}()
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", rec.Code)
			}
			var resp Response
			if err := resp.UnmarshalJSON(rec.Body.Bytes()); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if resp.ErrorCode != errorCodeInternal || !strings.Contains(resp.Message, tc.want) {
				t.Errorf("answer %+v, want errorCode %s naming %q", resp, errorCodeInternal, tc.want)
			}
			if h == nil {
				return
			}
			recs := logRecords(t, logs.String())
			if len(recs) != 1 || recs[0]["level"] != "ERROR" || !strings.Contains(fmt.Sprint(recs[0]["error"]), tc.want) {
				t.Errorf("log %v, want one ERROR record naming %q", recs, tc.want)
			}
		})
	}
}

// TestHandlerNilLoggerSilent: a Handler without a Logger logs nothing, as
// session.ServerConfig's nil Logger does; before, it wrote an INFO record
// per request to slog.Default (stderr).
func TestHandlerNilLoggerSilent(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })
	for _, h := range []*Handler{{Discover: answerByType}, {}} { // the second answers 500
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(legacyBody))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Errorf("status %d", rec.Code)
		}
	}
	if logs.Len() != 0 {
		t.Errorf("a Handler without Logger logged:\n%s", logs.String())
	}
}
