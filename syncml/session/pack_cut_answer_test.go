package session

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Results of a Handler too large for the device's MaxMsgSize wait for the
// device's Alert 1222 and then go out in chunks, one a message, whole.
// Before, packSome indexed its candidates at w-len(rest), where rest (the
// chunks left of the Results that pack cut) could be longer than w: the
// message asking for the Results' first chunk panicked (index out of
// range [-15] for 1 MiB at a MaxMsgSize of 64 KiB).
func TestPackCutAnswerChunks(t *testing.T) {
	value := strings.Repeat("x", 1<<20)
	s := NewSession(&Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(value)}}}
	})})
	first := strings.Replace(string(devMsg("1", "1", alert1201+
		`<Get><CmdID>2</CmdID><Item><Target><LocURI>./X</LocURI></Target></Item></Get>`)), "</Source>",
		`</Source><Meta><MaxMsgSize xmlns="syncml:metinf">65536</MaxMsgSize></Meta>`, 1)
	x := handle(t, s, []byte(first))
	var got strings.Builder
	for i := 2; i < 40; i++ {
		more := false
		for _, c := range x.Reply.Body.Commands {
			if r, ok := c.(*syncml.Results); ok {
				for _, it := range r.Items {
					got.WriteString(it.Data.Value)
					more = more || it.MoreData
				}
			}
		}
		if x.Reply.Body.Final && !more {
			break
		}
		n := itoa(i)
		x = handle(t, s, devMsg("1", n, `<Status><CmdID>1</CmdID><MsgRef>`+itoa(i-1)+`</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
			`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert>`))
		if len(x.Raw) > 65536 {
			t.Fatalf("message %d of %d bytes", i, len(x.Raw))
		}
	}
	if got.String() != value {
		t.Errorf("Results of %d bytes received, want %d", got.Len(), len(value))
	}
}
