package discovery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHandlerLoggedHeaderCut checks that the MS-CV and client-request-id
// values a log record carries are cut after MaxLoggedHeader bytes
// (DefaultMaxLoggedHeader when 0) at a character boundary, marked as cut
// with their full length beside them, while Discover still gets them
// whole and short values are logged as sent.
func TestHandlerLoggedHeaderCut(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes; a byte cut would split a character
	for _, tc := range []struct {
		name      string
		max       int
		cv, rid   string
		wantLimit int // 0: logged as sent
	}{
		{name: "default", cv: long, rid: "x" + long, wantLimit: DefaultMaxLoggedHeader},
		{name: "option", max: 9, cv: long, rid: "x" + long, wantLimit: 9},
		{name: "short", cv: "cv.1", rid: "rid-1"},
		{name: "at limit", max: 4, cv: "cv.1", rid: "rid1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var got Headers
			h := &Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), MaxLoggedHeader: tc.max,
				Discover: func(_ context.Context, _ *Request, hdr Headers) (*Response, error) {
					got = hdr
					return nil, ErrUPNRequired
				}}
			body := `{"userDomain":"contoso.com","tenantId":"t","emmDeviceId":"e","osVersion":"10.0.19045.4717"}`
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("MS-CV", tc.cv)
			req.Header.Set("client-request-id", tc.rid)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got.CorrelationVector != tc.cv || got.ClientRequestID != tc.rid {
				t.Errorf("Discover got headers of %d and %d bytes, want %d and %d", len(got.CorrelationVector), len(got.ClientRequestID), len(tc.cv), len(tc.rid))
			}
			var rec map[string]any
			if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
				t.Fatalf("log record: %v: %s", err, logs.String())
			}
			for key, sent := range map[string]string{"ms_cv": tc.cv, "client_request_id": tc.rid} {
				logged, _ := rec[key].(string)
				full, hasFull := rec[key+"_bytes"]
				if tc.wantLimit == 0 {
					if logged != sent || hasFull {
						t.Errorf("%s logged as %q (%s_bytes %v), want %q as sent", key, logged, key, full, sent)
					}
					continue
				}
				value, cut := strings.CutSuffix(logged, cutMarker)
				if !cut || len(value) > tc.wantLimit || len(value) < tc.wantLimit-utf8.UTFMax || !strings.HasPrefix(sent, value) || !utf8.ValidString(value) {
					t.Errorf("%s logged as %d bytes %q, want at most %d bytes of the value, cut at a character, ending in %q", key, len(logged), logged, tc.wantLimit, cutMarker)
				}
				if n, _ := full.(float64); int(n) != len(sent) {
					t.Errorf("%s_bytes %v, want %d", key, full, len(sent))
				}
			}
		})
	}
}

// TestHandlerLoggedBodyCut checks that what a log record carries from a
// refused body (its enrollmentType and osVersion, and the error, which
// quotes a member's name or value) is cut as the headers are: after
// MaxLoggedHeader bytes for the fields, MaxLoggedError bytes for the
// error (their defaults when 0), marked as cut with the full length
// beside it, so a body near MaxBytes does not make a record twice its
// size.
func TestHandlerLoggedBodyCut(t *testing.T) {
	long := strings.Repeat("é", 20000) // 40000 bytes
	for _, tc := range []struct {
		name          string
		maxHdr, maxEr int
		body          string
		cut           []string // keys whose value must be cut
		whole         []string // keys logged whole, within the bound
		wantHdr       int
		wantErr       int
	}{
		// the error quotes the value cut already (TestErrorTextBounded)
		{name: "enrollmentType", body: `{"enrollmentType":"` + long + `","osVersion":"10.0.19045.4717"}`,
			cut: []string{"enrollment_type"}, wantHdr: DefaultMaxLoggedHeader, wantErr: DefaultMaxLoggedError},
		{name: "osVersion", body: `{"osVersion":"` + long + `"}`,
			cut: []string{"os_version"}, wantHdr: DefaultMaxLoggedHeader, wantErr: DefaultMaxLoggedError},
		// the error shows the member's path cut already (xmlerr's maxShownPath)
		{name: "unknown member", body: `{"` + long + `":"x","osVersion":"10.0.19045.4717"}`,
			whole: []string{"error"}, wantHdr: DefaultMaxLoggedHeader, wantErr: DefaultMaxLoggedError},
		{name: "options", maxHdr: 10, maxEr: 20, body: `{"enrollmentType":"` + long + `","osVersion":"10.0.19045.4717"}`,
			cut: []string{"enrollment_type", "os_version", "error"}, wantHdr: 10, wantErr: 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), MaxLoggedHeader: tc.maxHdr, MaxLoggedError: tc.maxEr,
				Discover: func(context.Context, *Request, Headers) (*Response, error) { return nil, ErrUPNRequired }}
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", rec.Code)
			}
			if logs.Len() > 4096 {
				t.Errorf("log record of %d bytes for a refused body of %d", logs.Len(), len(tc.body))
			}
			var record map[string]any
			if err := json.Unmarshal(logs.Bytes(), &record); err != nil {
				t.Fatalf("log record: %v: %s", err, logs.String())
			}
			for _, key := range tc.cut {
				limit := tc.wantHdr
				if key == "error" {
					limit = tc.wantErr
				}
				logged, _ := record[key].(string)
				value, cut := strings.CutSuffix(logged, cutMarker)
				if !cut || len(value) > limit || len(value) < limit-utf8.UTFMax || !utf8.ValidString(value) {
					t.Errorf("%s logged as %d bytes %q, want at most %d bytes, cut at a character, ending in %q", key, len(logged), logged, limit, cutMarker)
				}
				if n, _ := record[key+"_bytes"].(float64); int(n) <= limit {
					t.Errorf("%s_bytes %v, want the full length", key, record[key+"_bytes"])
				}
			}
			for _, key := range tc.whole {
				logged, _ := record[key].(string)
				if logged == "" || len(logged) > tc.wantErr || strings.HasSuffix(logged, cutMarker) {
					t.Errorf("%s logged as %d bytes %q, want it whole within %d bytes", key, len(logged), logged, tc.wantErr)
				}
			}
		})
	}
}

