package agent_test

import (
	"context"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// hookSurface is a MemorySurface that calls onSet, once, at the first Set
// after it is armed.
type hookSurface struct {
	agent.MemorySurface
	mu    sync.Mutex
	onSet func()
}

func (s *hookSurface) Set(ctx context.Context, uri, value string) error {
	s.mu.Lock()
	f := s.onSet
	s.onSet = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
	return s.MemorySurface.Set(ctx, uri, value)
}

// A seqWorld is what the steps of anySequenceOps act on.
type seqWorld struct {
	store   *agent.MemoryStore
	surface *hookSurface
	a       *agent.Agent
	// deleted holds the nodes on the Surface when a document was
	// deleted: a Delete leaves the settings of its document.
	deleted map[string]bool
}

// A seqOp is one step of a sequence.
type seqOp struct {
	name string
	do   func(t *testing.T, w *seqWorld)
}

// anySequenceOps returns the steps TestRestartAnySequence and
// TestUnenrollAnySequence make sequences of.
func anySequenceOps(t *testing.T) []seqOp {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	a1, a2 := text(t, vpnDoc("A1")), text(t, vpnDoc("A2"))
	other := vpnDoc("B1")
	other.CSPs[0].Name = "./Vendor/MSFT/Policy/Config"
	other.CSPs[0].Settings = other.CSPs[0].Settings[:1]
	b1 := text(t, other)
	u, err := declaredconfig.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	// applyReplacing applies what is pending, a Replace of the document
	// by doc coming in at the first Set.
	applyReplacing := func(t *testing.T, w *seqWorld, doc string) {
		w.surface.mu.Lock()
		w.surface.onSet = func() { serve(t, w.a, "Replace", uri, doc) }
		w.surface.mu.Unlock()
		if err := w.a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return []seqOp{
		{"Add A1", func(t *testing.T, w *seqWorld) { serve(t, w.a, "Add", uri, a1) }},
		{"Replace A1", func(t *testing.T, w *seqWorld) { serve(t, w.a, "Replace", uri, a1) }},
		{"Replace A2", func(t *testing.T, w *seqWorld) { serve(t, w.a, "Replace", uri, a2) }},
		{"Replace B1", func(t *testing.T, w *seqWorld) { serve(t, w.a, "Replace", uri, b1) }},
		{"apply", func(t *testing.T, w *seqWorld) {
			if err := w.a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"apply, plan fails", func(t *testing.T, w *seqWorld) {
			a, err := agent.New(ctx, agent.Config{Store: w.store, Surface: w.surface, Clock: newClock(), MaxSettings: 1})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"apply, cancelled", func(t *testing.T, w *seqWorld) {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			w.surface.mu.Lock()
			w.surface.onSet = cancel
			w.surface.mu.Unlock()
			_ = w.a.ApplyPending(cctx)
		}},
		{"apply, Replace B1 meanwhile", func(t *testing.T, w *seqWorld) { applyReplacing(t, w, b1) }},
		{"apply, Replace A1 meanwhile", func(t *testing.T, w *seqWorld) { applyReplacing(t, w, a1) }},
		{"Atomic Replace B1 rolled back", func(t *testing.T, w *seqWorld) {
			rep, err := declaredconfig.ReplaceDocument(u, other, syncml.DataText)
			if err != nil {
				t.Fatal(err)
			}
			fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
			h := session.HandlerFunc(func(ctx context.Context, r *session.Request) session.Response {
				_ = w.a.ApplyPending(ctx)
				return session.Response{Code: syncml.StatusCommandFailed}
			})
			exchangeWith(t, w.a, map[string]session.Handler{"./Vendor/MSFT/Test": h}, &syncml.Atomic{Commands: []syncml.Command{rep, fail}})
		}},
		{"Delete", func(t *testing.T, w *seqWorld) {
			for k := range w.surface.Nodes("") {
				w.deleted[k] = true
			}
			serve(t, w.a, "Delete", uri, "")
		}},
		{"Unenroll", func(t *testing.T, w *seqWorld) {
			if err := w.a.Unenroll(ctx); err != nil {
				t.Fatal(err)
			}
		}},
	}
}

// TestRestartAnySequence: whatever sequence of commands and applies an
// agent of this build goes through (Add, Replace to the same or another
// CSP, Replace again, an apply, an apply whose plan fails (62), an apply
// cancelled midway or with a Replace coming in while it runs, an Atomic
// Replace rolled back, Delete, Unenroll), with the agent started again
// over its store after every step, New loads the state it saved: never
// ErrCorrupt (the record's Applied keeps the version whose settings it
// holds). Every sequence of three steps, and some longer ones.
func TestRestartAnySequence(t *testing.T) {
	runSequences(t, nil)
}

// runSequences runs every sequence of three steps of anySequenceOps, and
// 300 random ones of eight, the agent started again over its store after
// every step (New must load it); end, when not nil, is called at the end
// of each with the sequence's step names.
func runSequences(t *testing.T, end func(t *testing.T, w *seqWorld, names string)) {
	ctx := context.Background()
	ops := anySequenceOps(t)
	run := func(t *testing.T, seq []int) {
		w := &seqWorld{store: &agent.MemoryStore{}, surface: &hookSurface{}, deleted: map[string]bool{}}
		w.a = newAgent(t, agent.Config{Store: w.store, Surface: w.surface})
		var names []string
		for _, k := range seq {
			names = append(names, ops[k].name)
			ops[k].do(t, w)
			a, err := agent.New(ctx, agent.Config{Store: w.store, Surface: w.surface, Clock: newClock()})
			if err != nil {
				s, _ := w.store.Load(ctx)
				var applied string
				if s != nil && len(s.Documents) > 0 {
					applied = s.Documents[0].Applied
				}
				t.Fatalf("after %s: New: %v (applied %.60q)", strings.Join(names, ", "), err, applied)
			}
			w.a = a
		}
		if end != nil {
			end(t, w, strings.Join(names, ", "))
		}
	}
	var seqs [][]int
	for i := range ops {
		for j := range ops {
			for k := range ops {
				seqs = append(seqs, []int{i, j, k})
			}
		}
	}
	r := rand.New(rand.NewSource(42))
	for range 300 {
		seq := make([]int, 8)
		for i := range seq {
			seq[i] = r.Intn(len(ops))
		}
		seqs = append(seqs, seq)
	}
	for _, seq := range seqs {
		if t.Failed() {
			break
		}
		run(t, slices.Clip(seq))
	}
}

// TestUnenrollAnySequence: whatever sequence of the steps of
// TestRestartAnySequence came before (applies cancelled midway, or with a
// Replace coming in, an Atomic Replace undone after the worker applied
// it, restarts after each step), an Unenroll leaves on the Surface none of
// the nodes the agent set, but those a Delete of the document left there
// (a Delete keeps the settings of its document).
func TestUnenrollAnySequence(t *testing.T) {

	ctx := context.Background()
	runSequences(t, func(t *testing.T, w *seqWorld, names string) {
		if err := w.a.Unenroll(ctx); err != nil {
			t.Fatalf("after %s: Unenroll: %v", names, err)
		}
		var left []string
		for k := range w.surface.Nodes("") {
			if !w.deleted[k] {
				left = append(left, k)
			}
		}
		if len(left) > 0 {
			slices.Sort(left)
			t.Errorf("after %s, Unenroll: %d nodes the agent set stay: %v", names, len(left), left)
		}
	})
}
