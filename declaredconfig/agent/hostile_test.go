package agent_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// The tests of this file each come from an attempt to break the agent as a
// hostile server or a careless user would.

// TestRefreshMissingVariable checks that a bulk template setting whose
// variable the instance data lacks is never set by a refresh: the apply
// reports it 404 and the refresh must not write the placeholder itself to
// the Surface, nor call the document recovered.
func TestRefreshMissingVariable(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a := bulkAgent(t, surface, &declaredconfig.InstanceBlob{Schema: "1.0", Instances: []declaredconfig.Instance{{Data: []declaredconfig.InstanceData{
		{Variable: "pfxThumbprint", Value: "AB12"}}}}}) // no pfxPassword
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, bulkID); e.State != "61" {
		t.Fatalf("applied with a missing variable: state %s, want 61", e.State)
	}
	before := entry(a, bulkID).ResultChecksum
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for k, v := range surface.Nodes("./") {
		if strings.Contains(k, "@#") || strings.Contains(v, "@#") {
			t.Errorf("the refresh wrote a placeholder: %s = %q", k, v)
		}
	}
	if e := entry(a, bulkID); e.State != "61" || e.ResultChecksum != before {
		t.Errorf("after the refresh: %+v, want state 61 and result_checksum %s", e, before)
	}
}

// TestRefreshIntervalRange checks RefreshInterval values whose minutes a
// time.Duration cannot hold: a Replace is refused, and one found in saved
// state is refused as corrupt (it made the worker refresh without pause).
func TestRefreshIntervalRange(t *testing.T) {
	a := newAgent(t, agent.Config{})
	for _, v := range []string{"4294967295", strconv.FormatInt(math.MaxInt64/int64(time.Minute)+1, 10)} {
		if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, v); c != syncml.StatusBadRequest {
			t.Errorf("Replace RefreshInterval %s: %d, want 400", v, c)
		}
	}
	if d := a.RefreshInterval(); d != declaredconfig.DefaultRefreshInterval*time.Minute {
		t.Errorf("RefreshInterval %v", d)
	}
	max := strconv.FormatInt(math.MaxInt64/int64(time.Minute), 10)
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, max); c != 200 {
		t.Errorf("Replace RefreshInterval %s: %d", max, c)
	}
	if d := a.RefreshInterval(); d <= 0 {
		t.Errorf("RefreshInterval %s minutes is %v", max, d)
	}
	store := &agent.MemoryStore{}
	if err := store.Save(context.Background(), &agent.Snapshot{RefreshInterval: math.MaxUint32}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}, Store: store}); !errors.Is(err, agent.ErrCorrupt) {
		t.Errorf("saved RefreshInterval %d minutes: New gives %v, want ErrCorrupt", uint32(math.MaxUint32), err)
	}
}

// TestAtomicFailingItem checks an Atomic whose one command has an item
// that succeeds and one that fails: the session answers the Atomic 507
// (rolled back), so the item that succeeded must leave nothing behind.
func TestAtomicFailingItem(t *testing.T) {
	a := newAgent(t, agent.Config{})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	rep := &syncml.Replace{Items: []syncml.Item{
		{Target: &syncml.Location{LocURI: docURI}, Data: syncml.Text(text(t, vpnDoc("A1")))},
		{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}, Data: syncml.Text("5")},
	}}
	codes := exchange(t, a, &syncml.Atomic{Commands: []syncml.Command{rep}})
	if !slices.Contains(codes, "Atomic 507") {
		t.Fatalf("statuses %v, want Atomic 507", codes)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after a rolled back Atomic the agent holds %d documents", n)
	}
}

// TestFileStoreLimitOnSave checks that a FileStore does not write state it
// would refuse to load: the command that would make the state too large
// fails (500) and changes nothing, and the agent still starts again.
func TestFileStoreLimitOnSave(t *testing.T) {
	ctx := context.Background()
	store := &agent.FileStore{Path: t.TempDir() + "/state", MaxBytes: 2048}
	a := newAgent(t, agent.Config{Store: store})
	d := vpnDoc("A1")
	d.CSPs[0].Settings[0].Type, d.CSPs[0].Settings[0].Value = "chr", strings.Repeat("x", 4096)
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, d)); c != syncml.StatusCommandFailed {
		t.Errorf("Add beyond MaxBytes: %d, want 500", c)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("the refused Add left %d documents", n)
	}
	if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: store}); err != nil {
		t.Errorf("restart: %v", err)
	}
	if err := store.Save(ctx, &agent.Snapshot{RefreshInterval: 30, LastRefresh: strings.Repeat("9", 4096)}); !errors.Is(err, declaredconfig.ErrLimit) {
		t.Errorf("Save beyond MaxBytes: %v, want a limit error", err)
	}
}

