package session

import (
	"bytes"
	"strings"
	"testing"
)

// TestServerRefusalReplay: the same device message again (a retry after
// a lost reply) gets the reply that refused a command for MaxMsgSize byte
// for byte, and no second Outcome for it; the session then goes on as if
// it had been sent once.
func TestServerRefusalReplay(t *testing.T) {
	const max = 800
	s := NewSession(nil)
	long := get("./Vendor/MSFT/" + strings.Repeat("L", 800))
	if err := s.Queue(long, get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, sizedMsg("3", "1", max, alert1201, true))
	if x.Reply.Body.Final {
		t.Fatalf("first reply Final: %v", summary(x.Reply))
	}
	// the device asks for the rest of the package: the reply refuses the long Get
	raw := sizedMsg("3", "2", max, `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert>`, false)
	x = handle(t, s, raw)
	first := append([]byte(nil), x.Raw...)
	refusals := 0
	for _, o := range x.Outcomes {
		if o.Command == long && o.Err != nil {
			refusals++
		}
	}
	if refusals != 1 {
		t.Fatalf("%d refusals of the long Get in the first reply (%v)", refusals, summary(x.Reply))
	}
	again := handle(t, s, raw)
	if !again.Replayed || !bytes.Equal(again.Raw, first) {
		t.Errorf("replay: Replayed %v, same bytes %v", again.Replayed, bytes.Equal(again.Raw, first))
	}
	if len(again.Outcomes) != 0 {
		t.Errorf("replay reported %d Outcomes again", len(again.Outcomes))
	}
	if got := sentGets(again.Reply); len(got) != 1 || got[0] != "./DevDetail/SwV" {
		t.Errorf("replayed reply sends %v, want the short Get", got)
	}
}
