package agent_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// policyDoc is vpnDoc's document moved to the Policy CSP, one setting.
func policyDoc(checksum string) *declaredconfig.Document {
	d := vpnDoc(checksum)
	d.CSPs[0].Name = "./Vendor/MSFT/Policy/Config"
	d.CSPs[0].Settings = d.CSPs[0].Settings[:1]
	return d
}

// TestApplyDeletesEarlierVersion: the apply of a new version that sets
// other nodes deletes the nodes the earlier version set (as the VPNv2
// example of the resource access page, whose new version removes the old
// profile); a node whose delete fails stays in the record (Leftover), across
// a restart, and the Unenroll deletes it.
func TestApplyDeletesEarlierVersion(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	store := &agent.MemoryStore{}
	surface := &agent.MemorySurface{}
	a := applied(t, agent.Config{Store: store, Surface: surface}, uri, vpnDoc("A1"))
	refused := "./Device/Vendor/MSFT/VPNv2/Contoso/RememberCredentials"
	surface.Refuse = func(op, uri string) error {
		if op == "Delete" && uri == refused {
			return errors.New("busy")
		}
		return nil
	}
	serve(t, a, "Replace", uri, text(t, policyDoc("B1")))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"./Device/Vendor/MSFT/Policy/Config/Contoso/AlwaysOn", refused}
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, want) {
		t.Errorf("after the new version's apply the Surface holds %v, want %v", got, want)
	}
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, []string{refused}) {
		t.Errorf("Leftover %v, want the node whose delete failed", l)
	}
	surface.Refuse = nil
	unenrollRestarted(t, store, surface)
}

// A nodeSurface is a Surface that lists its nodes, as MemorySurface.
type nodeSurface interface {
	agent.Surface
	Nodes(prefix string) map[string]string
}

// unenrollRestarted starts an agent again on store and surface, has it
// Unenroll, and fails the test when a node is left on the Surface.
func unenrollRestarted(t *testing.T, store agent.Store, surface nodeSurface) {
	t.Helper()
	ctx := context.Background()
	a, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()})
	if err != nil {
		t.Fatalf("New on the saved state: %v", err)
	}
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("nodes left after Unenroll: %v", n)
	}
}

// mapKeys returns the keys of m, sorted.
func mapKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// TestUnenrollCancelledApply: the nodes an apply cancelled midway set are
// kept in the record, across a restart, and the Unenroll deletes them,
// those of the version applied before too.
func TestUnenrollCancelledApply(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	store, surface := &agent.MemoryStore{}, &hookSurface{}
	a := newAgent(t, agent.Config{Store: store, Surface: surface})
	serve(t, a, "Add", uri, text(t, policyDoc("B1")))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	serve(t, a, "Replace", uri, text(t, vpnDoc("A1")))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	surface.onSet = cancel
	_ = a.ApplyPending(cctx)
	if n := len(surface.Nodes("./Device/Vendor/MSFT/VPNv2/")); n == 0 {
		t.Fatal("the cancelled apply set nothing")
	}
	unenrollRestarted(t, store, surface)
}

// TestLoadLeftOutOfScope: a stored Leftover node outside the scope of its
// document's context, or one no document may set (of the
// DeclaredConfiguration CSP), as in a store tampered with, is dropped on
// load, told in an EventError, and the Unenroll does not delete it; one in
// scope is kept and deleted. Intents keep only Leftover's nodes.
func TestLoadLeftOutOfScope(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	store := &agent.MemoryStore{}
	surface := &agent.MemorySurface{}
	a := applied(t, agent.Config{Store: store, Surface: surface}, uri, vpnDoc("A1"))
	st := a.Snapshot()
	other, mine := "./User/Vendor/MSFT/Other/X", "./Device/Vendor/MSFT/Policy/Config/Y"
	// a DSC node as DSCURI writes it: its namespace's '/' escaped
	dsc := agent.DSCURI(&declaredconfig.DSC{Namespace: "root/cimv2", ClassName: "MSFT_Reg",
		Keys: []declaredconfig.Param{{Name: "Key", Value: "HKLM"}}}, "Data")
	// a node of the DeclaredConfiguration CSP: no document sets one
	dc := "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/X/Document"
	st.Documents[0].Leftover = []string{other, mine, "./Device/", dc, dsc}
	// Intents of a node dropped, and of one not in Leftover, go too;
	// mine's, the value it holds, stays.
	one := sha256.Sum256([]byte("1"))
	st.Documents[0].Intents = map[string]string{other: "00", mine: hex.EncodeToString(one[:]), vpnNodes[0]: "00"}
	if err := store.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{other, mine, dc, dsc} {
		if err := surface.Set(ctx, n, "1"); err != nil {
			t.Fatal(err)
		}
	}
	var events []agent.Event
	a, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock(),
		OnEvent: func(e agent.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, []string{mine, dsc}) {
		t.Errorf("Leftover after load %v, want [%s %s]", l, mine, dsc)
	}
	if in := a.Snapshot().Documents[0].Intents; len(in) != 1 || in[mine] == "" {
		t.Errorf("Intents after load %v, want %s's only", in, mine)
	}
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, []string{dc, other}) {
		t.Errorf("after Unenroll the Surface holds %v, want only %s and %s", got, dc, other)
	}
	told := false
	for _, e := range events {
		told = told || e.Kind == agent.EventError && e.Err != nil && strings.Contains(e.Err.Error(), "3 stored nodes")
	}
	if !told {
		t.Errorf("no EventError tells the 3 nodes dropped: %v", events)
	}
}

// TestApplyKeepsNodeOtherNames: the apply of a new version does not
// delete a node of the earlier version that another document names (it
// stays in the record's Leftover for Unenroll), and deletes the others.
func TestApplyKeepsNodeOtherNames(t *testing.T) {
	ctx := context.Background()
	const otherID = "5D2E3A1B-0C4F-4E6A-9B7D-1A2B3C4D5E6F"
	uri, otherURI := docURI(declaredconfig.Device, vpnID), docURI(declaredconfig.Device, otherID)
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	other := vpnDoc("O1")
	other.ID = otherID
	other.CSPs[0].Settings = other.CSPs[0].Settings[:1] // Contoso/AlwaysOn, the same value
	if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	if c, _ := serve(t, a, "Add", otherURI, text(t, other)); c != 200 {
		t.Fatalf("Add other: %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	serve(t, a, "Replace", uri, text(t, policyDoc("B1")))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	shared := "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
	want := []string{"./Device/Vendor/MSFT/Policy/Config/Contoso/AlwaysOn", shared}
	if got := mapKeys(surface.Nodes("./")); !slices.Equal(got, want) {
		t.Errorf("after the new version's apply the Surface holds %v, want %v", got, want)
	}
	if l := a.Snapshot().Documents[0].Leftover; !slices.Equal(l, []string{shared}) {
		t.Errorf("Leftover %v, want [%s]", l, shared)
	}
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("after Unenroll: %v", n)
	}
}
