package session

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestRv3GiveUpCallerChunkQueuedAgain: a caller may queue an object in
// chunks of its own (Queue takes an Item with MoreData; split keeps it on
// the last piece). Here A (MoreData) and A2 (its last chunk), each too
// large for the server's MaxMsgSize, are both cut by chunkCommands, and
// package 1 carries A's first piece; the next Start gives the session up
// mid-object. The rest of the package (A's last piece, A2's pieces, A2)
// must go back to the queue as queued: A, then A2. restToQueue (bec38b7)
// leaves A out of its map of commands cut, its Items before the cut
// ending with MoreData, so it takes A for a piece chunkCommands made and
// skips it with A2's pieces: A is lost, with no Outcome, and A2 (the end
// of the object) goes alone in the next package 1.
func TestRv3GiveUpCallerChunkQueuedAgain(t *testing.T) {
	ctx := context.Background()
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		ServerMaxMsgSize: 1400})
	if err != nil {
		t.Fatal(err)
	}
	item := func(fill string, more bool) []syncml.Item {
		return []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/A"}, Data: syncml.Text(strings.Repeat(fill, 3000)), MoreData: more}}
	}
	a := &syncml.Replace{Items: item("a", true)}
	a2 := &syncml.Replace{Items: item("b", false)}
	if err := c.Queue(a, a2); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(m.Body.Commands, syncml.Command(a)) || slices.Contains(m.Body.Commands, syncml.Command(a2)) {
		t.Fatalf("package 1's first message carried A's or A2's last piece: nothing to test")
	}
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	for _, o := range c.abandoned {
		if o.Command == syncml.Command(a) {
			t.Logf("A has an Outcome: MsgID %q, Err %v", o.MsgID, o.Err)
		}
	}
	for _, x := range []*syncml.Replace{a, a2} {
		name := "A"
		if x == a2 {
			name = "A2"
		}
		n := 0
		for _, y := range c.pkg1 {
			if y == syncml.Command(x) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the next session's package 1 holds %s %d times, want once (queued again after the session given up)", name, n)
		}
	}
}
