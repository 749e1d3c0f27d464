package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientEachLeftNotQueued: the commands EachMessage gave a message of
// package 1 that the server's MaxMsgSize cut, left for a later message,
// are not queued again when the session ends first (the server aborts
// it, or the next Start gives it up): the next session's EachMessage
// gives its own, and the stale ones would follow them in its package 1.
// Each comes back once, in an Outcome without MsgID whose Err says it
// was not sent; none is sent twice nor lost. So is one whose object was
// cut into chunks, its first chunk sent.
func TestClientEachLeftNotQueued(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int // of the Data of EachMessage's Replaces
		abort bool  // the server aborts; else the next Start gives up
	}{
		{"abort", []int{400, 400, 400}, true},
		{"given up", []int{400, 400, 400}, false},
		{"abort, object in chunks", []int{200, 3000}, true},
		{"given up, object in chunks", []int{200, 3000}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := eachClient(t, tc.sizes, 0)
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			sent := map[string]bool{}
			for _, x := range m.Body.Commands {
				if u := uriOf(x); strings.HasPrefix(u, "./E/1/") && !isChunk(x) {
					sent[u] = true
				}
			}
			if len(sent) == len(tc.sizes) {
				t.Fatalf("package 1's first message carried all of EachMessage's commands: nothing left to test")
			}
			var outs []Outcome
			if tc.abort {
				x, err := c.Handle(ctx, srvMsg("1", "1", "", true, hdrOK("1"), NewAlert(syncml.AlertSessionAbort)))
				if err != nil {
					t.Fatal(err)
				}
				outs = x.Outcomes
			}
			m, err = c.Start(ctx, "2")
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, c.abandoned...)
			// every command of the first session's EachMessage has one
			// Outcome: Abandoned, or not sent (an Err, no MsgID)
			got := map[string]int{}
			for _, o := range outs {
				u := uriOf(o.Command)
				if !strings.HasPrefix(u, "./E/1/") {
					continue
				}
				got[u]++
				if sent[u] != (o.Err == nil) || !sent[u] && o.MsgID != "" {
					t.Errorf("%s (sent %v): Outcome MsgID %q, Err %v; want an Err without MsgID for the one not sent", u, sent[u], o.MsgID, o.Err)
				}
			}
			for i := range tc.sizes {
				if u := fmt.Sprintf("./E/1/%d", i); got[u] != 1 {
					t.Errorf("%s: %d Outcomes, want 1", u, got[u])
				}
			}
			// the next session sends none of the first's EachMessage
			// commands, before or after its own
			for _, x := range slices.Concat(m.Body.Commands, c.cont, c.queue) {
				if u := uriOf(x); strings.HasPrefix(u, "./E/1/") {
					t.Errorf("session 2's package 1 carries %s %s of session 1's EachMessage", x.ElementName(), u)
				}
			}
		})
	}
}

// TestClientEachLeftSentLater: an EachMessage command left for a later
// message of package 1 that the session sends before the server aborts
// it is no longer among those left: the abort reports it as sent (its
// Outcome has the MsgID of the message that carried it, no Err), once.
func TestClientEachLeftSentLater(t *testing.T) {
	ctx := context.Background()
	c := eachClient(t, []int{400, 400, 400}, 1)
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, srvMsg("1", "1", "", false, hdrOK("1"), NewAlert(syncml.AlertNextMessage)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(x.Reply.Body.Commands, func(x syncml.Command) bool { return uriOf(x) == "./E/1/2" }) {
		t.Fatalf("message 2 does not carry ./E/1/2, left by message 1")
	}
	x, err = c.Handle(ctx, srvMsg("1", "2", "", true, hdrOK("2"), NewAlert(syncml.AlertSessionAbort)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range x.Outcomes {
		if uriOf(o.Command) == "./E/1/2" {
			n++
			if o.Err != nil || o.MsgID != "2" {
				t.Errorf("./E/1/2: Outcome MsgID %q, Err %v; want message 2's, no Err", o.MsgID, o.Err)
			}
		}
	}
	if n != 1 {
		t.Errorf("./E/1/2: %d Outcomes, want 1", n)
	}
}

// eachClient is a Client (ServerMaxMsgSize 1400) whose EachMessage gives
// a Replace to ./E/<call>/<i> for each size, of that many bytes of Data,
// in its first rounds calls (0: all), none after.
func eachClient(t *testing.T, sizes []int, rounds int) *Client {
	t.Helper()
	round := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		ServerMaxMsgSize: 1400,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			round++
			if rounds > 0 && round > rounds {
				return nil, nil
			}
			var out []syncml.Command
			for i, n := range sizes {
				out = append(out, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./E/%d/%d", round, i)}, Data: syncml.Text(strings.Repeat("d", n))}}})
			}
			return out, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
