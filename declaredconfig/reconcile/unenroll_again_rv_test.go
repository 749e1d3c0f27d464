package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// FINDING (held): Reconcile's doc promises that, after a device asked to
// be unenrolled (Config.ForgetOnUnenroll), "what is declared meanwhile is
// kept, and sent in the device's next session". A later message of that
// session that carries the unenrollment alert again (a device repeating
// its request, or the message handled again) replaces the tombstone, and
// the document declared since with it, by a bare tombstone: the Declare,
// which returned nil, is lost without an event (forget.go: the
// CompareAndSwap to want also when st.Left == left).
func TestForgetOnUnenrollKeepsDeclaredRv(t *testing.T) {
	ctx := context.Background()
	w, sum := inSyncWire(t, reconcile.Config{ForgetOnUnenroll: true})
	w.ev.events = nil
	w.sess = "2"
	w.send(startAlert("1") + unenrollAlert("2") + sum)
	if got := w.ev.kinds(); len(got) != 1 || got[0] != "Forgotten" {
		t.Fatalf("the unenrollment: events %v, want Forgotten", got)
	}
	if err := w.rec.Declare(ctx, dev1, vpnDoc(ids[1], "B0")); err != nil {
		t.Fatal(err)
	}
	// The same session: the device repeats its request.
	w.send(unenrollAlert("1") + sum)
	if want, err := w.rec.Desired(ctx, dev1); err != nil || len(want) != 1 {
		t.Errorf("after the repeated alert %d documents are desired (%v), want the one declared meanwhile", len(want), err)
	}
	// The next session: the document declared meanwhile is sent.
	w.sess = "3"
	w.send(startAlert("1") + sumAlert("2", ""))
	got := sentCommands(w)
	if len(got) == 0 || !strings.HasPrefix(got[0], "Add ") || !strings.Contains(got[0], ids[1]) {
		t.Errorf("the next session is answered %v, want the Add of %s declared after the unenrollment", got, ids[1])
	}
	if len(w.errs) != 0 {
		t.Fatal(w.errs)
	}
}
