package agent_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestRefreshSkippedRepairTold: a refresh is to set a node whose first
// apply the Surface refused, and the save that records the node first
// fails (the save of its outcome works). The repair is skipped: an
// EventError names the document, Refresh returns an error naming it, and
// the worker refreshes again after 1 minute, which sets the node (the
// document goes to 60). A second refresh that skips it again does not
// tell it again. Before, nothing but the node left unset told of it, and
// the next try was a RefreshInterval (240 minutes) later.
func TestRefreshSkippedRepairTold(t *testing.T) {
	ctx := context.Background()
	clock, st := newClock(), &failNStore{}
	var rec recorder
	refuse, surface := refusingSurface()
	uri := docURI(declaredconfig.Device, vpnID)
	applied(t, agent.Config{Store: st, Surface: surface}, uri, vpnDoc("A1"))
	// started again on the store: no wake of the Add pending for Run
	a := newAgent(t, agent.Config{Store: st, Surface: surface, Clock: clock, OnEvent: rec.event})
	if e := entry(a, vpnID); e.State != "61" {
		t.Fatalf("the first apply: state %s, want 61", e.State)
	}
	refuse.Store(false)
	skipped := func(what string) {
		t.Helper()
		st.set(1) // the save of the nodes to set fails, the outcome's works
		err := a.Refresh(ctx)
		if err == nil || !strings.Contains(err.Error(), vpnID) {
			t.Errorf("%s: Refresh returned %v, want an error naming %s", what, err, vpnID)
		}
		if _, ok := surface.Nodes("./")[vpnNodes[1]]; ok {
			t.Fatalf("%s: the node was set though it was not recorded", what)
		}
	}
	skipped("the first refresh")
	rec.mu.Lock()
	told := 0
	for _, e := range rec.events {
		if e.Kind == agent.EventError && e.DocID == vpnID && e.URI == uri && e.Err != nil {
			told++
		}
	}
	rec.events = nil
	rec.mu.Unlock()
	if told != 1 {
		t.Errorf("%d EventErrors name the document whose repair was skipped, want 1", told)
	}
	skipped("the second refresh")
	if kinds, _ := rec.take(); strings.Contains(strings.Join(kinds, " "), "Error") {
		t.Errorf("a skip that goes on was told again: %q", kinds)
	}
	stop := runWorker(t, a)
	defer stop()
	within(t, clock.waiting, "the worker waits")
	if w := clock.lastWait(); w != 2*time.Minute {
		t.Fatalf("after two skipped repairs the worker waits %v, want 2m", w)
	}
	clock.Advance(2 * time.Minute)
	within(t, clock.waiting, "the worker waits after the refresh")
	if v := surface.Nodes("./")[vpnNodes[1]]; v != "false" {
		t.Errorf("after the worker's refresh the node holds %q, want false", v)
	}
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("after the repair: state %s, want 60", e.State)
	}
}

// TestRefreshSkippedRepairBackoff: the wait before a skipped repair is
// tried again doubles from 1 minute at each refresh that skips it again,
// up to the RefreshInterval (240 minutes) and no further, and starts
// again from 1 minute once a refresh skips nothing (here, its Set of the
// node refused: the store recorded it first).
func TestRefreshSkippedRepairBackoff(t *testing.T) {
	ctx := context.Background()
	st := &failNStore{}
	refuse, surface := refusingSurface()
	a := applied(t, agent.Config{Store: st, Surface: surface}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
	refuse.Store(false)
	skip := func(want time.Duration) {
		t.Helper()
		st.set(1) // the save of the nodes to set fails, the outcome's works
		err := a.Refresh(ctx)
		if err == nil || !strings.Contains(err.Error(), "tried again in "+want.String()+":") {
			t.Errorf("Refresh returned %v, want the repair tried again in %v", err, want)
		}
	}
	for _, m := range []int{1, 2, 4, 8, 16, 32, 64, 128, 240, 240} {
		skip(time.Duration(m) * time.Minute)
	}
	refuse.Store(true)
	if err := a.Refresh(ctx); err != nil {
		t.Fatalf("a refresh whose Set is refused: %v", err)
	}
	refuse.Store(false)
	skip(time.Minute)
}

// refusingSurface returns a MemorySurface that refuses the Set of the VPN
// profile's second node while refuse holds true (as it does at first).
func refusingSurface() (*atomic.Bool, *agent.MemorySurface) {
	refuse := &atomic.Bool{}
	refuse.Store(true)
	return refuse, &agent.MemorySurface{Refuse: func(op, uri string) error {
		if refuse.Load() && op == "Set" && uri == vpnNodes[1] {
			return agent.ErrNotAllowed
		}
		return nil
	}}
}
