package reconcile_test

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// A device that lists the declared version as applied and answers the Get
// of its results without a result of that version (here, one of another
// version) is not asked again for that result_checksum: the status stays
// InSync, and its reason no longer says the results are being read.
func TestResultsNotGivenReason(t *testing.T) {
	problems, d := resultSessions(t, func(r *declaredconfig.Result) { r.Checksum = "OTHER" })
	if r, _ := d.Result(); d.Condition != reconcile.InSync || r != nil || strings.Contains(d.Reason, "reading") || !strings.Contains(d.Reason, "not given") {
		t.Errorf("%v %q (result %v), want InSync, its results not given", d.Condition, d.Reason, r)
	}
	if len(problems) != 1 {
		t.Errorf("problems %v, want the other version's result told once", problems)
	}
}
