package agent_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// propSeed is the fixed seed of the property tests, logged.
const propSeed = 20261203

// TestPropertyHistories runs random histories of server commands (Add,
// Replace, Delete, Abandoned, BulkVariables, ConflictResolution), worker
// passes, refreshes, drift injected in the Surface and restarts from the
// store, and checks after each step: codes are ones the agent documents,
// every summary state is a defined one, a restart gives the same summary;
// and at the end, once applied and refreshed: a document at 60 has every
// one of its settings on the Surface, one at 61 has a failing setting in
// its result, and a second refresh changes nothing and asks for nothing.
func TestPropertyHistories(t *testing.T) {
	t.Logf("gopter seed %d", propSeed)
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = 1000
	props := gopter.NewProperties(p)
	props.Property("histories", prop.ForAll(func(ops []int) bool {
		return history(t, ops)
	}, gen.SliceOfN(30, gen.IntRange(0, 1<<20))))
	props.TestingRun(t)
}

var propIDs = []string{vpnID, invID, "0B0C5E8A-2F1D-4C3B-9A7E-6D5F4E3C2B1A"}

func propDoc(id string, op int) *declaredconfig.Document {
	vals := []string{"true", "false"}
	return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "V" + strconv.Itoa(op%97),
		Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Shared/AlwaysOn", Type: "bool", Value: vals[op%2]},
			{Path: id[:8] + "/Own", Type: "chr", Value: "v" + strconv.Itoa(op%5)},
		}}}}
}

func history(t *testing.T, ops []int) bool {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := &agent.MemorySurface{}
	clock := newClock()
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: clock})
	if err != nil {
		t.Log(err)
		return false
	}
	allowed := map[syncml.StatusCode]bool{200: true, 400: true, 404: true, 405: true, 418: true, 420: true}
	check := func(what string, c syncml.StatusCode) bool {
		if !allowed[c] {
			t.Logf("%s: code %d", what, c)
			return false
		}
		return true
	}
	for _, op := range ops {
		id := propIDs[(op/16)%len(propIDs)]
		docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id).String()
		bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
		switch op % 16 {
		case 0, 1, 2:
			verb := map[int]string{0: "Add", 1: "Replace", 2: "Replace"}[op%16]
			c, _ := serve(t, a, verb, docURI, text(t, propDoc(id, op/64)))
			if !check(verb, c) {
				return false
			}
		case 3:
			c, _ := serve(t, a, "Delete", docURI, "")
			if !check("Delete", c) {
				return false
			}
		case 4:
			c, _ := serve(t, a, "Replace", declaredconfig.AbandonedURI(declaredconfig.Device, id).String(), strconv.Itoa((op/64)%2))
			if !check("Abandoned", c) {
				return false
			}
		case 5, 6:
			if err := a.ApplyPending(ctx); err != nil {
				t.Log(err)
				return false
			}
		case 7:
			clock.Advance(a.RefreshInterval())
			if err := a.Refresh(ctx); err != nil {
				t.Log(err)
				return false
			}
		case 8:
			_ = surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Shared/AlwaysOn", "drifted")
		case 9:
			_ = surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/"+id[:8]+"/Own", "drifted")
		case 10:
			before := text(t, a.Summary())
			if a, err = agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: clock}); err != nil {
				t.Log(err)
				return false
			}
			if after := text(t, a.Summary()); after != before {
				t.Logf("restart: %s\nwas %s", after, before)
				return false
			}
		case 11:
			c, _ := serve(t, a, "Replace", declaredconfig.ConflictResolutionURI, strconv.Itoa((op/64)%2))
			if !check("ConflictResolution", c) {
				return false
			}
		case 12:
			c, _ := serve(t, a, "Replace", bulkURI, text(t, bulkDoc()))
			if !check("template", c) {
				return false
			}
		case 13:
			c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(),
				text(t, blob([2]string{"T" + strconv.Itoa(op%3), "p"})))
			if !check("BulkVariables", c) {
				return false
			}
		case 14:
			_ = surface.Set(ctx, "./Device/Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/T"+strconv.Itoa(op%3)+"/PFXCertPassword", "drifted")
		case 15:
			c, _ := serve(t, a, "Delete", bulkURI, "")
			if !check("Delete template", c) {
				return false
			}
		}
		for _, e := range a.Summary().Documents {
			if st, err := declaredconfig.ParseState(e.State); err != nil || !st.Known() {
				t.Logf("summary state %q", e.State)
				return false
			}
		}
	}
	// Settle: apply, refresh twice.
	if err := a.ApplyPending(ctx); err != nil {
		t.Log(err)
		return false
	}
	if err := a.Refresh(ctx); err != nil {
		t.Log(err)
		return false
	}
	asked := 0
	b, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: clock,
		RequestSession: func(string) { asked++ }})
	if err != nil {
		t.Log(err)
		return false
	}
	before := text(t, b.Summary())
	if err := b.Refresh(ctx); err != nil {
		t.Log(err)
		return false
	}
	if after := text(t, b.Summary()); after != before || asked != 0 {
		t.Logf("a second refresh changed\n%s\nto\n%s (%d sessions asked)", before, after, asked)
		return false
	}
	snap := b.Snapshot()
	for _, e := range b.Summary().Documents {
		var rec *agent.DocumentRecord
		for i := range snap.Documents {
			if u, _ := declaredconfig.ParseURI(snap.Documents[i].URI); declaredconfig.EqualDocID(u.DocID, e.ID) {
				rec = &snap.Documents[i]
			}
		}
		if rec == nil || rec.Abandoned {
			continue
		}
		switch e.State {
		case "60":
			var d declaredconfig.Document
			if err := d.UnmarshalText([]byte(rec.Document)); err != nil {
				t.Log(err)
				return false
			}
			for _, s := range rec.Settings {
				if v, ok, _ := surface.Get(ctx, s.URI); !ok || (s.Value != "" && v != s.Value) {
					t.Logf("document %s at 60, but %s is %q (%v), declared %q", e.ID, s.URI, v, ok, s.Value)
					return false
				}
			}
		case "61":
			var r declaredconfig.Result
			if err := r.UnmarshalText([]byte(rec.Result)); err != nil {
				t.Log(err)
				return false
			}
			failed := false
			for _, s := range r.Settings() {
				failed = failed || s.Failed()
			}
			if !failed {
				t.Logf("document %s at 61 without a failing setting: %s", e.ID, rec.Result)
				return false
			}
		}
	}
	return true
}
