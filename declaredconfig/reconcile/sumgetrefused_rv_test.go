package reconcile_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestSummaryGetRefusedThenOther (review): a 5xx refusal of the summary's
// Get is counted (try 1), then in a later session the device refuses the
// same Get with a 404, which the Config doc and summaryRefused's doc say is
// "final at once": the message must read as an empty summary (the
// document lost, sent again). On main the stored 5xx count keeps
// summaryRefused returning true, so nothing is ever decided while the
// device keeps answering 404.
func TestSummaryGetRefusedThenOther(t *testing.T) {
	ctx := context.Background()
	const getRefresh = `<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Cmd>Get</Cmd><Data>`
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	sum := sumAlert("3", entry(ids[0], "A0", "R1", "60"))
	w.send(startAlert("1") + sum)
	w.send(getAnswered(syncml.StatusOK) + `<Results><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` +
		esc(result(ids[0], "A0", "R1", "60")) + `</Data></Item></Results>` + sum)
	for session, code := range []syncml.StatusCode{syncml.StatusCommandFailed, syncml.StatusNotFound, syncml.StatusNotFound} {
		w.ev.events = nil
		w.sess = strconv.Itoa(session + 2)
		w.send(startAlert("1"))
		w.send(getRefresh + strconv.Itoa(int(code)) + `</Data></Status>`)
		w.send(`<Alert><CmdID>1</CmdID><Data>1226</Data></Alert>`)
		if len(w.errs) > 0 {
			t.Fatal(w.errs)
		}
		ds, err := w.rec.Status(ctx, dev1)
		if err != nil {
			t.Fatal(err)
		}
		cond := ds.Docs[0].Condition
		if code == syncml.StatusNotFound && cond == reconcile.InSync {
			t.Errorf("session %d: Get refused %v after an earlier 5xx: %v; a 404 is final at once, want the document taken as lost", session+2, code, cond)
		}
	}
}