// TestHandlerLogsEnrollmentTypeAsSent checks that the record carries the
// enrollmentType as the request sent it: a legacy request without one is
// logged as such (enrollment_type_absent), not as the Device it is
// treated as, and an empty one is logged empty.
func TestHandlerLogsEnrollmentTypeAsSent(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       any // the logged enrollment_type; nil when not logged
		absent     bool
	}{
		{name: "absent", body: `{"userDomain":"contoso.com"}`, absent: true},
		{name: "empty", body: `{"userDomain":"contoso.com","enrollmentType":""}`, want: ""},
		{name: "Device", body: `{"userDomain":"contoso.com","enrollmentType":"Device"}`, want: "Device"},
		{name: "User", body: `{"userDomain":"contoso.com","enrollmentType":"User"}`, want: "User"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
				Discover: func(context.Context, *Request, Headers) (*Response, error) { return nil, ErrUPNRequired }}
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/EnrollmentServer/Discovery.svc", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(httptest.NewRecorder(), req)
			var rec map[string]any
			if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
				t.Fatalf("log record: %v: %s", err, logs.String())
			}
			if got, ok := rec["enrollment_type"]; got != tc.want || ok != (tc.want != nil) {
				t.Errorf("enrollment_type %v (logged %v), want %v", got, ok, tc.want)
			}
			if got, _ := rec["enrollment_type_absent"].(bool); got != tc.absent {
				t.Errorf("enrollment_type_absent %v, want %v", got, tc.absent)
			}
		})
	}
}

// TestHandlerLoggedMethodCut: the method a log record carries is cut as a
// header is, after MaxLoggedHeader bytes with its full length beside it:
// net/http takes a method of any length up to its 1 MB header limit, and
// it was logged whole (a 500 KB record for each such request).
func TestHandlerLoggedMethodCut(t *testing.T) {
	for _, tc := range []struct {
		method  string
		max     int
		want    string
		wantLen int // method_bytes, 0 for none
	}{
		{method: "GET", want: "GET"},
		{method: strings.Repeat("M", 5000), want: strings.Repeat("M", DefaultMaxLoggedHeader) + cutMarker, wantLen: 5000},
		{method: strings.Repeat("M", 5000), max: 7, want: "MMMMMMM" + cutMarker, wantLen: 5000},
	} {
		var logs bytes.Buffer
		h := &Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), MaxLoggedHeader: tc.max, Discover: answerByType}
		req := httptest.NewRequest(tc.method, "http://127.0.0.1/EnrollmentServer/Discovery.svc", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var record map[string]any
		if err := json.Unmarshal(logs.Bytes(), &record); err != nil {
			t.Fatalf("log record: %v: %.300s", err, logs.String())
		}
		n, _ := record["method_bytes"].(float64)
		if record["method"] != tc.want || int(n) != tc.wantLen || rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("method of %d bytes (MaxLoggedHeader %d): answered %d, logged %.300q with method_bytes %v; want 405, %q and %d",
				len(tc.method), tc.max, rec.Code, record["method"], record["method_bytes"], tc.want, tc.wantLen)
		}
		if logs.Len() > 4096 {
			t.Errorf("method of %d bytes: log record of %d bytes", len(tc.method), logs.Len())
		}
	}
}
