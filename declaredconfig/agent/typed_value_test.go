package agent_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// normSurface returns a crashSurface (not crashing unless told) that
// keeps a value as a Windows node of format int or bool does: an int in
// decimal, a bool as true or false (any value that reads as one,
// whatever the node's format).
func normSurface(store agent.Store) *crashSurface {
	return &crashSurface{store: store, form: func(value string) string {
		if n, err := declaredconfig.ParseInt(value); err == nil {
			return strconv.Itoa(int(n))
		}
		if strings.EqualFold(value, "true") || strings.EqualFold(value, "false") {
			return strings.ToLower(value)
		}
		return value
	}}
}

// typedDoc sets an int written "030" and a bool written "True".
func typedDoc() *declaredconfig.Document {
	d := policyDoc("T1")
	d.CSPs[0].Settings = []declaredconfig.Setting{
		{Path: "Contoso/Timeout", Type: "int", Value: "030"},
		{Path: "Contoso/AlwaysOn", Type: "Bool", Value: "True"},
	}
	return d
}

// TestTypedValueNoDrift: a setting of type int written "030" and one of
// type bool written "True", on a Surface that reads them back as Windows
// does ("30", "true"): the apply sets each once, in that form, and a
// refresh finds no drift (no EventDrifted or EventRepaired, no Set). Before, the agent set the
// value as written and took the canonical form read back for drift: each
// refresh set both nodes again and told an EventRepaired.
func TestTypedValueNoDrift(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	surface := normSurface(nil)
	a := applied(t, agent.Config{Surface: surface, OnEvent: rec.event}, docURI(declaredconfig.Device, vpnID), typedDoc())
	if e := entry(a, vpnID); e.State != "60" {
		t.Fatalf("apply: state %s, want 60", e.State)
	}
	want := map[string]string{
		"./Device/Vendor/MSFT/Policy/Config/Contoso/Timeout":  "30",
		"./Device/Vendor/MSFT/Policy/Config/Contoso/AlwaysOn": "true",
	}
	if got := surface.Nodes("./"); len(got) != len(want) || got[policyNode] != "true" ||
		got["./Device/Vendor/MSFT/Policy/Config/Contoso/Timeout"] != "30" {
		t.Fatalf("the Surface holds %v, want %v", got, want)
	}
	rec.take()
	for i := range 2 {
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		kinds, _ := rec.take()
		if k := strings.Join(kinds, " "); strings.Contains(k, "Drifted") || strings.Contains(k, "Repaired") {
			t.Errorf("refresh %d told %v, want no drift", i+1, kinds)
		}
	}
	surface.mu.Lock()
	sets := surface.n
	surface.mu.Unlock()
	if sets != 2 {
		t.Errorf("%d Sets, want 2 (one per node, at the apply)", sets)
	}
	if e := entry(a, vpnID); e.State != "60" {
		t.Errorf("after the refreshes: state %s, want 60", e.State)
	}
}

// TestTypedValueCrashUnenroll: the process dies right after the first
// Set of a document's first apply (the int written "030"), which the
// store holds only in Intents; started again, Unenroll deletes the node,
// which reads back "30". Before, the Intents held the hash of "030", so
// the node read back was taken for not the agent's and stayed.
func TestTypedValueCrashUnenroll(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := normSurface(store)
	surface.crash, surface.made = 1, true
	a := newAgent(t, agent.Config{Store: store, Surface: surface})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, typedDoc())); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	_ = a.ApplyPending(ctx) // the process dies in it
	if got := surface.Nodes("./"); len(got) != 1 {
		t.Fatalf("at the crash the Surface holds %v, want one node", got)
	}
	b := surface.restart(t)
	if err := b.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := surface.Nodes("./"); len(got) != 0 {
		t.Errorf("after Unenroll the Surface holds %v", got)
	}
}

// TestTypedValueOldRecord: a record as an earlier build stored it, with
// the int's value as written ("030") and its hash, on a Surface that
// holds "30": a refresh finds no drift and sets nothing. Before, the
// exact hash told drift and set the node again at every refresh.
func TestTypedValueOldRecord(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := normSurface(store)
	applied(t, agent.Config{Store: store, Surface: surface}, docURI(declaredconfig.Device, vpnID), typedDoc())
	snap, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := 0
	for i := range snap.Documents[0].Settings {
		s := &snap.Documents[0].Settings[i]
		if s.Type == "int" {
			sum := sha256.Sum256([]byte("030"))
			s.Value, s.Hash, old = "030", hex.EncodeToString(sum[:]), old+1
		}
	}
	if old != 1 {
		t.Fatalf("%d settings of type int, want 1", old)
	}
	if err := store.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	a := newAgent(t, agent.Config{Store: store, Surface: surface, OnEvent: rec.event})
	surface.mu.Lock()
	surface.n = 0
	surface.mu.Unlock()
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	kinds, _ := rec.take()
	if k := strings.Join(kinds, " "); strings.Contains(k, "Drifted") || strings.Contains(k, "Repaired") {
		t.Errorf("the refresh told %v, want no drift", kinds)
	}
	surface.mu.Lock()
	defer surface.mu.Unlock()
	if surface.n != 0 {
		t.Errorf("the refresh made %d Sets, want none", surface.n)
	}
}
