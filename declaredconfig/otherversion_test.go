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
		state  string // the summary entry's state
		told   bool
	}{
		{"B1", "60", true}, {"B1", "61", true}, {"B0", "60", false}, {"", "", false},
		// B1 taken, not finished: its result is not there yet (a Replace
		// and the Get of the result in one message)
		{"B1", "1", false}, {"B1", "50", false},
	} {
		cmds := []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docB, "B0", "200"))}}}}
		if tc.listed != "" {
			cmds = append(cmds, &syncml.Alert{CmdID: "3", Data: syncml.Text("1224"), Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType},
				Data: syncml.XML(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + docB + `" checksum="` + tc.listed + `" result_checksum="R" state="` + tc.state + `"/></DeclaredConfigurations>`)}}})
		}
		r, err := ReadReply(msg("2", cmds...))
		if err != nil {
			t.Fatal(err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if ev.Documents[0].Result != nil {
			t.Errorf("summary %q state %s: the result of version B0 is used for B1", tc.listed, tc.state)
		}
		if got := len(ev.Unmatched) == 1 && strings.Contains(ev.Unmatched[0].Reason, `result of version "B0", while the summary lists version "B1"`); got != tc.told || !tc.told && len(ev.Unmatched) != 0 {
			t.Errorf("summary %q state %s: unmatched %+v, want told %v", tc.listed, tc.state, ev.Unmatched, tc.told)
		}
	}
}

// TestEvaluateContextSpaces: a result whose context is its scope with XML
// spaces around is the document's, not another scope's.
func TestEvaluateContextSpaces(t *testing.T) {
	u := DocumentURI(Device, Complete, docB)
	sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
	for _, context := range []string{"Device ", "\tdevice\n"} {
		cmds := []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML(context, docB, "B1", "200"))}}}}
		r, err := ReadReply(msg("2", cmds...))
		if err != nil {
			t.Fatal(err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if ev.Documents[0].Result == nil || len(ev.Unmatched) != 0 {
			t.Errorf("context %q: result not used (unmatched %+v)", context, ev.Unmatched)
		}
	}
}
