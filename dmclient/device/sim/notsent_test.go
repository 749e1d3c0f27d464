package sim_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// TestRefusedPostNotCounted: a session whose post could not connect (the
// dial refused: nothing written) counts no message, and the next session
// reports nothing of it Abandoned, as session.Client.Run promises for a
// post over an *http.Transport, which tells it that nothing was written.
// sim wrapped the Transport to count posts, so Run could not tell: the
// refused post counted as a message, and the device's next session, with
// the server up, reported its package-1 commands Abandoned: errors the
// server never caused, counted a second time.
func TestRefusedPostNotCounted(t *testing.T) {
	srv := httptest.NewServer(session.NewServer(session.ServerConfig{}))
	defer srv.Close()
	var refuse atomic.Bool
	refuse.Store(true)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if refuse.Load() {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		return dial(ctx, network, addr)
	}
	ctx := context.Background()
	d, err := sim.New(ctx, sim.Config{ServerURL: srv.URL, HTTPClient: &http.Client{Transport: tr},
		DevInfo: session.DevInfo{DevID: sim.DeviceID(0), Man: "m", Mod: "m", DmV: "1.3", Lang: "en-US"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := d.CheckIn(ctx)
	if st.Errors != 1 || !errors.Is(st.Err, syscall.ECONNREFUSED) {
		t.Fatalf("refused check-in: errors=%d err=%v", st.Errors, st.Err)
	}
	if st.Messages != 0 {
		t.Errorf("refused check-in counted %d messages, want 0 (nothing was written)", st.Messages)
	}
	refuse.Store(false)
	st = d.CheckIn(ctx)
	if st.Errors != 0 || st.Messages == 0 {
		t.Errorf("check-in after the refused one: errors=%d messages=%d err=%v, want no error", st.Errors, st.Messages, st.Err)
	}
}
