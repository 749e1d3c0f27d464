package agent_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// countingStore counts the Saves and fails them while fail is set, but
// for the first pass of them.
type countingStore struct {
	agent.MemoryStore
	saves int
	fail  bool
	pass  int
}

func (c *countingStore) Save(ctx context.Context, s *agent.Snapshot) error {
	c.saves++
	if c.fail && c.pass > 0 {
		c.pass--
	} else if c.fail {
		return errors.New("disk full")
	}
	return c.MemoryStore.Save(ctx, s)
}

func addMany(t testing.TB, a *agent.Agent, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		d := vpnDoc("A1")
		d.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID), d, syncml.DataText)
		if err != nil {
			t.Fatal(err)
		}
		if r := a.ServeCommand(context.Background(), &session.Request{Command: add}); r.Code != 200 {
			t.Fatalf("Add %d: %d", i, r.Code)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

// TestApplyPendingSavesOnce checks that ApplyPending saves the state twice
// for all the documents it applies (the nodes they set before the first
// Set, the outcome after the last), that what it applied is kept, and that
// when the second save fails what the batch applied is kept in memory (the
// store has the documents pending) and saved at the next call; a restart
// from the store before the save re-applies them. When the first fails,
// nothing is set.
func TestApplyPendingSavesOnce(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{}
	a := newAgent(t, agent.Config{Store: st})
	ids := addMany(t, a, 20)
	st.saves = 0
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if st.saves != 2 {
		t.Errorf("ApplyPending of 20 documents saved %d times, want 2", st.saves)
	}
	b := newAgent(t, agent.Config{Store: st})
	for _, id := range ids {
		if e := entry(b, id); e.State != "60" {
			t.Fatalf("after a restart %s is %+v, want applied", id, e)
		}
	}

	st0, surface := &countingStore{}, &agent.MemorySurface{}
	a = newAgent(t, agent.Config{Store: st0, Surface: surface})
	ids = addMany(t, a, 5)
	st0.fail = true
	if err := a.ApplyPending(ctx); err == nil {
		t.Error("a batch whose nodes could not be recorded gave no error")
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("the nodes could not be recorded, yet the batch set %v", n)
	}
	for _, id := range ids {
		if e := entry(a, id); e.State != "1" {
			t.Errorf("after the failed save %s is %+v, want 1 (pending)", id, e)
		}
	}

	st2 := &countingStore{}
	a = newAgent(t, agent.Config{Store: st2})
	ids = addMany(t, a, 5)
	st2.fail, st2.pass = true, 1
	if err := a.ApplyPending(ctx); err == nil {
		t.Error("a batch that could not be saved gave no error")
	}
	for _, id := range ids {
		if e := entry(a, id); e.State != "60" {
			t.Errorf("after the failed save %s is %+v, want 60 (applied, kept in memory)", id, e)
		}
	}
	// A restart now (the batch applied, not saved): pending again.
	r := newAgent(t, agent.Config{Store: st2})
	for _, id := range ids {
		if e := entry(r, id); e.State != "1" {
			t.Errorf("restart: %s is %+v, want 1", id, e)
		}
	}
	st2.fail = false
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if e := entry(a, id); e.State != "60" {
			t.Errorf("after the store recovered %s is %+v", id, e)
		}
	}
}

// BenchmarkApplyManyFileStore measures accepting and applying 1000
// documents of 2 settings each with the state in a FileStore.
func BenchmarkApplyManyFileStore(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{},
			Store: &agent.FileStore{Path: filepath.Join(b.TempDir(), "state")}, MaxSummaryBytes: 1 << 20})
		if err != nil {
			b.Fatal(err)
		}
		addMany(b, a, 1000)
		b.StartTimer()
		if err := a.ApplyPending(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
