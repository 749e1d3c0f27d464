package declaredconfig

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

const vpnID = "DCA000B5-397D-40A1-AABF-40B25078A7F9"

// deviceReply builds a device message: a Status for CmdID 2 with code, the
// 1224 summary, and the documentation's VPN result (read in place).
func deviceReply(t *testing.T, code string, summary string) *syncml.Message {
	t.Helper()
	docs := specCommandFrom(t, "Test_SonicWallNew/TrafficFilterList/0/Protocol\" status")
	cmds := []syncml.Command{
		&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.Text(code)},
		&syncml.Alert{CmdID: "2", Data: syncml.Text("1224"), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: SummaryType}, Data: syncml.XML(summary)}}},
	}
	cmds = append(cmds, docs...)
	return &syncml.Message{Body: syncml.Body{Commands: cmds, Final: true}}
}

// specCommandFrom returns the Results commands of the documentation's
// message that contains mark.
func specCommandFrom(t *testing.T, mark string) []syncml.Command {
	t.Helper()
	for _, b := range xmlBlocks(t) {
		if strings.Contains(b.text, mark) && strings.Contains(b.text, "</SyncML>") {
			var out []syncml.Command
			for _, c := range unmarshalSpec(t, strings.TrimSpace(b.text)).Body.Commands {
				if r, ok := c.(*syncml.Results); ok {
					out = append(out, r)
				}
			}
			return out
		}
	}
	t.Fatalf("no documentation message contains %q", mark)
	return nil
}

func summaryXML(state, checksum, resultChecksum string) string {
	return `<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="user" id="` + vpnID +
		`" checksum="` + checksum + `" result_checksum="` + resultChecksum + `" state="` + state + `"/></DeclaredConfigurations>`
}

func TestEvaluate(t *testing.T) {
	u := DocumentURI(User, Complete, vpnID)
	tests := []struct {
		name    string
		code    string
		summary string
		desired Desired
		want    Condition
	}{
		{"in sync", "200", summaryXML("60", "A3", "R1"), Desired{URI: u, Checksum: "A3", CmdID: "2"}, InSync},
		{"refused", "500", summaryXML("60", "A0", "R0"), Desired{URI: u, Checksum: "A3", CmdID: "2"}, Failed},
		{"older version", "200", summaryXML("60", "A0", "R0"), Desired{URI: u, Checksum: "A3"}, Pending},
		{"in progress", "200", summaryXML("3", "A3", ""), Desired{URI: u, Checksum: "A3"}, Pending},
		{"not listed", "200", `<DeclaredConfigurations schema="1.0"/>`, Desired{URI: u, Checksum: "A3"}, Pending},
		{"failed", "200", summaryXML("61", "A3", "R1"), Desired{URI: u, Checksum: "A3"}, Failed},
		{"failed, same result as before", "200", summaryXML("61", "A3", "R1"), Desired{URI: u, Checksum: "A3", LastResultChecksum: "R1"}, Failed},
		{"drifted", "200", summaryXML("61", "A3", "R2"), Desired{URI: u, Checksum: "A3", LastResultChecksum: "R1"}, Drifted},
		{"abandoned", "200", summaryXML("60", "A3", "R1"), Desired{URI: u, Checksum: "A3", Abandoned: true}, Abandoned},
		{"deleted", "200", summaryXML("70", "A3", "R1"), Desired{URI: u, Checksum: "A3"}, Deleted},
		{"listed for the other scope only", "200", strings.Replace(summaryXML("60", "A3", "R1"), `context="user"`, `context="Device"`, 1), Desired{URI: u, Checksum: "A3"}, Pending},
		{"listed for both scopes", "200", strings.Replace(summaryXML("60", "A3", "R1"), `<DeclaredConfiguration `, `<DeclaredConfiguration context="Device" id="`+vpnID+`" checksum="A3" result_checksum="R9" state="61"/><DeclaredConfiguration `, 1), Desired{URI: u, Checksum: "A3"}, InSync},
		{"lower-case DocID", "200", strings.Replace(summaryXML("60", "A3", "R1"), vpnID, strings.ToLower(vpnID), 1), Desired{URI: u, Checksum: "A3"}, InSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadReply(deviceReply(t, tt.code, tt.summary))
			if err != nil {
				t.Fatal(err)
			}
			got := r.Evaluate([]Desired{tt.desired}, nil).Documents[0]
			if got.Condition != tt.want {
				t.Errorf("Condition = %v (%s), want %v", got.Condition, got.Reason, tt.want)
			}
		})
	}
}

