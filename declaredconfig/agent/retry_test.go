package agent_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// failNStore is a MemoryStore whose next fail Saves, after skip that
// succeed, fail (with msg, or "disk full"; a %d in msg gets another
// number at each try); it counts the Saves tried. Safe for the worker's
// goroutine and the test's.
type failNStore struct {
	agent.MemoryStore
	mu    sync.Mutex
	fail  int // Saves still to fail; -1: all
	skip  int // Saves to let through before those
	tries int
	msg   string
}

func (f *failNStore) Save(ctx context.Context, s *agent.Snapshot) error {
	f.mu.Lock()
	f.tries++
	fail, msg := f.fail != 0 && f.skip == 0, f.msg
	if f.skip > 0 {
		f.skip--
	} else if f.fail > 0 {
		f.fail--
	}
	f.mu.Unlock()
	if fail {
		if msg == "" {
			msg = "disk full"
		}
		if strings.Contains(msg, "%d") {
			msg = fmt.Sprintf(msg, 1000+37*f.count()) // another number at each try
		}
		return errors.New(msg)
	}
	return f.MemoryStore.Save(ctx, s)
}

func (f *failNStore) set(fail int) { f.setAfter(0, fail) }

// setAfter lets skip Saves through, then fails fail of them: skip 1 lets
// an apply record the nodes it sets before its first Set, and fails the
// save of its outcome.
func (f *failNStore) setAfter(skip, fail int) {
	f.mu.Lock()
	f.fail, f.skip, f.tries = fail, skip, 0
	f.mu.Unlock()
}

func (f *failNStore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

// recorder keeps what the agent tells, for the worker's goroutine and the
// test's.
type recorder struct {
	mu     sync.Mutex
	events []agent.Event
	asked  []string
}

func (r *recorder) event(e agent.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) ask(reason string) {
	r.mu.Lock()
	r.asked = append(r.asked, reason)
	r.mu.Unlock()
}

// take returns the events and session requests told since the last take.
func (r *recorder) take() (kinds []string, asked []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		kinds = append(kinds, e.Kind.String())
	}
	asked = r.asked
	r.events, r.asked = nil, nil
	return kinds, asked
}

// runWorker starts a.Run and returns a function that stops it.
func runWorker(t *testing.T, a *agent.Agent) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		if err := within(t, done, "Run returns"); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	}
}

// failedSaves follows the worker through failed saves, one per wait of
// waits: after each, the worker waits that long (the agent's Clock), the
// document vpnID is in state (why), and the failure was told as one
// EventError if it is the first (later ones fail alike: not told), with
// no session asked for; then the clock moves on.
func failedSaves(t *testing.T, a *agent.Agent, clock *fakeClock, rec *recorder, state, why string, waits ...time.Duration) {
	t.Helper()
	for i, want := range waits {
		within(t, clock.waiting, "the worker waits after a failed save")
		if w := clock.lastWait(); w != want {
			t.Fatalf("after failed save %d the worker waits %v, want %v", i+1, w, want)
		}
		if e := entry(a, vpnID); e.State != state {
			t.Errorf("after failed save %d the document is in state %s, want %s (%s)", i+1, e.State, state, why)
		}
		told := []string{"Error"}
		if i > 0 {
			told = nil
		}
		if kinds, asked := rec.take(); !slices.Equal(kinds, told) || len(asked) != 0 {
			t.Errorf("failed save %d told %q and asked %q, want %q and no session", i+1, kinds, asked, told)
		}
		clock.Advance(want)
	}
}

// driftAgent returns an agent with store and clock holding vpnDoc
// applied and saved, started on the store (so that no wake of the Add is
// pending); then AlwaysOn drifts (a refresh sets it again) and
// RememberCredentials drifts and cannot be set again (the Surface refuses
// it from now on).
func driftAgent(t *testing.T, st agent.Store, clock agent.Clock, rec *recorder) *agent.Agent {
	t.Helper()
	var refuse atomic.Bool
	surface := &agent.MemorySurface{Refuse: func(op, uri string) error {
		if refuse.Load() && op == "Set" && strings.HasSuffix(uri, "/RememberCredentials") {
			return agent.ErrNotAllowed
		}
		return nil
	}}
	first := newAgent(t, agent.Config{Surface: surface, Store: st})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, first, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := first.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, agent.Config{Surface: surface, Store: st, Clock: clock, OnEvent: rec.event, RequestSession: rec.ask})
	ctx := context.Background()
	if err := surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "false"); err != nil {
		t.Fatal(err)
	}
	if err := surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials", "true"); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	return a
}

