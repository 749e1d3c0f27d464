package declaredconfig

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestEvaluateSecondAnswer: a device that answers one Get of a Results
// node twice (two Results commands, the second with another outcome) has
// its second answer reported Unmatched; the first stands. Before, the
// second silently replaced the first.
func TestEvaluateSecondAnswer(t *testing.T) {
	u := DocumentURI(Device, Complete, docB)
	sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
	r, err := ReadReply(msg("2",
		&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docB, "B1", "200"))}}},
		&syncml.Results{CmdID: "2", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", docB, "B1", "500"))}}}))
	if err != nil {
		t.Fatal(err)
	}
	ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
	d := ev.Documents[0]
	if len(d.Settings) != 1 || d.Settings[0].Status != 200 {
		t.Errorf("settings %+v; want the first answer's, status 200", d.Settings)
	}
	if len(ev.Unmatched) != 1 || ev.Unmatched[0].Command.ID() != "2" || !strings.Contains(ev.Unmatched[0].Reason, "second answer") {
		t.Errorf("unmatched %+v; want the second Results, as a second answer", ev.Unmatched)
	}
}

// TestValidateDocIDOnce: a DocID that is not a GUID, in the document and
// so in its target, is one problem, reported once (it was reported twice,
// for the target and for the document); a document whose id differs from
// a target that is wrong otherwise still has each problem told.
func TestValidateDocIDOnce(t *testing.T) {
	d := &Document{Schema: "1.0", Context: "Device", ID: "not-a-guid", Checksum: "A", Scenario: ScenarioVPN}
	err := d.Validate(DocumentURI(Device, Complete, "not-a-guid"))
	if err == nil || strings.Count(err.Error(), "is not a GUID") != 1 {
		t.Errorf("Validate: %v; want the DocID told once", err)
	}
	err = d.Validate(DocumentURI(Device, Host(99), "not-a-guid"))
	if err == nil || !strings.Contains(err.Error(), "is not a GUID") || !strings.Contains(err.Error(), "host") {
		t.Errorf("Validate with a bad host too: %v; want both told", err)
	}
}
