package agent_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestRun checks the worker: it applies what arrives, refreshes when the
// clock passes RefreshInterval (not before), and stops with its context.
func TestRun(t *testing.T) {
	clock := newClock()
	surface := &agent.MemorySurface{}
	events := make(chan agent.Event, 64)
	a := newAgent(t, agent.Config{Surface: surface, Clock: clock, OnEvent: func(e agent.Event) { events <- e }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	wait := func(k agent.EventKind) agent.Event {
		t.Helper()
		for {
			e := within(t, events, k.String())
			if e.Kind == k {
				return e
			}
			if e.Kind == agent.EventRefreshed && k != agent.EventRefreshed {
				t.Fatalf("refresh before %v", k)
			}
		}
	}
	within(t, clock.waiting, "the worker waits for the refresh time")
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	wait(agent.EventAccepted)
	if e := wait(agent.EventApplied); e.State != "60" {
		t.Errorf("applied: %v", e)
	}
	alwaysOn := "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
	if err := surface.Set(ctx, alwaysOn, "false"); err != nil {
		t.Fatal(err)
	}
	within(t, clock.waiting, "the worker waits again")
	clock.Advance(declaredconfig.DefaultRefreshInterval*time.Minute - time.Second)
	// Not due yet: nothing happens; the worker is still waiting.
	if v, _, _ := surface.Get(ctx, alwaysOn); v != "false" {
		t.Errorf("refreshed early: %q", v)
	}
	clock.Advance(time.Second)
	if e := wait(agent.EventRepaired); e.URI != alwaysOn {
		t.Errorf("repaired %v", e)
	}
	wait(agent.EventRefreshed)
	if v, _, _ := surface.Get(ctx, alwaysOn); v != "true" {
		t.Errorf("after the refresh: %q", v)
	}
	cancel()
	if err := within(t, done, "Run returns"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

// TestEventsInOrder checks that OnEvent hears of a document's acceptance
// before its apply, and that its calls never overlap, even when the
// worker applies the document while the session's goroutine is still
// telling that it was accepted (here: OnEvent is slow on EventAccepted).
func TestEventsInOrder(t *testing.T) {
	var (
		mu     sync.Mutex
		kinds  []agent.EventKind
		inside atomic.Int32
		overl  atomic.Bool
	)
	applied := make(chan struct{}, 16)
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		if inside.Add(1) > 1 {
			overl.Store(true)
		}
		defer inside.Add(-1)
		if e.Kind == agent.EventAccepted {
			time.Sleep(20 * time.Millisecond) // the worker applies meanwhile
		}
		mu.Lock()
		kinds = append(kinds, e.Kind)
		mu.Unlock()
		if e.Kind == agent.EventApplied {
			applied <- struct{}{}
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	for i, sum := range []string{"A1", "A2", "A3"} {
		if c, _ := serve(t, a, "Replace", docURI, text(t, vpnDoc(sum))); c != 200 {
			t.Fatalf("Replace %s: %d", sum, c)
		}
		within(t, applied, sum+" applied")
		mu.Lock()
		got := append([]agent.EventKind(nil), kinds...)
		mu.Unlock()
		want := []agent.EventKind{}
		for range i + 1 {
			want = append(want, agent.EventAccepted, agent.EventApplied)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: events %v, want %v", sum, got, want)
		}
	}
	if overl.Load() {
		t.Error("OnEvent calls overlapped")
	}
	cancel()
	within(t, done, "Run returns")
}

// holdSurface is a MemorySurface whose Sets of nodes whose URI holds
// hold wait until release is closed; entered is closed at the first.
type holdSurface struct {
	agent.MemorySurface
	hold    string
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (h *holdSurface) Set(ctx context.Context, uri, v string) error {
	if strings.Contains(uri, h.hold) {
		h.once.Do(func() { close(h.entered) })
		<-h.release
	}
	return h.MemorySurface.Set(ctx, uri, v)
}

// TestEventsInOrderDuringBatch checks that a document applied early in an
// ApplyPending batch and deleted by a session before the batch ends is
// told applied before deleted: the session's save keeps the apply too, so
// its events go first, not with the batch's own save.
func TestEventsInOrderDuringBatch(t *testing.T) {
	var (
		mu   sync.Mutex
		told = map[string][]agent.EventKind{}
	)
	surface := &holdSurface{hold: "Fabrikam", entered: make(chan struct{}), release: make(chan struct{})}
	a := newAgent(t, agent.Config{Surface: surface, OnEvent: func(e agent.Event) {
		mu.Lock()
		told[e.DocID] = append(told[e.DocID], e.Kind)
		mu.Unlock()
	}})
	other := addTwo(t, a) // applied in this order
	uri := func(id string) string {
		return declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id).String()
	}
	done := make(chan error, 1)
	go func() { done <- a.ApplyPending(context.Background()) }()
	// the first document is applied, the batch goes on
	within(t, surface.entered, "the second document's apply")
	if c, _ := serve(t, a, "Delete", uri(vpnID), ""); c != 200 {
		t.Errorf("Delete %d", c)
	}
	close(surface.release)
	if err := within(t, done, "ApplyPending returns"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []agent.EventKind{agent.EventAccepted, agent.EventApplied, agent.EventDeleted}; !slices.Equal(told[vpnID], want) {
		t.Errorf("events of the deleted document %v, want %v", told[vpnID], want)
	}
	if want := []agent.EventKind{agent.EventAccepted, agent.EventApplied}; !slices.Equal(told[other.ID], want) {
		t.Errorf("events of the other document %v, want %v", told[other.ID], want)
	}
}

// TestOnEventCallsBack runs sessions side by side with the worker, with
// an OnEvent that calls back into the agent (ServeCommand, Snapshot,
// Summary, ApplyPending, Refresh): nothing deadlocks, calls never
// overlap, and each document is told applied only in a version told
// accepted since it was last told deleted.
func TestOnEventCallsBack(t *testing.T) {
	var (
		a       *agent.Agent
		inside  atomic.Int32
		overl   atomic.Bool
		mu      sync.Mutex
		bad     []string
		applied int
	)
	accepted := map[string]map[string]bool{} // by DocID, since it was last deleted
	clock := newClock()
	a = newAgent(t, agent.Config{Clock: clock, OnEvent: func(e agent.Event) {
		if inside.Add(1) > 1 {
			overl.Store(true)
		}
		defer inside.Add(-1)
		mu.Lock()
		version, _, _ := strings.Cut(strings.TrimPrefix(e.Detail, "version "), ",")
		switch e.Kind {
		case agent.EventAccepted:
			if accepted[e.DocID] == nil {
				accepted[e.DocID] = map[string]bool{}
			}
			accepted[e.DocID][version] = true
		case agent.EventDeleted:
			delete(accepted, e.DocID)
		case agent.EventApplied:
			applied++
			if !accepted[e.DocID][version] {
				bad = append(bad, e.String())
			}
		}
		mu.Unlock()
		_ = a.Snapshot()
		_ = a.Summary()
		serve(t, a, "Get", declaredconfig.RefreshIntervalURI, "")
		switch e.Kind {
		case agent.EventAccepted:
			_ = a.ApplyPending(context.Background())
		case agent.EventApplied:
			_ = a.Refresh(context.Background())
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	ids := []string{vpnID, "0B0C5E8A-2F1D-4C3B-9A7E-6D5F4E3C2B1A"}
	finished := make(chan struct{}, 4)
	for g := range 4 {
		go func() {
			defer func() { finished <- struct{}{} }()
			for i := range 40 {
				d := vpnDoc("C" + strconv.Itoa(g) + strconv.Itoa(i))
				d.ID = ids[(g+i)%len(ids)]
				d.CSPs[0].Settings[0].Path = "P" + strconv.Itoa((g+i)%len(ids)) + "/AlwaysOn"
				d.CSPs[0].Settings[1].Path = "P" + strconv.Itoa((g+i)%len(ids)) + "/RememberCredentials"
				uri := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String()
				if i%5 == 4 {
					serve(t, a, "Delete", uri, "")
				} else {
					serve(t, a, "Replace", uri, text(t, d))
				}
			}
		}()
	}
	for range 4 {
		within(t, finished, "the sessions end")
	}
	// A last version, applied at the latest after Run: at least one
	// Applied.
	if c, _ := serve(t, a, "Replace", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("Z"))); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	cancel()
	within(t, done, "Run returns")
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if overl.Load() {
		t.Error("OnEvent calls overlapped")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 || applied == 0 {
		t.Errorf("%d applied; applied in a version not accepted since the last delete: %q", applied, bad)
	}
}

// cancelSurface is a MemorySurface whose Delete of a node whose URI
// holds at ends a context.
type cancelSurface struct {
	agent.MemorySurface
	at     string
	cancel context.CancelFunc
}

func (c *cancelSurface) Delete(ctx context.Context, uri string) error {
	if strings.Contains(uri, c.at) {
		c.cancel()
	}
	return c.MemorySurface.Delete(ctx, uri)
}

// TestUnenrollCancelledEvents checks that an Unenroll its context stops
// half way, which keeps the documents, tells no EventDeleted of them.
func TestUnenrollCancelledEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var told []string
	surface := &cancelSurface{at: "Contoso/RememberCredentials", cancel: cancel} // the first document's last
	a := newAgent(t, agent.Config{Surface: surface, OnEvent: func(e agent.Event) { told = append(told, e.Kind.String()+" "+e.DocID) }})
	addTwo(t, a)
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	told = nil
	if err := a.Unenroll(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Unenroll: %v, want context.Canceled", err)
	}
	if n := len(a.Summary().Documents); n != 2 {
		t.Fatalf("the cancelled Unenroll left %d documents, want 2", n)
	}
	for _, e := range told {
		if strings.HasPrefix(e, "Deleted") {
			t.Errorf("the cancelled Unenroll told %q", told)
			break
		}
	}
}

// TestUnenrollSaveFailureEvents checks that an Unenroll whose state
// cannot be saved, which keeps the documents, tells an EventError and no
// EventDeleted of them.
func TestUnenrollSaveFailureEvents(t *testing.T) {
	var told []agent.EventKind
	st := &failingStore{}
	a := newAgent(t, agent.Config{Store: st, OnEvent: func(e agent.Event) { told = append(told, e.Kind) }})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	told, st.fail = nil, true
	if err := a.Unenroll(context.Background()); err == nil {
		t.Fatal("Unenroll saved on a failing store")
	}
	if n := len(a.Summary().Documents); n != 1 {
		t.Fatalf("the unsaved Unenroll left %d documents, want 1", n)
	}
	if !slices.Equal(told, []agent.EventKind{agent.EventError}) {
		t.Errorf("the unsaved Unenroll told %v, want [Error]", told)
	}
}

// TestOnEventPanics checks that an OnEvent that panics once does not stop
// the events told after it.
func TestOnEventPanics(t *testing.T) {
	var got []agent.EventKind
	first := true
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		if first {
			first = false
			panic("OnEvent")
		}
		got = append(got, e.Kind)
	}})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		serve(t, a, "Add", docURI, text(t, vpnDoc("A1")))
	}()
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []agent.EventKind{agent.EventApplied}) {
		t.Errorf("events after the panic: %v", got)
	}
}

// TestOnEventPanicsMidBatch checks that an OnEvent that panics on one
// event of a batch still hears the events after it: the second document's
// EventApplied, told in the same call as the first's, is not dropped, and
// the panic still reaches ApplyPending's caller, after RequestSession.
func TestOnEventPanicsMidBatch(t *testing.T) {
	var got []string
	var asked []string
	first := true
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		if e.Kind == agent.EventApplied && first {
			first = false
			panic("OnEvent")
		}
		got = append(got, e.Kind.String()+" "+e.DocID)
	}, RequestSession: func(reason string) { asked = append(asked, reason) }})
	other := addTwo(t, a)
	got = nil
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		_ = a.ApplyPending(context.Background())
	}()
	if want := []string{"Applied " + other.ID}; !slices.Equal(got, want) {
		t.Errorf("events after the panic: %q, want %q", got, want)
	}
	if len(asked) != 1 {
		t.Errorf("RequestSession calls %q, want 1", asked)
	}
}

