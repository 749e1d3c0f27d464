package reconcile_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestGetResultsRefused: a device that answers the Get of a document's
// results with an error other than 404 (expected of a device that
// applies the version after it answers), and no Results, gets a Problem
// with the document's status, once; the results of that result_checksum
// are not asked for again, in this session or the next. Before, nothing
// told it: the reason alone said the results were not given.
func TestGetResultsRefused(t *testing.T) {
	for _, code := range []syncml.StatusCode{syncml.StatusCommandFailed, syncml.StatusNotFound} {
		w := newWire(t, reconcile.Config{})
		if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		sum := sumAlert("2", entry(ids[0], "A0", "R1", "60"))
		w.send(startAlert("1") + sum)
		w.send(`<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Cmd>Get</Cmd><Data>` + strconv.Itoa(int(code)) + `</Data></Status>` + sum)
		w.sess = "2"
		w.send(startAlert("1") + sum)
		if len(w.errs) > 0 {
			t.Fatal(w.errs)
		}
		for _, c := range w.reply.Body.Commands {
			if c.ElementName() != "Status" {
				t.Errorf("%v: the next session's reply holds a %s of %v", code, c.ElementName(), syncml.Targets(c))
			}
		}
		var problems []error
		for _, e := range w.ev.events {
			if e.Kind == reconcile.Problem {
				if e.Status.URI.DocID != ids[0] {
					t.Errorf("%v: a Problem of document %q: %v", code, e.Status.URI.DocID, e.Err)
				}
				problems = append(problems, e.Err)
			}
		}
		switch {
		case code == syncml.StatusNotFound && len(problems) != 0:
			t.Errorf("404: Problems %v, want none", problems)
		case code != syncml.StatusNotFound && (len(problems) != 1 || !strings.Contains(errors.Join(problems...).Error(), "answered 500")):
			t.Errorf("%v: Problems %v, want one naming the status", code, problems)
		}
	}
}
