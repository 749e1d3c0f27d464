package declaredconfig

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestEvaluateResultOfAnotherVersion: a result of another version than
// the Desired's is not used; it is listed in Unmatched only when the
// reply's summary lists the Desired's version (the device says it holds
// that version and gives another's result), not when the summary lists
// the result's version (not applied yet) or there is no summary.
func TestEvaluateResultOfAnotherVersion(t *testing.T) {
	u := DocumentURI(Device, Complete, docB)
	sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
	for _, tc := range []struct {
		listed string // the version the summary lists; "" for no summary
		told   bool
	}{{"B1", true}, {"B0", false}, {"", false}} {
		cmds := []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docB, "B0", "200"))}}}}
		if tc.listed != "" {
			cmds = append(cmds, &syncml.Alert{CmdID: "3", Data: syncml.Text("1224"), Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType},
				Data: syncml.XML(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + docB + `" checksum="` + tc.listed + `" result_checksum="R" state="60"/></DeclaredConfigurations>`)}}})
		}
		r, err := ReadReply(msg("2", cmds...))
		if err != nil {
			t.Fatal(err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if ev.Documents[0].Result != nil {
			t.Errorf("summary %q: the result of version B0 is used for B1", tc.listed)
		}
		if got := len(ev.Unmatched) == 1 && strings.Contains(ev.Unmatched[0].Reason, `result of version "B0", while the summary lists version "B1"`); got != tc.told || !tc.told && len(ev.Unmatched) != 0 {
			t.Errorf("summary %q: unmatched %+v, want told %v", tc.listed, ev.Unmatched, tc.told)
		}
	}
}
