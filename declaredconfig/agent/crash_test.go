package agent_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// crashSurface is a MemorySurface whose process dies at its crash-th Set
// (counted from 1): before the node is made (made false) or after it
// (made true), the store is read as it is then (into saved), and from
// then on the Surface changes nothing (the agent is gone).
type crashSurface struct {
	agent.MemorySurface
	mu    sync.Mutex
	n     int
	crash int
	made  bool
	store agent.Store
	saved *agent.Snapshot
	dead  bool
	// form, when set, is the form in which a node keeps a value set (a
	// Surface that reads a value back otherwise than written).
	form func(value string) string
}

var errDead = errors.New("the process died")

func (s *crashSurface) die() {
	snap, err := s.store.Load(context.Background())
	if err != nil {
		panic(err)
	}
	s.saved, s.dead = snap, true
}

func (s *crashSurface) Set(ctx context.Context, uri, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return errDead
	}
	s.n++
	if s.n == s.crash && !s.made {
		s.die()
		return errDead
	}
	if s.form != nil {
		value = s.form(value)
	}
	err := s.MemorySurface.Set(ctx, uri, value)
	if s.n == s.crash {
		s.die()
	}
	return err
}

func (s *crashSurface) Delete(ctx context.Context, uri string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return errDead
	}
	return s.MemorySurface.Delete(ctx, uri)
}

// restart returns an agent started again on what the store held when
// the process died, and the Surface alive again.
func (s *crashSurface) restart(t *testing.T) *agent.Agent {
	t.Helper()
	s.mu.Lock()
	saved := s.saved
	s.dead, s.crash = false, 0
	s.mu.Unlock()
	if saved == nil {
		t.Fatal("the process did not die")
	}
	store := &agent.MemoryStore{}
	if err := store.Save(context.Background(), saved); err != nil {
		t.Fatal(err)
	}
	return newAgent(t, agent.Config{Store: store, Surface: s})
}

// vpnNodes are the nodes vpnDoc sets; policyNode, policyDoc's.
var (
	vpnNodes   = []string{"./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials"}
	policyNode = "./Device/Vendor/MSFT/Policy/Config/Contoso/AlwaysOn"
)

// replacedAfterCrash checks the agent b, started again after a crash,
// against the Surface: a Replace by policyDoc and its apply leave only
// policyDoc's node, and the Unenroll none.
func replacedAfterCrash(t *testing.T, b *agent.Agent, surface *crashSurface) {
	t.Helper()
	ctx := context.Background()
	replaceApplied(t, b, docURI(declaredconfig.Device, vpnID), policyDoc("C1"))
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, []string{policyNode}) {
		t.Errorf("after the new version's apply the Surface holds %v, want only %s", got, policyNode)
	}
	if err := b.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("after Unenroll the Surface holds %v", n)
	}
}

// TestCrashMidApply: the process dies at each Set of an apply (before the
// node is made and after), then, started again, gets a Replace before it
// applied the version again: the nodes set before the crash are in the
// store (Leftover), so the new version's apply deletes them and the
// Unenroll leaves nothing. Before, the nodes were recorded when the batch
// ended: those set before the crash stayed on the device, unknown.
func TestCrashMidApply(t *testing.T) {
	for crash := 1; crash <= len(vpnNodes); crash++ {
		for _, made := range []bool{false, true} {
			t.Run(fmt.Sprintf("set %d made %v", crash, made), func(t *testing.T) {
				store := &agent.MemoryStore{}
				surface := &crashSurface{store: store}
				a := applied(t, agent.Config{Store: store, Surface: surface}, docURI(declaredconfig.Device, vpnID), policyDoc("B1"))
				if c, _ := serve(t, a, "Replace", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
					t.Fatalf("Replace: %d", c)
				}
				surface.mu.Lock()
				surface.n, surface.crash, surface.made = 0, crash, made
				surface.mu.Unlock()
				_ = a.ApplyPending(context.Background()) // the process dies in it
				replacedAfterCrash(t, surface.restart(t), surface)
			})
		}
	}
}

// TestCrashMidRepair: a refresh sets a node whose first apply failed
// (405), and the process dies right after; started again, a Replace and
// its apply delete it. Before, the refresh's Set was recorded only with
// its outcome, saved after the pass.
func TestCrashMidRepair(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := &crashSurface{store: store}
	surface.Refuse = func(op, uri string) error {
		if op == "Set" && uri == vpnNodes[1] {
			return agent.ErrNotAllowed
		}
		return nil
	}
	a := applied(t, agent.Config{Store: store, Surface: surface}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
	if e := entry(a, vpnID); e.State != "61" {
		t.Fatalf("the first apply: state %s, want 61", e.State)
	}
	surface.mu.Lock()
	surface.Refuse, surface.n, surface.crash, surface.made = nil, 0, 1, true
	surface.mu.Unlock()
	_ = a.Refresh(ctx) // the process dies in it
	if _, ok := surface.Nodes("./")[vpnNodes[1]]; !ok {
		t.Fatal("the refresh did not set the node")
	}
	replacedAfterCrash(t, surface.restart(t), surface)
}

// TestRepairTimedOut: a refresh whose Set of a drifted node times out
// (the Surface makes it late) keeps the node recorded (Leftover): the
// next version's apply deletes it. Before, the setting's status went to
// 500 and the node, no longer counted as set, stayed on the device.
func TestRepairTimedOut(t *testing.T) { synctest.Test(t, testRepairTimedOut) }

func testRepairTimedOut(t *testing.T) {
	ctx := context.Background()
	surface := &stuckSurface{free: make(chan struct{})}
	uri := docURI(declaredconfig.Device, vpnID)
	a := applied(t, agent.Config{Surface: surface, SurfaceTimeout: 10 * time.Millisecond}, uri, vpnDoc("A1"))
	if err := surface.Delete(ctx, vpnNodes[1]); err != nil { // drift
		t.Fatal(err)
	}
	surface.block("Set")
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	surface.block()
	close(surface.free) // the Set lands late
	synctest.Wait()
	if _, ok := surface.Nodes("./")[vpnNodes[1]]; !ok {
		t.Fatal("the late Set did not make the node")
	}
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, vpnNodes[1:]) {
		t.Errorf("Leftover %v, want the node whose Set timed out", l)
	}
	replaceApplied(t, a, uri, policyDoc("C1"))
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, []string{policyNode}) {
		t.Errorf("after the new version's apply the Surface holds %v, want only %s", got, policyNode)
	}
}

