package reconcile_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// getAnswered is the Status of the Get of a document's results, code.
func getAnswered(code syncml.StatusCode) string {
	return `<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Cmd>Get</Cmd><Data>` + strconv.Itoa(int(code)) + `</Data></Status>`
}

// getsResults reports whether the last reply asks for a document's
// results; any other command but a Status is an error.
func getsResults(t *testing.T, w *wire, what string) bool {
	t.Helper()
	get := false
	for _, c := range w.reply.Body.Commands {
		switch {
		case c.ElementName() == "Status":
		case c.ElementName() == "Get" && len(syncml.Targets(c)) == 1 && strings.Contains(syncml.Targets(c)[0], "/Results/"):
			get = true
		default:
			t.Errorf("%s: the reply holds a %s of %v", what, c.ElementName(), syncml.Targets(c))
		}
	}
	return get
}

// problems returns the Problems recorded since the last call, checking
// that each is of ids[0].
func problems(t *testing.T, w *wire, what string) []string {
	t.Helper()
	var out []string
	for _, e := range w.ev.events {
		if e.Kind == reconcile.Problem {
			if e.Status.URI.DocID != ids[0] {
				t.Errorf("%s: a Problem of document %q: %v", what, e.Status.URI.DocID, e.Err)
			}
			out = append(out, e.Err.Error())
		}
	}
	w.ev.events = nil
	return out
}

// TestGetResultsRefused: a device that answers the Get of a document's
// results with an error other than 404 (expected of a device that
// applies the version after it answers), and no Results, gets a Problem
// with the document's status. A status that may pass (a 5xx but 501 and
// 505) is asked again in each of up to Config.RetryRefused later
// sessions, never twice in a session, the status showing the refusal
// (Refused, RefusedCmd GetResults) and the Reason the try to come; one
// more refusal is final: a second Problem says so, and the results of
// that result_checksum are not asked for again. Another status is final
// at once; 404 is no refusal. Before, a 5xx was final at once, as any
// other refusal: a device whose CSP failed for a moment never had its
// results read for that result_checksum.
func TestGetResultsRefused(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		code  syncml.StatusCode
		retry int // RetryRefused
		asked int // later sessions that ask again
	}{
		{syncml.StatusCommandFailed, 0, reconcile.DefaultRetryRefused},
		{syncml.StatusCommandFailed, 1, 1},
		{syncml.StatusCommandFailed, -1, 0},
		{syncml.StatusServiceUnavailable, 0, reconcile.DefaultRetryRefused},
		{syncml.StatusCommandNotImplemented, 0, 0},
		{syncml.StatusForbidden, 0, 0},
		{syncml.StatusNotFound, 0, 0},
	} {
		what := c.code.String() + " RetryRefused " + strconv.Itoa(c.retry)
		w := newWire(t, reconcile.Config{RetryRefused: c.retry})
		if err := w.rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		sum := sumAlert("2", entry(ids[0], "A0", "R1", "60"))
		w.send(startAlert("1") + sum)
		if !getsResults(t, w, what) {
			t.Fatalf("%s: the first message asks for no results", what)
		}
		w.ev.events = nil
		tries := 1
		for session := 1; ; session++ {
			w.send(getAnswered(c.code) + sum)
			if getsResults(t, w, what) {
				t.Errorf("%s: session %d asks for the results again after the refusal", what, session)
			}
			ds, err := w.rec.Status(ctx, dev1)
			if err != nil {
				t.Fatal(err)
			}
			d := ds.Docs[0]
			got := problems(t, w, what)
			final := c.code == syncml.StatusNotFound || tries > c.asked
			switch {
			case c.code == syncml.StatusNotFound:
				if len(got) != 0 || d.Refused != 0 {
					t.Errorf("%s: Problems %v, Refused %v %v; want none", what, got, d.Refused, d.RefusedCmd)
				}
			case d.Refused != c.code || d.RefusedCmd != reconcile.GetResults || d.Condition != reconcile.InSync:
				t.Errorf("%s: try %d: status %v, Refused %v %v; want InSync, refused %v GetResults", what, tries, d.Condition, d.Refused, d.RefusedCmd, c.code)
			case tries == 1 && (len(got) != 1 || !strings.Contains(got[0], c.code.String())):
				t.Errorf("%s: try 1: Problems %v, want one naming the status", what, got)
			case tries > 1 && !final && len(got) != 0:
				t.Errorf("%s: try %d: Problems %v, want none (told once)", what, tries, got)
			case tries > 1 && final && (len(got) != 1 || !strings.Contains(got[0], "refused "+strconv.Itoa(tries)+" times")):
				t.Errorf("%s: try %d, the last: Problems %v, want one saying it is given up", what, tries, got)
			case !final && !strings.Contains(d.Reason, "try "+strconv.Itoa(tries+1)+" of "+strconv.Itoa(c.asked+1)):
				t.Errorf("%s: try %d: Reason %q, want the next try told", what, tries, d.Reason)
			case final && !strings.Contains(d.Reason, "not asked again"):
				t.Errorf("%s: try %d, the last: Reason %q, want it given up", what, tries, d.Reason)
			}
			w.sess = strconv.Itoa(session + 1)
			w.send(startAlert("1") + sum)
			if len(w.errs) > 0 {
				t.Fatalf("%s: %v", what, w.errs)
			}
			asked := getsResults(t, w, what)
			if asked == final {
				t.Fatalf("%s: session %d after %d refusals: asks for the results %v", what, session+1, tries, asked)
			}
			if final {
				break
			}
			tries++
		}
		if got := problems(t, w, what); len(got) != 0 {
			t.Errorf("%s: Problems %v after the last refusal", what, got)
		}
	}
}

// TestGetResultsRefusedThenRead: a Get of results refused with a 5xx and
// answered with the results in the next session has the results read
// and the refusal forgotten: the status shows none, and the document is
// in sync with nothing more to read.
func TestGetResultsRefusedThenRead(t *testing.T) {
	ctx := context.Background()
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	sum := sumAlert("3", entry(ids[0], "A0", "R1", "60"))
	w.send(startAlert("1") + sum)
	w.send(getAnswered(syncml.StatusCommandFailed) + sum)
	w.sess = "2"
	w.send(startAlert("1") + sum)
	w.send(getAnswered(syncml.StatusOK) + `<Results><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` +
		esc(result(ids[0], "A0", "R1", "60")) + `</Data></Item></Results>` + sum)
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	ds, err := w.rec.Status(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	if d := ds.Docs[0]; d.Refused != 0 || d.RefusedCmd != 0 || d.Condition != reconcile.InSync || strings.Contains(d.Reason, "refused") || len(d.Settings()) == 0 {
		t.Errorf("read after a refusal: %+v, want in sync, its results read, no refusal", d)
	}
	w.sess = "3"
	w.send(startAlert("1") + sum)
	if getsResults(t, w, "after the read") {
		t.Error("the results read are asked for again")
	}
}