// TestRunClockBack checks the worker when the clock goes back (a clock
// set right after a restart with a wrong time): the next refresh is at
// most RefreshInterval away, not the time the clock went back plus it.
func TestRunClockBack(t *testing.T) {
	clock := newClock()
	a := newAgent(t, agent.Config{Clock: clock})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	within(t, clock.waiting, "the worker waits")
	clock.Advance(-365 * 24 * time.Hour)
	// Any change wakes the worker, which works out its wait again.
	if c, _ := serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "30"); c != 200 {
		t.Fatalf("Replace %d", c)
	}
	within(t, clock.waiting, "the worker waits again")
	if w := clock.lastWait(); w > 30*time.Minute {
		t.Errorf("after the clock went back the worker waits %v, want at most 30m", w)
	}
	cancel()
	if err := within(t, done, "Run returns"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

// TestBulkVariableInPath checks instance data whose value for a variable
// used in a setting's path is not one node name: it must not reach nodes
// the template does not name (another CSP through "..", deeper nodes
// through "/").
func TestBulkVariableInPath(t *testing.T) {
	checkBulkPathRefused(t, "../../../Policy/Config/Camera", "AB/CD", "..", ".", "")
}

// TestInventoryStates checks that an inventory moves through the Get
// states of the enum (GetRequest 20, GetInprogress 21, then 80 or 81), not
// the Config ones.
func TestInventoryStates(t *testing.T) {
	ctx := context.Background()
	surface := &blockingSurface{entered: make(chan string), release: make(chan struct{})}
	a := newAgent(t, agent.Config{Surface: &getBlocking{blockingSurface: surface}})
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso/Missing", Type: "chr"}}}}}
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, invID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, inv)); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if e := entry(a, invID); e.State != "20" {
		t.Errorf("accepted inventory: state %s, want 20 (GetRequest)", e.State)
	}
	done := make(chan error, 1)
	go func() { done <- a.ApplyPending(ctx) }()
	within(t, surface.entered, "the Get")
	if e := entry(a, invID); e.State != "21" {
		t.Errorf("inventory being read: state %s, want 21 (GetInprogress)", e.State)
	}
	surface.releaseAll()
	if err := within(t, done, "ApplyPending returns"); err != nil {
		t.Fatal(err)
	}
	close(surface.entered)
	if e := entry(a, invID); e.State != "81" {
		t.Errorf("inventory of missing nodes: state %s, want 81", e.State)
	}
}

// getBlocking holds every Get until released.
type getBlocking struct{ *blockingSurface }

func (g *getBlocking) Get(ctx context.Context, uri string) (string, bool, error) {
	g.entered <- uri
	<-g.release
	return g.MemorySurface.Get(ctx, uri)
}

// TestInventoryInterrupted checks that an inventory the process did not
// finish reading (state 21 saved) is read again after a restart, from
// GetRequest (20).
func TestInventoryInterrupted(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso/AlwaysOn", Type: "chr"}}}}}
	rec := agent.DocumentRecord{URI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, invID).String(),
		Document: text(t, inv), State: declaredconfig.StateGetInprogress, Seq: 1}
	if err := store.Save(ctx, &agent.Snapshot{Seq: 1, Documents: []agent.DocumentRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	surface := &agent.MemorySurface{}
	if err := surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "true"); err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, agent.Config{Surface: surface, Store: store})
	if e := entry(a, invID); e.State != "20" {
		t.Errorf("after the restart: state %s, want 20", e.State)
	}
	if err := a.ApplyPending(ctx); err != nil || entry(a, invID).State != "80" {
		t.Errorf("read after the restart: %v %+v", err, entry(a, invID))
	}
}

