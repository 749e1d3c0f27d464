package reconcile_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// nu46Cut is a RoundTripper that fails post number at (1-based): before
// the server sees it (after false) or once the server answered it (after
// true, the reply lost).
type nu46Cut struct {
	at    int32
	after bool
	n     atomic.Int32
}

func (c *nu46Cut) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.n.Add(1)
	if n != c.at {
		return http.DefaultTransport.RoundTrip(r)
	}
	if !c.after {
		return nil, errors.New("nu46: cut before the server")
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body.Close()
	}
	return nil, errors.New("nu46: reply lost")
}

// A device that restarts in the middle of the session that brought its
// documents (the agent accepted and saved them; its answer, or the
// server's next reply, was lost), and comes back with a new session Client
// that numbers its sessions from 1 again, ends with both documents in
// sync: no Failed, no Lost, nothing declared sent again for ever.
func TestDeviceRestartMidSessionNu46(t *testing.T) {
	ctx := context.Background()
	for _, after := range []bool{false, true} {
		s := newNu46Server(t, reconcile.Config{})
		const dev = "urn:uuid:nu46-restart"
		surface, store := &agent.MemorySurface{}, &agent.MemoryStore{}
		d := newNu46DeviceOn(t, s.hs.URL, dev, surface, store)
		if err := s.rec.Declare(ctx, dev,
			nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0"),
			nu46Doc(nu46B, "B1", "Config/Bluetooth/AllowDiscoverableMode", "1")); err != nil {
			t.Fatal(err)
		}
		cut := &nu46Cut{at: 2, after: after}
		if _, err := d.checkInVia(&http.Client{Transport: cut}); err == nil {
			t.Fatalf("after=%v: the cut session did not fail", after)
		}
		// Restart: the agent's Store and the surface survive, the session
		// Client does not.
		d = newNu46DeviceOn(t, s.hs.URL, dev, surface, store)
		d.checkIns(t, 3)
		st, err := s.rec.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{nu46A, nu46B} {
			if ds := st.Doc(id); ds == nil || ds.Condition != reconcile.InSync {
				t.Errorf("after=%v: %s: %+v, want InSync", after, id, ds)
			}
		}
		for _, e := range s.ev.take() {
			if e.Kind == reconcile.FailedEvent || e.Kind == reconcile.Lost {
				t.Errorf("after=%v: event %v %s (%v)", after, e.Kind, e.Status.URI.DocID, e.Err)
			}
		}
		if st.Queued != 0 {
			t.Errorf("after=%v: a steady session queued %d commands", after, st.Queued)
		}
	}
}
