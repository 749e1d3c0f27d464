package agent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestNodes walks every node of the CSP with every command, in order on
// one agent, and checks the status and the value a Get returns.
func TestNodes(t *testing.T) {
	base := "./Device/Vendor/MSFT/DeclaredConfiguration/"
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	resURI := declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	abURI := declaredconfig.AbandonedURI(declaredconfig.Device, vpnID).String()
	bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	varsURI := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	userURI := declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, vpnID).String()
	doc := text(t, vpnDoc("A1"))
	doc2 := text(t, vpnDoc("A2"))
	wrongID := strings.Replace(doc, vpnID, bulkID, 1)
	vars := text(t, blob([2]string{"813A", "secret"}))
	steps := []struct {
		name       string
		verb, uri  string
		data       string
		want       syncml.StatusCode
		wantResult string // checked when not ""
	}{
		{"Get of a document not there", "Get", docURI, "", 404, ""},
		{"Get of results not there", "Get", resURI, "", 404, ""},
		{"Abandoned of a document not there", "Get", abURI, "", 404, ""},
		{"Delete of a document not there", "Delete", docURI, "", 404, ""},
		{"Add of a document that does not read", "Add", docURI, "<DeclaredConfiguration", 400, ""},
		{"Add of a document whose id is another", "Add", docURI, wrongID, 400, ""},
		{"Add of a Device document to User scope", "Add", userURI, doc, 400, ""},
		{"Add with no data", "Add", docURI, "", 400, ""},
		{"Add", "Add", docURI, doc, 200, ""},
		{"Add again", "Add", docURI, doc, 418, ""},
		{"Add again, DocID in lower case", "Add", strings.ToLower(docURI[:60]) + docURI[60:], doc, 418, ""},
		{"Get of the document", "Get", docURI, "", 200, doc},
		{"Get of results before the apply", "Get", resURI, "", 404, ""},
		{"Replace, a new version", "Replace", docURI, doc2, 200, ""},
		{"Get of the new version", "Get", docURI, "", 200, doc2},
		{"Exec of the document", "Exec", docURI, "", 405, ""},
		{"Add of results", "Add", resURI, doc, 405, ""},
		{"Get of Abandoned", "Get", abURI, "", 200, "0"},
		{"Replace Abandoned 2", "Replace", abURI, "2", 400, ""},
		{"Replace Abandoned 1", "Replace", abURI, "1", 200, ""},
		{"Get of Abandoned 1", "Get", abURI, "", 200, "1"},
		{"Delete Abandoned", "Delete", abURI, "", 200, ""},
		{"Get of Abandoned after Delete", "Get", abURI, "", 200, "0"},
		{"Get of the Documents node", "Get", base + "Host/Complete/Documents", "", 200, vpnID},
		{"Get of the DocID node", "Get", base + "Host/Complete/Documents/" + vpnID, "", 200, "Document/Properties"},
		{"Get of the Host node", "Get", base + "Host", "", 200, "Complete/Inventory/BulkTemplate"},
		{"Get of the root", "Get", strings.TrimSuffix(base, "/"), "", 200, "Host/ManagementServiceConfiguration"},
		{"Get of the User root", "Get", "./User/Vendor/MSFT/DeclaredConfiguration", "", 200, "Host"},
		{"Get of User ManagementServiceConfiguration", "Get", "./User/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration", "", 404, ""},
		{"Get of ManagementServiceConfiguration", "Get", base + "ManagementServiceConfiguration", "", 200, "RefreshInterval/ConflictResolution"},
		{"Get of the Complete node", "Get", base + "Host/Complete", "", 200, "Documents/Results"},
		{"Get of the Results node", "Get", base + "Host/Complete/Results", "", 200, ""},
		{"Get of a DocID under Results before a result", "Get", base + "Host/Complete/Results/" + vpnID, "", 404, ""},
		{"Get of another CSP", "Get", "./Vendor/MSFT/VPNv2", "", 404, ""},
		{"Add of the Host node", "Add", base + "Host", "", 405, ""},
		{"Get of a node the CSP has not", "Get", base + "Host/Complete/Other", "", 404, ""},
		{"RefreshInterval default", "Get", declaredconfig.RefreshIntervalURI, "", 200, "240"},
		{"RefreshInterval below 30", "Replace", declaredconfig.RefreshIntervalURI, "29", 400, ""},
		{"RefreshInterval not a number", "Replace", declaredconfig.RefreshIntervalURI, "x", 400, ""},
		{"RefreshInterval 30", "Replace", declaredconfig.RefreshIntervalURI, "30", 200, ""},
		{"RefreshInterval reads 30", "Get", declaredconfig.RefreshIntervalURI, "", 200, "30"},
		{"RefreshInterval Delete", "Delete", declaredconfig.RefreshIntervalURI, "", 200, ""},
		{"RefreshInterval back to 240", "Get", declaredconfig.RefreshIntervalURI, "", 200, "240"},
		{"ConflictResolution unset", "Get", declaredconfig.ConflictResolutionURI, "", 404, ""},
		{"ConflictResolution Delete unset", "Delete", declaredconfig.ConflictResolutionURI, "", 404, ""},
		{"ConflictResolution 3", "Replace", declaredconfig.ConflictResolutionURI, "3", 400, ""},
		{"ConflictResolution 1", "Add", declaredconfig.ConflictResolutionURI, "1", 200, ""},
		{"ConflictResolution reads 1", "Get", declaredconfig.ConflictResolutionURI, "", 200, "1"},
		{"ConflictResolution Delete", "Delete", declaredconfig.ConflictResolutionURI, "", 200, ""},
		{"BulkVariables before the template", "Replace", varsURI, vars, 404, ""},
		{"Add of the template", "Add", bulkURI, text(t, bulkDoc()), 200, ""},
		{"Get of BulkVariables not there", "Get", varsURI, "", 404, ""},
		{"BulkVariables that do not read", "Replace", varsURI, "<InstanceBlob", 400, ""},
		{"BulkVariables", "Replace", varsURI, vars, 200, ""},
		{"Get of BulkVariables", "Get", varsURI, "", 200, vars},
		{"Delete of BulkVariables", "Delete", varsURI, "", 200, ""},
		{"Delete of BulkVariables again", "Delete", varsURI, "", 404, ""},
		{"Delete of the document", "Delete", docURI, "", 200, ""},
		{"Get after Delete", "Get", docURI, "", 404, ""},
		{"Delete of the template by its DocID node", "Delete", base + "Host/BulkTemplate/Documents/" + bulkID, "", 200, ""},
		{"Get of the template after Delete", "Get", bulkURI, "", 404, ""},
	}
	a := newAgent(t, agent.Config{})
	for _, s := range steps {
		code, got := serve(t, a, s.verb, s.uri, s.data)
		if code != s.want {
			t.Errorf("%s: %s %s = %d, want %d", s.name, s.verb, s.uri, code, s.want)
		}
		if s.wantResult != "" && got != s.wantResult {
			t.Errorf("%s: Get %s = %q, want %q", s.name, s.uri, got, s.wantResult)
		}
	}
}

