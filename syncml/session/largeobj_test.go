package session

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

func chunkMsg(msgID, body string, final bool) []byte {
	b := string(devMsg("1", msgID, body))
	if !final {
		b = strings.Replace(b, "<Final/>", "", 1)
	}
	return []byte(b)
}

func replaceChunk(id, uri, size, data string, more bool) string {
	return `<Replace><CmdID>` + id + `</CmdID>` + chunkItem(`<Target><LocURI>`+uri+`</LocURI></Target>`, size, data, more) + `</Replace>`
}

// chunkItem is an Item with location loc (a Target or Source element),
// data, a Meta Size when size is not empty, and MoreData when more.
func chunkItem(loc, size, data string, more bool) string {
	s := `<Item>` + loc
	if size != "" {
		s += `<Meta><Size xmlns="syncml:metinf">` + size + `</Size></Meta>`
	}
	s += `<Data>` + data + `</Data>`
	if more {
		s += `<MoreData/>`
	}
	return s + `</Item>`
}

func TestLargeObjectReceive(t *testing.T) {
	var got []string
	cfg := &Config{MaxObjectSize: 20, Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		for _, it := range r.Command.ItemList() {
			if it.Data != nil {
				got = append(got, itemURI(it)+"="+it.Data.Value)
			}
		}
		return Response{}
	})}
	t.Run("joined", func(t *testing.T) {
		got = nil
		s := NewSession(cfg)
		x := handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "10", "hello", true), false))
		if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Status(1/2 Replace 213)", "4:Alert"}, summary(x.Reply)); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
		// The state survives serialization with the object half received.
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		s = NewSession(cfg)
		if err := s.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		x = handle(t, s, chunkMsg("2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>`+
			replaceChunk("2", "./X", "", "world", false), true))
		if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/2 Replace 200)"}, summary(x.Reply)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"./X=helloworld"}, got); d != "" {
			t.Errorf("handler saw (-want +got):\n%s", d)
		}
		if len(x.Unmatched) != 0 || len(x.Outcomes) != 0 {
			t.Errorf("the Status of the session's own Alert 1222 leaked: %v %v", x.Unmatched, x.Outcomes)
		}
	})
	t.Run("size mismatch", func(t *testing.T) {
		got = nil
		s := NewSession(cfg)
		handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "11", "hello", true), false))
		x := handle(t, s, chunkMsg("2", replaceChunk("3", "./X", "", "world", false), true))
		if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/3 Replace 424)"}, summary(x.Reply)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if got != nil {
			t.Errorf("committed %v", got)
		}
	})
	t.Run("cut by another command", func(t *testing.T) {
		got = nil
		s := NewSession(cfg)
		handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "10", "hello", true), false))
		x := handle(t, s, chunkMsg("2", replaceChunk("3", "./Y", "", "other", false), true))
		if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Alert", "3:Status(2/3 Replace 200)"}, summary(x.Reply)); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
		a := x.Reply.Body.Commands[1].(*syncml.Alert)
		if code, _ := a.Code(); code != syncml.AlertNoEndOfData || a.Items[0].Target.LocURI != "./X" {
			t.Errorf("alert %+v", a)
		}
		if d := cmp.Diff([]string{"./Y=other"}, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("over MaxObjectSize", func(t *testing.T) {
		got = nil
		s := NewSession(cfg)
		handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "20", strings.Repeat("a", 15), true), false))
		x := handle(t, s, chunkMsg("2", replaceChunk("2", "./X", "", strings.Repeat("b", 15), true), false))
		if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/2 Replace 413)", "3:Alert"}, summary(x.Reply)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		x = handle(t, s, chunkMsg("3", alert1201+replaceChunk("2", "./X", "21", "a", true), false))
		if d := cmp.Diff([]string{"1:Status(3/0 SyncHdr 200)", "2:Status(3/1 Alert 200)", "3:Status(3/2 Replace 413)", "4:Alert"}, summary(x.Reply)); d != "" {
			t.Errorf("announced size (-want +got):\n%s", d)
		}
		if got != nil {
			t.Errorf("committed %v", got)
		}
	})
	t.Run("client receives chunks", func(t *testing.T) {
		got = nil
		c := newTestClient(t, cfg.Handler)
		_, _ = c.Start(context.Background(), "1")
		srv := func(id string, body string, final bool) *syncml.Message {
			var m syncml.Message
			if err := syncml.Unmarshal(chunkMsg(id, body, final), &m); err != nil {
				t.Fatal(err)
			}
			m.Header.Target.LocURI = "DEV1" // a device's message, sent back to it
			return &m
		}
		x, err := c.Handle(context.Background(), srv("1", replaceChunk("5", "./Z", "6", "abc", true), false))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/5 Replace 213)", "3:Alert"}, summary(x.Reply)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		x, err = c.Handle(context.Background(), srv("2", replaceChunk("6", "./Z", "", "def", false), true))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"./Z=abcdef"}, got); d != "" || x.Done {
			t.Errorf("(-want +got):\n%s done %v", d, x.Done)
		}
	})
}

