package agent_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// goroutineID returns the id of the calling goroutine, from its stack.
func goroutineID() string {
	var b [64]byte
	s := b[:runtime.Stack(b[:], false)]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	return string(s[:bytes.IndexByte(s, ' ')])
}

// callerSurface is a MemorySurface that records the goroutine of each
// Get, Set and Delete, and whose calls of the node stuck block, whatever
// their context says, until free is closed; it records each call's
// deadline, from its start, by node.
type callerSurface struct {
	agent.MemorySurface
	mu        sync.Mutex
	on        []string // the goroutine of each call
	stuck     string
	hung      []string // the goroutine of each call of stuck
	onDelete  func()   // called at each Delete, when not nil
	free      chan struct{}
	deadlines map[string]time.Duration
}

func (s *callerSurface) record(ctx context.Context, uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = append(s.on, goroutineID())
	if d, ok := ctx.Deadline(); ok && s.deadlines != nil {
		s.deadlines[uri] = time.Until(d)
	}
}

// hold blocks until free is closed when uri is stuck.
func (s *callerSurface) hold(uri string) {
	if uri != s.stuck {
		return
	}
	s.mu.Lock()
	s.hung = append(s.hung, goroutineID())
	s.mu.Unlock()
	<-s.free
}

func (s *callerSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	s.record(ctx, uri)
	s.hold(uri)
	return s.MemorySurface.Get(ctx, uri)
}

func (s *callerSurface) Set(ctx context.Context, uri, v string) error {
	s.record(ctx, uri)
	s.hold(uri)
	return s.MemorySurface.Set(ctx, uri, v)
}

func (s *callerSurface) Delete(ctx context.Context, uri string) error {
	s.record(ctx, uri)
	if s.onDelete != nil {
		s.onDelete()
	}
	s.hold(uri)
	return s.MemorySurface.Delete(ctx, uri)
}

// TestRefreshCallsShareGoroutine: the reads and sets of one refresh,
// bounded by SurfaceTimeout, are made on one goroutine (not the
// caller's), not one goroutine (and timer, and context) per call as
// before.
func TestRefreshCallsShareGoroutine(t *testing.T) {
	ctx := context.Background()
	s := &callerSurface{}
	a := applied(t, agent.Config{Surface: s}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
	if err := s.MemorySurface.Set(ctx, vpnNodes[0], "false"); err != nil { // drift
		t.Fatal(err)
	}
	s.on = nil
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.on) != 3 {
		t.Fatalf("the refresh made %d calls, want 2 Gets and a Set", len(s.on))
	}
	for _, g := range s.on {
		if g != s.on[0] || g == goroutineID() {
			t.Fatalf("the refresh's calls ran on goroutines %v (the caller's: %s), want one that is not the caller's", s.on, goroutineID())
		}
	}
}

// TestRefreshTimeoutEach: in a refresh, a Get that does not return within
// SurfaceTimeout fails alone (an EventError matching ErrSurfaceTimeout);
// the setting after it is read, with a deadline of the bound from its own
// start, and its drift repaired; the refresh takes the bound once.
func TestRefreshTimeoutEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		const bound = 10 * time.Second
		s := &callerSurface{free: make(chan struct{})}
		defer close(s.free)
		var timeouts int
		a := applied(t, agent.Config{Surface: s, SurfaceTimeout: bound, OnEvent: func(e agent.Event) {
			if e.Kind == agent.EventError && errors.Is(e.Err, agent.ErrSurfaceTimeout) {
				timeouts++
			}
		}}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
		if err := s.MemorySurface.Set(ctx, vpnNodes[1], "true"); err != nil { // drift
			t.Fatal(err)
		}
		s.stuck, s.deadlines = vpnNodes[0], map[string]time.Duration{}
		start := time.Now()
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != bound {
			t.Errorf("the refresh took %v, want %v", d, bound)
		}
		if timeouts != 1 {
			t.Errorf("%d timeouts told, want 1", timeouts)
		}
		if d := s.deadlines[vpnNodes[1]]; d != bound {
			t.Errorf("the Get after the one that timed out had a deadline %v from its start, want %v", d, bound)
		}
		if v, _, _ := s.MemorySurface.Get(ctx, vpnNodes[1]); v != "false" {
			t.Errorf("the drifted node after the one that timed out holds %q, want it set again to false", v)
		}
	})
}
