package declaredconfig

import (
	"errors"
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
		{"lower-case DocID", "200", strings.Replace(summaryXML("60", "A3", "R1"), vpnID, strings.ToLower(vpnID), 1), Desired{URI: u, Checksum: "A3"}, InSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadReply(deviceReply(t, tt.code, tt.summary))
			if err != nil {
				t.Fatal(err)
			}
			got := r.Evaluate([]Desired{tt.desired})[0]
			if got.Condition != tt.want {
				t.Errorf("Condition = %v (%s), want %v", got.Condition, got.Reason, tt.want)
			}
		})
	}
}

func TestEvaluateSettings(t *testing.T) {
	r, err := ReadReply(deviceReply(t, "200", summaryXML("60", "A3", "R1")))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 1 || r.Results[0].Err != nil || r.Results[0].URI.Host != BulkTemplate {
		t.Fatalf("Results = %+v", r.Results)
	}
	// The documented reply reads the result from a BulkTemplate node, so it
	// applies to the BulkTemplate document with that DocID.
	st := r.Evaluate([]Desired{{URI: DocumentURI(User, BulkTemplate, vpnID), Checksum: "A3"}})[0]
	if len(st.Settings) != 10 {
		t.Fatalf("%d settings, want 10", len(st.Settings))
	}
	want := SettingStatus{Provider: "./Vendor/MSFT/VPNv2", Name: "Test_SonicWallNew/TrafficFilterList/0/Protocol", Type: "int", Status: 200, State: StateConfigCompletedSuccess}
	if diff := cmp.Diff(want, st.Settings[0]); diff != "" {
		t.Errorf("first setting (-want +got):\n%s", diff)
	}
	// One failed setting makes the document Failed even in state 60.
	r.Results[0].Result.CSPs[0].Settings[3].Status = "404"
	st = r.Evaluate([]Desired{{URI: DocumentURI(User, BulkTemplate, vpnID), Checksum: "A3"}})[0]
	if st.Condition != Failed || !strings.Contains(st.Reason, "RememberCredentials") {
		t.Errorf("Condition = %v (%s), want Failed for RememberCredentials", st.Condition, st.Reason)
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
}