// TestMaxDocuments checks that an Add beyond the bound is 420 and a
// Replace of a document held is not.
func TestMaxDocuments(t *testing.T) {
	a := newAgent(t, agent.Config{MaxDocuments: 1})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Replace", docURI, text(t, vpnDoc("A2"))); c != 200 {
		t.Errorf("Replace of the document held: %d", c)
	}
	d := bulkDoc()
	u := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	if c, _ := serve(t, a, "Add", u, text(t, d)); c != syncml.StatusDeviceFull {
		t.Errorf("Add beyond MaxDocuments: %d, want 420", c)
	}
}

// TestApplyStates checks the states and per-setting status of applied
// documents: success, a setting the surface refuses, an inventory, a bulk
// template waiting for its data, and a conflict.
func TestApplyStates(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{Refuse: func(op, uri string) error {
		if strings.HasSuffix(uri, "/ReadOnly") {
			return agent.ErrNotAllowed
		}
		return nil
	}}
	a := newAgent(t, agent.Config{Surface: surface})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	d := vpnDoc("A1")
	d.CSPs[0].Settings = append(d.CSPs[0].Settings, declaredconfig.Setting{Path: "Contoso/ReadOnly", Type: "chr", Value: "x"})
	if c, _ := serve(t, a, "Add", docURI.String(), text(t, d)); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if st := a.Summary().Documents[0].State; st != "1" {
		t.Errorf("state before the apply %s, want 1 (ConfigRequest)", st)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))
	got := statuses(r)
	want := "Contoso/AlwaysOn 200 60|Contoso/RememberCredentials 200 60|Contoso/ReadOnly 405 61"
	if got != want || r.State != "61" || r.Operation != "Set" || r.Checksum != "A1" {
		t.Errorf("result %s state %s op %s checksum %s, want %s state 61", got, r.State, r.Operation, r.Checksum, want)
	}
	if e := a.Summary().Documents[0]; e.State != "61" || e.ResultChecksum != r.ResultChecksum {
		t.Errorf("summary %+v, result_checksum %s", e, r.ResultChecksum)
	}

	// An inventory reads values: 80, or 81 for a node that is not there.
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Contoso/AlwaysOn", Type: "chr"}, {Path: "Contoso/Missing", Type: "chr"}}}}}
	invURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Inventory, invID)
	if c, _ := serve(t, a, "Add", invURI.String(), text(t, inv)); c != 200 {
		t.Fatalf("Add inventory %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	r = result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Inventory, invID))
	if got := statuses(r); got != "Contoso/AlwaysOn 200 80 true|Contoso/Missing 404 81" || r.State != "81" || r.Operation != "Get" {
		t.Errorf("inventory %s state %s op %s", got, r.State, r.Operation)
	}

	// A bulk template waits (3) for its data, then applies one CSP
	// element per instance.
	bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID)
	if c, _ := serve(t, a, "Add", bulkURI.String(), text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add template %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, bulkID); e.State != "3" {
		t.Errorf("template without data: state %s, want 3", e.State)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(),
		text(t, blob([2]string{"AAA", "p1"}, [2]string{"BBB", "p2"}))); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	r = result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID))
	if len(r.CSPs) != 2 || r.State != "60" || statuses(r) != "PFXCertInstall/AAA/KeyLocation 200 60|PFXCertInstall/AAA/PFXCertPassword 200 60|"+
		"PFXCertInstall/BBB/KeyLocation 200 60|PFXCertInstall/BBB/PFXCertPassword 200 60" {
		t.Errorf("template result %s (%d CSP) state %s", statuses(r), len(r.CSPs), r.State)
	}
	if v, _, _ := surface.Get(ctx, "./Device/Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/BBB/PFXCertPassword"); v != "p2" {
		t.Errorf("instance 2 password %q", v)
	}
	// The instance data is not kept.
	if c, _ := serve(t, a, "Get", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), ""); c != 404 {
		t.Errorf("instance data kept after the apply: Get %d", c)
	}
}

