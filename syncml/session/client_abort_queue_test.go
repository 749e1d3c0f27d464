package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// hdrOK is the Status of the device's message msgRef SyncHdr, 200.
func hdrOK(msgRef string) *syncml.Status {
	return &syncml.Status{MsgRef: msgRef, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")}
}

// srvReplaces returns n Replaces of the server, to ./Vendor/S/<i>.
func srvReplaces(n int) []syncml.Command {
	var out []syncml.Command
	for i := range n {
		out = append(out, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./Vendor/S/%d", i)}, Data: syncml.Text("v")}}})
	}
	return out
}

// An abort puts the rest of the device's package back in the queue; the
// queue then keeps MaxQueue: the commands past it (the last queued) are
// not queued again but come in the abort's Exchange, an Outcome each
// whose Err is a *LimitError of MaxQueue. Here BeforeReply queues two
// Replaces per server message (MaxQueue 2) and the server's MaxMsgSize
// lets one message carry one of them at most, so the rest of the package
// holds three when the server aborts.
func TestClientAbortKeepsMaxQueue(t *testing.T) {
	ctx := context.Background()
	next := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept, MaxQueue: 2,
		BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			var q []syncml.Command
			for range 2 {
				q = append(q, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./Q/%d", next)}, Data: syncml.Text(strings.Repeat("d", 300))}}})
				next++
			}
			if err := c.Queue(q...); err != nil {
				t.Logf("BeforeReply: %v", err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{1, 3} {
		msgID := fmt.Sprint(i + 1)
		_, err := c.Handle(ctx, srvMsg("1", msgID, "1200", true, append([]syncml.Command{hdrOK(msgID)}, srvReplaces(n)...)...))
		if err != nil {
			t.Fatalf("server message %s: %v", msgID, err)
		}
		if i == 1 && c.ownWaiting() != 3 {
			t.Fatalf("after reply %s: %d own commands wait, want 3 (MaxQueue 2 plus one)", msgID, c.ownWaiting())
		}
	}
	x, err := c.Handle(ctx, srvMsg("1", "3", "1200", true, hdrOK("3"), NewAlert(syncml.AlertSessionAbort)))
	if err != nil {
		t.Fatal(err)
	}
	var over []string
	for _, o := range x.Outcomes {
		var le *LimitError
		if errors.As(o.Err, &le) && le.Limit == "MaxQueue" && le.Max == 2 && o.SessionID == "1" {
			over = append(over, uriOf(o.Command))
		} else if o.Err != nil {
			t.Errorf("%s %s: unexpected Err %v", o.Command.ElementName(), o.Command.ID(), o.Err)
		}
	}
	var queued []string
	for _, q := range c.queue {
		queued = append(queued, uriOf(q))
	}
	if got, want := fmt.Sprint(queued, over), "[./Q/1 ./Q/2] [./Q/3]"; got != want {
		t.Errorf("after the abort: queued and refused %s, want %s", got, want)
	}
	if err := c.Queue(); err != nil {
		t.Fatalf("after the abort the queue is beyond MaxQueue: %v", err)
	}
}
