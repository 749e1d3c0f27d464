package agent_test

import (
	"context"
	"slices"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// appliedA1 returns an agent of cfg that has applied version A1 of the
// VPN document (Add, then ApplyPending).
func appliedA1(t *testing.T, cfg agent.Config) *agent.Agent {
	t.Helper()
	a := newAgent(t, cfg)
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestUnenrollSaveFailureToldOnce: an Unenroll whose state cannot be
// saved returns the error every time (its caller must learn that it was
// not kept), but the store's failure is told as a command's or the
// worker's is: once while it fails alike, whoever tries it. Before, every
// Unenroll that failed told an EventError.
func TestUnenrollSaveFailureToldOnce(t *testing.T) {
	ctx := context.Background()
	st := &failNStore{}
	var rec recorder
	a := appliedA1(t, agent.Config{Store: st, OnEvent: rec.event})
	rec.take()
	st.set(-1)
	unenroll := func(what string, want ...string) {
		t.Helper()
		if err := a.Unenroll(ctx); err == nil {
			t.Fatalf("%s: no error from a store that fails", what)
		}
		if kinds, _ := rec.take(); !slices.Equal(kinds, want) {
			t.Errorf("%s told %q, want %q", what, kinds, want)
		}
		if e := entry(a, vpnID); e.Checksum != "A1" {
			t.Errorf("%s left %+v, want A1 kept", what, e)
		}
	}
	unenroll("the first failed Unenroll", "Error")
	unenroll("the next")
	if c, _ := serve(t, a, "Replace", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A2"))); c != 500 {
		t.Errorf("Replace %d, want 500", c)
	}
	if kinds, _ := rec.take(); len(kinds) != 0 {
		t.Errorf("a command failing as the Unenroll did told %q, want nothing", kinds)
	}
	st.set(0)
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "60"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	rec.take()
	st.set(-1)
	unenroll("an Unenroll failing after a save", "Error")
}

// TestUndoSaveFailureToldOnce: the Undo of an Atomic's command whose
// state cannot be saved fails (the Atomic's status says so) and tells the
// store's failure as a command's save does: once while it fails alike.
// Before, it told nothing at all: the failure was lost with the Undo's
// error, which the session turns into a status.
func TestUndoSaveFailureToldOnce(t *testing.T) {
	st := &failNStore{}
	var rec recorder
	a := appliedA1(t, agent.Config{Store: st, OnEvent: rec.event})
	uri := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	// The command after the Replace breaks the store (and, with unenroll
	// set, runs an Unenroll that cannot save) and fails: the Replace's
	// Undo cannot save.
	unenroll := false
	breaks := session.HandlerFunc(func(ctx context.Context, _ *session.Request) session.Response {
		st.set(-1)
		if unenroll && a.Unenroll(ctx) == nil {
			t.Error("Unenroll: no error from a store that fails")
		}
		return session.Response{Code: syncml.StatusCommandFailed}
	})
	atomic := func(what, checksum string) {
		t.Helper()
		rec.take()
		rep, err := declaredconfig.ReplaceDocument(uri, vpnDoc(checksum), syncml.DataText)
		if err != nil {
			t.Fatal(err)
		}
		fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
		codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": breaks},
			&syncml.Atomic{Commands: []syncml.Command{rep, fail}})
		if !slices.Contains(codes, "Replace 516") {
			t.Errorf("%s: statuses %v, want Replace 516 (not rolled back)", what, codes)
		}
		kinds, _ := rec.take()
		if n := countOf(kinds, "Error"); n != 1 {
			t.Errorf("%s told %d errors (%q), want 1", what, n, kinds)
		}
		st.set(0)
	}
	atomic("the first Undo that cannot save", "A2")
	atomic("an Undo failing after a save", "A3")
	// The Unenroll's failure is told; the Undo's, alike, is not.
	unenroll = true
	atomic("an Undo failing as the Unenroll before it", "A4")
}

// TestUnenrollFailedSaveUndoes: an Atomic whose Unenroll cannot save its
// state, and that is rolled back, undoes the commands before the
// Unenroll: the failed Unenroll left the state as it was, so they are
// undone as in any rollback. Before, the Unenroll counted as made even
// when its save failed, and the Undos changed nothing: the Replace stayed
// while the Atomic's status said it was rolled back.
func TestUnenrollFailedSaveUndoes(t *testing.T) {
	st := &failNStore{}
	a := appliedA1(t, agent.Config{Store: st})
	uri := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	unenroll := session.HandlerFunc(func(ctx context.Context, r *session.Request) session.Response {
		st.set(1) // the Unenroll's save fails, the Undo's works
		if err := a.Unenroll(ctx); err == nil {
			t.Error("Unenroll: no error from a store that fails")
		}
		return session.Response{Code: syncml.StatusCommandFailed}
	})
	rep, err := declaredconfig.ReplaceDocument(uri, vpnDoc("A2"), syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/Unenroll"}}}}
	codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": unenroll},
		&syncml.Atomic{Commands: []syncml.Command{rep, exec}})
	if !slices.Contains(codes, "Atomic 507") {
		t.Fatalf("statuses %v, want Atomic 507", codes)
	}
	if e := entry(a, vpnID); e.Checksum != "A1" {
		t.Errorf("after the rollback %+v, want A1 back", e)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
