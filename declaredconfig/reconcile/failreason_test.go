package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestFailedReasonNamesState: a setting the result reports with status
// 200 and state 61 (the device took the command, applying it failed)
// fails the document, and is named in its reason by its state. Before, the reason read
// "failed: 200 OK".
func TestFailedReasonNamesState(t *testing.T) {
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	w.send(startAlert("1") + sumAlert("2", ""))
	// The document's state is the summary's; one setting's is 61.
	res := strings.Replace(result(ids[0], "A0", "R1", "60"), `status="200" state="60"`, `status="200" state="61"`, 1)
	w.send(getAnswer("200", res)(w) + sumAlert("9", entry(ids[0], "A0", "R1", "60")))
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	d := wantDoc(t, w.rec, ids[0], reconcile.Failed)
	if want := "P/AlwaysOn failed: state ConfigCompletedError(61)"; !strings.Contains(d.Reason, want) {
		t.Errorf("reason %q, want one with %q", d.Reason, want)
	}
}