func TestEvaluateSettings(t *testing.T) {
	// The documentation's reply answers the Get with CmdID 2 of message 1
	// (read in place) of the Complete Results node, though its Source
	// names a BulkTemplate node: the Get decides which document it is.
	m := deviceReply(t, "200", summaryXML("60", "A3", "R1"))
	r, err := ReadReply(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 1 || r.Results[0].MsgRef != "1" || r.Results[0].CmdRef != "2" {
		t.Fatalf("Results = %+v", r.Results)
	}
	get := must(GetResults(ResultsURI(User, Complete, vpnID)))
	get.CmdID = "2"
	sent := []Sent{{MsgID: "1", Command: get}}
	ev := r.Evaluate([]Desired{{URI: DocumentURI(User, Complete, vpnID), Checksum: "A3"}}, sent)
	st := ev.Documents[0]
	if len(st.Settings) != 10 || st.Result == nil || st.Result.ResultChecksum == "" {
		t.Fatalf("%d settings, result %v; want 10 settings of the result", len(st.Settings), st.Result)
	}
	want := SettingStatus{Provider: "./Vendor/MSFT/VPNv2", Name: "Test_SonicWallNew/TrafficFilterList/0/Protocol", Type: "int", Status: 200, State: StateConfigCompletedSuccess}
	if diff := cmp.Diff(want, st.Settings[0]); diff != "" {
		t.Errorf("first setting (-want +got):\n%s", diff)
	}
	// The Status with CmdRef 2 answers the Get, not a document command.
	if len(ev.Unmatched) != 0 {
		t.Errorf("Unmatched = %+v, want none", ev.Unmatched)
	}
	// The BulkTemplate document of the same DocID gets nothing from it.
	ev = r.Evaluate([]Desired{{URI: DocumentURI(User, BulkTemplate, vpnID), Checksum: "A3"}}, sent)
	if ev.Documents[0].Settings != nil {
		t.Errorf("BulkTemplate document got the Complete document's settings")
	}
	// One failed setting makes the document Failed even in state 60.
	res := r.Results[0].Results
	res.Items[0].Data = syncml.Text(strings.Replace(res.Items[0].Data.Value, `RememberCredentials" status="200"`, `RememberCredentials" status="404"`, 1))
	st = r.Evaluate([]Desired{{URI: DocumentURI(User, Complete, vpnID), Checksum: "A3"}}, sent).Documents[0]
	if st.Condition != Failed || !strings.Contains(st.Reason, "RememberCredentials") {
		t.Errorf("Condition = %v (%s), want Failed for RememberCredentials", st.Condition, st.Reason)
	}
	// Without the Get, the Results is reported, not dropped.
	ev = r.Evaluate([]Desired{{URI: DocumentURI(User, Complete, vpnID), Checksum: "A3"}}, nil)
	if ev.Documents[0].Settings != nil || len(ev.Unmatched) != 2 {
		t.Errorf("without the Get: settings %v, unmatched %+v; want none and the Status and Results", ev.Documents[0].Settings, ev.Unmatched)
	}
}

const (
	docA = "47E88660-1861-4131-96E8-F32E85011E55"
	docB = "10249228-E719-58BF-B459-060DE45240F1"
)

// resultXML is a DeclaredConfigurationResult for id, version checksum,
// with one setting of the given status.
func resultXML(ctx, id, checksum, status string) string {
	return `<DeclaredConfigurationResult context="` + ctx + `" schema="1.0" id="` + id + `" osdefinedscenario="MSFTResource" checksum="` + checksum +
		`" result_checksum="RC` + checksum + `" operation="Set" state="60"><CSP name="./Vendor/MSFT/ClientCertificateInstall" state="60">` +
		`<URI path="PFXCertInstall/T1/KeyLocation" status="` + status + `" state="60" type="int"/></CSP></DeclaredConfigurationResult>`
}

func documentXML(id, checksum string) string {
	return `<DeclaredConfiguration context="Device" schema="1.0" id="` + id + `" osdefinedscenario="MSFTResource" checksum="` + checksum +
		`"><CSP name="./Vendor/MSFT/ClientCertificateInstall"><URI path="PFXCertInstall/T1/KeyLocation" type="int">2</URI></CSP></DeclaredConfiguration>`
}

func summaryOf(entries ...string) *syncml.Alert {
	x := `<DeclaredConfigurations schema="1.0">`
	for i := 0; i+1 < len(entries); i += 2 {
		x += `<DeclaredConfiguration context="Device" id="` + entries[i] + `" checksum="` + entries[i+1] + `" result_checksum="RC` + entries[i+1] + `" state="60"/>`
	}
	x += `</DeclaredConfigurations>`
	return &syncml.Alert{CmdID: "9", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType}, Data: syncml.XML(x)}}}
}

