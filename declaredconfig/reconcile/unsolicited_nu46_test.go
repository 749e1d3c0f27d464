package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// Results the server never asked for — one naming a CmdRef never sent,
// carrying a failed result of a document never declared, one without a
// CmdRef carrying a failed result of the declared one — change nothing:
// each is a Problem, the declared document is judged by the answer to
// the Get that was sent (in sync, its two settings, result_checksum R1),
// and no stray or other document appears.
func TestResultsNeverAskedForNu46(t *testing.T) {
	ctx := context.Background()
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	w.send(startAlert("1") + sumAlert("3", ""))
	w.ev.events = nil
	results := func(cmdID, cmdRef, id, rc string) string {
		ref := ""
		if cmdRef != "" {
			ref = `<CmdRef>` + cmdRef + `</CmdRef>`
		}
		return `<Results><CmdID>` + cmdID + `</CmdID><MsgRef>1</MsgRef>` + ref + `<Item><Source><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/` +
			id + `/Document</LocURI></Source><Data>` + esc(result(id, "A0", rc, "61")) + `</Data></Item></Results>`
	}
	w.send(getAnswer("200", result(ids[0], "A0", "R1", "60"))(w) +
		results("7", "99", ids[1], "RZ") + results("8", "", ids[0], "RX") +
		sumAlert("4", entry(ids[0], "A0", "R1", "60")))
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	problems := 0
	for _, e := range w.ev.events {
		if e.Kind == reconcile.Problem {
			problems++
			if !strings.Contains(e.Err.Error(), "answers no command") {
				t.Errorf("Problem: %v", e.Err)
			}
		}
	}
	if problems != 2 {
		t.Errorf("%d Problems, want one for each Results never asked for", problems)
	}
	st, err := w.rec.Status(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Docs) != 1 {
		t.Fatalf("%d documents in Status, want the declared one", len(st.Docs))
	}
	x := st.Docs[0]
	if x.Condition != reconcile.InSync || x.ResultChecksum != "R1" || len(x.Settings()) != 2 || len(x.FailedSettings()) != 0 {
		t.Errorf("%v (%s) result_checksum %q, %d settings, %d failed", x.Condition, x.Reason, x.ResultChecksum, len(x.Settings()), len(x.FailedSettings()))
	}
}