// TestMaxLeftover: an apply that would take the nodes a record holds as
// set beyond Config.MaxLeftover sets nothing: the document goes to 62 and
// an EventError names the limit; nodes held are kept. A version that
// sets no new node still applies.
func TestMaxLeftover(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	surface := &agent.MemorySurface{}
	uri := docURI(declaredconfig.Device, vpnID)
	a := applied(t, agent.Config{Surface: surface, MaxLeftover: 2, OnEvent: log.add}, uri, vpnDoc("A1"))
	log.events = nil
	replaceApplied(t, a, uri, policyDoc("B1"))
	if e := entry(a, vpnID); e.State != "62" {
		t.Errorf("an apply over MaxLeftover: state %s, want 62", e.State)
	}
	var lim *declaredconfig.LimitError
	found := false
	for _, e := range log.events {
		if e.Kind == agent.EventError && errors.As(e.Err, &lim) && lim.Limit == "MaxLeftover" {
			found = true
		}
	}
	if !found {
		t.Errorf("no EventError names MaxLeftover: %v", log.events)
	}
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, vpnNodes) {
		t.Errorf("the Surface holds %v, want A1's nodes only", got)
	}
	replaceApplied(t, a, uri, vpnDoc("A2"))
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("a version setting the same nodes: state %s, want 60", e.State)
	}
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("after Unenroll: %v", n)
	}
}

// TestIntentsTakenOut: the nodes recorded before the Sets whose Set was
// surely not made (refused; not reached when the apply is cancelled) are
// not left in the record: only those that may be on the device are.
func TestIntentsTakenOut(t *testing.T) {
	surface := &hookSurface{}
	surface.Refuse = func(op, uri string) error {
		if op == "Set" && uri == vpnNodes[1] {
			return agent.ErrNotAllowed
		}
		return nil
	}
	uri := docURI(declaredconfig.Device, vpnID)
	a := applied(t, agent.Config{Surface: surface}, uri, vpnDoc("A1"))
	if l := a.Snapshot().Documents[0].Leftover; len(l) != 0 {
		t.Errorf("after an apply with a refused Set, Leftover %v, want none", l)
	}
	surface.Refuse = nil
	// The second agent starts from a Surface without the first one's
	// node: one that already held A2's value would not be recorded as
	// set (heldBefore), as the apply would not change it.
	if err := surface.Delete(context.Background(), vpnNodes[0]); err != nil {
		t.Fatal(err)
	}
	a = applied(t, agent.Config{Surface: surface}, uri, policyDoc("B1"))
	if c, _ := serve(t, a, "Replace", uri, text(t, vpnDoc("A2"))); c != 200 {
		t.Fatalf("Replace: %d", c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	surface.onSet = cancel // the first Set is tried, the second never
	_ = a.ApplyPending(ctx)
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, vpnNodes[:1]) {
		t.Errorf("after a cancelled apply, Leftover %v, want the node whose Set was tried", l)
	}
}

// replaceApplied serves a Replace of the document at uri by d to a, and
// applies it.
func replaceApplied(t *testing.T, a *agent.Agent, uri string, d *declaredconfig.Document) {
	t.Helper()
	if c, _ := serve(t, a, "Replace", uri, text(t, d)); c != 200 {
		t.Fatalf("Replace: %d", c)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSetOwnTimeoutRecorded: a Set the Surface itself gives up on (a
// context error of its own, no Config.SurfaceTimeout) may have been made:
// its node stays recorded (Leftover) after the apply, for Unenroll and the
// next version. Before, only the agent's own bound counted so.
func TestSetOwnTimeoutRecorded(t *testing.T) {
	surface := &agent.MemorySurface{}
	surface.Refuse = func(op, uri string) error {
		if op == "Set" && uri == vpnNodes[1] {
			return fmt.Errorf("the device did not answer: %w", context.DeadlineExceeded)
		}
		return nil
	}
	a := applied(t, agent.Config{Surface: surface, SurfaceTimeout: -1}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, vpnNodes[1:]) {
		t.Errorf("Leftover %v, want the node whose Set's outcome is not known", l)
	}
}