func msg(id string, cmds ...syncml.Command) *syncml.Message {
	return &syncml.Message{Header: syncml.Header{MsgID: id}, Body: syncml.Body{Commands: cmds, Final: true}}
}

func source(u string) *syncml.Location { return &syncml.Location{LocURI: u} }

// TestEvaluateAcrossMessages: the server sent, in its message 1, a
// Replace of document A (CmdID 2) and a Get of A's results (CmdID 3), and
// in its message 2 a Replace of document B and a Get of B's results, again
// as CmdIDs 2 and 3. The device answers in two messages. Each Status and
// Results is matched by MsgRef and CmdRef; a Results without MsgRef
// answers message 1.
func TestEvaluateAcrossMessages(t *testing.T) {
	uA, uB := DocumentURI(Device, BulkTemplate, docA), DocumentURI(Device, Complete, docB)
	sent := []Sent{
		{MsgID: "1", Command: &syncml.Replace{CmdID: "2", Items: []syncml.Item{{Target: target(uA)}}}},
		{MsgID: "1", Command: &syncml.Get{CmdID: "3", Items: []syncml.Item{{Target: target(ResultsURI(Device, BulkTemplate, docA))}}}},
		{MsgID: "2", Command: &syncml.Replace{CmdID: "2", Items: []syncml.Item{{Target: target(uB)}}}},
		{MsgID: "2", Command: &syncml.Get{CmdID: "3", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}},
	}
	reply1 := msg("2",
		&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "3", MsgRef: "1", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()},
		&syncml.Results{CmdID: "4", CmdRef: "3", Items: []syncml.Item{{
			Source: source(ResultsURI(Device, BulkTemplate, docA).String()), Data: syncml.Text(resultXML("Device", docA, "A1", "200"))}}},
		summaryOf(docA, "A1"),
	)
	reply2 := msg("3",
		&syncml.Status{CmdID: "1", MsgRef: "2", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "2", MsgRef: "2", CmdRef: "2", Cmd: "Replace", Data: syncml.StatusCommandFailed.Data()},
		&syncml.Atomic{CmdID: "3", Commands: []syncml.Command{
			&syncml.Status{CmdID: "4", MsgRef: "2", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()},
			&syncml.Results{CmdID: "5", MsgRef: "2", CmdRef: "3", Items: []syncml.Item{{
				Source: source(ResultsURI(Device, Complete, docB).String()), Data: syncml.Text(resultXML("Device", docB, "B1", "500"))}}},
		}},
		summaryOf(docA, "A1", strings.ToLower(docB), "B0"),
	)
	r, err := ReadReply(reply1, reply2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Statuses) != 6 || len(r.Results) != 2 || r.Summary == nil || len(r.Summary.Documents) != 2 {
		t.Fatalf("ReadReply: %d statuses, %d results, summary %+v", len(r.Statuses), len(r.Results), r.Summary)
	}
	desired := []Desired{
		{URI: uA, Checksum: "A1", MsgID: "1", CmdID: "2"},
		{URI: uB, Checksum: "B1", MsgID: "2", CmdID: "2"},
	}
	ev := r.Evaluate(desired, sent)
	a, b := ev.Documents[0], ev.Documents[1]
	if a.Condition != InSync || a.Command != syncml.StatusOK || len(a.Settings) != 1 || a.Settings[0].Status != 200 {
		t.Errorf("A = %v (%s), command %v, settings %+v; want InSync, 200 OK, one setting 200", a.Condition, a.Reason, a.Command, a.Settings)
	}
	if b.Condition != Failed || b.Command != syncml.StatusCommandFailed || len(b.Settings) != 1 || b.Settings[0].Status != 500 {
		t.Errorf("B = %v (%s), command %v, settings %+v; want Failed, 500, one setting 500", b.Condition, b.Reason, b.Command, b.Settings)
	}
	if len(ev.Unmatched) != 0 {
		t.Errorf("Unmatched = %+v, want none", ev.Unmatched)
	}

	// A Status or Results that answers nothing the server names is
	// reported with its reason.
	stray := msg("4",
		&syncml.Status{CmdID: "1", MsgRef: "3", CmdRef: "7", Cmd: "Replace", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.Text("OK")},
		&syncml.Results{CmdID: "3", MsgRef: "3", CmdRef: "8", Items: []syncml.Item{{Source: source(ResultsURI(Device, Complete, docB).String()), Data: syncml.Text("x")}}},
		&syncml.Results{CmdID: "4", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text("x")}}},
		&syncml.Results{CmdID: "5", MsgRef: "2", CmdRef: "3", Items: []syncml.Item{{Data: syncml.Text("<DeclaredConfigurationResult")}}},
		&syncml.Results{CmdID: "6", MsgRef: "1", CmdRef: "3", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docB, "B1", "200"))}}},
	)
	r, err = ReadReply(stray)
	if err != nil {
		t.Fatal(err)
	}
	ev = r.Evaluate(desired, sent)
	var got []string
	for _, u := range ev.Unmatched {
		got = append(got, u.Command.ElementName()+" "+u.Command.ID())
		if u.Reason == "" {
			t.Errorf("%s %s: no reason", u.Command.ElementName(), u.Command.ID())
		}
	}
	if diff := cmp.Diff([]string{"Status 1", "Status 2", "Results 3", "Results 4", "Results 5", "Results 6"}, got); diff != "" {
		t.Errorf("Unmatched (-want +got):\n%s", diff)
	}
	if ev.Unmatched[4].Err == nil || !errors.Is(ev.Unmatched[4].Err, ErrSyntax) || ev.Unmatched[4].Item != 0 {
		t.Errorf("unreadable result: %+v, want an ErrSyntax error for item 0", ev.Unmatched[4])
	}
	if ev.Unmatched[0].Item != -1 {
		t.Errorf("a Status's Item = %d, want -1", ev.Unmatched[0].Item)
	}
}

