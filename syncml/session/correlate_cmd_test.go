package session

import (
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A Status matched by MsgRef and CmdRef answers the command only when its
// Cmd names that command's element (or it has no Cmd): one that names
// another command is unmatched, and the command stays pending for its own
// Status.
func TestStatusCmdMustName(t *testing.T) {
	for _, tc := range []struct {
		cmd     string
		matched bool
	}{
		{"Add", true},
		{"", true},
		{" Add\r\n", true},
		{"Delete", false},
		{"add", false},
		{"Get", false},
		{"SyncHdr", false},
	} {
		var c correlator
		add := &syncml.Add{CmdID: "3", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N"}, Data: syncml.Text("v")}}}
		c.add("1", add)
		st := &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "3", Cmd: tc.cmd, Data: syncml.StatusOK.Data()}
		outs, um, _ := c.receive([]syncml.Command{st}, "1", sentKey{}, nil)
		if got := len(outs) == 1 && len(um) == 0; got != tc.matched {
			t.Errorf("Cmd %q: %d outcomes, %d unmatched; want matched %v", tc.cmd, len(outs), len(um), tc.matched)
		}
		if !tc.matched {
			if c.pending() != 1 {
				t.Errorf("Cmd %q: %d pending, want the Add still pending", tc.cmd, c.pending())
			}
			// its own Status still answers it
			outs, um, _ = c.receive([]syncml.Command{&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "3", Cmd: "Add", Data: syncml.StatusOK.Data()}}, "1", sentKey{}, nil)
			if len(outs) != 1 || len(um) != 0 {
				t.Errorf("Cmd %q, then Add: %d outcomes, %d unmatched; want the Add answered", tc.cmd, len(outs), len(um))
			}
		}
	}
}
