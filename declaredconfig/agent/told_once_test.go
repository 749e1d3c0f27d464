package agent_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestStoreFailureToldOnce: a Store that fails for good makes the worker
// try again and again (ApplyPending, Refresh); the failure is told once,
// as an EventError, and again only when its error changes or after a
// save that succeeded, not at every try. Before, every try told one.
func TestStoreFailureToldOnce(t *testing.T) {
	ctx := context.Background()
	st := &failNStore{}
	var rec recorder
	a := newAgent(t, agent.Config{Store: st, OnEvent: rec.event})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	rec.take()
	st.set(-1)
	step := func(what string, f func(context.Context) error, want ...string) {
		t.Helper()
		if err := f(ctx); err == nil {
			t.Fatalf("%s: no error from a store that fails", what)
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
	}
	step("the first failed apply", a.ApplyPending, "Error")
	step("the second", a.ApplyPending)
	step("a refresh failing alike", a.Refresh)
	step("the third apply", a.ApplyPending)
	st.mu.Lock()
	st.msg = "read-only file system"
	st.mu.Unlock()
	step("an apply failing otherwise", a.ApplyPending, "Error")
	step("the next", a.ApplyPending)
	st.set(0)
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	// The apply waited for the store (the nodes it sets are recorded
	// first): the held Refreshed, then the Applied.
	if kinds, _ := rec.take(); !slices.Equal(kinds, []string{"Refreshed", "Applied"}) {
		t.Errorf("the save told %q, want the held Refreshed and the Applied", kinds)
	}
	st.set(-1)
	step("a refresh failing after a save", a.Refresh, "Error")
}

// TestDriftToldOnChange: drift a refresh cannot repair is told
// (EventDrifted) when the setting's status changes, the result with it,
// not again by every refresh that finds it failing alike; a new failure
// (another status) is told, and the recovery.
func TestDriftToldOnChange(t *testing.T) {
	ctx := context.Background()
	var refuse atomic.Int32 // the error the Surface gives for a Set of node: index in errs
	errs := []error{nil, agent.ErrNotAllowed, agent.ErrNotFound}
	node := "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials"
	surface := &agent.MemorySurface{Refuse: func(op, uri string) error {
		if uri == node && op == "Set" {
			return errs[refuse.Load()]
		}
		return nil
	}}
	var rec recorder
	a := newAgent(t, agent.Config{Surface: surface, OnEvent: rec.event})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.take()
	refresh := func(what string, want ...string) {
		t.Helper()
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
	}
	if err := surface.Set(ctx, node, "true"); err != nil {
		t.Fatal(err)
	}
	refuse.Store(1)
	refresh("the refresh that finds the drift", "Drifted", "Refreshed")
	refresh("the next", "Refreshed")
	refresh("and the next", "Refreshed")
	refuse.Store(2)
	refresh("a refresh whose set fails otherwise (404)", "Drifted", "Refreshed")
	refresh("the next", "Refreshed")
	refuse.Store(0)
	refresh("the refresh that repairs it", "Recovered", "Refreshed")
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("state %s, want 60", e.State)
	}
}

// readErrSurface is a MemorySurface whose Get of node fails with err
// while err is set.
type readErrSurface struct {
	agent.MemorySurface
	node string
	err  atomic.Pointer[string]
}

func (s *readErrSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	if p := s.err.Load(); p != nil && uri == s.node {
		return "", false, errors.New(*p)
	}
	return s.MemorySurface.Get(ctx, uri)
}

