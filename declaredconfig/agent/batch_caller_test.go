package agent_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// live reports whether the goroutine g (goroutineID) still runs.
func live(g string) bool {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Contains("\n\n"+string(buf[:n]), "\n\ngoroutine "+g+" [")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// oneGoroutine checks that the calls s recorded (since on was cleared)
// number want and ran on one goroutine, not the test's, which ended with
// the batch (what).
func oneGoroutine(t *testing.T, s *callerSurface, want int, what string) {
	t.Helper()
	s.mu.Lock()
	on := slices.Clone(s.on)
	s.on = nil
	s.mu.Unlock()
	if len(on) != want {
		t.Fatalf("%s made %d calls, want %d", what, len(on), want)
	}
	for _, g := range on {
		if g != on[0] || g == goroutineID() {
			t.Errorf("%s's calls ran on goroutines %v (the test's: %s), want one that is not the test's", what, on, goroutineID())
			return
		}
	}
	synctest.Wait()
	if live(on[0]) {
		t.Errorf("the goroutine of %s's calls outlived it", what)
	}
}

// TestBatchCallsShareGoroutine: the Surface calls of an ApplyPending
// batch (the reads before the Sets, the Sets and the Deletes of nodes an
// earlier version set, of two documents), of an Unenroll (its Deletes)
// are each made on one goroutine (not the caller's) that ends with them,
// not one goroutine (and timer, and context) per call as before.
func TestBatchCallsShareGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := &callerSurface{}
		a := applied(t, agent.Config{Surface: s}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
		oneGoroutine(t, s, 4, "the first apply") // 2 Gets (readBefore), 2 Sets
		d := vpnDoc("A2")
		d.CSPs[0].Settings = d.CSPs[0].Settings[:1] // drops vpnNodes[1]
		if c, _ := serve(t, a, "Replace", docURI(declaredconfig.Device, vpnID), text(t, d)); c != 200 {
			t.Fatalf("Replace: %d", c)
		}
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc())); c != 200 {
			t.Fatalf("Add: %d", c)
		}
		if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, blob(bulkPairs(2)...))); c != 200 {
			t.Fatalf("BulkVariables: %d", c)
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		// A Set and a Delete of vpnDoc; 4 Gets and 4 Sets of the bulk.
		oneGoroutine(t, s, 10, "the batch")
		if _, ok, _ := s.MemorySurface.Get(ctx, vpnNodes[1]); ok {
			t.Errorf("the node the new version dropped is still set")
		}
		if err := a.Unenroll(ctx); err != nil {
			t.Fatal(err)
		}
		oneGoroutine(t, s, 5, "the Unenroll")
	})
}

// TestBatchTimeoutEach: in an apply and an Unenroll, a call that does not
// return within SurfaceTimeout fails alone, with ErrSurfaceTimeout (a
// setting: 500), and the call after it is made with a deadline of the
// bound from its own start: each takes the bound once, and only the
// goroutine of the call that hangs outlives it.
func TestBatchTimeoutEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		const bound = 10 * time.Second
		s := &callerSurface{free: make(chan struct{}), stuck: vpnNodes[0], deadlines: map[string]time.Duration{}}
		defer close(s.free)
		var timeouts int
		cfg := agent.Config{Surface: s, SurfaceTimeout: bound, OnEvent: func(e agent.Event) {
			if e.Kind == agent.EventError && errors.Is(e.Err, agent.ErrSurfaceTimeout) {
				timeouts++
			}
		}}
		a := newAgent(t, cfg)
		if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
			t.Fatalf("Add: %d", c)
		}
		// check checks that of the goroutines of the calls, only those of
		// the calls of the stuck node are left, and the deadline of the
		// call of the other node.
		check := func(what string) {
			t.Helper()
			synctest.Wait()
			s.mu.Lock()
			on, hung := slices.Clone(s.on), slices.Clone(s.hung)
			s.on, s.hung = nil, nil
			s.mu.Unlock()
			for _, g := range on {
				if live(g) != slices.Contains(hung, g) {
					t.Errorf("%s: goroutine %s live: %v (those of the hung calls: %v)", what, g, live(g), hung)
				}
			}
			if d := s.deadlines[vpnNodes[1]]; d != bound {
				t.Errorf("%s: the call after the one that timed out had a deadline %v from its start, want %v", what, d, bound)
			}
		}
		start := time.Now()
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		// The stuck node's read (readBefore: the others are not read,
		// as the apply waits the bound once for its reads) and its Set.
		if d := time.Since(start); d != 2*bound {
			t.Errorf("the apply took %v, want %v", d, 2*bound)
		}
		if timeouts != 1 {
			t.Errorf("%d timeouts told by the apply, want 1", timeouts)
		}
		if s := statuses(result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))); s != "Contoso/AlwaysOn 500 61|Contoso/RememberCredentials 200 60" {
			t.Errorf("statuses %q, want the stuck Set's 500 alone", s)
		}
		check("the apply")

		clear(s.deadlines)
		start = time.Now()
		if err := a.Unenroll(ctx); !errors.Is(err, agent.ErrSurfaceTimeout) {
			t.Errorf("Unenroll with a stuck Delete: %v, want ErrSurfaceTimeout", err)
		}
		if d := time.Since(start); d != bound {
			t.Errorf("the Unenroll took %v, want %v", d, bound)
		}
		if _, ok, _ := s.MemorySurface.Get(ctx, vpnNodes[1]); ok {
			t.Errorf("the node after the Delete that timed out is not deleted")
		}
		check("the Unenroll")
	})
}

// TestUndoCallsShareGoroutine: the Deletes of an Undo (an Atomic that
// added a document, applied it and is rolled back) are made on one
// goroutine, not the caller's, that ends with them.
func TestUndoCallsShareGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &callerSurface{}
		a := newAgent(t, agent.Config{Surface: s})
		add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID), vpnDoc("A1"), syncml.DataText)
		if err != nil {
			t.Fatal(err)
		}
		apply := execRuns(t, a.ApplyPending)
		exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/Apply"}}}}
		fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
		s.on = nil
		var undo int
		s.onDelete = func() { undo++ }
		codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": apply},
			&syncml.Atomic{Commands: []syncml.Command{add, exec, fail}})
		if !slices.Contains(codes, "Atomic 507") {
			t.Fatalf("statuses %v, want Atomic 507", codes)
		}
		if undo != 2 {
			t.Fatalf("the Undo made %d Deletes, want 2", undo)
		}
		s.mu.Lock()
		s.on = s.on[len(s.on)-2:] // the Undo's
		s.mu.Unlock()
		oneGoroutine(t, s, 2, "the Undo")
	})
}
