package agent_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// own is the value the device's nodes hold before the agent sets them.
const own = "the device's own"

// TestCrashBatchKeepsUntouched: a batch of two documents (the VPN profile,
// then otherDoc's Policy node) records the nodes of both before its first
// Set, with one save; the process dies at each Set of the first
// document's apply (before the node is made and after). Started again,
// an Unenroll, or a new version of the second document and its apply,
// delete the nodes the agent set and leave those it never set with the
// value the device had. Before, every node the save recorded counted as
// set: the second document's node, and the first's not reached yet, were
// deleted, and the device's own values with them.
func TestCrashBatchKeepsUntouched(t *testing.T) {
	ctx := context.Background()
	uri, otherURI := docURI(declaredconfig.Device, vpnID), docURI(declaredconfig.Device, otherID)
	for crash := 1; crash <= len(vpnNodes); crash++ {
		for _, made := range []bool{false, true} {
			for _, then := range []string{"unenroll", "new version"} {
				t.Run(fmt.Sprintf("set %d made %v, %s", crash, made, then), func(t *testing.T) {
					store := &agent.MemoryStore{}
					surface := &crashSurface{store: store}
					for _, n := range append([]string{policyNode}, vpnNodes...) {
						if err := surface.Set(ctx, n, own); err != nil {
							t.Fatal(err)
						}
					}
					a := newAgent(t, agent.Config{Store: store, Surface: surface})
					if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
						t.Fatalf("Add: %d", c)
					}
					if c, _ := serve(t, a, "Add", otherURI, text(t, otherDoc("O1"))); c != 200 {
						t.Fatalf("Add: %d", c)
					}
					surface.mu.Lock()
					surface.n, surface.crash, surface.made = 0, crash, made
					surface.mu.Unlock()
					_ = a.ApplyPending(ctx) // the process dies in it
					b := surface.restart(t)
					// The nodes of the VPN profile the apply set before it
					// died hold its values; the others are the device's.
					want := map[string]string{policyNode: own}
					for i, n := range vpnNodes {
						if i+1 > crash || i+1 == crash && !made {
							want[n] = own
						}
					}
					if then == "new version" {
						// The VPN profile is applied again (its nodes are
						// then its own); the other document's new version
						// sets another node: its earlier version's node
						// was never set, and stays.
						next := otherDoc("O2")
						next.CSPs[0].Settings[0].Path = "Contoso/Other"
						replaceApplied(t, b, otherURI, next)
						want = map[string]string{policyNode: own}
					}
					unenrollLeaves(t, b, surface, want)
				})
			}
		}
	}
}

// unenrollLeaves has a Unenroll and fails the test unless the Surface
// then holds want.
func unenrollLeaves(t *testing.T, a *agent.Agent, surface nodeSurface, want map[string]string) {
	t.Helper()
	if err := a.Unenroll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := surface.Nodes("./"); !maps.Equal(got, want) {
		t.Errorf("after the Unenroll the Surface holds %v, want %v", got, want)
	}
}

// otherID is the DocID of otherDoc.
const otherID = "5D2E3A1B-0C4F-4E6A-9B7D-1A2B3C4D5E6F"

// otherDoc is policyDoc under otherID: it sets policyNode.
func otherDoc(checksum string) *declaredconfig.Document {
	d := policyDoc(checksum)
	d.ID = otherID
	return d
}

// TestCommandMidApplyUnintends: a Replace of a document arrives while its
// apply runs (at its first Set); the second Set is refused, so its node
// keeps the device's value. The node recorded before that Set comes out
// of the record all the same (the outcome of the apply is not recorded),
// so neither the new version's apply nor the Unenroll takes it as set.
// With the Replace in an Atomic rolled back after the batch, the version
// put back does not bring it back either. Before, both kept it recorded
// as set, and the Unenroll deleted the device's value.
func TestCommandMidApplyUnintends(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	for _, atomic := range []bool{false, true} {
		t.Run(fmt.Sprintf("atomic %v", atomic), func(t *testing.T) {
			surface := &hookSurface{}
			if err := surface.Set(ctx, vpnNodes[1], own); err != nil {
				t.Fatal(err)
			}
			surface.Refuse = func(op, u string) error {
				if op == "Set" && u == vpnNodes[1] {
					return agent.ErrNotAllowed
				}
				return nil
			}
			a := applied(t, agent.Config{Surface: surface}, uri, policyDoc("B1"))
			if c, _ := serve(t, a, "Replace", uri, text(t, vpnDoc("A1"))); c != 200 {
				t.Fatalf("Replace: %d", c)
			}
			var undo func(context.Context) error
			surface.onSet = func() {
				replace := &syncml.Replace{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri},
					Data: syncml.Text(text(t, vpnDoc("A2")))}}}
				r := a.ServeCommand(ctx, &session.Request{Command: replace, Atomic: atomic})
				if r.Code != 0 && r.Code != 200 {
					t.Errorf("Replace during the apply: %d", r.Code)
				}
				undo = r.Undo
			}
			if err := a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
			if atomic {
				if undo == nil {
					t.Fatal("no Undo for the Replace in an Atomic")
				}
				if err := undo(ctx); err != nil {
					t.Fatal(err)
				}
				if err := a.ApplyPending(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if l := a.Snapshot().Documents[0].Leftover; slices.Contains(l, vpnNodes[1]) {
				t.Errorf("Leftover %v holds the node whose Set was refused", l)
			}
			unenrollLeaves(t, a, surface, map[string]string{vpnNodes[1]: own})
		})
	}
}