// TestReadErrorToldOnChange: a setting the Surface fails to read is told
// (EventError) when the read starts failing and when its error changes,
// not by every refresh that finds it failing alike; after a read that
// works, a new failure is told again. Before, every refresh told one.
func TestReadErrorToldOnChange(t *testing.T) {
	ctx := context.Background()
	surface := &readErrSurface{node: goodNode}
	var rec recorder
	a := newAgent(t, agent.Config{Surface: surface, OnEvent: rec.event})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.take()
	refresh := func(what, fail string, want ...string) {
		t.Helper()
		if fail == "" {
			surface.err.Store(nil)
		} else {
			surface.err.Store(&fail)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
	}
	refresh("the first failed read", "provider not responding", "Error", "Refreshed")
	refresh("the next", "provider not responding", "Refreshed")
	refresh("and the next", "provider not responding", "Refreshed")
	refresh("a read failing otherwise", "access denied", "Error", "Refreshed")
	refresh("a read that works", "", "Refreshed")
	refresh("a failure after it", "access denied", "Error", "Refreshed")
}

// TestCommandSaveFailureToldOnce: a server command whose state cannot be
// saved is answered 500 every time (the server must learn that each one
// was not kept) and changes nothing, but the store's failure is told
// once, as the worker's: a command failing as the last failed save did
// (the worker's or a command's) tells nothing more; one failing otherwise
// does, and so does the first failure after a save that succeeded.
// Before, every refused command told an EventError.
func TestCommandSaveFailureToldOnce(t *testing.T) {
	ctx := context.Background()
	st := &failNStore{}
	surface := &countingSurface{}
	var rec recorder
	a := newAgent(t, agent.Config{Surface: surface, Store: st, OnEvent: rec.event})
	uri := docURI(declaredconfig.Device, vpnID)
	if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.take()
	st.set(-1)
	sets := surface.setCounts()
	replace := func(what, checksum string, want ...string) {
		t.Helper()
		if c, _ := serve(t, a, "Replace", uri, text(t, vpnDoc(checksum))); c != 500 {
			t.Errorf("%s: %d, want 500", what, c)
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
		if e := entry(a, vpnID); e.Checksum != "A1" || e.State != "60" {
			t.Errorf("%s left %+v, want A1 applied", what, e)
		}
	}
	replace("the first refused command", "A2", "Error")
	replace("the next", "A3")
	replace("and the next", "A4")
	if err := a.Refresh(ctx); err == nil {
		t.Fatal("no error from a store that fails")
	}
	if kinds, _ := rec.take(); len(kinds) != 0 {
		t.Errorf("a refresh failing alike told %q, want nothing", kinds)
	}
	st.mu.Lock()
	st.msg = "read-only file system"
	st.mu.Unlock()
	replace("a command failing otherwise", "A5", "Error")
	replace("the next", "A6")
	if err := a.ApplyPending(ctx); err == nil {
		t.Fatal("no error from a store that fails")
	}
	if kinds, _ := rec.take(); len(kinds) != 0 {
		t.Errorf("the worker's try failing as the command did told %q, want nothing", kinds)
	}
	if got := surface.setCounts(); !maps.Equal(got, sets) {
		t.Errorf("refused commands set the Surface: %v, was %v", got, sets)
	}
	st.set(0)
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "60"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	rec.take()
	st.set(-1)
	replace("a command failing after a save", "A7", "Error")
}

// TestDriftErrorToldOnChange: a drifted setting that cannot be set again
// and keeps its status is told again (EventDrifted, "its error changed")
// when the error of its set changes, compared with numbers folded, so that
// an error holding a time is told once; a text that keeps changing
// otherwise is told at most 3 times (the third says so) until the
// setting's status changes, which is told and starts the count again. An
// agent started again does not know the last error: it tells a change
// from the second refresh on. Before, a change of error with the status
// kept was never told.
func TestDriftErrorToldOnChange(t *testing.T) {
	ctx := context.Background()
	node := "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials"
	var fail atomic.Pointer[error] // the error of a Set of node, while set
	surface := &agent.MemorySurface{Refuse: func(op, uri string) error {
		if p := fail.Load(); p != nil && uri == node && op == "Set" {
			return *p
		}
		return nil
	}}
	st := &agent.MemoryStore{}
	var rec recorder
	a := newAgent(t, agent.Config{Surface: surface, Store: st, OnEvent: rec.event})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := surface.Set(ctx, node, "true"); err != nil {
		t.Fatal(err)
	}
	rec.take()
	// refresh has the Set of node fail with cause and msg, refreshes a
	// and checks the kinds told; it returns the Detail of the
	// EventDrifted told, "" when none.
	refresh := func(a *agent.Agent, what string, cause error, msg string, want ...string) string {
		t.Helper()
		err := fmt.Errorf("%w: %s", cause, msg)
		fail.Store(&err)
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		rec.mu.Lock()
		events := rec.events
		rec.mu.Unlock()
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
		for _, e := range events {
			if e.Kind == agent.EventDrifted {
				if !errors.Is(e.Err, cause) || e.URI != node {
					t.Errorf("%s told %+v, want the set's error for %s", what, e, node)
				}
				return e.Detail
			}
		}
		return ""
	}
	changed := func(what, detail string, quiet bool) {
		t.Helper()
		if !strings.Contains(detail, "its error changed") || strings.Contains(detail, "further changes are not told") != quiet {
			t.Errorf("%s: Detail %q, want its error changed (and further changes not told: %v)", what, detail, quiet)
		}
	}
	refresh(a, "the refresh that finds the drift", agent.ErrNotAllowed, "locked", "Drifted", "Refreshed")
	refresh(a, "the next, failing alike", agent.ErrNotAllowed, "locked", "Refreshed")
	d := refresh(a, "a set failing otherwise, same status", agent.ErrNotAllowed, "locked by group policy", "Drifted", "Refreshed")
	changed("the first change", d, false)
	refresh(a, "an error holding a time", agent.ErrNotAllowed, "locked by group policy at 2026-12-06T10:00:00Z", "Drifted", "Refreshed")
	for i := range 3 {
		refresh(a, "the same error at another time", agent.ErrNotAllowed,
			fmt.Sprintf("locked by group policy at 2026-12-06T1%d:%02d:00Z", i+1, 7*i), "Refreshed")
	}
	d = refresh(a, "a third change of words", agent.ErrNotAllowed, "held by policy LockOne", "Drifted", "Refreshed")
	changed("the third change", d, true)
	refresh(a, "a fourth", agent.ErrNotAllowed, "held by policy LockTwo", "Refreshed")
	refresh(a, "a fifth", agent.ErrNotAllowed, "held by policy LockThree", "Refreshed")
	refresh(a, "a new status", agent.ErrNotFound, "gone", "Drifted", "Refreshed")
	d = refresh(a, "a change after it", agent.ErrNotFound, "gone away", "Drifted", "Refreshed")
	changed("the first change after a new status", d, false)
	b := newAgent(t, agent.Config{Surface: surface, Store: st, OnEvent: rec.event})
	refresh(b, "the first refresh after a restart", agent.ErrNotFound, "not there", "Refreshed")
	refresh(b, "a change after it", agent.ErrNotFound, "not there any more", "Drifted", "Refreshed")
	fail.Store(nil)
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if kinds, _ := rec.take(); !slices.Equal(kinds, []string{"Recovered", "Refreshed"}) {
		t.Errorf("the repair told %q, want Recovered, Refreshed", kinds)
	}
}

// TestFailureNumbersNotNews: a store whose error holds another number at
// each try (as FileStore's does: the random name of its temporary file)
// fails alike, told once; its error changing in words is told, at most 3
// times, the third saying so. A read that fails with another duration in
// its error at each refresh is told once. Before, errors were compared as
// written: each such try told an EventError.
func TestFailureNumbersNotNews(t *testing.T) {
	ctx := context.Background()
	st := &failNStore{}
	surface := &readErrSurface{node: goodNode}
	var rec recorder
	a := newAgent(t, agent.Config{Surface: surface, Store: st, OnEvent: rec.event})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	rec.take()
	st.set(-1)
	try := func(what, msg string, f func(context.Context) error, want ...string) string {
		t.Helper()
		st.mu.Lock()
		st.msg = msg
		st.mu.Unlock()
		if err := f(ctx); err == nil {
			t.Fatalf("%s: no error from a store that fails", what)
		}
		rec.mu.Lock()
		events := rec.events
		rec.mu.Unlock()
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
		if len(events) == 0 {
			return ""
		}
		return events[0].Detail
	}
	full := "write /var/lib/windc/.state.json.tmp-%d: no space left on device"
	try("the first failed save", full, a.ApplyPending, "Error")
	try("the next, another temporary file", full, a.ApplyPending)
	try("a refresh's", full, a.Refresh)
	try("and the next", full, a.ApplyPending)
	try("a change of words", "sync: input/output error", a.ApplyPending, "Error")
	try("another", "rename: read-only file system", a.ApplyPending, "Error")
	if d := try("a third", "rename: permission denied", a.ApplyPending, "Error"); !strings.Contains(d, "not told while it lasts") {
		t.Errorf("the third change's Detail %q does not say further changes are not told", d)
	}
	try("a fourth", "rename: stale file handle", a.ApplyPending)
	st.set(0)
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.take()
	st.set(-1)
	try("a failure after a save", full, a.Refresh, "Error")
	st.set(0)
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	rec.take()
	for i := range 4 {
		msg := fmt.Sprintf("provider not responding after %dms", 1500+i*13)
		surface.err.Store(&msg)
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		want := []string{"Refreshed"}
		if i == 0 {
			want = []string{"Error", "Refreshed"}
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("refresh %d, read failing after another time, told %q, want %q", i+1, kinds, want)
		}
	}
}