// TestEvaluateGetKinds: a Results is read by the Get it answers: the
// document itself for a Get of the Document node, the result for a Get of
// a Results node (of a BulkTemplate here); in a Get of several items, the
// item whose Target is the Results item's Source.
func TestEvaluateGetKinds(t *testing.T) {
	uA, uB := DocumentURI(Device, BulkTemplate, docA), DocumentURI(Device, Complete, docB)
	get := &syncml.Get{CmdID: "5", Items: []syncml.Item{
		{Target: target(uB)},
		{Target: target(ResultsURI(Device, BulkTemplate, docA))},
		{Target: &syncml.Location{LocURI: RefreshIntervalURI}},
	}}
	sent := []Sent{{MsgID: "3", Command: get}}
	reply := msg("4",
		&syncml.Status{CmdID: "1", MsgRef: "3", CmdRef: "5", Cmd: "Get", Data: syncml.StatusOK.Data()},
		&syncml.Results{CmdID: "2", MsgRef: "3", CmdRef: "5", Items: []syncml.Item{
			{Source: source("./device/vendor/msft/declaredconfiguration/host/bulktemplate/results/" + strings.ToLower(docA) + "/document"),
				Data: syncml.XML(resultXML("Device", docA, "A1", "200"))},
			{Source: source(uB.String()), Data: syncml.CDATA(documentXML(docB, "B1"))},
			{Source: source("./Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval"), Data: syncml.Text("240")},
			{Source: source("./Device/Vendor/MSFT/Policy/Config/X"), Data: syncml.Text("1")},
		}},
		summaryOf(docA, "A1", docB, "B1"),
	)
	r, err := ReadReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	ev := r.Evaluate([]Desired{{URI: uA, Checksum: "A1"}, {URI: uB, Checksum: "B1"}}, sent)
	a, b := ev.Documents[0], ev.Documents[1]
	if a.Condition != InSync || len(a.Settings) != 1 || a.Result == nil || a.Result.ResultChecksum != "RCA1" {
		t.Errorf("A = %v (%s), settings %+v", a.Condition, a.Reason, a.Settings)
	}
	if b.Condition != InSync || b.Document == nil || b.Document.Checksum != "B1" || len(b.Document.CSPs) != 1 || b.Settings != nil {
		t.Errorf("B = %v (%s), document %+v, settings %+v; want the document the device holds, no settings", b.Condition, b.Reason, b.Document, b.Settings)
	}
	if len(ev.Unmatched) != 1 || ev.Unmatched[0].Item != 3 || !strings.Contains(ev.Unmatched[0].Reason, "Policy/Config/X") {
		t.Errorf("Unmatched = %+v, want the item for a node the Get did not name", ev.Unmatched)
	}
}