// TestOnEventPanicsQueued checks that the events another goroutine queued
// while OnEvent was being called (and left to that call's goroutine) are
// told when OnEvent panics, without waiting for a later event: here the
// worker's EventApplied, queued while a session's OnEvent(EventAccepted)
// was under way.
func TestOnEventPanicsQueued(t *testing.T) {
	var (
		mu  sync.Mutex
		got []agent.EventKind
	)
	inAccepted, applied := make(chan struct{}), make(chan struct{})
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		if e.Kind == agent.EventAccepted {
			close(inAccepted)
			<-applied
			panic("OnEvent")
		}
		mu.Lock()
		got = append(got, e.Kind)
		mu.Unlock()
	}})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	doc := text(t, vpnDoc("A1"))
	served := make(chan any, 1)
	go func() {
		defer func() { served <- recover() }()
		serve(t, a, "Add", docURI, doc)
	}()
	within(t, inAccepted, "EventAccepted")
	// OnEvent is under way on the session's goroutine: the worker's
	// events are left to it.
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(applied)
	if p := within(t, served, "ServeCommand returns"); p == nil {
		t.Error("the panic did not reach the caller")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []agent.EventKind{agent.EventApplied}) {
		t.Errorf("events after the panic: %v", got)
	}
}

// TestOnEventGoexit checks that an OnEvent that ends its goroutine
// (runtime.Goexit, as t.FailNow does) leaves the events after it to be
// told by the next call of the agent, and OnEvent callable again.
func TestOnEventGoexit(t *testing.T) {
	var got []string
	first := true
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		if e.Kind == agent.EventApplied && first {
			first = false
			runtime.Goexit()
		}
		got = append(got, e.Kind.String()+" "+e.DocID)
	}})
	other := addTwo(t, a)
	got = nil
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.ApplyPending(context.Background())
	}()
	within(t, done, "ApplyPending returns")
	if len(got) != 0 {
		t.Fatalf("events told after the Goexit: %q", got)
	}
	// Any call of the agent tells what is left.
	serve(t, a, "Get", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), "")
	if want := []string{"Applied " + other.ID}; !slices.Equal(got, want) {
		t.Errorf("events after the Goexit: %q, want %q", got, want)
	}
}

