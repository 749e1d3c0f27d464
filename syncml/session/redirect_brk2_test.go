package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestBrk2HTTPRedirectLeavesHTTPS: a server on https that answers the
// device's post with an HTTP 307 to a plain-http URL must not get the
// device's message sent there in the plainSrv. Run refuses a RespURI that
// leaves https (nextURL); the same move made with an HTTP redirect is
// followed by the http.Client, which re-posts the body (and the
// x-syncml-hmac header) to the http URL.
func TestBrk2HTTPRedirectLeavesHTTPS(t *testing.T) {
	plainSrv, plain := plainTrap(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plainSrv.URL+"/dm", http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()
	hc := tlsSrv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Run(ctx, hc, tlsSrv.URL+"/dm", "1")
	if err == nil {
		t.Error("Run succeeded")
	}
	if n := plain.Load(); n != 0 {
		t.Errorf("the device's message went to the plain-http URL %d times after a 307 from https (err %v)", n, err)
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusTemporaryRedirect || he.Header.Get("Location") != plainSrv.URL+"/dm" {
		t.Errorf("Run: %v; want an *HTTPError of the 307 with its Location", err)
	}
}

// TestBrk2HTTPRedirectTurnsPostIntoGet: a 302 or 303 makes net/http
// follow with a GET without body; its 200 SyncML answer is then taken as
// the server's reply to a message it never received.
func TestBrk2HTTPRedirectTurnsPostIntoGet(t *testing.T) {
	for _, code := range []int{http.StatusFound, http.StatusSeeOther} {
		var gets atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				http.Redirect(w, r, "/other", code)
				return
			}
			gets.Add(1)
			w.Header().Set("Content-Type", ContentType)
			_, _ = w.Write(brk2Reply(t, "1", "1", "1", true))
		}))
		hc := srv.Client()
		c := brk2Device(t, ClientConfig{})
		_, err := c.Run(context.Background(), hc, srv.URL+"/dm", "1")
		if err == nil {
			t.Errorf("%d: Run succeeded: the device took the answer to a GET (%d) as the reply to its message, which the server never got", code, gets.Load())
		}
		hc.CloseIdleConnections()
		srv.Close()
	}
}
