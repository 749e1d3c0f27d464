package agent_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// Documents an older build accepted and today's arrival checks refuse.
const (
	twiceID = "5B0C3E2A-9D41-4F6B-8A37-1E2D3C4B5A69" // two settings name one node
	userID  = "6C1D4F3B-0E52-4A7C-9B48-2F3E4D5C6B7A" // a User document with a DSC element
	scopeID = "7D2E5A4C-1F63-4B8D-AC59-3A4F5E6D7C8B" // a User document setting a Device node, not applied yet
)

const (
	twiceNode = "./Device/Vendor/MSFT/VPNv2/Contoso2/AlwaysOn"
	userNode  = "./User/Vendor/MSFT/VPNv2/Contoso3/AlwaysOn"
	scopeNode = "./Device/Vendor/MSFT/VPNv2/Contoso4/AlwaysOn"
	goodNode  = "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
)

func docURI(scope declaredconfig.Scope, id string) string {
	return declaredconfig.DocumentURI(scope, declaredconfig.Complete, id).String()
}

// oldStore returns a store and a Surface as a build without today's
// arrival checks left them: vpnDoc applied (60); a document naming
// Contoso2/AlwaysOn twice (true, then false) applied as that build applied
// it (both settings 200, state 60, the node holding the last value); a
// User document with a DSC element applied (60); a User document whose
// CSP name is ./Device/Vendor/MSFT/VPNv2 accepted and not applied yet.
func oldStore(t *testing.T) (*agent.MemoryStore, *setCounter) {
	t.Helper()
	ctx := context.Background()
	store, surface := &agent.MemoryStore{}, &setCounter{}
	old := newAgent(t, agent.Config{Surface: surface, Store: store})
	if c, _ := serve(t, old, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	twice := vpnDoc("T1")
	twice.ID = twiceID
	twice.CSPs = []declaredconfig.CSP{
		{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso2/AlwaysOn", Type: "bool", Value: "true"}}},
		{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso2/AlwaysOn", Type: "bool", Value: "false"}}},
	}
	user := vpnDoc("U1")
	user.ID, user.Context = userID, "User"
	user.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso3/AlwaysOn", Type: "bool", Value: "true"}}}}
	user.DSCs = []declaredconfig.DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
		Keys: []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso`}}, Values: []declaredconfig.Param{{Name: "ValueData", Value: "1"}}}}
	for _, p := range []struct {
		uri string
		d   *declaredconfig.Document
	}{{docURI(declaredconfig.Device, twiceID), twice}, {docURI(declaredconfig.User, userID), user}} {
		if c, _ := serve(t, old, "Add", p.uri, text(t, p.d)); c != 400 {
			t.Fatalf("Add %s: %d, want 400 (the checks this test is about)", p.d.ID, c)
		}
		if err := old.PutUnchecked(ctx, p.uri, p.d); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	scope := vpnDoc("S1")
	scope.ID, scope.Context = scopeID, "User"
	scope.CSPs = []declaredconfig.CSP{{Name: "./Device/Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso4/AlwaysOn", Type: "bool", Value: "true"}}}}
	if err := old.PutUnchecked(ctx, docURI(declaredconfig.User, scopeID), scope); err != nil {
		t.Fatal(err)
	}
	// Today's apply fails the second setting of twice (400, state 61);
	// the build before the node-twice check made both: 200, 60, the node
	// holding false.
	s, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Documents {
		r := &s.Documents[i]
		if r.URI != docURI(declaredconfig.Device, twiceID) {
			continue
		}
		r.State = declaredconfig.StateConfigCompletedSuccess
		for k := range r.Settings {
			r.Settings[k].Invalid, r.Settings[k].Status = false, 200
		}
	}
	if err := store.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := surface.MemorySurface.Set(ctx, twiceNode, "false"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{goodNode, twiceNode, userNode} {
		if _, ok, _ := surface.Get(ctx, n); !ok {
			t.Fatalf("the old build did not set %s", n)
		}
	}
	return store, surface
}

// eventLog collects the events an agent tells.
type eventLog struct {
	mu     sync.Mutex
	events []agent.Event
}

func (l *eventLog) add(e agent.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) errorsFor() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var uris []string
	for _, e := range l.events {
		if e.Kind == agent.EventError && errors.Is(e.Err, declaredconfig.ErrInvalid) {
			uris = append(uris, e.URI)
		}
	}
	slices.Sort(uris)
	return uris
}

func states(a *agent.Agent) map[string]string {
	m := map[string]string{}
	for _, e := range a.Summary().Documents {
		m[e.ID] = e.State
	}
	return m
}

// TestUpgradeKeepsRefusedDocuments starts an agent on the state an older
// build saved, holding documents today's arrival checks refuse (a node
// named twice, a DSC element in a User document, a setting out of its
// document's scope). New must not refuse the store (ErrCorrupt: the
// device's declared configuration would never start again): such a
// document is kept in ConfigInfraError (62), told as an EventError, and no
// longer applied or refreshed; its settings stay recorded, so Unenroll
// removes them; a new version from the server replaces it; the others
// work as before.
func TestUpgradeKeepsRefusedDocuments(t *testing.T) {
	ctx := context.Background()
	store, surface := oldStore(t)
	var log eventLog
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock(), OnEvent: log.add})
	if err != nil {
		t.Fatalf("New on the older build's store: %v", err)
	}
	want := map[string]string{vpnID: "60", twiceID: "62", userID: "62", scopeID: "62"}
	if got := states(a); !maps.Equal(got, want) {
		t.Errorf("states after New %v, want %v", got, want)
	}
	sets := surface.count()
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.count() - sets; n != 0 {
		t.Errorf("ApplyPending made %d Sets, want 0 (the refused document pending in the store is not applied)", n)
	}
	wantErr := []string{docURI(declaredconfig.Device, twiceID), docURI(declaredconfig.User, scopeID), docURI(declaredconfig.User, userID)}
	slices.Sort(wantErr)
	if got := log.errorsFor(); !slices.Equal(got, wantErr) {
		t.Errorf("EventError (ErrInvalid) for %v, want one for each refused document %v", got, wantErr)
	}

	// Refresh: the refused documents are not checked (the node named
	// twice is not set back and forth); vpnDoc's drift is repaired.
	if err := surface.MemorySurface.Set(ctx, goodNode, "false"); err != nil {
		t.Fatal(err)
	}
	if n := surface.setsInRefreshes(t, a, 3); n != 1 {
		t.Errorf("3 refreshes made %d Sets, want 1 (vpnDoc's drift)", n)
	}
	if v, _, _ := surface.Get(ctx, twiceNode); v != "false" {
		t.Errorf("%s holds %q after the refreshes, want false, as the older build left it", twiceNode, v)
	}
	if got := states(a); !maps.Equal(got, want) {
		t.Errorf("states after 3 refreshes %v, want %v", got, want)
	}

	// Abandoned 1 then 0 asks for an apply: still not applied.
	abandoned := declaredconfig.AbandonedURI(declaredconfig.Device, twiceID).String()
	for _, v := range []string{"1", "0"} {
		if c, _ := serve(t, a, "Replace", abandoned, v); c != 200 {
			t.Fatalf("Abandoned %s: %d", v, c)
		}
	}
	sets = surface.count()
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if n := surface.count() - sets; n != 0 || states(a)[twiceID] != "62" {
		t.Errorf("after Abandoned 1, 0: %d Sets, state %s; want 0, 62", n, states(a)[twiceID])
	}

	// A restart loads the saved state again.
	b, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock()})
	if err != nil {
		t.Fatalf("New after a save: %v", err)
	}
	if got := states(b); !maps.Equal(got, want) {
		t.Errorf("states after a restart %v, want %v", got, want)
	}

	// A version that passes replaces a refused document.
	scope := vpnDoc("S2")
	scope.ID, scope.Context = scopeID, "User"
	scope.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso4/AlwaysOn", Type: "bool", Value: "true"}}}}
	if c, _ := serve(t, a, "Replace", docURI(declaredconfig.User, scopeID), text(t, scope)); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if s := states(a)[scopeID]; s != "60" {
		t.Errorf("the new version: state %s, want 60", s)
	}
	if v, ok, _ := surface.Get(ctx, "./User/Vendor/MSFT/VPNv2/Contoso4/AlwaysOn"); !ok || v != "true" {
		t.Errorf("the new version's node holds %q, %v", v, ok)
	}
	if _, ok, _ := surface.Get(ctx, scopeNode); ok {
		t.Errorf("%s was set: the refused version was applied", scopeNode)
	}

	// Delete from the server: gone from the summary, as any document.
	if c, _ := serve(t, a, "Delete", docURI(declaredconfig.User, userID), ""); c != 200 {
		t.Fatalf("Delete %d", c)
	}
	if _, ok := states(a)[userID]; ok {
		t.Error("the deleted document is still in the summary")
	}

	// Unenroll removes what the documents set, the refused one's too.
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{goodNode, twiceNode, "./User/Vendor/MSFT/VPNv2/Contoso4/AlwaysOn"} {
		if v, ok, _ := surface.Get(ctx, n); ok {
			t.Errorf("after Unenroll %s holds %q", n, v)
		}
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after Unenroll %d documents", n)
	}
}

// TestUpgradeUndecodable: a stored document that does not read at all, or
// whose id, context or checksum do not name its record's document (what
// the summary says of it: no build holds such a document), is damage, not
// an older build's: New still refuses the store.
func TestUpgradeUndecodable(t *testing.T) {
	ctx := context.Background()
	other, user, nosum := vpnDoc("A1"), vpnDoc("A1"), vpnDoc("")
	other.ID, user.Context = twiceID, "User"
	for name, doc := range map[string]string{
		"torn":        text(t, vpnDoc("A1"))[:40],
		"another id":  text(t, other),
		"User":        text(t, user),
		"no checksum": text(t, nosum),
	} {
		st := &agent.MemoryStore{}
		s := &agent.Snapshot{Seq: 1, Documents: []agent.DocumentRecord{{URI: docURI(declaredconfig.Device, vpnID),
			Document: doc, State: 60, Seq: 1}}}
		if err := st.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: st}); !errors.Is(err, agent.ErrCorrupt) {
			t.Errorf("%s: New gives %v, want ErrCorrupt", name, err)
		}
	}
}

// TestUpgradeRollback: a Replace of a stored document the checks refuse,
// by a version that passes with the same checksum, in an Atomic that is
// rolled back, puts the refused version back as it was: in 62, not
// refreshed.
func TestUpgradeRollback(t *testing.T) {
	ctx := context.Background()
	store, surface := oldStore(t)
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store, Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	fixed := vpnDoc("T1")
	fixed.ID = twiceID
	fixed.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso2/AlwaysOn", Type: "bool", Value: "true"}}}}
	replace, err := declaredconfig.ReplaceDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, twiceID), fixed, syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	bad := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}, Data: syncml.Text("5")}}}
	codes := exchange(t, a, &syncml.Atomic{Commands: []syncml.Command{replace, bad}})
	if !slices.Equal(codes, []string{"SyncHdr 200", "Atomic 507", "Replace 216", "Replace 400"}) {
		t.Fatalf("statuses %v", codes)
	}
	if s := states(a)[twiceID]; s != "62" {
		t.Errorf("after the rollback: state %s, want 62", s)
	}
	n := surface.setsInRefreshes(t, a, 3)
	if v, _, _ := surface.Get(ctx, twiceNode); n != 0 || v != "false" {
		t.Errorf("3 refreshes after the rollback made %d Sets, %s holds %q; want 0 and false", n, twiceNode, v)
	}
	if s := states(a)[twiceID]; s != "62" {
		t.Errorf("after the refreshes: state %s, want 62", s)
	}
}
