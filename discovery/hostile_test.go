package discovery

import (
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