// TestCrashRepairKeepsUntouched: a refresh is to set again both nodes of
// the VPN profile, whose first apply the Surface refused (they hold the
// device's values), and the process dies at its first Set. Started
// again, the Unenroll deletes the node the refresh set and leaves the
// other with the device's value; a refresh instead sets both, and the
// record holds them as its settings', with no condition left (Intents).
// Before, the Unenroll deleted both.
func TestCrashRepairKeepsUntouched(t *testing.T) {
	ctx := context.Background()
	for _, then := range []string{"unenroll", "refresh"} {
		t.Run(then, func(t *testing.T) {
			surface, a := refusedVPN(t)
			surface.mu.Lock()
			surface.n, surface.crash, surface.made = 0, 1, true
			surface.mu.Unlock()
			_ = a.Refresh(ctx) // the process dies in it
			b := surface.restart(t)
			if then == "refresh" {
				if err := b.Refresh(ctx); err != nil {
					t.Fatal(err)
				}
				if r := b.Snapshot().Documents[0]; len(r.Leftover) != 0 || r.Intents != nil {
					t.Errorf("after a refresh that set both: Leftover %v, Intents %v, want none", r.Leftover, r.Intents)
				}
				return
			}
			unenrollLeaves(t, b, surface, map[string]string{vpnNodes[1]: own})
		})
	}
}

// refusedVPN returns an agent that applied the VPN profile on a
// crashSurface whose nodes hold the device's values (own) and which
// refused both Sets (the settings failed), and the Surface, which no
// longer refuses.
func refusedVPN(t *testing.T) (*crashSurface, *agent.Agent) {
	t.Helper()
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := &crashSurface{store: store}
	for _, n := range vpnNodes {
		if err := surface.Set(ctx, n, own); err != nil {
			t.Fatal(err)
		}
	}
	surface.Refuse = func(op, uri string) error {
		if op == "Set" {
			return agent.ErrNotAllowed
		}
		return nil
	}
	a := applied(t, agent.Config{Store: store, Surface: surface}, docURI(declaredconfig.Device, vpnID), vpnDoc("A1"))
	surface.mu.Lock()
	surface.Refuse = nil
	surface.mu.Unlock()
	return surface, a
}

// TestReplaceMidRepairUnintends: a Replace of the document arrives while
// a refresh sets again the two nodes whose first apply the Surface
// refused (at its first Set); the second Set is refused again. The node
// the refresh set stays recorded (Leftover), and the one it did not set
// does not: the refresh's outcome is not recorded, but what it recorded
// before its Sets is settled. Before, both stayed recorded as set.
func TestReplaceMidRepairUnintends(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	surface := &hookSurface{}
	for _, n := range vpnNodes {
		if err := surface.Set(ctx, n, own); err != nil {
			t.Fatal(err)
		}
	}
	refuseAll := true
	surface.Refuse = func(op, u string) error {
		if op == "Set" && (refuseAll || u == vpnNodes[1]) {
			return agent.ErrNotAllowed
		}
		return nil
	}
	a := applied(t, agent.Config{Surface: surface}, uri, vpnDoc("A1"))
	refuseAll = false
	surface.onSet = func() {
		if c, _ := serve(t, a, "Replace", uri, text(t, vpnDoc("A2"))); c != 200 {
			t.Errorf("Replace during the refresh: %d", c)
		}
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	r := a.Snapshot().Documents[0]
	if !slices.Equal(r.Leftover, vpnNodes[:1]) || r.Intents != nil {
		t.Errorf("after the refresh Leftover %v, Intents %v; want the node it set, no Intents", r.Leftover, r.Intents)
	}
}

// TestUnenrollSureOverIntents: a node one document set (its setting
// succeeded) that a document pending in the same batch, with another
// value, holds only in its Intents is deleted by the Unenroll after a
// crash: a record that holds it as set wins over the other's condition
// (a value the Surface does not hold).
func TestUnenrollSureOverIntents(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := &crashSurface{store: store}
	a := applied(t, agent.Config{Store: store, Surface: surface}, docURI(declaredconfig.Device, otherID), otherDoc("O1"))
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	third := policyDoc("T1")
	third.ID = "9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D"
	third.CSPs[0].Settings[0].Value = "false" // otherDoc sets "true"
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, third.ID), text(t, third)); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	surface.mu.Lock()
	surface.n, surface.crash, surface.made = 0, 1, false
	surface.mu.Unlock()
	_ = a.ApplyPending(ctx) // the process dies at the VPN profile's first Set
	b := surface.restart(t)
	held := false
	for _, r := range b.Snapshot().Documents {
		if _, ok := r.Intents[policyNode]; ok {
			held = true
		}
	}
	if !held {
		t.Fatalf("no record holds %s in its Intents after the crash: the test does not test", policyNode)
	}
	unenrollLeaves(t, b, surface, map[string]string{})
}
