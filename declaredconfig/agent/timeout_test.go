package agent_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// stuckSurface is a MemorySurface whose calls of the operations in stuck
// block, whatever their context says, until free is closed.
type stuckSurface struct {
	agent.MemorySurface
	mu    sync.Mutex
	stuck map[string]bool
	free  chan struct{}
}

func (s *stuckSurface) wait(op string) {
	s.mu.Lock()
	b := s.stuck[op]
	s.mu.Unlock()
	if b {
		<-s.free
	}
}

func (s *stuckSurface) block(ops ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stuck = map[string]bool{}
	for _, op := range ops {
		s.stuck[op] = true
	}
}

func (s *stuckSurface) Set(ctx context.Context, uri, v string) error {
	s.wait("Set")
	return s.MemorySurface.Set(ctx, uri, v)
}

func (s *stuckSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	s.wait("Get")
	return s.MemorySurface.Get(ctx, uri)
}

func (s *stuckSurface) Delete(ctx context.Context, uri string) error {
	s.wait("Delete")
	return s.MemorySurface.Delete(ctx, uri)
}

// TestSurfaceTimeout checks that a Surface that ignores its context and
// blocks holds the agent no longer than SurfaceTimeout: an apply whose
// Sets do not return fails those settings (500, EventError with
// ErrSurfaceTimeout); a refresh whose Gets do not return changes nothing
// and tells it; an Unenroll whose Deletes do not return ends, clears the
// state and reports ErrSurfaceTimeout.
//
// It runs in a synctest bubble: the bound passes only once every
// goroutine waits, so a call that returns is never taken for a stuck one
// however slowly the machine runs it (with the real clock, a working Get
// descheduled for 10 ms under -race on a loaded machine timed out).
func TestSurfaceTimeout(t *testing.T) { synctest.Test(t, testSurfaceTimeout) }

func testSurfaceTimeout(t *testing.T) {
	ctx := context.Background()
	surface := &stuckSurface{free: make(chan struct{})}
	defer close(surface.free)
	var mu sync.Mutex
	var events []agent.Event
	a := newAgent(t, agent.Config{Surface: surface, SurfaceTimeout: 10 * time.Millisecond,
		OnEvent: func(e agent.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }})
	timeouts := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, e := range events {
			if e.Kind == agent.EventError && errors.Is(e.Err, agent.ErrSurfaceTimeout) {
				n++
			}
		}
		events = nil
		return n
	}
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	serve(t, a, "Add", docURI.String(), text(t, vpnDoc("A1")))

	surface.block("Set")
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, vpnID); e.State != "61" {
		t.Errorf("apply with stuck Sets: state %s, want 61", e.State)
	}
	if s := statuses(result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))); s != "Contoso/AlwaysOn 500 61|Contoso/RememberCredentials 500 61" {
		t.Errorf("statuses %q, want both 500", s)
	}
	if n := timeouts(); n != 2 {
		t.Errorf("%d timeout events for the apply, want 2", n)
	}

	surface.block()
	if err := a.Refresh(ctx); err != nil || entry(a, vpnID).State != "60" {
		t.Fatalf("refresh with a working surface: %v, %+v", err, entry(a, vpnID))
	}
	timeouts()
	surface.block("Get")
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("refresh with stuck Gets: state %s", e.State)
	}
	if n := timeouts(); n != 2 {
		t.Errorf("%d timeout events for the refresh, want 2", n)
	}

	surface.block("Delete")
	if err := a.Unenroll(ctx); !errors.Is(err, agent.ErrSurfaceTimeout) {
		t.Errorf("Unenroll with stuck Deletes: %v, want ErrSurfaceTimeout", err)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after Unenroll %d documents", n)
	}
}
