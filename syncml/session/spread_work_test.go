package session

import (
	"fmt"
	"strings"
	"testing"
)

// TestServerSpreadAnswersWork: a device decides how many commands its
// message carries, and so how many Statuses the server owes it; under a
// small MaxMsgSize they go out over many messages, the device asking for
// each with Alert 1222. Each of those messages carries a few Statuses,
// and its work may grow with the number still held only by a pointer or
// two each (they are handed on, as the state holding them is), not by
// the encoding of each: every message of the spread encoded all those
// still held (4,000 Statuses: 1.09 GB allocated over the 1,987 messages
// that follow, 276 bytes per Status held per message).
func TestServerSpreadAnswersWork(t *testing.T) {
	const max, n = 900, 4000
	var body strings.Builder
	body.WriteString(alert1201)
	for i := 2; i < n+2; i++ {
		fmt.Fprintf(&body, `<Alert><CmdID>%d</CmdID><Data>1224</Data><Item><Data>u</Data></Item></Alert>`, i)
	}
	s := NewSession(nil)
	x := handle(t, s, sizedMsg("7", "1", max, body.String(), true))
	var total uint64
	var held, msgs int
	for id := 2; !x.Reply.Body.Final; id++ {
		if len(x.Raw) > max {
			t.Fatalf("message %s of %d bytes over %d", x.Reply.Header.MsgID, len(x.Raw), max)
		}
		if id > n {
			t.Fatalf("no Final after %d messages", id)
		}
		held += len(s.st.Cont)
		msgs++
		raw := sizedMsg("7", fmt.Sprint(id), max, fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
			`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert>`, x.Reply.Header.MsgID), false)
		total += allocated(func() { x = handle(t, s, raw) })
	}
	per := float64(total) / float64(held)
	t.Logf("%d messages after the first, %d Statuses held in all, %d bytes allocated: %.1f per Status held per message", msgs, held, total, per)
	if per > 64 {
		t.Errorf("a message of the spread allocates %.1f bytes per Status still held: more than handing each on", per)
	}
}
