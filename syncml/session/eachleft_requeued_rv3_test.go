package session

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestRv3EachLeftRequeuedByCaller: a command EachMessage gave package 1,
// carried and answered with an error, which the caller queues again
// (Queue(o.Command), as a retry), is the caller's own queued command from
// then on: when the session is given up while it waits in the rest of
// the package (the server's MaxMsgSize left it for a later message), it
// goes back to the queue, as Queue's commands do (Start's doc). Since
// 09835ed the Client notes every EachMessage command of the session until
// it ends, carried or not, so withoutEachLeft takes it for a stale
// EachMessage leftover: it is dropped with an Outcome saying EachMessage
// gives each message its own.
func TestRv3EachLeftRequeuedByCaller(t *testing.T) {
	ctx := context.Background()
	rep := func(u string, n int) *syncml.Replace {
		return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text(strings.Repeat("d", n))}}}
	}
	r := rep("./E/R", 300)
	round := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		ServerMaxMsgSize: 1400,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if round++; round == 1 {
				return []syncml.Command{r}, nil
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Body.Commands, syncml.Command(r)) {
		t.Fatal("package 1 does not carry EachMessage's command: nothing to test")
	}
	// the caller queues it again (a retry), after a filler that leaves
	// it for a later message
	f := rep("./Vendor/F", 1000)
	if err := c.Queue(f, r); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, srvMsg("1", "1", "1400", true, hdrOK("1"),
		&syncml.Status{MsgRef: "1", CmdRef: r.ID(), Cmd: "Replace", Data: syncml.Text("500")}))
	if err != nil {
		t.Fatal(err)
	}
	if x.Reply == nil || slices.Contains(x.Reply.Body.Commands, syncml.Command(r)) || !slices.Contains(c.cont, syncml.Command(r)) {
		t.Fatal("the reply carries the queued command, or it does not wait in the rest: nothing to test")
	}
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	for _, o := range c.abandoned {
		if o.Command == syncml.Command(r) {
			t.Logf("Outcome: MsgID %q, Err %v", o.MsgID, o.Err)
		}
	}
	if n := countIn(c.pkg1, r); n != 1 {
		t.Errorf("the next session's package 1 holds the command the caller queued again %d times, want once", n)
	}
}

// countIn returns how many times x is in cmds.
func countIn(cmds []syncml.Command, x syncml.Command) int {
	n := 0
	for _, y := range cmds {
		if y == x {
			n++
		}
	}
	return n
}