// TestUnenrollDuringApply checks an Unenroll that arrives while the
// worker is applying a document: what the apply sets must not stay on the
// Surface after Unenroll returns.
func TestUnenrollDuringApply(t *testing.T) {
	ctx := context.Background()
	surface := &blockingSurface{entered: make(chan string), release: make(chan struct{})}
	a := newAgent(t, agent.Config{Surface: surface})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	applied := make(chan error, 1)
	go func() { applied <- a.ApplyPending(ctx) }()
	within(t, surface.entered, "the first Set") // the worker is inside it
	unenrolled := make(chan error, 1)
	go func() { unenrolled <- a.Unenroll(ctx) }()
	surface.releaseAll()
	if err := within(t, applied, "ApplyPending returns"); err != nil {
		t.Fatal(err)
	}
	if err := within(t, unenrolled, "Unenroll returns"); err != nil {
		t.Fatal(err)
	}
	close(surface.entered)
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("after Unenroll the surface holds %v", n)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after Unenroll the agent holds %d documents", n)
	}
}

// TestMaxSettings checks that instance data cannot expand a bulk template
// into more settings than Config.MaxSettings: the BulkVariables Replace is
// refused (413) in the same reply and changes nothing.
func TestMaxSettings(t *testing.T) {
	a := newAgent(t, agent.Config{MaxSettings: 10})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	varsURI := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	five := blob([2]string{"A1", "p"}, [2]string{"A2", "p"}, [2]string{"A3", "p"}, [2]string{"A4", "p"}, [2]string{"A5", "p"})
	if c, _ := serve(t, a, "Replace", varsURI, text(t, five)); c != 200 {
		t.Errorf("5 instances of 2 settings, MaxSettings 10: %d", c)
	}
	six := blob([2]string{"A1", "p"}, [2]string{"A2", "p"}, [2]string{"A3", "p"}, [2]string{"A4", "p"}, [2]string{"A5", "p"}, [2]string{"A6", "p"})
	if c, _ := serve(t, a, "Replace", varsURI, text(t, six)); c != syncml.StatusRequestEntityTooLarge {
		t.Errorf("6 instances of 2 settings, MaxSettings 10: %d, want 413", c)
	}
	if _, v := serve(t, a, "Get", varsURI, ""); v != text(t, five) {
		t.Errorf("the refused Replace changed the instance data to %s", v)
	}
	big := vpnDoc("A1")
	for i := 0; i < 10; i++ {
		big.CSPs[0].Settings = append(big.CSPs[0].Settings, declaredconfig.Setting{Path: "Contoso/X" + strconv.Itoa(i), Type: "chr", Value: "v"})
	}
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, big)); c != syncml.StatusRequestEntityTooLarge {
		t.Errorf("a document of 12 settings, MaxSettings 10: %d, want 413", c)
	}
}

// TestInteriorNodes checks Get of the interior nodes under a document
// that the DDF lists: Properties (Abandoned) and BulkVariables (Value).
func TestInteriorNodes(t *testing.T) {
	a := newAgent(t, agent.Config{})
	base := "./Device/Vendor/MSFT/DeclaredConfiguration/Host/"
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc()))
	for _, tc := range []struct {
		verb, uri string
		want      syncml.StatusCode
		list      string
	}{
		{"Get", base + "Complete/Documents/" + vpnID + "/Properties", 200, "Abandoned"},
		{"Get", base + "BulkTemplate/Documents/" + bulkID + "/BulkVariables", 200, "Value"},
		{"Get", base + "BulkTemplate/Documents/" + bulkID + "/Properties", 404, ""},
		{"Get", base + "Complete/Documents/" + bulkID + "/Properties", 404, ""},
		{"Replace", base + "Complete/Documents/" + vpnID + "/Properties", 405, ""},
	} {
		code, v := serve(t, a, tc.verb, tc.uri, "")
		if code != tc.want || v != tc.list {
			t.Errorf("%s %s: %d %q, want %d %q", tc.verb, tc.uri, code, v, tc.want, tc.list)
		}
	}
}

