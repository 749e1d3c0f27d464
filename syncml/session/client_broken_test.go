package session

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// finish, building a message that does not continue the device's object
// in flight although it would have to (another command comes first after
// the Statuses: no input is known to put one there), sends the object
// again whole, to be cut anew: its pieces left do not follow as if it
// went on (the server drops an object cut short), the records of its
// chunks sent and its cut are forgotten, and the command has its whole
// Data back. A message that fails leaves all as it was. Before, the
// object's other pieces stayed in the rest of the package and went out
// after the other command, the next without Size.
func TestFinishSendsBrokenObjectWhole(t *testing.T) {
	whole := strings.Repeat("a", 3000)
	for _, tc := range []struct {
		name    string
		again   bool // the message is the last one (2), refused, built again
		peerMax int  // 0: the object goes whole in the message
		fail    bool // the message cannot be built
	}{
		{name: "the object fits whole"},
		{name: "the object is cut anew", peerMax: 1200},
		{name: "built again: the object fits whole", again: true},
		{name: "built again: the object is cut anew", again: true, peerMax: 1200},
		{name: "the message fails", peerMax: 150, fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S"})
			if err != nil {
				t.Fatal(err)
			}
			c.sessionID, c.peerSeen = "1", true
			a := objReplace("./A", whole)
			a.SetID("9")
			h := c.message(nil).Header
			pieces, _, cut, err := chunkCommands([]syncml.Command{a}, 1200, 0, &h, nil)
			if err != nil || len(pieces) < 3 {
				t.Fatalf("the test needs ./A in 3 pieces or more: %d, %v", len(pieces), err)
			}
			c.cuts = cut
			for i, p := range pieces[:len(pieces)-1] {
				p.SetID(strconv.Itoa(i + 2))
			}
			// the first chunk went in message 1, which the server took; when
			// again, the second in message 2, which it refused
			c.sent.addInternal("1", pieces[0])
			c.outMsgID = 1
			rest := pieces[1:]
			if tc.again {
				c.sent.addInternal("2", pieces[1])
				c.outMsgID, c.again, c.lastCont = 2, true, true
			}
			c.cont = slices.Clone(rest)
			lastPiece := a.ItemList()
			b := objReplace("./B", "b")
			cands := []syncml.Command{
				&syncml.Status{MsgRef: "1", CmdRef: "5", Cmd: "Get", Data: syncml.Text("200")}, b}
			cands = append(cands, rest...)
			c.peerMax = tc.peerMax
			if tc.peerMax == 0 {
				c.peerMax = 100000
			}
			recs, cuts := slices.Clone(c.sent.sent), slices.Clone(c.cuts)
			m, err := c.finish(c.message(nil), cands, true)
			if tc.fail {
				if err == nil {
					t.Fatal("finish built a message within 150 bytes")
				}
				if !sameItems(a.ItemList(), lastPiece) {
					t.Errorf("./A after the message failed: %+v, want its last piece as it was", a.ItemList())
				}
				if !slices.Equal(c.sent.sent, recs) || len(c.cuts) != len(cuts) || c.cuts[0].cmd != cuts[0].cmd || !sameItems(c.cuts[0].items, cuts[0].items) {
					t.Error("the records or the cuts changed with a message that failed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cmds := m.Body.Commands
			if len(cmds) < 3 || cmds[1] != b {
				t.Fatalf("message: %d commands, the second %T, want the Status, ./B, then ./A", len(cmds), cmds[1])
			}
			it := cmds[2].ItemList()
			if len(it) != 1 || itemURI(it[0]) != "./A" {
				t.Fatalf("the command after ./B has Items %+v, want ./A's", it)
			}
			if tc.peerMax == 0 {
				if cmds[2] != a || it[0].MoreData || it[0].Data.Value != whole {
					t.Errorf("./A goes with MoreData %v and %d bytes, want the command whole (%d)", it[0].MoreData, len(it[0].Data.Value), len(whole))
				}
			} else if size := it[0].Meta.Size; !it[0].MoreData || size != "3000" {
				t.Errorf("./A's first chunk: MoreData %v, Size %q, want a new first chunk of Size 3000", it[0].MoreData, size)
			}
			for _, p := range append(slices.Clone(cmds), c.cont...) {
				if p != a && slices.Contains(rest, p) {
					t.Errorf("a piece of ./A as first cut (%s) is still to go", p.ID())
				}
			}
			for _, s := range c.sent.sent {
				if s.MsgID == "1" {
					t.Errorf("the record of ./A's chunk sent in message 1 is kept")
				}
			}
			for _, x := range c.cuts {
				if x.cmd == a && (len(x.items) != 1 || x.items[0].Data.Value != whole) {
					t.Errorf("./A's cut holds %+v, not the Items it was queued with", x.items)
				}
			}
			if n := slices.IndexFunc(c.cuts, func(x uncut) bool { return x.cmd == a }); (n >= 0) != (tc.peerMax > 0) {
				t.Errorf("./A among the cuts: %v, want %v (cut anew)", n >= 0, tc.peerMax > 0)
			}
		})
	}
}
