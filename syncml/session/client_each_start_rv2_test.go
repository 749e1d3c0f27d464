package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestRv2EachLeftFailedStart: a Start that fails changes nothing (see
// Start), so the next Start gives the same session up again; but the
// failed one cleared c.eachLeft in place (clear(c.eachLeft) in Start,
// which clientMark does not put back), so the next Start no longer knows
// the EachMessage commands package 1 left (./E/1/2) and queues them
// again: the new package 1 carries session 1's stale report after its
// own, and ./E/1/2 has no Outcome.
func TestRv2EachLeftFailedStart(t *testing.T) {
	ctx := context.Background()
	round := 0
	fail := errors.New("EachMessage fails once")
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: Accept,
		ServerMaxMsgSize: 1400,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			round++
			if round == 2 {
				return nil, fail
			}
			var out []syncml.Command
			for i := range 3 {
				out = append(out, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./E/%d/%d", round, i)}, Data: syncml.Text(strings.Repeat("d", 400))}}})
			}
			return out, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(m.Body.Commands, func(x syncml.Command) bool { return uriOf(x) == "./E/1/2" }) {
		t.Fatal("package 1 carried ./E/1/2: nothing left to test")
	}
	if _, err := c.Start(ctx, "2"); !errors.Is(err, fail) {
		t.Fatalf("Start 2: %v, want EachMessage's error", err)
	}
	m, err = c.Start(ctx, "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range slices.Concat(m.Body.Commands, c.cont, c.queue) {
		if uriOf(x) == "./E/1/2" {
			t.Errorf("session 3's package 1 carries %s ./E/1/2 of session 1's EachMessage (queued again)", x.ElementName())
		}
	}
	n := 0
	for _, o := range c.abandoned {
		if uriOf(o.Command) == "./E/1/2" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("./E/1/2: %d Outcomes, want 1", n)
	}
}