// TestRunRetriesRefreshSave checks the worker when the Store fails the
// save of a refresh twice: the refresh's outcome stays (the document that
// drifted and cannot be repaired is ConfigCompletedError, 61, in the
// summary at once), its events (Repaired, Drifted, Refreshed) and its
// session request are held, not dropped, while an EventError tells the
// first failure; the worker tries the save again after 1 then 2 minutes, and
// when it succeeds the held events are told, the session asked for, and
// the store holds 61. Before the retry the refresh's outcome was put back
// (the summary said 60), its events dropped, and the worker waited for
// the next refresh.
func TestRunRetriesRefreshSave(t *testing.T) {
	clock := newClock()
	st := &failNStore{}
	var rec recorder
	a := driftAgent(t, st, clock, &rec)
	st.set(2)
	stop := runWorker(t, a)
	defer stop()
	within(t, clock.waiting, "the worker waits for the refresh")
	clock.Advance(declaredconfig.DefaultRefreshInterval * time.Minute)
	failedSaves(t, a, clock, &rec, "61", "drifted, cannot be repaired", time.Minute, 2*time.Minute)
	within(t, clock.waiting, "the worker waits after the save")
	if n := st.count(); n != 3 {
		t.Errorf("%d Saves tried, want 3", n)
	}
	kinds, asked := rec.take()
	if want := []string{"Repaired", "Drifted", "Refreshed"}; !slices.Equal(kinds, want) {
		t.Errorf("the save told %q, want %q", kinds, want)
	}
	if len(asked) != 1 || !strings.Contains(asked[0], "drifted") {
		t.Errorf("the save asked %q, want one session for the drift", asked)
	}
	b := newAgent(t, agent.Config{Store: st})
	if e := entry(b, vpnID); e.State != "61" {
		t.Errorf("the store holds the document in state %s, want 61", e.State)
	}
}

