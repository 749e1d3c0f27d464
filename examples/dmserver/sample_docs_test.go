package main

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/dmclient/device/sim"
)

// TestSampleDocs: docs.xml, the sample the README's -declare commands
// name, reads, and a fleet of simulated devices (what examples/simdevice
// runs) gets both its documents applied and in sync, with no warning.
func TestSampleDocs(t *testing.T) {
	docs, err := readDeclare("docs.xml", defaultMaxDeclareBytes)
	if err != nil || len(docs) != 2 {
		t.Fatalf("readDeclare(docs.xml): %v, %d documents, want 2", err, len(docs))
	}
	const n = 4
	rep, out := runFleet(t, docs, sim.FleetConfig{Devices: n, Concurrency: 2, Seed: 1})
	if rep.Errors != 0 || rep.Documents != 2*n || rep.InSync != 2*n || strings.Count(out, "event=Applied") != 2*n {
		t.Errorf("fleet: %v (%v), %d Applied events; want %d documents, all in sync and Applied:\n%s", rep, rep.Err, strings.Count(out, "event=Applied"), 2*n, out)
	}
	if strings.Contains(out, "level=WARN") || strings.Contains(out, "level=ERROR") {
		t.Errorf("problems:\n%s", out)
	}
}
