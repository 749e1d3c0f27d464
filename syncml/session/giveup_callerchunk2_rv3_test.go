package session

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestRv3GiveUpUncutCallerChunkQueuedAgain: a caller's chunk that no
// message cut (A: small, MoreData), waiting in the rest of the package
// before its object's last chunk (A2), which chunkCommands cut, is taken
// by restToQueue for a piece chunkCommands made of A2 (a chunk not in its
// map of commands cut, followed by chunks up to one cut) and skipped when
// the session is given up: A is lost without an Outcome. This was so
// before bec38b7 too (its map never held A).
func TestRv3GiveUpUncutCallerChunkQueuedAgain(t *testing.T) {
	ctx := context.Background()
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		ServerMaxMsgSize: 1400})
	if err != nil {
		t.Fatal(err)
	}
	rep := func(u, fill string, n int, more bool) *syncml.Replace {
		return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text(strings.Repeat(fill, n)), MoreData: more}}}
	}
	f := rep("./Vendor/F", "f", 700, false)
	a := rep("./Vendor/A", "a", 300, true)
	a2 := rep("./Vendor/A", "b", 3000, false)
	if err := c.Queue(f, a, a2); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(m.Body.Commands, syncml.Command(a)) || !slices.Contains(c.cont, syncml.Command(a)) || len(c.cuts) == 0 {
		t.Fatalf("package 1's first message carried A, or A2 was not cut: nothing to test")
	}
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	for _, o := range c.abandoned {
		if o.Command == syncml.Command(a) {
			t.Logf("A has an Outcome: MsgID %q, Err %v", o.MsgID, o.Err)
		}
	}
	n := 0
	for _, y := range c.pkg1 {
		if y == syncml.Command(a) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the next session's package 1 holds A %d times, want once (queued again after the session given up)", n)
	}
}