// TestRefreshHeldUntilCommandSave checks that the events and session
// request of a refresh whose save failed are told by the next save that
// succeeds, whoever makes it (here a command's, without the worker),
// before the command's own events, and once only.
func TestRefreshHeldUntilCommandSave(t *testing.T) {
	st := &failNStore{}
	var rec recorder
	a := driftAgent(t, st, newClock(), &rec)
	st.set(1)
	if err := a.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh that could not be saved gave no error")
	}
	if kinds, asked := rec.take(); !slices.Equal(kinds, []string{"Error"}) || len(asked) != 0 {
		t.Errorf("the failed save told %q and asked %q, want [Error] and no session", kinds, asked)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "60"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	kinds, asked := rec.take()
	if want := []string{"Repaired", "Drifted", "Refreshed"}; !slices.Equal(kinds, want) {
		t.Errorf("the command's save told %q, want %q", kinds, want)
	}
	if len(asked) != 1 {
		t.Errorf("the command's save asked %q, want one session", asked)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "90"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	if kinds, asked := rec.take(); len(kinds) != 0 || len(asked) != 0 {
		t.Errorf("a second save told %q and asked %q again", kinds, asked)
	}
	b := newAgent(t, agent.Config{Store: st})
	if e := entry(b, vpnID); e.State != "61" {
		t.Errorf("the store holds the document in state %s, want 61", e.State)
	}
}

// TestRunRetryCapped checks that the wait between tries grows no longer
// than RefreshInterval (here 30 minutes) while the Store keeps failing,
// the refresh keeping its own time, and that the worker saves at the first
// try after the Store works again.
func TestRunRetryCapped(t *testing.T) {
	clock := newClock()
	st := &failNStore{}
	var rec recorder
	first := newAgent(t, agent.Config{Store: st})
	if c, _ := serve(t, first, "Replace", declaredconfig.RefreshIntervalURI, "30"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, first, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	a := newAgent(t, agent.Config{Store: st, Clock: clock, OnEvent: rec.event, RequestSession: rec.ask})
	st.set(-1)
	stop := runWorker(t, a)
	defer stop()
	// 1, 2, 4, 8 minutes; then 15 to the refresh at 30 (the next try
	// would be at 31); the refresh's save fails too: 30, the cap, from
	// then on (tries and refreshes together).
	var got []time.Duration
	for range 8 {
		within(t, clock.waiting, "the worker waits")
		w := clock.lastWait()
		got = append(got, w)
		clock.Advance(w)
	}
	m := time.Minute
	if want := []time.Duration{m, 2 * m, 4 * m, 8 * m, 15 * m, 30 * m, 30 * m, 30 * m}; !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	within(t, clock.waiting, "the worker waits")
	st.set(0)
	clock.Advance(clock.lastWait())
	within(t, clock.waiting, "the worker waits after the save")
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("after the store recovered the document is in state %s, want 60", e.State)
	}
	if w := clock.lastWait(); w != 30*m {
		t.Errorf("after the save the worker waits %v, want 30m (the refresh)", w)
	}
}

// TestRefreshHeldBounded checks that the events held while refreshes
// cannot be saved are bounded: beyond 1000, they are counted, and the
// save that succeeds tells the 1000 and then an EventError with the count.
func TestRefreshHeldBounded(t *testing.T) {
	st := &failNStore{}
	var rec recorder
	a := driftAgent(t, st, newClock(), &rec)
	st.set(-1)
	ctx := context.Background()
	// 1199 refreshes: the first tells Repaired, Drifted, Refreshed, the
	// others Refreshed (the Surface still refuses the setting, which
	// is no news): 1201 events; the first failure an EventError too,
	// the others fail alike.
	for range 1199 {
		if err := a.Refresh(ctx); err == nil {
			t.Fatal("a refresh that could not be saved gave no error")
		}
	}
	if kinds, _ := rec.take(); !slices.Equal(kinds, []string{"Error"}) {
		t.Fatalf("the failed saves told %q, want one Error", kinds)
	}
	st.set(0)
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	events := rec.events
	rec.mu.Unlock()
	if len(events) != 1001 {
		t.Fatalf("the save told %d events, want 1001", len(events))
	}
	last := events[1000]
	if last.Kind != agent.EventError || !strings.HasPrefix(last.Detail, "201 ") {
		t.Errorf("the last event is %v, want an Error counting 201 dropped", last)
	}
	if k := events[0].Kind; k != agent.EventRepaired {
		t.Errorf("the first event told is %v, want Repaired (the first refresh's)", k)
	}
}

// TestUnenrollDropsHeldSession checks an Unenroll after a refresh whose
// save failed: the refresh's events are told (before the EventDeleted),
// but no session is asked for the drift of a document that is gone.
func TestUnenrollDropsHeldSession(t *testing.T) {
	st := &failNStore{}
	var rec recorder
	a := driftAgent(t, st, newClock(), &rec)
	st.set(1)
	if err := a.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh that could not be saved gave no error")
	}
	rec.take()
	if err := a.Unenroll(context.Background()); err != nil {
		t.Fatal(err)
	}
	kinds, asked := rec.take()
	if want := []string{"Repaired", "Drifted", "Refreshed", "Deleted"}; !slices.Equal(kinds, want) {
		t.Errorf("Unenroll told %q, want %q", kinds, want)
	}
	if len(asked) != 0 {
		t.Errorf("Unenroll asked %q, want no session", asked)
	}
}

// TestApplySaveFailureDetail checks the EventError of a batch whose save
// failed: it names the documents pending again, at most 10 of them, and
// the wait before the next try.
func TestApplySaveFailureDetail(t *testing.T) {
	st := &failNStore{}
	var rec recorder
	a := newAgent(t, agent.Config{Store: st, OnEvent: rec.event})
	ids := addMany(t, a, 12)
	rec.take()
	st.setAfter(1, 1) // the save before the Sets works
	if err := a.ApplyPending(context.Background()); err == nil {
		t.Fatal("a batch that could not be saved gave no error")
	}
	rec.mu.Lock()
	events := rec.events
	rec.mu.Unlock()
	if len(events) != 1 || events[0].Kind != agent.EventError {
		t.Fatalf("the failed save told %v, want one Error", events)
	}
	d := events[0].Detail
	if !strings.Contains(d, ids[0]) || !strings.Contains(d, ids[9]) || strings.Contains(d, ids[10]) ||
		!strings.Contains(d, "and 2 more") || !strings.Contains(d, "again in 1m0s") {
		t.Errorf("the Error says %q", d)
	}
}

