package reconcile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestSummaryEntryWithoutID: a summary entry without an id, or with one of
// white space alone, names no document: it is a Problem with a
// SummaryError (its path ends in @id), once while the device repeats the
// summary, and no Stray; the declared document is read as listed. Before,
// each was kept silently as a Stray of an empty DocID, which Remove
// cannot name.
func TestSummaryEntryWithoutID(t *testing.T) {
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	sum := `<DeclaredConfiguration context="Device" checksum="A0" state="60"/>` + entry(ids[0], "A0", "R1", "60") +
		strings.Replace(entry(" \t", "B0", "R2", "60"), `context="Device"`, `context="User"`, 1)
	w.send(startAlert("1") + sumAlert("2", sum))
	w.send(`<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` + esc(result(ids[0], "A0", "R1", "60")) +
		`</Data></Item></Results>` + sumAlert("3", sum))
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	var got []string
	for _, e := range w.ev.events {
		if e.Kind != reconcile.Problem {
			continue
		}
		var se *reconcile.SummaryError
		if !errors.As(e.Err, &se) || !strings.HasSuffix(se.Path, "/@id") || se.DocID != "" || se.First != 0 || e.Status.URI.DocID != "" {
			t.Errorf("Problem %v (status %q), want a SummaryError of an entry's @id", e.Err, e.Status.URI.DocID)
			continue
		}
		got = append(got, se.Path)
	}
	if want := []string{"/DeclaredConfigurations/DeclaredConfiguration[1]/@id", "/DeclaredConfigurations/DeclaredConfiguration[3]/@id"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Problems of %q, want %q", got, want)
	}
	st := status(t, w.rec)
	if len(st.Docs) != 1 {
		t.Errorf("%d statuses, want the declared document's alone: %+v", len(st.Docs), st.Docs)
	}
	wantDoc(t, w.rec, ids[0], reconcile.InSync)
}