// TestConflict checks both settings of ConflictResolution: the older
// document keeps a node while it is off, the newer takes it when on.
func TestConflict(t *testing.T) {
	for _, tc := range []struct {
		resolution string
		winner     string
		loserState string
	}{
		{"", "true", "61"},
		{"1", "false", "60"},
	} {
		ctx := context.Background()
		surface := &agent.MemorySurface{}
		a := newAgent(t, agent.Config{Surface: surface})
		if tc.resolution != "" {
			serve(t, a, "Replace", declaredconfig.ConflictResolutionURI, tc.resolution)
		}
		serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		other := vpnDoc("C1")
		other.ID = invID
		other.CSPs[0].Settings = other.CSPs[0].Settings[:1]
		other.CSPs[0].Settings[0].Value = "false"
		serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, invID).String(), text(t, other))
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := surface.Get(ctx, "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"); v != tc.winner {
			t.Errorf("resolution %q: AlwaysOn %q, want %q", tc.resolution, v, tc.winner)
		}
		newer, older := entry(a, invID).State, entry(a, vpnID).State
		if tc.resolution == "" && (newer != "61" || older != "60") || tc.resolution == "1" && (newer != "60" || older != "61") {
			t.Errorf("resolution %q: newer %s older %s", tc.resolution, newer, older)
		}
		r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, map[string]string{"": invID, "1": vpnID}[tc.resolution]))
		if !strings.Contains(statuses(r), "Contoso/AlwaysOn 409 61") {
			t.Errorf("resolution %q: loser %s", tc.resolution, statuses(r))
		}
	}
}

func entry(a *agent.Agent, id string) declaredconfig.SummaryEntry {
	s := a.Summary()
	if e := s.Entry(id); e != nil {
		return *e
	}
	return declaredconfig.SummaryEntry{}
}

func result(t *testing.T, a *agent.Agent, u declaredconfig.URI) *declaredconfig.Result {
	t.Helper()
	code, v := serve(t, a, "Get", u.String(), "")
	if code != 200 {
		t.Fatalf("Get %s: %d", u, code)
	}
	var r declaredconfig.Result
	if err := r.UnmarshalText([]byte(v)); err != nil {
		t.Fatal(err)
	}
	return &r
}

// statuses lists "path status state [value]" of every setting.
func statuses(r *declaredconfig.Result) string {
	var out []string
	for _, c := range r.CSPs {
		for _, s := range c.Settings {
			x := s.Path + " " + s.Status + " " + s.State
			if s.Value != "" {
				x += " " + s.Value
			}
			out = append(out, x)
		}
	}
	return strings.Join(out, "|")
}