// countingSurface is a MemorySurface that counts the Sets of each node;
// safe for the worker's goroutine and the test's.
type countingSurface struct {
	agent.MemorySurface
	mu   sync.Mutex
	sets map[string]int
}

func (s *countingSurface) Set(ctx context.Context, uri, value string) error {
	s.mu.Lock()
	if s.sets == nil {
		s.sets = map[string]int{}
	}
	s.sets[uri]++
	s.mu.Unlock()
	return s.MemorySurface.Set(ctx, uri, value)
}

// setCounts returns the Sets of each node so far.
func (s *countingSurface) setCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.sets)
}

// TestRunRetriesSaveNotApply checks the worker while the Store fails the
// save of an apply 3 times and then works: it tries again after 1, 2 and
// 4 minutes (by the agent's Clock), then waits for the refresh; the tries
// save again what was applied, they do not apply it again. Each setting's node is set once for
// the version (once per real change), the summary says 60 from the first
// apply, the first failure is one EventError and the save that works
// tells the EventApplied and asks one session; the store then holds the
// document applied (60, its result). A new version is applied once more.
// Before, every try applied the batch again: each node was set 4 times
// for the one version, and the summary said 1 between the tries.
func TestRunRetriesSaveNotApply(t *testing.T) {
	clock := newClock()
	st := &failNStore{}
	surface := &countingSurface{}
	var rec recorder
	uri := docURI(declaredconfig.Device, vpnID)
	if c, _ := serve(t, newAgent(t, agent.Config{Surface: surface, Store: st}), "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	a := newAgent(t, agent.Config{Surface: surface, Store: st, Clock: clock, OnEvent: rec.event, RequestSession: rec.ask})
	st.setAfter(1, 3) // the save before the Sets works
	stop := runWorker(t, a)
	defer stop()
	failedSaves(t, a, clock, &rec, "60", "applied, kept in memory", time.Minute, 2*time.Minute, 4*time.Minute)
	within(t, clock.waiting, "the worker waits after the save")
	if w, want := clock.lastWait(), declaredconfig.DefaultRefreshInterval*time.Minute-7*time.Minute; w != want {
		t.Errorf("after the save the worker waits %v, want %v (the refresh)", w, want)
	}
	if n := st.count(); n != 5 {
		t.Errorf("%d Saves tried, want 5 (the nodes before the Sets, then the outcome 4 times)", n)
	}
	alwaysOn, remember := "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials"
	if got, want := surface.setCounts(), map[string]int{alwaysOn: 1, remember: 1}; !maps.Equal(got, want) {
		t.Errorf("the Surface was set %v, want %v (once per node for one version)", got, want)
	}
	if kinds, asked := rec.take(); !slices.Equal(kinds, []string{"Applied"}) || len(asked) != 1 {
		t.Errorf("the save told %q and asked %q, want [Applied] and one session", kinds, asked)
	}
	stored := func(checksum string) {
		t.Helper()
		b := newAgent(t, agent.Config{Store: st})
		if e := entry(b, vpnID); e.State != "60" || e.Checksum != checksum {
			t.Errorf("the store holds %+v, want version %s in state 60", e, checksum)
		}
		r := result(t, b, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))
		if got, want := statuses(r), "Contoso/AlwaysOn 200 60|Contoso/RememberCredentials 200 60"; got != want || r.Checksum != checksum {
			t.Errorf("the store holds the result %s of version %s, want %s of %s", got, r.Checksum, want, checksum)
		}
	}
	stored("A1")
	if c, _ := serve(t, a, "Replace", uri, text(t, vpnDoc("A2"))); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	within(t, clock.waiting, "the worker waits after the new version")
	if got, want := surface.setCounts(), map[string]int{alwaysOn: 2, remember: 2}; !maps.Equal(got, want) {
		t.Errorf("after a new version the Surface was set %v, want %v", got, want)
	}
	stored("A2")
}
