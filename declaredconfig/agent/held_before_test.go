package agent_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestCrashHeldValueKept: a node already holds exactly the value the
// agent's apply sets (AlwaysOn "true", the device's own) when the process
// dies at a Set of the apply (before the node is made and after). Started
// again, the Unenroll leaves that node as it is: the batch read it before
// recording what it would set, and did not record it, as whatever became
// of its Set it holds the device's value. The other node is deleted when
// its Set was made and keeps the device's value otherwise. Before, the
// node was recorded with the hash of its value and, as it held that
// value, deleted. An apply whose outcome is recorded still makes the
// node the agent's: the Unenroll after it deletes both.
func TestCrashHeldValueKept(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	for crash := 0; crash <= len(vpnNodes); crash++ {
		for _, made := range []bool{false, true} {
			if crash == 0 && made {
				continue
			}
			t.Run(fmt.Sprintf("set %d made %v", crash, made), func(t *testing.T) {
				store := &agent.MemoryStore{}
				surface := &crashSurface{store: store}
				if err := surface.Set(ctx, vpnNodes[0], "true"); err != nil {
					t.Fatal(err)
				}
				if err := surface.Set(ctx, vpnNodes[1], own); err != nil {
					t.Fatal(err)
				}
				a := newAgent(t, agent.Config{Store: store, Surface: surface})
				if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
					t.Fatalf("Add: %d", c)
				}
				surface.mu.Lock()
				surface.n, surface.crash, surface.made = 0, crash, made
				surface.mu.Unlock()
				if crash == 0 {
					if err := a.ApplyPending(ctx); err != nil {
						t.Fatal(err)
					}
					unenrollLeaves(t, a, surface, map[string]string{})
					return
				}
				_ = a.ApplyPending(ctx) // the process dies in it
				b := surface.restart(t)
				want := map[string]string{vpnNodes[0]: "true"}
				if crash == 1 || !made {
					want[vpnNodes[1]] = own
				}
				unenrollLeaves(t, b, surface, want)
			})
		}
	}
}

// TestCrashRepairHeldValueKept: the first apply of the VPN profile is
// refused by the Surface (both settings fail); the device then sets
// AlwaysOn itself to "true", the very value the agent sets. A refresh is
// to set both again and the process dies at its one Set (the other
// node's, made). Started again, the Unenroll deletes the node the refresh
// set and leaves AlwaysOn with the device's "true": the refresh read it
// before recording what it would set. Before, it was recorded with the
// hash of "true" and, as it held that value, deleted.
func TestCrashRepairHeldValueKept(t *testing.T) {
	ctx := context.Background()
	surface, a := refusedVPN(t)
	if err := surface.Set(ctx, vpnNodes[0], "true"); err != nil {
		t.Fatal(err)
	}
	surface.mu.Lock()
	surface.n, surface.crash, surface.made = 0, 1, true
	surface.mu.Unlock()
	_ = a.Refresh(ctx) // the process dies in it
	b := surface.restart(t)
	unenrollLeaves(t, b, surface, map[string]string{vpnNodes[0]: "true"})
}

// getCounter is a stuckSurface that counts its Gets.
type getCounter struct {
	stuckSurface
	gets atomic.Int32
}

func (s *getCounter) Get(ctx context.Context, uri string) (string, bool, error) {
	s.gets.Add(1)
	return s.stuckSurface.Get(ctx, uri)
}

// TestReadBeforeTimeout: a Surface whose Get does not return holds an
// apply's reads before its Sets (readBefore) for one SurfaceTimeout, not
// one per node: after the first read that times out, the others are not
// made, and the nodes are recorded and set as before the reads.
func TestReadBeforeTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		surface := &getCounter{stuckSurface: stuckSurface{free: make(chan struct{})}}
		surface.block("Get")
		a := newAgent(t, agent.Config{Surface: surface, SurfaceTimeout: 10 * time.Millisecond})
		d := vpnDoc("A1")
		for i := range 5 {
			d.CSPs[0].Settings = append(d.CSPs[0].Settings, declaredconfig.Setting{Path: fmt.Sprintf("Contoso/X%d", i), Type: "chr", Value: "v"})
		}
		if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, d)); c != 200 {
			t.Fatalf("Add: %d", c)
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if n := surface.gets.Load(); n != 1 {
			t.Errorf("the apply read %d nodes of a Surface whose Get does not return, want 1", n)
		}
		if n := len(surface.Nodes("./")); n != 7 {
			t.Errorf("the apply made %d nodes, want 7", n)
		}
		close(surface.free)
		synctest.Wait()
	})
}
