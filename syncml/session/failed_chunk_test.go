package session

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A chunk of the device's object in a message whose reply fails is not
// kept: the device's retry of the message sends it again, and the object
// is joined from each chunk once. Before, the failed try's chunk stayed
// in the partial object, and the retry's came after it: the object had
// the chunk twice (a Size given: 424, the object lost; none: the handler
// got the data with the chunk twice). (A first chunk without Size is now
// refused, 400, and so is its object: see TestStrayChunkRefused.)
func TestFailedReplyDropsReceivedChunk(t *testing.T) {
	for _, size := range []string{"15"} {
		var got []string
		name := "srv"
		s := signFailing(&name)
		s.cfg.Handler = HandlerFunc(func(_ context.Context, r *Request) Response {
			got = append(got, r.Command.ItemList()[0].Data.Value)
			return Response{}
		})
		handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", size, "hello", true), false))
		var x *Exchange
		for i, c := range []string{replaceChunk("2", "./X", "", "world", true), replaceChunk("2", "./X", "", "again", false)} {
			raw := chunkMsg(fmt.Sprint(i+2), `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+c, i == 1)
			for _, fail := range []string{"", "!"} {
				name = fail
				if _, err := s.Handle(context.Background(), &Inbound{Raw: raw}); err == nil {
					t.Fatalf("message %d: the reply did not fail", i+2)
				}
			}
			name, got = "srv", nil // the handler runs in each try: the retry's is the one answered
			x = handle(t, s, raw)
		}
		if !slices.Equal(got, []string{"helloworldagain"}) {
			t.Errorf("Size %q: the handler got %q, want the object once: %v", size, got, summary(x.Reply))
		}
	}
}