// TestDSC checks that a DSC document sets its Value parameters through the
// Surface and reports a DSC element per class.
func TestDSC(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	d := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: vpnID, Checksum: "D1", Scenario: declaredconfig.ScenarioMIProviderConfig,
		DSCs: []declaredconfig.DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
			Keys:   []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso`}},
			Values: []declaredconfig.Param{{Name: "ValueData", Value: "1"}, {Name: "Ensure", Value: "Present"}}}}}
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, d)); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	uri := agent.DSCURI(&d.DSCs[0], "ValueData")
	if v, ok, _ := surface.Get(ctx, uri); !ok || v != "1" {
		t.Errorf("%s = %q %v", uri, v, ok)
	}
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID))
	if len(r.DSCs) != 1 || r.DSCs[0].Status != "200" || r.DSCs[0].State != "60" || len(r.DSCs[0].Values) != 2 || r.State != "60" {
		t.Errorf("DSC result %+v state %s", r.DSCs, r.State)
	}
	if err := surface.Set(ctx, uri, "0"); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, uri); v != "1" {
		t.Errorf("DSC drift not repaired: %q", v)
	}
}

// TestSummaryAlert checks the 1224 alert: none while no document is held
// (an empty summary with EmptySummary), then one entry per document.
func TestSummaryAlert(t *testing.T) {
	a := newAgent(t, agent.Config{})
	if cmds, err := a.EachMessage(context.Background()); len(cmds) != 0 || err != nil {
		t.Errorf("no document: %v %v", cmds, err)
	}
	e := newAgent(t, agent.Config{EmptySummary: true})
	cmds, err := e.EachMessage(context.Background())
	if err != nil || len(cmds) != 1 || cmds[0].ItemList()[0].Data.Value != `<DeclaredConfigurations schema="1.0"/>` {
		t.Fatalf("EmptySummary: %v %v", cmds, err)
	}
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
	cmds, err = a.EachMessage(context.Background())
	if err != nil || len(cmds) != 1 {
		t.Fatalf("EachMessage: %v %v", cmds, err)
	}
	m := &syncml.Message{Body: syncml.Body{Commands: cmds}}
	s, err := declaredconfig.ReadSummary(m)
	if err != nil || len(s.Documents) != 1 || s.Documents[0].ID != vpnID || s.Documents[0].Checksum != "A1" || s.Documents[0].State != "1" {
		t.Errorf("summary %+v %v", s, err)
	}
	if code, _ := cmds[0].(*syncml.Alert).Code(); code != syncml.AlertClientEvent {
		t.Errorf("alert %v", code)
	}
}

// TestUnenroll checks that Unenroll deletes what the documents set (not
// what an abandoned document still claims, nor nodes set by no document),
// and clears the state, also in the store.
func TestUnenroll(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	store := &agent.MemoryStore{}
	a := newAgent(t, agent.Config{Surface: surface, Store: store})
	if err := surface.Set(ctx, "./Device/Vendor/MSFT/Other/X", "mine"); err != nil {
		t.Fatal(err)
	}
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
	other := vpnDoc("C1")
	other.ID = invID
	other.CSPs[0].Settings = []declaredconfig.Setting{{Path: "Kept/AlwaysOn", Type: "bool", Value: "true"}}
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, invID).String(), text(t, other))
	serve(t, a, "Replace", declaredconfig.RefreshIntervalURI, "60")
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	serve(t, a, "Replace", declaredconfig.AbandonedURI(declaredconfig.Device, invID).String(), "1")
	if err := a.Unenroll(ctx); err != nil {
		t.Fatal(err)
	}
	got := surface.Nodes("./")
	want := map[string]string{"./Device/Vendor/MSFT/Other/X": "mine", "./Device/Vendor/MSFT/VPNv2/Kept/AlwaysOn": "true"}
	if len(got) != len(want) || got["./Device/Vendor/MSFT/Other/X"] != "mine" || got["./Device/Vendor/MSFT/VPNv2/Kept/AlwaysOn"] != "true" {
		t.Errorf("after Unenroll the surface holds %v, want %v", got, want)
	}
	if n := len(a.Summary().Documents); n != 0 || a.RefreshInterval().Minutes() != declaredconfig.DefaultRefreshInterval {
		t.Errorf("after Unenroll: %d documents, RefreshInterval %v", n, a.RefreshInterval())
	}
	b := newAgent(t, agent.Config{Surface: surface, Store: store})
	if n := len(b.Summary().Documents); n != 0 {
		t.Errorf("restarted after Unenroll: %d documents", n)
	}
}

// TestRegister checks that a Mux routes both scopes of the CSP (with or
// without ./Device, any letter case of the scope) to the agent and leaves
// other subtrees alone.
func TestRegister(t *testing.T) {
	a := newAgent(t, agent.Config{})
	mux := session.NewMux()
	mux.NotFound = session.HandlerFunc(func(context.Context, *session.Request) session.Response {
		return session.Response{Code: syncml.StatusOptionalFeatureNotSupported}
	})
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	for uri, want := range map[string]syncml.StatusCode{
		declaredconfig.RefreshIntervalURI: 200,
		"./Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval": 200,
		"./User/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents":                   200,
		"./Vendor/MSFT/VPNv2/P": 406,
	} {
		r := mux.ServeCommand(context.Background(), &session.Request{Command: &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}}})
		code := r.Code
		if code == 0 {
			code = 200
		}
		if code != want {
			t.Errorf("Get %s: %d, want %d", uri, code, want)
		}
	}
}
