package agent_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// alertBytes returns the encoded size of the commands EachMessage gives.
func alertBytes(t *testing.T, a *agent.Agent) int {
	t.Helper()
	cmds, err := a.EachMessage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// TestMaxSummaryBytes checks that the 1224 alert never grows beyond
// Config.MaxSummaryBytes, results included: a document whose summary
// entry would not fit is refused with 420 when it is added (the server
// hears it at once), not dropped from the summary later.
func TestMaxSummaryBytes(t *testing.T) {
	ctx := context.Background()
	const max = 2048
	a := newAgent(t, agent.Config{MaxSummaryBytes: max})
	accepted := 0
	var refused syncml.StatusCode
	for i := range 100 {
		d := vpnDoc("A1")
		d.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		d.CSPs[0].Settings = d.CSPs[0].Settings[:1]
		d.CSPs[0].Settings[0].Path = d.ID + "/AlwaysOn"
		c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String(), text(t, d))
		if c != 200 {
			refused = c
			break
		}
		accepted++
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if n := alertBytes(t, a); n > max {
			t.Fatalf("with %d documents the alert is %d bytes, over MaxSummaryBytes %d", accepted, n, max)
		}
	}
	if refused != syncml.StatusDeviceFull || accepted < 3 {
		t.Errorf("accepted %d documents, then %d; want some, then 420", accepted, refused)
	}
	if n := len(a.Summary().Documents); n != accepted {
		t.Errorf("summary has %d entries, %d accepted", n, accepted)
	}
}

// TestDefaultSummaryFits checks that by default the summary of as many
// documents as the agent accepts fits in DefaultMaxSummaryBytes.
func TestDefaultSummaryFits(t *testing.T) {
	a := newAgent(t, agent.Config{})
	n := 0
	for i := range agent.DefaultMaxDocuments + 1 {
		d := vpnDoc("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")
		d.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String(), text(t, d)); c != 200 {
			break
		}
		n++
	}
	if b := alertBytes(t, a); b > agent.DefaultMaxSummaryBytes {
		t.Errorf("%d documents accepted, alert %d bytes > DefaultMaxSummaryBytes %d", n, b, agent.DefaultMaxSummaryBytes)
	}
}
