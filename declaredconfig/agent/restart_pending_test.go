package agent_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestRestartPendingOtherCSP: a new version of an applied document that
// names another CSP waits for its apply holding the settings the last
// version made (Unenroll removes them). An agent started again before
// that apply loads the state it saved itself: not ErrCorrupt (FuzzAgent
// found it). Its Unenroll removes the nodes the last version set; after
// the apply, the new version is applied. The record holds the version
// applied (Applied) until then, and a stored setting that version does
// not make is corrupt, pending or not.
func TestRestartPendingOtherCSP(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	next := vpnDoc("A2")
	next.CSPs[0].Name = "./Vendor/MSFT/Policy/Config"
	next.CSPs[0].Settings = next.CSPs[0].Settings[:1]
	// pending returns a store holding vpnDoc A1 applied and next
	// pending, both of context in the scope of that name, and the
	// Surface it was applied to.
	pending := func(t *testing.T, context string) (*agent.MemoryStore, *agent.MemorySurface) {
		uri, first, next := uri, vpnDoc("A1"), *next
		if context == "User" {
			uri = docURI(declaredconfig.User, vpnID)
		}
		first.Context, next.Context = context, context
		store, surface := &agent.MemoryStore{}, &agent.MemorySurface{}
		a := applied(t, agent.Config{Store: store, Surface: surface}, uri, first)
		if c, _ := serve(t, a, "Replace", uri, text(t, &next)); c != 200 {
			t.Fatalf("Replace: %d", c)
		}
		return store, surface
	}
	t.Run("unenroll", func(t *testing.T) {
		store, surface := pending(t, "Device")
		unenrollRestarted(t, store, surface)
	})
	t.Run("apply", func(t *testing.T) {
		store, surface := pending(t, "Device")
		b, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()})
		if err != nil {
			t.Fatalf("New with the new version pending: %v", err)
		}
		if err := b.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		want := declaredconfig.SettingURI("Device", next.CSPs[0].Name, next.CSPs[0].Settings[0].Path)
		if v, ok, _ := surface.Get(ctx, want); !ok || v != "true" {
			t.Errorf("%s holds %q (%v) after the apply", want, v, ok)
		}
		if s := b.Summary().Documents; len(s) != 1 || s[0].Checksum != "A2" || s[0].State != "60" {
			t.Errorf("summary %+v, want A2 in 60", s)
		}
	})
	const foreign = "./Device/Vendor/MSFT/DMClient/Provider/X/Secret"
	const dscNode = "./Device/DSC/root%2Fcimv2/MSFT_Reg/Key=HKLM/Data"
	t.Run("the version applied is kept", func(t *testing.T) {
		store, surface := pending(t, "Device")
		s, err := store.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := s.Documents[0]; r.Applied != text(t, vpnDoc("A1")) {
			t.Fatalf("Applied %q, want A1's text", r.Applied)
		}
		b, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if r := b.Snapshot().Documents[0]; r.Applied != "" {
			t.Errorf("Applied %q after the apply, want none", r.Applied)
		}
	})
	t.Run("two Replaces", func(t *testing.T) {
		store, surface := pending(t, "Device")
		a := newAgent(t, agent.Config{Store: store, Surface: surface})
		third := *next
		third.Checksum = "A3"
		if c, _ := serve(t, a, "Replace", uri, text(t, &third)); c != 200 {
			t.Fatalf("Replace: %d", c)
		}
		if r := a.Snapshot().Documents[0]; r.Applied != text(t, vpnDoc("A1")) {
			t.Fatalf("Applied %q, want A1's text", r.Applied)
		}
		unenrollRestarted(t, store, surface)
	})
	// tamper returns a store as pending made, changed by f.
	tamper := func(t *testing.T, context string, f func(r *agent.DocumentRecord)) (*agent.MemoryStore, *agent.MemorySurface) {
		store, surface := pending(t, context)
		s, err := store.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f(&s.Documents[0])
		if err := store.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		return store, surface
	}
	// A node a document of the context could make, that the version
	// applied does not: before, New took it and Unenroll deleted it.
	t.Run("not its own: another CSP of the context", func(t *testing.T) {
		store, surface := tamper(t, "Device", func(r *agent.DocumentRecord) {
			s := &r.Settings[0]
			s.CSP, s.Path, s.URI = "./Vendor/MSFT/DMClient", "Provider/X/Secret", foreign
		})
		if err := surface.Set(ctx, foreign, "s3cret"); err != nil {
			t.Fatal(err)
		}
		b, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()})
		if err == nil {
			err = b.Unenroll(ctx)
			if _, ok, _ := surface.Get(ctx, foreign); !ok {
				t.Errorf("Unenroll deleted %s", foreign)
			}
		}
		if !errors.Is(err, agent.ErrCorrupt) {
			t.Errorf("New: %v, want ErrCorrupt", err)
		}
	})
	// A build before DocumentRecord.Applied saved the record without it:
	// the settings that are A1's (and a node no version makes, had it been
	// tampered with) are dropped, with an EventError, not trusted and not
	// refused: New loads the state, the apply goes on, and Unenroll
	// leaves the dropped nodes alone.
	t.Run("saved without Applied", func(t *testing.T) {
		store, surface := tamper(t, "Device", func(r *agent.DocumentRecord) {
			r.Applied = ""
			r.Settings = append(r.Settings, agent.SettingRecord{CSP: "./Vendor/MSFT/DMClient", Path: "Provider/X/Secret", URI: foreign, Status: 200})
		})
		if err := surface.Set(ctx, foreign, "s3cret"); err != nil {
			t.Fatal(err)
		}
		startDropping(t, store, surface, foreign, 0, "3 stored settings dropped")
	})
	for name, f := range map[string]func(r *agent.DocumentRecord){
		"Applied of another document": func(r *agent.DocumentRecord) {
			d := vpnDoc("A1")
			d.ID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
			r.Applied = text(t, d)
		},
		"Applied that does not read": func(r *agent.DocumentRecord) { r.Applied = "<Policy" },
		// A1 applied, its settings its own, and a version before it
		// making the same nodes
		"Applied on an applied version": func(r *agent.DocumentRecord) {
			r.Document, r.Applied = r.Applied, text(t, vpnDoc("A0"))
			r.Pending, r.State = false, declaredconfig.StateConfigCompletedSuccess
		},
	} {
		t.Run("not its own: "+name, func(t *testing.T) {
			store, surface := tamper(t, "Device", f)
			if _, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()}); !errors.Is(err, agent.ErrCorrupt) {
				t.Errorf("New: %v, want ErrCorrupt", err)
			}
		})
	}
	for name, set := range map[string]struct {
		agent.SettingRecord
		context string
	}{
		"DeclaredConfiguration": {agent.SettingRecord{CSP: "./Vendor/MSFT/DeclaredConfiguration", Path: "Host/Complete/Documents/X/Document",
			URI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/X/Document"}, "Device"},
		"other scope":         {agent.SettingRecord{CSP: "./User/Vendor/MSFT/VPNv2", Path: "Contoso/AlwaysOn", URI: "./User/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"}, "Device"},
		"another node":        {agent.SettingRecord{CSP: "./Vendor/MSFT/VPNv2", Path: "Contoso/AlwaysOn", URI: foreign}, "Device"},
		"DSC, another node":   {agent.SettingRecord{DSC: 1, Path: "Data", URI: foreign}, "Device"},
		"DSC, three segments": {agent.SettingRecord{DSC: 1, Path: "Data", URI: "./Device/DSC/root%2Fcimv2/MSFT_Reg/Data"}, "Device"},
		"DSC, with a CSP":     {agent.SettingRecord{DSC: 1, CSP: "./Vendor/MSFT/VPNv2", Path: "Data", URI: dscNode}, "Device"},
		// DSCURI escapes '?': a Surface would read this one as a query
		"DSC, not escaped": {agent.SettingRecord{DSC: 1, Path: "Data", URI: dscNode + "?list=Struct"}, "Device"},
		// a well-formed DSC node, of a DSC element the version applied
		// (VPN, CSPs only) does not have
		"DSC node": {agent.SettingRecord{DSC: 1, Path: "Data", URI: dscNode}, "Device"},
		// only a Device document may hold DSC elements
		"DSC, User document": {agent.SettingRecord{DSC: 1, Path: "Data", URI: dscNode}, "User"},
	} {
		t.Run("not its own: "+name, func(t *testing.T) {
			store, surface := pending(t, set.context)
			s, err := store.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := &s.Documents[0].Settings[0]
			r.DSC, r.CSP, r.Path, r.URI = set.DSC, set.CSP, set.Path, set.URI
			if err := store.Save(ctx, s); err != nil {
				t.Fatal(err)
			}
			if _, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()}); !errors.Is(err, agent.ErrCorrupt) {
				t.Errorf("New: %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestRestartPlanFailedOtherDSC: a new version pending at a restart whose
// plan then fails (Config.MaxSettings lowered meanwhile) is ConfigInfraError
// (62), holding the settings of the last version applied, here of a DSC
// element it no longer has. Refresh leaves it alone (it read a DSC element
// the version does not have: it panicked), and an agent started again
// loads it.
func TestRestartPlanFailedOtherDSC(t *testing.T) {
	ctx := context.Background()
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	uri := docURI(declaredconfig.Device, id)
	dsc := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "D1",
		Scenario: declaredconfig.ScenarioMIProviderConfig,
		DSCs: []declaredconfig.DSC{{Namespace: "root/cimv2", ClassName: "MSFT_Reg",
			Keys:   []declaredconfig.Param{{Name: "Key", Value: "HKLM"}},
			Values: []declaredconfig.Param{{Name: "Data", Value: "1"}}}}}
	next := *dsc
	next.Checksum = "D2"
	next.DSCs = nil
	next.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy/Config", Settings: []declaredconfig.Setting{
		{Path: "A/B", Type: "int", Value: "1"}, {Path: "A/C", Type: "int", Value: "2"}}}}
	store, surface := &agent.MemoryStore{}, &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Store: store, Surface: surface})
	if c, _ := serve(t, a, "Add", uri, text(t, dsc)); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := serve(t, a, "Replace", uri, text(t, &next)); c != 200 {
		t.Fatalf("Replace: %d", c)
	}
	cfg := agent.Config{Store: store, Surface: surface, Clock: newClock(), MaxSettings: 1}
	b, err := agent.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if s := b.Summary().Documents; len(s) != 1 || s[0].State != "62" {
		t.Fatalf("summary %+v, want the document in 62", s)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := agent.New(ctx, cfg)
	if err != nil {
		t.Fatalf("New with a version in 62: %v", err)
	}
	if err := c.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("nodes left after Unenroll: %v", n)
	}
}

