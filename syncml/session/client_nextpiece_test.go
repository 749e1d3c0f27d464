package session

import (
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// finish takes the first command after the Statuses of a message that
// continues the device's object in flight for the continuation of that
// object only when it is a piece of it (same command, same node): another
// command, cut to fill the message, is cut as an object of its own, its
// first chunk with its Size, and the message is not taken as continuing
// an object (lastCont). When the message is one the server refused, built
// again, the object in flight is the one before it. No input is known to
// put another command there (the pieces of the object in flight go right
// after the Statuses: answersThenRest); before the check, such a command
// was cut as a continuation, its first chunk without Size.
func TestFinishContinuesSameObjectOnly(t *testing.T) {
	chunk := func(uri string) syncml.Command {
		x := objReplace(uri, "xxxx")
		x.Items[0].MoreData = true
		return x
	}
	for _, tc := range []struct {
		name     string
		recs     [][2]any // the records: MsgID, command
		again    bool     // the message is the last one (2) built again
		next     string   // the node of the command after the Statuses
		wantCont bool
	}{
		{"another object after the chunk in flight", [][2]any{{"1", chunk("./A")}}, false, "./B", false},
		{"the object in flight goes on", [][2]any{{"1", chunk("./A")}}, false, "./A", true},
		{"built again: the object in flight before the refused message goes on",
			[][2]any{{"1", chunk("./A")}, {"2", chunk("./B")}}, true, "./A", true},
		{"built again: the refused message's first chunk is no object in flight",
			[][2]any{{"1", chunk("./A")}, {"2", chunk("./B")}}, true, "./B", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S"})
			if err != nil {
				t.Fatal(err)
			}
			c.sessionID, c.peerSeen = "1", true
			for i, r := range tc.recs {
				cmd := r[1].(syncml.Command)
				cmd.SetID(strconv.Itoa(i + 2))
				c.sent.addInternal(r[0].(string), cmd)
				c.outMsgID, _ = strconv.Atoi(r[0].(string))
			}
			if tc.again {
				c.again, c.lastCont = true, true
			}
			obj := objReplace(tc.next, strings.Repeat("o", 2000))
			m := c.message(nil)
			l, err := encodedLen(obj)
			if err != nil {
				t.Fatal(err)
			}
			// within one message (no chunks cut before the message is
			// packed), not after the Statuses: the message cuts it
			c.peerMax = overhead(&m.Header) + l
			var cands []syncml.Command
			for i := range 8 {
				cands = append(cands, &syncml.Status{MsgRef: "1", CmdRef: strconv.Itoa(i + 10), Cmd: "Replace", Data: syncml.Text("200")})
			}
			cands = append(cands, obj)
			m, err = c.finish(m, cands, true)
			if err != nil {
				t.Fatal(err)
			}
			last := m.Body.Commands[len(m.Body.Commands)-1]
			it := last.ItemList()
			if len(it) != 1 || !it[0].MoreData || itemURI(it[0]) != tc.next {
				t.Fatalf("the message ends with %T %+v, want the first chunk of %s (the test needs it cut)", last, it, tc.next)
			}
			size := ""
			if it[0].Meta != nil {
				size = it[0].Meta.Size
			}
			if wantSize := map[bool]string{true: "", false: "2000"}[tc.wantCont]; size != wantSize {
				t.Errorf("%s's first chunk has Size %q, want %q", tc.next, size, wantSize)
			}
			if c.lastCont != tc.wantCont {
				t.Errorf("the message continues an object: %v, want %v", c.lastCont, tc.wantCont)
			}
		})
	}
}
