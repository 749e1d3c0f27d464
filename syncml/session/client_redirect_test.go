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

// TestClientRunMaxRedirects: with ClientConfig.MaxRedirects, Run follows
// a 307 or 308 from https to https (the message posted again whole, its
// reply the server's) as many times as it says, and asks hc's
// CheckRedirect; a 302, a redirect to plain http and one past the bound
// fail Run with an *HTTPError of the redirect, its Location never posted
// to. Without it, Run follows none.
func TestClientRunMaxRedirects(t *testing.T) {
	plainSrv, plain := plainTrap(t)
	var moved atomic.Int32
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/307", "/307/307":
			http.Redirect(w, r, r.URL.Path+"/moved", http.StatusTemporaryRedirect)
		case "/308":
			http.Redirect(w, r, "/308/moved", http.StatusPermanentRedirect)
		case "/two":
			http.Redirect(w, r, "/307", http.StatusTemporaryRedirect)
		case "/302":
			http.Redirect(w, r, "/302/moved", http.StatusFound)
		case "/plain":
			http.Redirect(w, r, plainSrv.URL+"/dm", http.StatusTemporaryRedirect)
		default:
			moved.Add(1)
			ref := brk2MsgID(t, r)
			w.Header().Set("Content-Type", ContentType)
			_, _ = w.Write(brk2Reply(t, "1", "1", ref, true))
		}
	}))
	defer tlsSrv.Close()
	deny := errors.New("the caller's CheckRedirect")
	cases := []struct {
		name    string
		max     int
		path    string
		check   func(*http.Request, []*http.Request) error
		status  int   // of the *HTTPError; 0: Run succeeds
		wantErr error // Run's error, when no *HTTPError
	}{
		{"307, none allowed", 0, "/307", nil, 307, nil},
		{"307", 1, "/307", nil, 0, nil},
		{"308", 1, "/308", nil, 0, nil},
		{"two, one allowed", 1, "/two", nil, 307, nil},
		{"two, two allowed", 2, "/two", nil, 0, nil},
		{"302", 5, "/302", nil, 302, nil},
		{"to plain http", 5, "/plain", nil, 307, nil},
		{"the caller's check refuses", 5, "/307", func(*http.Request, []*http.Request) error { return deny }, 0, deny},
		{"the caller's check follows all", 0, "/307", func(*http.Request, []*http.Request) error { return nil }, 307, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			moved.Store(0)
			plain.Store(0)
			hc := tlsSrv.Client() // trusts the loopback certificate
			hc.CheckRedirect = tc.check
			defer hc.CloseIdleConnections()
			c := brk2Device(t, ClientConfig{MaxRedirects: tc.max})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.Run(ctx, hc, tlsSrv.URL+tc.path, "1")
			var he *HTTPError
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) || moved.Load() != 0 {
					t.Errorf("Run: %v, %d posts to the Location; want %v and none", err, moved.Load(), tc.wantErr)
				}
			case tc.status == 0:
				if err != nil || moved.Load() != 1 {
					t.Errorf("Run: %v, %d posts after the redirects; want nil and 1", err, moved.Load())
				}
			case !errors.As(err, &he) || he.StatusCode != tc.status || moved.Load() != 0:
				t.Errorf("Run: %v, %d posts to the Location; want an *HTTPError %d and none", err, moved.Load(), tc.status)
			}
			if n := plain.Load(); n != 0 {
				t.Errorf("the message went to plain http %d times", n)
			}
		})
	}
}

// plainTrap is a plain-http server on loopback that answers 500 and
// counts the requests it gets: a device's message must never reach it.
func plainTrap(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(500)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}
