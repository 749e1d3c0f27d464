package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A reply that must carry the Statuses and a command BeforeReply queued,
// which do not fit together under the server's MaxMsgSize (600 to 750
// bytes), carries the Statuses and leaves the command to the next
// messages of the device's package (OMA DM, Alert 1222), cut to the room
// each has: the server gets it whole, and the session ends. Before, the
// Client failed the reply (ErrProtocol, "MaxMsgSize too small"), and so
// every retry: the next message's Status of the Alert 1222 leaves no room
// for a chunk of minChunk bytes of data.
func TestClientReplyLeavesCommandForLaterMessage(t *testing.T) {
	for _, max := range []int{800, 850, 900, 950, 1000} {
		for _, size := range []int{150, 300, 450} {
			t.Run(fmt.Sprint(max, " ", size), func(t *testing.T) { replyLeavesCommand(t, max, size) })
		}
	}
}

func replyLeavesCommand(t *testing.T, max, size int) {
	ctx := context.Background()
	data := strings.Repeat("0123456789", size/10)
	queued := false
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			if !queued {
				queued = true
				if err := c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Q/1"}, Data: syncml.Text(data)}}}); err != nil {
					t.Fatal(err)
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	m := srvMsg("1", "1", fmt.Sprint(max), true, hdrOK("1"), srvReplaces(1)[0])
	var got strings.Builder // the object as the server joins it
	answered := false
	for i := 2; ; i++ {
		x, err := c.Handle(ctx, m)
		if err != nil {
			t.Fatalf("server message %s: %v", m.Header.MsgID, err)
		}
		for _, o := range x.Outcomes {
			if uriOf(o.Command) == "./Q/1" && o.Err == nil && !o.Abandoned {
				answered = true
			}
		}
		if x.Done {
			break
		}
		if len(x.Raw) > max {
			t.Fatalf("device message %s of %d bytes, over the server's MaxMsgSize %d", x.Reply.Header.MsgID, len(x.Raw), max)
		}
		if i > 40 {
			t.Fatalf("no end after %d messages", i)
		}
		last := x.Reply
		var cmds []syncml.Command
		cmds = append(cmds, hdrOK(last.Header.MsgID))
		for _, y := range last.Body.Commands {
			switch y := y.(type) {
			case *syncml.Status:
			case *syncml.Replace:
				if uriOf(y) == "./Q/1" {
					got.WriteString(y.Items[0].Data.Value)
				}
				code := "200"
				if y.Items[0].MoreData {
					code = "213"
				}
				cmds = append(cmds, &syncml.Status{MsgRef: last.Header.MsgID, CmdRef: y.CmdID, Cmd: "Replace", Data: syncml.Text(code)})
			default:
				cmds = append(cmds, &syncml.Status{MsgRef: last.Header.MsgID, CmdRef: y.ID(), Cmd: y.ElementName(), Data: syncml.Text("200")})
			}
		}
		if !last.Body.Final {
			cmds = append(cmds, NewAlert(syncml.AlertNextMessage))
		}
		m = srvMsg("1", fmt.Sprint(i), fmt.Sprint(max), true, cmds...)
	}
	if got.String() != data || !answered {
		t.Fatalf("the server got %d bytes of the %d queued (answered %v)", got.Len(), len(data), answered)
	}
}