// TestRestartAfterUndoneReplace: a Replace to another CSP in an Atomic
// that is rolled back, before and after the worker applied it, leaves a
// state an agent started again loads (its settings held to the version
// its record holds); the new version's nodes, kept in the record, go
// when the old version is applied again, and the Unenroll leaves none.
func TestRestartAfterUndoneReplace(t *testing.T) {
	ctx := context.Background()
	uri := docURI(declaredconfig.Device, vpnID)
	next := vpnDoc("A2")
	next.CSPs[0].Name = "./Vendor/MSFT/Policy/Config"
	next.CSPs[0].Settings = next.CSPs[0].Settings[:1]
	for _, applied := range []bool{false, true} {
		t.Run(fmt.Sprint("applied ", applied), func(t *testing.T) {
			store, surface := &agent.MemoryStore{}, &agent.MemorySurface{}
			a := newAgent(t, agent.Config{Store: store, Surface: surface})
			if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
				t.Fatalf("Add: %d", c)
			}
			if err := a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
			u, err := declaredconfig.ParseURI(uri)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := declaredconfig.ReplaceDocument(u, next, syncml.DataText)
			if err != nil {
				t.Fatal(err)
			}
			apply := session.HandlerFunc(func(ctx context.Context, r *session.Request) session.Response {
				if applied {
					if err := a.ApplyPending(ctx); err != nil {
						t.Error(err)
					}
				}
				return session.Response{Code: syncml.StatusCommandFailed}
			})
			fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
			codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": apply},
				&syncml.Atomic{Commands: []syncml.Command{rep, fail}})
			if !slices.Contains(codes, "Atomic 507") {
				t.Fatalf("statuses %v, want Atomic 507", codes)
			}
			if n := surface.Nodes("./Device/Vendor/MSFT/Policy/"); (len(n) > 0) != applied {
				t.Errorf("the new version's nodes: %v", n)
			}
			if r := a.Snapshot().Documents[0]; r.Document != text(t, vpnDoc("A1")) || r.Applied != "" {
				t.Errorf("after the rollback the record holds %.40q, Applied %.40q", r.Document, r.Applied)
			}
			b, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock()})
			if err != nil {
				t.Fatalf("New after the rollback: %v", err)
			}
			// The version put back is applied again: the new version's
			// nodes go; the Unenroll then leaves nothing.
			if err := b.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
			if n := surface.Nodes("./Device/Vendor/MSFT/Policy/"); len(n) > 0 {
				t.Errorf("the new version's nodes after the old one's apply: %v", n)
			}
			if err := b.Unenroll(ctx); err != nil {
				t.Fatal(err)
			}
			if n := surface.Nodes("./"); len(n) > 0 {
				t.Errorf("after Unenroll: %v", n)
			}
		})
	}
}

// startDropping starts an agent over store, whose only record holds
// stored settings it cannot trust, among them one of node (set on
// surface): New must load it, keep kept of the record's settings (none
// of node), tell the drop in an EventError whose error holds want, and
// its Unenroll must leave node alone.
func startDropping(t *testing.T, store agent.Store, surface *agent.MemorySurface, node string, kept int, want string) {
	t.Helper()
	ctx := context.Background()
	var events []agent.Event
	b, err := agent.New(ctx, agent.Config{Store: store, Surface: surface, Clock: newClock(),
		OnEvent: func(e agent.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r := b.Snapshot().Documents[0]
	if len(r.Settings) != kept || slices.ContainsFunc(r.Settings, func(s agent.SettingRecord) bool { return s.URI == node }) {
		t.Errorf("settings kept: %+v, want %d, none of %s", r.Settings, kept, node)
	}
	if err := b.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := surface.Get(ctx, node); !ok {
		t.Errorf("Unenroll deleted %s", node)
	}
	var told bool
	for _, e := range events {
		told = told || e.Kind == agent.EventError && e.Err != nil && strings.Contains(e.Err.Error(), want)
	}
	if !told {
		t.Errorf("events %v: no EventError telling the settings dropped (%q)", events, want)
	}
}
