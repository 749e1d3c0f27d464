package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestBrk2ReplyContentTypeTyped: a 200 reply of another content type
// than SyncML fails Run; the error must be usable with errors.Is (it is
// the server breaking the protocol: ErrProtocol), as other replies that
// are no SyncML message for the device are.
func TestBrk2ReplyContentTypeTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(brk2Reply(t, "1", "1", "1", true))
	}))
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	_, err := c.Run(context.Background(), hc, srv.URL+"/dm", "1")
	if err == nil {
		t.Fatal("Run succeeded")
	}
	wantIs(ErrProtocol)(t, err)
}
