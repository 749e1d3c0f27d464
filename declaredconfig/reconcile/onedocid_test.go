package reconcile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// TestRepeatedDocIDRepaired hands a Reconciler states an earlier build
// could store, one that desires a DocID under two Hosts (Declare took
// it then; its DocID is written in other letter case here), with few
// documents and with more than are compared without a map. When loaded,
// the document declared first is kept and the other is no longer
// desired (Status and Desired show it so at once); the first update
// saves the state so and tells one Problem with the other's status
// (ErrInvalid), once: not in later sessions, nor by a Reconciler that
// loads the state saved. The device is sent neither document over the
// other. Before, both stayed desired and the session sent the Complete
// document, then the Inventory one, over each other for ever.
func TestRepeatedDocIDRepaired(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{2, 40} {
		store := session.NewMemoryStore()
		rec := reconcile.New(reconcile.Config{Store: store})
		var docs []reconcile.Doc
		for i := range n {
			d := vpnDoc(strings.ToUpper(declaredconfig.NewDocID()), "A0")
			if i == n-1 {
				d = invDoc(declaredconfig.NewDocID(), "B0")
			}
			docs = append(docs, d)
		}
		if err := rec.Declare(ctx, dev1, docs...); err != nil {
			t.Fatal(err)
		}
		first := (n - 1) / 2
		id := docs[first].Document.ID
		if err := reconcile.SetDocID(ctx, rec, dev1, n-1, strings.ToLower(id)); err != nil {
			t.Fatal(err)
		}
		ds, err := rec.Status(ctx, dev1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Docs) != n-1 {
			t.Errorf("%d documents: Status as loaded shows %d, want %d", n, len(ds.Docs), n-1)
		}

		w := newWire(t, reconcile.Config{Store: store})
		sum := sumAlert("2", entry(id, "A0", "R1", "60"))
		for s := range 3 {
			w.sess = string(rune('1' + s))
			for _, body := range []string{startAlert("1") + sum, strings.Replace(sum, "<CmdID>2<", "<CmdID>1<", 1)} {
				w.send(body)
				for _, c := range w.reply.Body.Commands {
					for _, u := range c.ItemList() {
						if u.Target != nil && strings.Contains(u.Target.LocURI, "/Inventory/") {
							t.Errorf("%d documents: session %d sends %s %s", n, s+1, c.ElementName(), u.Target.LocURI)
						}
					}
				}
			}
		}
		if len(w.errs) > 0 {
			t.Fatal(w.errs)
		}
		var told []reconcile.Event
		for _, e := range w.ev.events {
			if e.Kind == reconcile.Problem {
				told = append(told, e)
			}
		}
		if len(told) != 1 || !errors.Is(told[0].Err, reconcile.ErrInvalid) || told[0].Status.URI.Host != declaredconfig.Inventory ||
			!declaredconfig.EqualDocID(told[0].Status.URI.DocID, id) || told[0].Device != dev1 || !strings.Contains(told[0].Err.Error(), "under host Complete, is kept") {
			t.Errorf("%d documents: Problems %v, want one of the Inventory document dropped", n, told)
		}
		// A Reconciler that loads the state saved finds it repaired, and
		// tells nothing.
		ev := &recorder{}
		again := reconcile.New(reconcile.Config{Store: store, OnEvent: ev.on})
		got, err := again.Desired(ctx, dev1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n-1 || got[first].Host != declaredconfig.Complete || got[first].Document.ID != id {
			t.Errorf("%d documents: desired after the repair: %d, the one of DocID %s %+v", n, len(got), id, got[first])
		}
		if err := again.SetRefreshInterval(ctx, dev1, 60); err != nil {
			t.Fatal(err)
		}
		if len(ev.events) != 0 {
			t.Errorf("%d documents: a Reconciler loading the state saved tells %v", n, ev.kinds())
		}
	}
}
