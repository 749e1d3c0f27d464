package reconcile

import (
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// BenchmarkMarkupMark measures the mark of a summary of nine entries
// read from markup (see markupMark), made once per message that carries
// one.
func BenchmarkMarkupMark(b *testing.B) {
	s := &declaredconfig.Summary{Schema: "1.0"}
	for i := range 9 {
		s.Documents = append(s.Documents, declaredconfig.SummaryEntry{Context: "Device",
			ID: fmt.Sprintf("%08X-0000-4000-8000-000000000000", i), Checksum: "A0", ResultChecksum: "R", State: "60"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if m := markupMark(s); m[0] != 0 {
			b.Fatal(m)
		}
	}
}
