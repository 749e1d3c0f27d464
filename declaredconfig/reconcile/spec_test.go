package reconcile_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// specDir is the shared reference folder, read in place.
const specDir = "../../../shared/spec/ms-docs/client-management"

var resultsRE = regexp.MustCompile(`(?s)<Results>.*?</Results>`)
var summaryRE = regexp.MustCompile(`(?s)<DeclaredConfigurations .*?</DeclaredConfigurations>`)

// specResults returns the <Results> element of page that names id.
func specResults(t *testing.T, page, id string) *syncml.Results {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(specDir, page))
	if err != nil {
		t.Skipf("reference documents not available: %v", err)
	}
	for _, r := range resultsRE.FindAllString(string(b), -1) {
		if !strings.Contains(r, id) {
			continue
		}
		m := specMessage(t, "9", r)
		if res, ok := m.Body.Commands[0].(*syncml.Results); ok {
			return res
		}
	}
	t.Fatalf("%s: no Results for %s", page, id)
	return nil
}

// specMessage wraps body in a device message of session "1".
func specMessage(t *testing.T, msgID, body string) *syncml.Message {
	t.Helper()
	text := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://mdm.example</LocURI></Target>` +
		`<Source><LocURI>` + dev1 + `</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return &m
}

// appendSummary appends to m's body the Alert 1224 of a summary of
// entries, numbered after m's commands (which are numbered from 1).
func appendSummary(m *syncml.Message, entries ...declaredconfig.SummaryEntry) {
	a := summaryAlertOf(entries...)
	a.CmdID = strconv.Itoa(len(m.Body.Commands) + 1)
	m.Body.Commands = append(m.Body.Commands, a)
}

func summaryAlertOf(entries ...declaredconfig.SummaryEntry) *syncml.Alert {
	text, _ := (&declaredconfig.Summary{Schema: "1.0", Documents: entries}).MarshalText()
	return session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, string(text))
}

// TestSpecResults feeds the documented result samples to the reconciler
// as the answers to its Get of the Results node, with a summary that
// reports the same version.
func TestSpecResults(t *testing.T) {
	cases := []struct {
		name, page, id string
		scope          declaredconfig.Scope
		host           declaredconfig.Host
		getHost        declaredconfig.Host // the host of the Get's Target
		scenario, csp  string
		settings       int
		summaryState   string
		want           reconcile.DocCondition
		wantQueued     int
		wantProblem    bool
		wantRedeclared bool
		inSyncBefore   bool
		wantEvent      reconcile.EventKind
	}{
		{name: "VPNv2 user result, in sync", page: "declared-configuration-resource-access.md",
			id: "DCA000B5-397D-40A1-AABF-40B25078A7F9", scope: declaredconfig.User, host: declaredconfig.Complete,
			getHost: declaredconfig.Complete, scenario: declaredconfig.ScenarioVPN, csp: "./Vendor/MSFT/VPNv2",
			settings: 10, summaryState: "60", want: reconcile.InSync, wantEvent: reconcile.Applied},
		{name: "bulk template result, in sync", page: "declared-configuration-resource-access.md",
			id: "47e88660-1861-4131-96e8-f32e85011e55", scope: declaredconfig.Device, host: declaredconfig.BulkTemplate,
			getHost: declaredconfig.BulkTemplate, scenario: declaredconfig.ScenarioClientCertificateInstall,
			csp: "./Vendor/MSFT/ClientCertificateInstall", settings: 8, summaryState: "60", want: reconcile.InSync,
			wantEvent: reconcile.Applied},
		{name: "summary failed, never in sync: failed", page: "declared-configuration-resource-access.md",
			id: "DCA000B5-397D-40A1-AABF-40B25078A7F9", scope: declaredconfig.User, host: declaredconfig.Complete,
			getHost: declaredconfig.Complete, scenario: declaredconfig.ScenarioVPN, csp: "./Vendor/MSFT/VPNv2",
			settings: 10, summaryState: "61", want: reconcile.Failed, wantEvent: reconcile.FailedEvent},
		{name: "summary failed with a new result_checksum after in sync: drifted, re-declared",
			page: "declared-configuration-resource-access.md",
			id:   "DCA000B5-397D-40A1-AABF-40B25078A7F9", scope: declaredconfig.User, host: declaredconfig.Complete,
			getHost: declaredconfig.Complete, scenario: declaredconfig.ScenarioVPN, csp: "./Vendor/MSFT/VPNv2",
			settings: 10, summaryState: "61", inSyncBefore: true, want: reconcile.Drifted, wantQueued: 2,
			wantRedeclared: true, wantEvent: reconcile.DriftedEvent},
		{name: "result of another document: a problem, results asked again", page: "declared-configuration-extensibility.md",
			id: "27FEA311-68B9-4320-9FC4-296F6FDFAFE2", scope: declaredconfig.Device, host: declaredconfig.Complete,
			getHost: declaredconfig.Complete, scenario: "MSFTPolicies", csp: "./Vendor/MSFT/Policy",
			summaryState: "60", want: reconcile.InSync, wantQueued: 1, wantProblem: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			res := specResults(t, tc.page, tc.id)
			var result declaredconfig.Result
			resText := res.Items[0].Data.Value
			if err := result.UnmarshalText([]byte(resText)); err != nil {
				t.Fatal(err)
			}
			checksum := result.Checksum
			rc := result.ResultChecksum
			if result.State != tc.summaryState {
				// The sample's result (60) as a device gives it with
				// the summary's state: the two agree for one
				// result_checksum.
				result.State = tc.summaryState
				b, err := result.MarshalText()
				if err != nil {
					t.Fatal(err)
				}
				res.Items[0].Data = syncml.Text(string(b))
			}
			if tc.wantProblem {
				// The sample's result is of another document; the summary
				// is the CSP page's sample.
				b, err := os.ReadFile(filepath.Join(specDir, "mdm/declaredconfiguration-csp.md"))
				if err != nil {
					t.Skip(err)
				}
				var s declaredconfig.Summary
				if err := s.UnmarshalText([]byte(summaryRE.FindString(string(b)))); err != nil {
					t.Fatal(err)
				}
				checksum, rc = s.Documents[0].Checksum, s.Documents[0].ResultChecksum
			}
			var events []reconcile.Event
			rec := reconcile.New(reconcile.Config{OnEvent: func(_ context.Context, e reconcile.Event) { events = append(events, e) }})
			doc := reconcile.Doc{Scope: tc.scope, Host: tc.host, Document: &declaredconfig.Document{
				Schema: "1.0", Context: tc.scope.String(), ID: tc.id, Checksum: checksum, Scenario: tc.scenario,
				CSPs: specCSPs(&result, tc.csp),
			}}
			if err := rec.Declare(ctx, dev1, doc); err != nil {
				t.Fatal(err)
			}
			if tc.inSyncBefore {
				// An earlier session found this version in sync with
				// another result_checksum.
				ss := session.NewSession(nil)
				m := specMessage(t, "1", "")
				appendSummary(m, declaredconfig.SummaryEntry{Context: tc.scope.String(), ID: tc.id,
					Checksum: checksum, ResultChecksum: "EARLIER", State: "60"})
				if _, err := rec.Reconcile(ctx, ss, m, &session.Exchange{}); err != nil {
					t.Fatal(err)
				}
				events = nil
			}
			get, err := declaredconfig.GetResults(declaredconfig.ResultsURI(tc.scope, tc.getHost, tc.id))
			if err != nil {
				t.Fatal(err)
			}
			get.CmdID = res.CmdRef
			status := &syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: res.CmdRef, Cmd: "Get", Data: syncml.StatusOK.Data()}
			m := specMessage(t, "2", "")
			m.Body.Commands = []syncml.Command{status, res, summaryAlertOf(declaredconfig.SummaryEntry{
				Context: tc.scope.String(), ID: tc.id, Checksum: checksum, ResultChecksum: rc, State: tc.summaryState})}
			x := &session.Exchange{Identity: session.Identity{Device: dev1},
				Outcomes: []session.Outcome{{MsgID: "1", Command: get, Status: status, Results: []*syncml.Results{res}}}}
			ss := session.NewSession(nil)
			st, err := rec.Reconcile(ctx, ss, m, x)
			if err != nil {
				t.Fatal(err)
			}
			d := st.Doc(tc.id)
			if d == nil {
				t.Fatal("no status")
			}
			if d.Condition != tc.want {
				t.Errorf("condition %v (%s), want %v", d.Condition, d.Reason, tc.want)
			}
			if got := len(d.Settings()); got != tc.settings {
				t.Errorf("%d settings, want %d", got, tc.settings)
			}
			if ss.Queued() != tc.wantQueued {
				t.Errorf("queued %d commands, want %d", ss.Queued(), tc.wantQueued)
			}
			if (d.Redeclared == 1) != tc.wantRedeclared || tc.wantRedeclared && d.Checksum == checksum {
				t.Errorf("redeclared %d times, checksum %q", d.Redeclared, d.Checksum)
			}
			problem, kind := false, reconcile.EventKind(0)
			for _, e := range events {
				if e.Kind == reconcile.Problem {
					problem = true
				} else if kind == 0 {
					kind = e.Kind
				}
			}
			if problem != tc.wantProblem || kind != tc.wantEvent {
				t.Errorf("events %+v: problem %v, first %v", events, problem, kind)
			}
		})
	}
}

// specCSPs returns the CSP settings a sample result reports, as a
// document's (so that the result lists none the document lacks), with a
// value of each type; one setting "X" of csp when it reports none.
func specCSPs(r *declaredconfig.Result, csp string) []declaredconfig.CSP {
	var out []declaredconfig.CSP
	for _, c := range r.CSPs {
		dc := declaredconfig.CSP{Name: c.Name}
		for _, s := range c.Settings {
			v := map[string]string{"int": "1", "bool": "true", "b64": ""}[strings.ToLower(s.Type)]
			if _, ok := map[string]bool{"int": true, "bool": true, "b64": true}[strings.ToLower(s.Type)]; !ok {
				v = "x"
			}
			typ := s.Type
			if typ == "" {
				typ = "chr"
			}
			dc.Settings = append(dc.Settings, declaredconfig.Setting{Path: s.Path, Type: typ, Value: v})
		}
		out = append(out, dc)
	}
	if len(out) == 0 {
		out = []declaredconfig.CSP{{Name: csp, Settings: []declaredconfig.Setting{{Path: "X", Type: "chr", Value: "x"}}}}
	}
	return out
}
