package reconcile_test

import (
	"context"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// The server set a RefreshInterval on a device that holds no document;
// the device is wiped (or re-enrolled) and comes back with its default.
// The reconciler reads the default back (RefreshIntervalRead "240"), so
// it knows the device no longer has the value it wants; it must set it
// again, as SetRefreshInterval promises ("the device gets it in its next
// message"). It did not: the RefreshInterval set before was taken as set
// for ever, and Status showed the device's 240 against the desired 100.
func TestRefreshIntervalSetAgainAfterWipeNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-refresh"
	d := newNu46Device(t, s.hs.URL, dev)
	if err := s.rec.SetRefreshInterval(ctx, dev, 100); err != nil {
		t.Fatal(err)
	}
	d.checkIn(t)
	d.checkIn(t)
	if got := d.agent.RefreshInterval(); got != 100*time.Minute {
		t.Fatalf("before the wipe: the device's RefreshInterval is %v, want 1h40m", got)
	}
	// Wiped: a new agent, store and surface under the same device ID.
	d = newNu46DeviceOn(t, s.hs.URL, dev, &agent.MemorySurface{}, nil)
	for range 3 {
		d.checkIn(t)
	}
	if got := d.agent.RefreshInterval(); got != 100*time.Minute {
		t.Errorf("after the wipe: the device's RefreshInterval is %v, want 1h40m set again", got)
	}
	st, err := s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if st.RefreshInterval != "100" {
		t.Errorf("Status.RefreshInterval = %q, want \"100\"", st.RefreshInterval)
	}
}