// TestApplyCancelled checks that an apply stopped by its context leaves
// the document pending, to be applied whole later.
func TestApplyCancelled(t *testing.T) {
	a := newAgent(t, agent.Config{})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	serve(t, a, "Add", docURI, text(t, vpnDoc("A1")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.ApplyPending(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ApplyPending: %v", err)
	}
	if e := entry(a, vpnID); e.State != "1" {
		t.Errorf("cancelled apply left state %s", e.State)
	}
	if err := a.ApplyPending(context.Background()); err != nil || entry(a, vpnID).State != "60" {
		t.Errorf("apply: %v %+v", err, entry(a, vpnID))
	}
}

// blockingSurface holds every Set until released.
type blockingSurface struct {
	agent.MemorySurface
	entered chan string
	release chan struct{}
}

func (b *blockingSurface) Set(ctx context.Context, uri, v string) error {
	b.entered <- uri
	<-b.release
	return b.MemorySurface.Set(ctx, uri, v)
}

// TestApplyWithoutLock checks that while the worker applies a document
// the agent goes on answering (the summary says ConfigInprogress), and
// that a new version that arrives meanwhile wins over the outcome of the
// old one.
func TestApplyWithoutLock(t *testing.T) {
	ctx := context.Background()
	surface := &blockingSurface{entered: make(chan string), release: make(chan struct{})}
	a := newAgent(t, agent.Config{Surface: surface})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	serve(t, a, "Add", docURI, text(t, vpnDoc("A1")))
	done := make(chan error, 1)
	go func() { done <- a.ApplyPending(ctx) }()
	within(t, surface.entered, "the first Set")
	if e := entry(a, vpnID); e.State != "2" {
		t.Errorf("state while applying %s, want 2 (ConfigInprogress)", e.State)
	}
	// A new version arrives in a session meanwhile.
	if c, _ := serve(t, a, "Replace", docURI, text(t, vpnDoc("A2"))); c != 200 {
		t.Errorf("Replace while applying: %d", c)
	}
	surface.releaseAll()
	if err := within(t, done, "ApplyPending returns"); err != nil {
		t.Fatal(err)
	}
	close(surface.entered)
	e := entry(a, vpnID)
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))
	if e.Checksum != "A2" || e.State != "60" || r.Checksum != "A2" {
		t.Errorf("after both applies: summary %+v, result for %s", e, r.Checksum)
	}
}

