package reconcile_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// A device that refuses the Replace of RefreshInterval (405, and reads
// back its own 240) is told of nowhere: no Problem, nothing in Status but
// the value read, and the Replace goes again in every session for ever.
// Every other command a device refuses is a Problem, once for each thing
// refused and status, and is sent again only as Config.RetryRefused
// allows (reconcile's package doc, "Drift follows the contract...").
func TestRefreshIntervalRefusedNu46(t *testing.T) {
	ctx := context.Background()
	w := newWire(t, reconcile.Config{})
	if err := w.rec.SetRefreshInterval(ctx, dev1, 100); err != nil {
		t.Fatal(err)
	}
	replaces, problems := 0, 0
	const sessions = 2 + reconcile.DefaultRetryRefused + 2
	for s := 1; s <= sessions; s++ {
		w.sess = strconv.Itoa(s)
		w.msg = 0
		w.send(startAlert("1") + sumAlert("3", ""))
		sent := false
		for _, c := range w.reply.Body.Commands {
			if c.ElementName() == "Replace" {
				sent = true
			}
		}
		if !sent {
			continue
		}
		replaces++
		w.send(`<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Replace /RefreshInterval}</CmdRef><Cmd>Replace</Cmd><Data>405</Data></Status>` +
			`<Status><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
			`<Results><CmdID>3</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval</LocURI></Source><Data>240</Data></Item></Results>` +
			sumAlert("4", ""))
		for _, e := range w.ev.events {
			if e.Kind == reconcile.Problem {
				problems++
			}
		}
		w.ev.events = nil
	}
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	if problems == 0 {
		t.Errorf("the device refused the RefreshInterval %d times: no Problem told", replaces)
	}
	if replaces > 1+reconcile.DefaultRetryRefused {
		t.Errorf("the refused Replace of RefreshInterval went in %d of %d sessions, want at most 1+RetryRefused (%d)", replaces, sessions, 1+reconcile.DefaultRetryRefused)
	}
}
