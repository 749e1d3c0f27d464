package reconcile

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// TestTrimmedIs checks trimmedIs, which summaryText uses to skip
// strings.TrimSpace on plain values, against strings.TrimSpace: values
// plain, with space around them, of the length of want and not want, and
// shorter.
func TestTrimmedIs(t *testing.T) {
	st := declaredconfig.SummaryType
	wants := []string{"1224", st, ""}
	values := []string{"", " ", "1224", " 1224", "1224\n", "\t1224 ", "1201", "12 24", "122", "1224x",
		st, "\r\n" + st + "  ", strings.ToUpper(st), st[1:], " " + st[1:], "\u00a01224", "1224\u3000"}
	for _, want := range wants {
		for _, v := range values {
			if got, exp := trimmedIs(v, want), strings.TrimSpace(v) == want; got != exp {
				t.Errorf("trimmedIs(%q, %q) = %v, strings.TrimSpace says %v", v, want, got, exp)
			}
		}
	}
}
