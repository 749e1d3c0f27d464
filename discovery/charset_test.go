package discovery

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCharsetAgreement: the Client's check of an answer's Content-Type
// and the Handler's check of a request's take the same charset labels
// for UTF-8 and refuse the same others. The Handler once took only
// "utf-8" where the Client also took "utf8".
func TestCharsetAgreement(t *testing.T) {
	tests := []struct {
		charset string
		ok      bool
	}{
		{"utf-8", true},
		{"UTF-8", true},
		{"Utf-8", true},
		{`"uTf-8"`, true},
		{"utf8", true},
		{"UTF8", true},
		{"uTF8", true},
		{`"utf8"`, true},
		{"utf-16", false},
		{"utf_8", false},
		{"utf-8x", false},
		{"iso-8859-1", false},
		{"u\u0130f8", false}, // a dotted capital I folds to no ASCII letter
		{`"utf 8"`, false},
	}
	for _, tt := range tests {
		ct := "application/json; charset=" + tt.charset
		t.Run(tt.charset, func(t *testing.T) {
			if got := isUTF8Charset(strings.Trim(tt.charset, `"`)); got != tt.ok {
				t.Errorf("isUTF8Charset(%q) = %v, want %v", tt.charset, got, tt.ok)
			}
			clientErr := checkMediaType(ct)
			if (clientErr == nil) != tt.ok || (clientErr != nil && !errors.Is(clientErr, ErrContentType)) {
				t.Errorf("Client: checkMediaType(%q) = %v, want ok %v", ct, clientErr, tt.ok)
			}
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody))
			req.Header.Set("Content-Type", ct)
			w := httptest.NewRecorder()
			(&Handler{Discover: answerByType}).ServeHTTP(w, req)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusUnsupportedMediaType}[tt.ok]; w.Code != want {
				t.Errorf("Handler: Content-Type %q answered %d, want %d", ct, w.Code, want)
			}
		})
	}
}

// checkContentType names the same parameter for the same value, however
// Go orders the parsed parameters: the first bad one by name.
func TestCheckContentTypeStable(t *testing.T) {
	const v = "application/json; zz=1; charset=latin1; aa=2"
	want := checkContentType(v)
	if want == nil || !strings.Contains(want.Error(), `"aa"`) {
		t.Fatalf("checkContentType(%q) = %v, want the parameter \"aa\" named", v, want)
	}
	for range 50 {
		if err := checkContentType(v); err == nil || err.Error() != want.Error() {
			t.Fatalf("checkContentType(%q) = %v, then %v", v, want, err)
		}
	}
}
