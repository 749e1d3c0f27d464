package session

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestBrk2RespURIOtherHost: a reply whose RespURI names another host
// (here a non-loopback address, which the test's dialer refuses before
// any packet leaves) moves the session there: Run dials it, as the
// package doc says (RespURI is followed unless it leaves https). The
// refused dial counts as not sent: Run's error holds the *net.OpError,
// and the queued command, which the first message carried and the server
// did not answer, comes back Abandoned in the next session.
func TestBrk2RespURIOtherHost(t *testing.T) {
	srv, got := brk2Script(t, func(n int, ref string) []byte {
		raw := string(brk2Reply(t, "1", strconv.Itoa(n), ref, false, &syncml.Alert{Data: syncml.Text("1222")}))
		return []byte(strings.Replace(raw, "<SessionID>", "<RespURI>https://10.255.255.1:9/dm</RespURI><SessionID>", 1))
	})
	defer srv.Close()
	var mu sync.Mutex
	var dialed []string
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("refused by the test: not loopback")}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	hc := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	_, err := c.Run(context.Background(), hc, srv.URL, "1")
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Fatalf("Run: %v; want a *net.OpError", err)
	}
	mu.Lock()
	if len(dialed) != 2 || dialed[1] != "10.255.255.1:9" {
		t.Errorf("dialed %v; want the server, then the RespURI's host", dialed)
	}
	mu.Unlock()
	if len(*got) != 1 {
		t.Errorf("%d posts reached the server, want 1", len(*got))
	}
	assertBrk2Accounted(t, c)
}