// TestEvaluateResultOfAnotherDocument: a result whose id is not the DocID
// the Get named is reported, not applied.
func TestEvaluateResultOfAnotherDocument(t *testing.T) {
	u := DocumentURI(Device, Complete, docB)
	sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
	r, err := ReadReply(msg("2",
		&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docA, "B1", "200"))}}}))
	if err != nil {
		t.Fatal(err)
	}
	ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
	if ev.Documents[0].Settings != nil || len(ev.Unmatched) != 1 || !strings.Contains(ev.Unmatched[0].Reason, docA) {
		t.Errorf("settings %+v, unmatched %+v; want none and the result reported", ev.Documents[0].Settings, ev.Unmatched)
	}
}

// TestReadReplyNilCommands: typed nil commands are skipped, not a panic.
func TestReadReplyNilCommands(t *testing.T) {
	m := msg("1", (*syncml.Status)(nil), (*syncml.Results)(nil), (*syncml.Alert)(nil),
		&syncml.Atomic{Commands: []syncml.Command{(*syncml.Status)(nil), nil}}, (*syncml.Sequence)(nil))
	r, err := ReadReply(m, nil)
	if err != nil || len(r.Statuses) != 0 || len(r.Results) != 0 || r.Summary != nil {
		t.Errorf("ReadReply = %+v, %v", r, err)
	}
}

