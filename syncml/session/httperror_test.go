package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestClientHTTPError: a server that answers with another HTTP status
// than 200 fails Run with an *HTTPError holding the status code and the
// response's headers (Retry-After). Before the fix the error was text
// only.
func TestClientHTTPError(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(ctx, srv.Client(), srv.URL, "1")
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("Run: %v; want an *HTTPError", err)
	}
	if he.StatusCode != http.StatusServiceUnavailable || he.Header.Get("Retry-After") != "120" {
		t.Errorf("HTTPError %d, Retry-After %q; want 503 and 120", he.StatusCode, he.Header.Get("Retry-After"))
	}
	if he.Error() == "" {
		t.Error("empty Error()")
	}
}

// TestHTTPErrorText: the status's text follows its code when net/http
// knows one; a code it does not know stands alone, with no trailing
// space.
func TestHTTPErrorText(t *testing.T) {
	for code, want := range map[int]string{
		503: "server answered 503 Service Unavailable",
		599: "server answered 599",
	} {
		if got := (&HTTPError{StatusCode: code}).Error(); got != want {
			t.Errorf("HTTPError{%d}.Error() = %q, want %q", code, got, want)
		}
	}
}
