package session

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestFailedChunkQueuedPutsBack: a bare Session whose reply fails in
// chunkCommands puts back what the message changed, as every other
// failed reply does: the Status the message carried for a Get sent
// before is matched again by the retry, whose reply has the Get's
// Outcome, and the session's counters are as before (the retry's reply
// is the one the failed try would have sent). Before the fix the error
// returned before keep: the Get's record stayed answered, and the retry
// reported its Status Unmatched, with no Outcome.
//
// The way to the error is a queued command that no longer encodes, its
// caller having changed it after Queue (which checked it, and takes
// ownership of it). Queue lets no such command in, and no other way was
// found: the chunks split cuts from a text that encodes are pieces of it,
// cut between runes.
func TestFailedChunkQueuedPutsBack(t *testing.T) {
	ctx := context.Background()
	s := NewSession(&Config{MaxMsgSize: 10000})
	g := get("./DevDetail/SwV")
	if err := s.Queue(g); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, devMsg("1", "1", alert1201))
	if got := summary(x.Reply); len(got) != 3 || got[2] != "3:Get" {
		t.Fatalf("reply 1: %v, want the Get", got)
	}
	r := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/R"}, Data: syncml.Text("ok")}}}
	if err := s.Queue(r); err != nil {
		t.Fatal(err)
	}
	r.Items[0].Data.Value = "\x00 not XML"
	st := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`
	raw := devMsg("1", "2", st)
	if _, err := s.Handle(ctx, &Inbound{Raw: raw}); err == nil {
		t.Fatal("the reply did not fail")
	}
	r.Items[0].Data.Value = "ok"
	x = handle(t, s, raw)
	var outs []string
	for _, o := range x.Outcomes {
		code, _ := o.Code()
		outs = append(outs, fmt.Sprintf("%s %s:%s %d", o.MsgID, o.Command.ID(), o.Command.ElementName(), code))
	}
	if d := cmp.Diff([]string{"1 3:Get 200"}, outs); d != "" {
		t.Errorf("Outcomes of the retry (-want +got):\n%s", d)
	}
	if len(x.Unmatched) != 0 {
		t.Errorf("the retry left %d Statuses unmatched", len(x.Unmatched))
	}
	want := []string{"1:Status(2/0 SyncHdr 200)", "2:Replace"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" || x.Reply.Header.MsgID != "2" {
		t.Errorf("the retry's reply %s (-want +got):\n%s", x.Reply.Header.MsgID, d)
	}
}