// TestConcurrentSessions runs sessions side by side against a running
// worker while the clock moves and refreshes run: nothing races (go test
// -race), every state in the summary is a known one, no document is left
// half applied, and a restart from the store gives the same summary.
func TestConcurrentSessions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := newClock()
	store := &agent.MemoryStore{}
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface, Store: store, Clock: clock})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	ids := []string{vpnID, invID, "0B0C5E8A-2F1D-4C3B-9A7E-6D5F4E3C2B1A"}
	finished := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { finished <- struct{}{} }()
			for i := 0; i < 60; i++ {
				id := ids[(g+i)%len(ids)]
				d := vpnDoc("C" + strconv.Itoa(i%5))
				d.ID = id
				docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id).String()
				switch (g*7 + i) % 6 {
				case 0:
					serve(t, a, "Add", docURI, text(t, d))
				case 1:
					serve(t, a, "Replace", docURI, text(t, d))
				case 2:
					serve(t, a, "Delete", docURI, "")
				case 3:
					serve(t, a, "Replace", declaredconfig.AbandonedURI(declaredconfig.Device, id).String(), strconv.Itoa(i%2))
				case 4:
					serve(t, a, "Get", declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, id).String(), "")
				case 5:
					serve(t, a, "Replace", declaredconfig.ConflictResolutionURI, strconv.Itoa(i%2))
				}
				if _, err := a.EachMessage(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	go func() {
		defer func() { finished <- struct{}{} }()
		for i := 0; i < 30; i++ {
			if err := surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "drift"); err != nil {
				t.Error(err)
			}
			clock.Advance(declaredconfig.DefaultRefreshInterval * time.Minute)
			if err := a.Refresh(ctx); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := 0; i < 5; i++ {
		within(t, finished, "the sessions and refreshes end")
	}
	cancel()
	if err := within(t, done, "Run returns"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Summary().Documents {
		st, err := declaredconfig.ParseState(e.State)
		if err != nil || !st.Known() {
			t.Errorf("summary state %q", e.State)
		}
		if st.Transient() {
			t.Errorf("document %s left in state %v after ApplyPending", e.ID, st)
		}
	}
	b := newAgent(t, agent.Config{Surface: surface, Store: store})
	s1, s2 := text(t, a.Summary()), text(t, b.Summary())
	if s1 != s2 {
		t.Errorf("after a restart the summary is\n%s\nwas\n%s", s2, s1)
	}
}

// TestAbandonedNewVersion checks a document that is abandoned and then
// sent in a new version, or abandoned before its first apply: it must not
// stay in a transient state (ConfigRequest) for ever; it is applied once
// and stays abandoned.
func TestAbandonedNewVersion(t *testing.T) {
	ctx := context.Background()
	for _, applyFirst := range []bool{true, false} {
		surface := &agent.MemorySurface{}
		a := newAgent(t, agent.Config{Surface: surface})
		docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
		serve(t, a, "Add", docURI, text(t, vpnDoc("A1")))
		if applyFirst {
			if err := a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
		}
		serve(t, a, "Replace", declaredconfig.AbandonedURI(declaredconfig.Device, vpnID).String(), "1")
		if applyFirst {
			serve(t, a, "Replace", docURI, text(t, vpnDoc("A2")))
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if e := entry(a, vpnID); e.State != "60" {
			t.Errorf("applied first %v: state %s, want 60", applyFirst, e.State)
		}
		if _, v := serve(t, a, "Get", declaredconfig.AbandonedURI(declaredconfig.Device, vpnID).String(), ""); v != "1" {
			t.Errorf("applied first %v: Abandoned %q, want 1", applyFirst, v)
		}
		// Abandoned: drift stays.
		if err := surface.Set(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn", "drift"); err != nil {
			t.Fatal(err)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := surface.Get(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"); v != "drift" {
			t.Errorf("applied first %v: the refresh repaired an abandoned document", applyFirst)
		}
	}
}

// TestSettingOutsideItsCSP checks documents whose setting path or CSP
// name has an empty, "." or ".." segment, which would reach nodes outside
// the CSP the document names (another CSP, the other scope): refused in
// the same reply (400).
func TestSettingOutsideItsCSP(t *testing.T) {
	a := newAgent(t, agent.Config{})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/VPNv2", "../../Policy/Config/Camera/AllowCamera"},
		{"./Vendor/MSFT/VPNv2", "Contoso/./AlwaysOn"},
		{"./Vendor/MSFT/VPNv2", "Contoso//AlwaysOn"},
		{"./Device/Vendor/MSFT/../../User/Vendor/MSFT/VPNv2", "Contoso/AlwaysOn"},
	} {
		d := vpnDoc("A1")
		d.CSPs[0].Name, d.CSPs[0].Settings[0].Path = tc.csp, tc.path
		if c, _ := serve(t, a, "Replace", docURI, text(t, d)); c != syncml.StatusBadRequest {
			t.Errorf("CSP %q path %q: %d, want 400", tc.csp, tc.path, c)
		}
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("%d documents accepted", n)
	}
}

// TestDocIDOnce checks that a DocID names one document of a scope: the
// summary names a document by its id alone, so an Add of the same DocID
// (in any letter case) under another Host is refused 418, while the
// other scope keeps its own.
func TestDocIDOnce(t *testing.T) {
	a := newAgent(t, agent.Config{})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: strings.ToLower(vpnID), Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso/AlwaysOn", Type: "chr"}}}}}
	for _, verb := range []string{"Add", "Replace"} {
		if c, _ := serve(t, a, verb, declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, strings.ToLower(vpnID)).String(), text(t, inv)); c != syncml.StatusAlreadyExists {
			t.Errorf("%s of the same DocID under Inventory: %d, want 418", verb, c)
		}
	}
	user := vpnDoc("U1")
	user.Context = "User"
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, vpnID).String(), text(t, user)); c != 200 {
		t.Errorf("Add of the same DocID in User scope: %d", c)
	}
	if n := len(a.Summary().Documents); n != 2 {
		t.Errorf("%d documents, want 2", n)
	}
}

