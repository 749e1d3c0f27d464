package reconcile_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// unenrollAlert is the generic alert (1226) of a user's unenrollment, as
// Windows sends it, of CmdID cmdID.
func unenrollAlert(cmdID string) string {
	return `<Alert><CmdID>` + cmdID + `</CmdID><Data>1226</Data><Item><Meta>` +
		`<Type xmlns="syncml:metinf">com.microsoft:mdm.unenrollment.userrequest</Type>` +
		`<Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item></Alert>`
}

// sentCommands returns the commands of the wire's last reply but its
// Statuses, each as its element and targets.
func sentCommands(w *wire) []string {
	var out []string
	for _, c := range w.reply.Body.Commands {
		if c.ElementName() != "Status" {
			out = append(out, c.ElementName()+" "+strings.Join(syncml.Targets(c), " "))
		}
	}
	return out
}

// TestForgetOnUnenroll: with Config.ForgetOnUnenroll, a device that asks
// to be unenrolled is forgotten (the event Forgotten, no document left,
// nothing desired), and the rest of that session is not reconciled: its
// summary records no stray, a document declared meanwhile is not sent,
// also by a second Reconciler that shares the Store, which finds the
// mark the first left there (a tombstone of a few bytes). The device's
// next session clears it: the document declared is sent, and the device
// is not found to have lost the one it held before.
func TestForgetOnUnenroll(t *testing.T) {
	ctx := context.Background()
	store := session.NewMemoryStore()
	w, sum := inSyncWire(t, reconcile.Config{Store: store, ForgetOnUnenroll: true})
	recA := w.rec
	recB := reconcile.New(reconcile.Config{Store: store, ForgetOnUnenroll: true, OnEvent: w.ev.on})
	w.ev.events = nil
	noDocs := func(where string) {
		t.Helper()
		for _, rec := range []*reconcile.Reconciler{recA, recB} {
			ds, err := rec.Status(ctx, dev1)
			if err != nil || len(ds.Docs) != 0 {
				t.Fatalf("%s: status %+v (%v), want no document", where, ds, err)
			}
		}
	}

	w.sess = "2"
	w.send(startAlert("1") + unenrollAlert("2") + sum)
	if got := w.ev.kinds(); !slices.Equal(got, []string{"Forgotten"}) {
		t.Errorf("the unenrollment: events %v, want Forgotten", got)
	}
	if got := sentCommands(w); len(got) != 0 {
		t.Errorf("the unenrollment is answered %v, want nothing", got)
	}
	noDocs("after the unenrollment")
	if want, err := recB.Desired(ctx, dev1); err != nil || len(want) != 0 {
		t.Errorf("after the unenrollment %d documents are desired (%v)", len(want), err)
	}
	raw, _, err := store.Load(ctx, dev1)
	if err != nil || len(raw) == 0 || len(raw) > 32 {
		t.Errorf("the tombstone: %q (%v), want a few bytes", raw, err)
	}

	// The rest of the session, by the other Reconciler: the document
	// its summary lists would be a Stray.
	w.rec = recB
	w.send(sum)
	noDocs("the session's next message")
	if err := recB.Declare(ctx, dev1, vpnDoc(ids[1], "B0")); err != nil {
		t.Fatal(err)
	}
	w.send(sum)
	if got := sentCommands(w); len(got) != 0 || len(w.ev.events) != 0 || len(w.errs) != 0 {
		t.Errorf("the session's last message: sent %v, events %v, errors %v; want none", got, w.ev.kinds(), w.errs)
	}

	// The next session, by the first: the device holds nothing.
	w.rec = recA
	w.sess = "3"
	w.send(startAlert("1") + sumAlert("2", ""))
	if got := sentCommands(w); len(got) == 0 || !strings.HasPrefix(got[0], "Add ") || !strings.Contains(got[0], ids[1]) {
		t.Errorf("the next session is answered %v, want the Add of %s", got, ids[1])
	}
	if got := w.ev.kinds(); len(got) != 0 {
		t.Errorf("the next session: events %v, want none", got)
	}
	if s, _, err := reconcile.LastMessage(recB, dev1); err != nil || s != "3" {
		t.Errorf("the next session is not recorded: last session %q (%v)", s, err)
	}
	if len(w.errs) != 0 {
		t.Fatal(w.errs)
	}
}

// TestForgetOnUnenrollSameSessionID: a device enrolled again may number
// its sessions anew: a session of the SessionID the device asked to be
// unenrolled in, which starts with a session alert, is reconciled.
func TestForgetOnUnenrollSameSessionID(t *testing.T) {
	w, sum := inSyncWire(t, reconcile.Config{ForgetOnUnenroll: true})
	w.ev.events = nil
	w.sess = "2"
	w.send(startAlert("1") + unenrollAlert("2"))
	if got := w.ev.kinds(); !slices.Equal(got, []string{"Forgotten"}) {
		t.Fatalf("the unenrollment: events %v, want Forgotten", got)
	}
	if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	w.send(startAlert("1") + sum)
	if s, _, err := reconcile.LastMessage(w.rec, dev1); err != nil || s != "2" {
		t.Errorf("the new session of the same SessionID is not recorded: %q (%v)", s, err)
	}
	// Reconciled: the results of the document it lists are asked for.
	if got := sentCommands(w); len(got) != 1 || !strings.HasPrefix(got[0], "Get ") || !strings.HasSuffix(got[0], "/Results/"+ids[0]+"/Document") {
		t.Errorf("the new session is answered %v, want the Get of the results of %s", got, ids[0])
	}
}

// TestForgetOnUnenrollOff: without Config.ForgetOnUnenroll, the
// unenrollment alert is a message as another: the device is reconciled,
// its documents kept.
func TestForgetOnUnenrollOff(t *testing.T) {
	w, sum := inSyncWire(t, reconcile.Config{})
	w.ev.events = nil
	w.sess = "2"
	w.send(startAlert("1") + unenrollAlert("2") + sum)
	if got := w.ev.kinds(); len(got) != 0 {
		t.Errorf("events %v, want none", got)
	}
	if ds, err := w.rec.Status(context.Background(), dev1); err != nil || len(ds.Docs) != 1 || ds.Docs[0].Condition != reconcile.InSync {
		t.Errorf("status %+v (%v), want the document in sync", ds, err)
	}
}

// TestForgetOnUnenrollAgain: the unenrollment handled again (a session
// Store retry, after a Declare in OnStart) forgets the device again, and
// tells Forgotten once; Reconcile's status lists nothing.
func TestForgetOnUnenrollAgain(t *testing.T) {
	ctx := context.Background()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{ForgetOnUnenroll: true, OnEvent: ev.on})
	text := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>7</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example</LocURI></Target>` +
		`<Source><LocURI>` + dev1 + `</LocURI></Source></SyncHdr><SyncBody>` + startAlert("1") +
		`<Atomic><CmdID>2</CmdID><Sequence><CmdID>3</CmdID>` + unenrollAlert("4") + `</Sequence></Atomic><Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	for try := range 2 {
		if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		ss := session.NewSession(&session.Config{})
		ds, err := rec.Reconcile(ctx, ss, &m, &session.Exchange{})
		if err != nil || ds == nil || len(ds.Docs) != 0 || ss.Queued() != 0 {
			t.Fatalf("try %d: status %+v (%v), %d queued; want no document", try+1, ds, err, ss.Queued())
		}
	}
	if got := ev.kinds(); !reflect.DeepEqual(got, []string{"Forgotten"}) {
		t.Errorf("events %v, want Forgotten once", got)
	}
}