// TestInterruptedApply checks that an apply the process did not finish
// (state 2 saved) is done again after a restart.
func TestInterruptedApply(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	rec := agent.DocumentRecord{URI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(),
		Document: text(t, vpnDoc("A1")), State: declaredconfig.StateConfigInprogress, Seq: 1}
	if err := store.Save(ctx, &agent.Snapshot{Seq: 1, Documents: []agent.DocumentRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface, Store: store})
	if e := entry(a, vpnID); e.State != "1" {
		t.Errorf("after the restart: state %s, want 1", e.State)
	}
	if err := a.ApplyPending(ctx); err != nil || entry(a, vpnID).State != "60" {
		t.Errorf("apply after the restart: %v %+v", err, entry(a, vpnID))
	}
}

// addTwo adds vpnDoc("A1") and then a second VPN document, of its own ID
// and node, to a; it returns the second.
func addTwo(t *testing.T, a *agent.Agent) *declaredconfig.Document {
	t.Helper()
	other := vpnDoc("B1")
	other.ID = "5B1B6A53-2A9E-4C63-9D8A-0F3C7C5E1D24"
	other.CSPs[0].Settings = []declaredconfig.Setting{{Path: "Fabrikam/AlwaysOn", Type: "bool", Value: "true"}}
	for _, d := range []*declaredconfig.Document{vpnDoc("A1"), other} {
		uri := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String()
		if c, _ := serve(t, a, "Add", uri, text(t, d)); c != 200 {
			t.Fatalf("Add %s: %d", d.ID, c)
		}
	}
	return other
}
