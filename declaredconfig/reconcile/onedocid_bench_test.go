package reconcile

import (
	"context"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// BenchmarkDropRepeated measures what a load adds to look for a DocID
// desired under two Hosts (see dropRepeated) in a state of n documents
// that holds none: all under one Host, or every other one under
// Inventory (a set of hashes on the stack up to 32 documents, made
// beyond).
func BenchmarkDropRepeated(b *testing.B) {
	for _, c := range []struct {
		n     int
		mixed bool
	}{{10, false}, {10, true}, {32, true}, {33, true}, {1024, false}, {1024, true}} {
		n := c.n
		name := strconv.Itoa(n) + "/one-host"
		if c.mixed {
			name = strconv.Itoa(n) + "/two-hosts"
		}
		b.Run(name, func(b *testing.B) {
			rec := New(Config{})
			docs := make([]Doc, n)
			for i := range docs {
				docs[i] = Doc{Scope: declaredconfig.Device, Host: declaredconfig.Inventory, Document: &declaredconfig.Document{
					Schema: "1.0", Context: "Device", ID: declaredconfig.NewDocID(), Checksum: "A0", Scenario: declaredconfig.ScenarioInventory,
					CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool"}}}}}}
			}
			for i := range docs {
				if c.mixed && i%2 == 1 {
					docs[i].Host = declaredconfig.Complete
					docs[i].Document.Scenario = declaredconfig.ScenarioVPN
					docs[i].Document.CSPs[0].Settings[0].Value = "true"
				}
			}
			if err := rec.Declare(context.Background(), "d", docs...); err != nil {
				b.Fatal(err)
			}
			st, err := rec.load(context.Background(), "d")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if st.dropRepeated() != nil {
					b.Fatal("repeated")
				}
			}
		})
	}
}