// TestNewInstanceDataInProcess checks that new instance data for an
// applied bulk template shows the template in process (ConfigRequest) in
// the very session that sent it, not the old outcome as if it were the
// new one.
func TestNewInstanceDataInProcess(t *testing.T) {
	ctx := context.Background()
	a := bulkAgent(t, &agent.MemorySurface{}, blob([2]string{"A1", "p"}))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, bulkID); e.State != "60" {
		t.Fatalf("applied: state %s", e.State)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, blob([2]string{"A2", "q"}))); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	if e := entry(a, bulkID); e.State != "1" {
		t.Errorf("with new instance data: state %s, want 1 (ConfigRequest)", e.State)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, bulkID); e.State != "60" {
		t.Errorf("applied again: state %s", e.State)
	}
}

// failAfter is a session handler that runs do, then fails the command, as
// a later command of an Atomic that fails while the agent's worker (or
// another session) works meanwhile.
func failAfter(do func()) session.Handler {
	return session.HandlerFunc(func(context.Context, *session.Request) session.Response {
		do()
		return session.Response{Code: syncml.StatusCommandFailed}
	})
}

// TestAtomicRollbackAfterApply checks an Atomic rolled back after the
// worker applied the document it added: the rollback removes what the
// apply set (the document was never accepted), and puts back a replaced
// version, applied again.
func TestAtomicRollbackAfterApply(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	apply := failAfter(func() {
		if err := a.ApplyPending(ctx); err != nil {
			t.Error(err)
		}
	})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	add, err := declaredconfig.AddDocument(docURI, vpnDoc("A1"), syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	other := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
	codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": apply}, &syncml.Atomic{Commands: []syncml.Command{add, other}})
	if !slices.Contains(codes, "Atomic 507") || !slices.Contains(codes, "Add 216") {
		t.Fatalf("statuses %v, want Atomic 507, Add 216", codes)
	}
	if n := surface.Nodes("./"); len(n) != 0 {
		t.Errorf("after the rollback the surface holds %v", n)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after the rollback the agent holds %d documents", n)
	}

	// A new version in a rolled back Atomic: the old one comes back and
	// is applied again.
	serve(t, a, "Add", docURI.String(), text(t, vpnDoc("A1")))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	v2 := vpnDoc("A2")
	v2.CSPs[0].Settings[0].Value = "false"
	rep, err := declaredconfig.ReplaceDocument(docURI, v2, syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": apply}, &syncml.Atomic{Commands: []syncml.Command{rep, other}})
	if e := entry(a, vpnID); e.Checksum != "A1" {
		t.Errorf("after the rollback the agent holds version %s", e.Checksum)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"); v != "true" || entry(a, vpnID).State != "60" {
		t.Errorf("after the rollback and an apply: AlwaysOn %q, %+v", v, entry(a, vpnID))
	}
}

// TestAtomicRollbackKeepsOthers checks that the rollback of an Atomic
// puts back only what its own commands changed, not what another session
// did meanwhile.
func TestAtomicRollbackKeepsOthers(t *testing.T) {
	a := newAgent(t, agent.Config{})
	meanwhile := failAfter(func() {
		serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
	})
	ri := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}, Data: syncml.Text("60")}}}
	other := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
	exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": meanwhile}, &syncml.Atomic{Commands: []syncml.Command{ri, other}})
	if d := a.RefreshInterval(); d != declaredconfig.DefaultRefreshInterval*time.Minute {
		t.Errorf("after the rollback RefreshInterval is %v", d)
	}
	if n := len(a.Summary().Documents); n != 1 {
		t.Errorf("the rollback dropped the document another session added: %d documents", n)
	}
}

