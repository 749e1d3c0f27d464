package session

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// deadURL returns an http URL on a loopback port nothing listens on: a
// post to it fails to connect (connection refused).
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/dm"
	l.Close()
	return url
}

// TestClientOfflineRequeues: a Run whose message never reached the server
// (the connection was refused) gives its session up as if it had sent
// nothing: the caller's queued commands go back to the front of the
// queue, in order, and the next Run that reaches the server sends them
// once, in package 1; the session's own package-1 commands (Alert 1201,
// Start's alerts, the DevInfo) are not reported, and nothing is
// Abandoned, however many Runs failed.
//
//   - package1: 50 Runs fail on package 1;
//   - tls: the TLS handshake fails (the device does not trust the
//     server's certificate), as it does before the request is written;
//   - sign: the Credentials fail to sign package 1, so nothing is posted;
//     the commands EachMessage gave it are not reported either;
//   - other RoundTripper: an http.Client whose Transport is not an
//     *http.Transport tells nothing of what it wrote: its failure leaves
//     the commands Abandoned, as before;
//   - midsession: the server answers package 1 (Replace A) with a Get and
//     a RespURI nothing listens on: the reply, which carries the answer
//     and the Replaces B and C that BeforeReply queued, is never sent. A
//     keeps its 200, B and C go in the next session;
//   - midsession MaxMessages: the same reply is not posted because
//     MaxMessages is 1.
//
// Before the fix each failed Run left package 1 Abandoned (3 Outcomes per
// Run and the queued Replace, sent again by no one), and B and C came
// back Abandoned; so did Replace A after the failed TLS handshake.
func TestClientOfflineRequeues(t *testing.T) {
	ctx := context.Background()
	login := func() syncml.Command {
		return NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user")
	}
	t.Run("package1", func(t *testing.T) {
		g := newAuthGate(t, Config{})
		dead := deadURL(t)
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, DevInfo: DevInfo{DevID: "DEV1"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(smallReplace("./Vendor/A"), smallReplace("./Vendor/B")); err != nil {
			t.Fatal(err)
		}
		const runs = 50
		for i := range runs {
			outs, err := c.Run(ctx, nil, dead, strconv.Itoa(i), login())
			if err == nil || len(outs) != 0 {
				t.Fatalf("Run %d against %s: err %v, Outcomes %v; want an error and none", i, dead, err, outcomeCodes(outs))
			}
		}
		if len(c.abandoned) != 0 {
			t.Errorf("after %d failed Runs: %d Abandoned kept; want 0", runs, len(c.abandoned))
		}
		g.set(nil)
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "ok", login())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := g.seen()
		if d := cmp.Diff([]string{"./DevInfo/DevId 4", "./Vendor/A 1", "./Vendor/B 1"}, got); d != "" {
			t.Errorf("the server ran (-want +got):\n%s", d)
		}
		// the server has no handler for the LoginStatus alert: 404
		want := []string{"Alert  200", "Alert  404", "Replace  200", "Replace ./Vendor/A 200", "Replace ./Vendor/B 200"}
		if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
			t.Errorf("Outcomes (-want +got):\n%s", d)
		}
	})
	t.Run("tls", func(t *testing.T) {
		// a TLS server the device does not trust: the handshake fails
		// before the request is written
		tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
		tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error
		tlsSrv.StartTLS()
		t.Cleanup(tlsSrv.Close)
		g := newAuthGate(t, Config{})
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(ctx, &http.Client{}, tlsSrv.URL, "1", login()); err == nil {
			t.Fatal("Run against an untrusted TLS server: no error")
		}
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := g.seen()
		if d := cmp.Diff([]string{"./Vendor/A 1"}, got); d != "" {
			t.Errorf("the server ran (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"Alert  200", "Replace ./Vendor/A 200"}, outcomeCodes(outs)); d != "" {
			t.Errorf("Outcomes (-want +got):\n%s", d)
		}
	})
	t.Run("sign", func(t *testing.T) {
		// Credentials that fail to sign package 1: nothing is posted;
		// EachMessage's alert of that message is not reported either
		g := newAuthGate(t, Config{})
		fail := true
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL,
			Credentials: signFunc(func(context.Context, []byte, http.Header) error {
				if fail {
					return errors.New("no key now")
				}
				return nil
			}),
			EachMessage: func(context.Context) ([]syncml.Command, error) {
				return []syncml.Command{NewClientEvent(syncml.AlertClientEvent, "com.example/State", "s")}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1", login()); err == nil {
			t.Fatal("Run with failing Sign: no error")
		}
		fail = false
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
		if err != nil {
			t.Fatal(err)
		}
		if got, posts := g.seen(); !cmp.Equal([]string{"./Vendor/A 1"}, got) || posts != 1 {
			t.Errorf("the server ran %v in %d posts; want Replace A in 1", got, posts)
		}
		// Alert 1201, EachMessage's alert of session 2 (no handler: 404)
		want := []string{"Alert  200", "Alert  404", "Replace ./Vendor/A 200"}
		if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
			t.Errorf("Outcomes (-want +got):\n%s", d)
		}
	})
	t.Run("other RoundTripper", func(t *testing.T) {
		// a RoundTripper that is not an *http.Transport may have sent
		// the message before it failed: its commands stay Abandoned
		g := newAuthGate(t, Config{})
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
			t.Fatal(err)
		}
		failing := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
			return nil, errors.New("lost after writing")
		})}
		if _, err := c.Run(ctx, failing, g.srv.URL, "1"); err == nil {
			t.Fatal("Run: no error")
		}
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := g.seen(); len(got) != 0 {
			t.Errorf("the server ran %v; want nothing", got)
		}
		want := []string{"Alert  Abandoned", "Replace ./Vendor/A Abandoned", "Alert  200"}
		if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
			t.Errorf("Outcomes (-want +got):\n%s", d)
		}
	})
	// the reply to the server's first message is not posted: its RespURI
	// refuses connections, or MaxMessages (1) is reached
	for _, way := range []string{"midsession", "midsession MaxMessages"} {
		t.Run(way, func(t *testing.T) {
			dead := deadURL(t)
			var away atomic.Bool // read by the server's goroutines
			away.Store(way == "midsession")
			g := newAuthGate(t, Config{
				OnStart: func(ctx context.Context, s *Session, _ Identity, first bool) {
					_ = s.Queue(get("./DevDetail/SwV")) // the device answers it
				},
				RespURI: func(context.Context, Identity, *syncml.Message) string {
					if away.Load() {
						return dead
					}
					return ""
				}})
			b, cc := smallReplace("./Vendor/B"), smallReplace("./Vendor/C")
			queued := false
			cfg := ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL,
				BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
					if !queued {
						queued = true
						_ = c.Queue(b, cc)
					}
				}}
			if way != "midsession" {
				cfg.MaxMessages = 1
			}
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
				t.Fatal(err)
			}
			outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1")
			if err == nil {
				t.Fatal("session 1: no error")
			}
			if d := cmp.Diff([]string{"Alert  200", "Replace ./Vendor/A 200"}, outcomeCodes(outs)); d != "" {
				t.Errorf("session 1 Outcomes (-want +got):\n%s", d)
			}
			away.Store(false)
			c.cfg.MaxMessages = 0
			g.set(nil)
			outs, err = c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := g.seen()
			if d := cmp.Diff([]string{"./Vendor/B 1", "./Vendor/C 1"}, got); d != "" {
				t.Errorf("session 2: the server ran (-want +got):\n%s", d)
			}
			want := []string{"Alert  200", "Replace ./Vendor/B 200", "Replace ./Vendor/C 200"}
			if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
				t.Errorf("session 2 Outcomes (-want +got):\n%s", d)
			}
		})
	}
}