func TestReadSummary(t *testing.T) {
	// The documentation's alert, read in place and wrapped in a message.
	var alert string
	for _, b := range xmlBlocks(t) {
		if strings.Contains(b.text, SummaryType) {
			alert = b.text
		}
	}
	if alert == "" {
		t.Fatal("no summary alert in the documentation")
	}
	var m syncml.Message
	msg := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/><SyncBody>` + alert + `<Final/></SyncBody></SyncML>`
	if err := syncml.Unmarshal([]byte(msg), &m); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSummary(&m)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entry("27FEA311-68B9-4320-9FC4-296F6FDFAFE2")
	if e == nil || e.State != "60" || e.Context != "Device" || !strings.HasPrefix(e.ResultChecksum, "EE4F") {
		t.Errorf("entry = %+v", e)
	}
	if _, err := ReadSummary(&syncml.Message{}); !errors.Is(err, ErrNoSummary) {
		t.Errorf("empty message: err = %v, want ErrNoSummary", err)
	}
	bad := &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{&syncml.Atomic{Commands: []syncml.Command{
		&syncml.Alert{Data: syncml.Text("1224"), Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType}, Data: syncml.Text("<DeclaredConfigurations>")}}}}}}}}
	if _, err := ReadSummary(bad); !errors.Is(err, ErrSyntax) {
		t.Errorf("broken summary: err = %v, want ErrSyntax", err)
	}
	// ReadSummaryLimits: the zero Limits read as ReadSummary; a summary
	// longer than MaxBytes is a *LimitError naming it.
	if s2, err := ReadSummaryLimits(&m, Limits{}); err != nil || !cmp.Equal(s2, s) {
		t.Errorf("ReadSummaryLimits with the zero Limits: %v", err)
	}
	var le *LimitError
	if _, err := ReadSummaryLimits(&m, Limits{MaxBytes: 64}); !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != 64 {
		t.Errorf("ReadSummaryLimits with MaxBytes 64: err = %v, want a limit MaxBytes", err)
	}
}

// TestEvaluateSentGroups: a Sent Atomic or Sequence stands for the
// commands inside it too: their Statuses are matched, and a Results
// answers a Get inside a Sequence.
func TestEvaluateSentGroups(t *testing.T) {
	uA := DocumentURI(Device, Complete, docA)
	get := &syncml.Get{CmdID: "3", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docA))}}}
	sent := []Sent{
		{MsgID: "1", Command: &syncml.Atomic{CmdID: "2", Commands: []syncml.Command{
			&syncml.Replace{CmdID: "4", Items: []syncml.Item{{Target: target(uA)}}},
		}}},
		{MsgID: "1", Command: &syncml.Sequence{CmdID: "5", Commands: []syncml.Command{get}}},
	}
	reply := msg("2",
		&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "2", Cmd: "Atomic", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "4", Cmd: "Replace", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "3", MsgRef: "1", CmdRef: "5", Cmd: "Sequence", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "4", MsgRef: "1", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()},
		&syncml.Results{CmdID: "5", MsgRef: "1", CmdRef: "3", Items: []syncml.Item{{
			Source: source(ResultsURI(Device, Complete, docA).String()), Data: syncml.Text(resultXML("Device", docA, "A1", "200"))}}},
		summaryOf(docA, "A1"),
	)
	r, err := ReadReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	ev := r.Evaluate([]Desired{{URI: uA, Checksum: "A1", MsgID: "1", CmdID: "4"}}, sent)
	if len(ev.Unmatched) != 0 {
		for _, u := range ev.Unmatched {
			t.Errorf("unmatched %s %s: %s", u.Command.ElementName(), u.Command.ID(), u.Reason)
		}
	}
	if a := ev.Documents[0]; a.Condition != InSync || a.Result == nil || len(a.Settings) != 1 {
		t.Errorf("A = %v (%s), result %v, settings %+v; want InSync with one setting", a.Condition, a.Reason, a.Result, a.Settings)
	}
}

// TestReadReplyCycle: a group that contains itself (a value only a
// program can build) is read once by ReadReply and ReadSummary, not
// recursed into without end.
func TestReadReplyCycle(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20)) // fail fast, not after 1 GB of stack
	seq := &syncml.Sequence{CmdID: "1"}
	seq.Commands = []syncml.Command{seq, &syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()}}
	m := msg("2", seq)
	r, err := ReadReply(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Statuses) != 1 || r.Summary != nil {
		t.Errorf("ReadReply: %d statuses, summary %v; want 1, nil", len(r.Statuses), r.Summary)
	}
	if _, err := ReadSummary(m); !errors.Is(err, ErrNoSummary) {
		t.Errorf("ReadSummary: %v, want ErrNoSummary", err)
	}
}

// TestDesiredSentBy checks that SentBy names the last Add or Replace of the
// document's node, inside groups too, whatever the DocID's case, and
// leaves Desired alone when nothing sent carries the document.
func TestDesiredSentBy(t *testing.T) {
	u := DocumentURI(Device, Complete, vpnID)
	doc := &Document{Schema: "1.0", Context: "Device", ID: vpnID, Checksum: "A0", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	add, err := AddDocument(u, doc, syncml.DataCDATA)
	if err != nil {
		t.Fatal(err)
	}
	add.SetID("3")
	lower := u
	lower.DocID = strings.ToLower(vpnID)
	rep, err := ReplaceDocument(lower, doc, syncml.DataCDATA)
	if err != nil {
		t.Fatal(err)
	}
	rep.SetID("4")
	get, err := GetResults(ResultsURI(Device, Complete, vpnID))
	if err != nil {
		t.Fatal(err)
	}
	get.SetID("5")
	doc2 := *doc
	doc2.ID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	other, err := AddDocument(DocumentURI(Device, Complete, doc2.ID), &doc2, syncml.DataCDATA)
	if err != nil {
		t.Fatal(err)
	}
	other.SetID("6")

	d := Desired{URI: u}
	if !d.SentBy([]Sent{{MsgID: "1", Command: add}, {MsgID: "2", Command: &syncml.Atomic{CmdID: "1", Commands: []syncml.Command{rep}}}, {MsgID: "2", Command: get}}) {
		t.Fatal("SentBy found nothing")
	}
	if d.MsgID != "2" || d.CmdID != "4" {
		t.Errorf("SentBy named CmdID %q of message %q, want 4 of 2", d.CmdID, d.MsgID)
	}
	d = Desired{URI: u, MsgID: "9", CmdID: "9"}
	if d.SentBy([]Sent{{MsgID: "1", Command: get}, {MsgID: "1", Command: other}, {MsgID: "1", Command: nil}}) {
		t.Error("SentBy found a command that carries another document")
	}
	if d.MsgID != "9" || d.CmdID != "9" {
		t.Errorf("Desired changed to %+v", d)
	}
	// The Evaluate it feeds: the Status of the Replace is the document's.
	d = Desired{URI: u, Checksum: "A0"}
	d.SentBy([]Sent{{MsgID: "1", Command: rep}})
	ev := (&Reply{Statuses: []*syncml.Status{{CmdID: "1", MsgRef: "1", CmdRef: "4", Cmd: "Replace", Data: syncml.Text("400")}}}).
		Evaluate([]Desired{d}, []Sent{{MsgID: "1", Command: rep}})
	if got := ev.Documents[0]; got.Condition != Failed || got.Command != syncml.StatusBadRequest {
		t.Errorf("Evaluate = %v %v, want Failed with 400", got.Condition, got.Command)
	}
}

// TestEvaluateResultOfAnotherScope: a result or document that states the
// other context than the scope of the node the Get named belongs to the
// document of that DocID in the other scope: reported, not applied. A
// context in other letters, or none, is the node's.
func TestEvaluateResultOfAnotherScope(t *testing.T) {
	for _, tc := range []struct {
		context string
		other   bool
	}{{"User", true}, {"user", true}, {"Device", false}, {"DEVICE", false}, {"", false}} {
		u := DocumentURI(Device, Complete, docB)
		sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
		res := resultXML("Device", docB, "B1", "200")
		res = strings.Replace(res, `context="Device"`, `context="`+tc.context+`"`, 1)
		if tc.context == "" {
			res = strings.Replace(res, ` context=""`, ``, 1)
		}
		r, err := ReadReply(msg("2",
			&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(res)}}}))
		if err != nil {
			t.Fatal(err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if got := ev.Documents[0].Result == nil; got != tc.other {
			t.Errorf("result of context %q: dropped %v, want %v (unmatched %+v)", tc.context, got, tc.other, ev.Unmatched)
		}
		if tc.other && (len(ev.Unmatched) != 1 || !strings.Contains(ev.Unmatched[0].Reason, `context "`+tc.context+`"`)) {
			t.Errorf("result of context %q: unmatched %+v, want it reported", tc.context, ev.Unmatched)
		}
	}
}

// TestEvaluateDocumentOfAnotherScope: the same for a Get of a Document node.
func TestEvaluateDocumentOfAnotherScope(t *testing.T) {
	for _, ctx := range []string{"User", "Device"} {
		u := DocumentURI(Device, Complete, docB)
		sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(u)}}}}}
		doc := strings.Replace(documentXML(docB, "B1"), `context="Device"`, `context="`+ctx+`"`, 1)
		r, err := ReadReply(msg("2",
			&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(doc)}}}))
		if err != nil {
			t.Fatal(err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if got, want := ev.Documents[0].Document == nil, ctx == "User"; got != want || len(ev.Unmatched) != map[bool]int{true: 1}[want] {
			t.Errorf("document of context %q: dropped %v, want %v (unmatched %+v)", ctx, got, want, ev.Unmatched)
		}
	}
}