// flakyStore fails every Save after the first ok ones.
type flakyStore struct {
	agent.MemoryStore
	ok int
}

func (f *flakyStore) Save(ctx context.Context, s *agent.Snapshot) error {
	if f.ok == 0 {
		return errors.New("disk full")
	}
	f.ok--
	return f.MemoryStore.Save(ctx, s)
}

// TestApplySaveFailure checks an apply whose outcome cannot be saved: the
// outcome is kept in memory (60), not left in progress for ever, and it
// is saved when the store works again. One whose nodes cannot be
// recorded before the Sets (ok 0) sets nothing and stays pending (1).
func TestApplySaveFailure(t *testing.T) {
	ctx := context.Background()
	// The apply saves the nodes it sets first (the record in progress:
	// a restart makes it pending again), then its outcome; a failure of
	// the second save once left the document in progress for ever.
	for ok := 0; ok <= 2; ok++ {
		st := &flakyStore{ok: 1}
		a := newAgent(t, agent.Config{Store: st})
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1"))); c != 200 {
			t.Fatalf("Add %d", c)
		}
		st.ok = ok
		err := a.ApplyPending(ctx)
		switch e := entry(a, vpnID); {
		case err == nil && e.State != "60":
			t.Errorf("ok %d: applied and saved, state %s", ok, e.State)
		case err != nil && ok == 0 && e.State != "1":
			t.Errorf("ok 0: after a failed save (%v) before the Sets the document is in state %s, want 1", err, e.State)
		case err != nil && ok > 0 && e.State != "60":
			t.Errorf("ok %d: after a failed save (%v) the document is in state %s, want 60 (kept in memory)", ok, err, e.State)
		}
		st.ok = 10
		if err := a.ApplyPending(ctx); err != nil || entry(a, vpnID).State != "60" {
			t.Errorf("ok %d: apply after the store recovered: %v, %+v", ok, err, entry(a, vpnID))
		}
	}
}

// TestMaxSettingsNewVersion checks a new version of a bulk template that,
// with the instance data it keeps, has more settings than MaxSettings:
// refused (413) in the same reply, not accepted and failed later.
func TestMaxSettingsNewVersion(t *testing.T) {
	a := newAgent(t, agent.Config{MaxSettings: 10})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	serve(t, a, "Add", docURI, text(t, bulkDoc()))
	five := blob([2]string{"A1", "p"}, [2]string{"A2", "p"}, [2]string{"A3", "p"}, [2]string{"A4", "p"}, [2]string{"A5", "p"})
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, five)); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	v2 := bulkDoc()
	v2.Checksum = "B2"
	v2.CSPs[0].Settings = append(v2.CSPs[0].Settings, declaredconfig.Setting{Path: "PFXCertInstall/@#pfxThumbprint#/ContainerName", Type: "chr", Value: "c"})
	if c, _ := serve(t, a, "Replace", docURI, text(t, v2)); c != syncml.StatusRequestEntityTooLarge {
		t.Errorf("3 settings for 5 instances, MaxSettings 10: %d, want 413", c)
	}
	if e := entry(a, bulkID); e.Checksum != "B1" {
		t.Errorf("the refused version was kept: %+v", e)
	}
}
