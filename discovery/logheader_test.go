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