// A Get whose Results was coming in chunks gets its Outcome, with its
// Status alone, when the object is cut (Alert 1225); the state between
// messages keeps the Status held.
func TestHeldStatusReleasedOnCut(t *testing.T) {
	s := NewSession(nil)
	_ = s.Queue(get("./A"))
	handle(t, s, devMsg("1", "1", alert1201)) // the Get goes out as CmdID 3 of message 1
	x := handle(t, s, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Meta><Size xmlns="syncml:metinf">6</Size></Meta><Data>abc</Data><MoreData/></Item></Results>`))
	if len(x.Outcomes) != 0 || !slices.Contains(summary(x.Reply), "2:Status(2/3 Results 213)") {
		t.Fatalf("first chunk: outcomes %+v, reply %v", x.Outcomes, summary(x.Reply))
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s = NewSession(nil)
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	x = handle(t, s, devMsg("1", "3", `<Alert><CmdID>1</CmdID><Data>1224</Data><Item><Data>x</Data></Item></Alert>`))
	if len(x.Outcomes) != 1 || x.Outcomes[0].Command.ElementName() != "Get" || x.Outcomes[0].Status == nil || len(x.Outcomes[0].Results) != 0 {
		t.Errorf("after the cut: outcomes %+v", x.Outcomes)
	}
	alert := false
	for _, c := range x.Reply.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok {
			code, _ := a.Code()
			alert = alert || code == syncml.AlertNoEndOfData
		}
	}
	if !alert {
		t.Errorf("no Alert 1225: %v", summary(x.Reply))
	}
}

// A chunk the device sends in a message with Final is answered as one
// sent without: the device's package cannot end with its object in
// flight, so the reply is not Final and asks for the next message (Alert
// 1222) rather than sending the queued commands; the next chunk joins it.
func TestLargeObjectChunkWithFinal(t *testing.T) {
	var got []string
	s := NewSession(&Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		for _, it := range r.Command.ItemList() {
			if it.Data != nil {
				got = append(got, itemURI(it)+"="+it.Data.Value)
			}
		}
		return Response{}
	})})
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "10", "hello", true), true))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Status(1/2 Replace 213)", "4:Alert"}, summary(x.Reply)); d != "" || x.Reply.Body.Final {
		t.Fatalf("Final %v (-want +got):\n%s", x.Reply.Body.Final, d)
	}
	x = handle(t, s, chunkMsg("2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>`+
		replaceChunk("2", "./X", "", "world", false), true))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/2 Replace 200)", "3:Get"}, summary(x.Reply)); d != "" || !x.Reply.Body.Final {
		t.Errorf("Final %v (-want +got):\n%s", x.Reply.Body.Final, d)
	}
	if d := cmp.Diff([]string{"./X=helloworld"}, got); d != "" {
		t.Errorf("handler saw (-want +got):\n%s", d)
	}
}

// TestExchangeContinued: Exchange.Continued is set for a message that goes
// on with an object begun in an earlier one (a middle chunk, the last
// one), not for the message that begins it, one that cuts it (Alert 1225)
// or one after it.
func TestExchangeContinued(t *testing.T) {
	cfg := &Config{MaxObjectSize: 64, Handler: Accept}
	s := NewSession(cfg)
	var got []bool
	for _, m := range [][]byte{
		chunkMsg("1", alert1201+replaceChunk("2", "./X", "15", "hello", true), false),
		chunkMsg("2", replaceChunk("2", "./X", "", "there", true), false),
		chunkMsg("3", replaceChunk("2", "./X", "", "world", false), false),
		chunkMsg("4", replaceChunk("2", "./Y", "10", "hello", true), false),
		chunkMsg("5", replaceChunk("2", "./Z", "", "small", false), true), // cuts ./Y
	} {
		got = append(got, handle(t, s, m).Continued)
	}
	if d := cmp.Diff([]bool{false, true, true, false, false}, got); d != "" {
		t.Errorf("Continued per message (-want +got):\n%s", d)
	}
}
