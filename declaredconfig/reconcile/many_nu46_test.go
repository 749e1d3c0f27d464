package reconcile_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// More documents declared than the device holds (the agent's summary
// bound, some 200, under the reconciler's 1024): the device refuses those
// past its bound with 420 (device full); the reconciler reports them
// Failed with that refusal and does not resend them in every session,
// the summary of the others keeps reading, and once they are removed the
// device holds none and nothing is queued.
func TestMoreDocumentsThanDeviceHoldsNu46(t *testing.T) {
	if testing.Short() {
		t.Skip("250 documents")
	}
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-many"
	d := newNu46Device(t, s.hs.URL, dev)
	const n = 250
	var docs []reconcile.Doc
	var idList []string
	for i := range n {
		id := fmt.Sprintf("%08X-0000-4000-8000-%012X", i, i)
		idList = append(idList, id)
		docs = append(docs, nu46Doc(id, "C1", fmt.Sprintf("Config/Many/S%d", i), "1"))
	}
	if err := s.rec.Declare(ctx, dev, docs...); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, err := s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	held := len(d.agent.Summary().Documents)
	inSync, full := 0, 0
	for _, x := range st.Docs {
		switch {
		case x.Condition == reconcile.InSync:
			inSync++
		case x.Condition == reconcile.Failed && x.Refused == syncml.StatusCode(420):
			full++
		default:
			t.Errorf("%s: %v (%s), refused %v", x.URI.DocID, x.Condition, x.Reason, x.Refused)
		}
	}
	if held == 0 || held == n || inSync != held || inSync+full != n {
		t.Errorf("device holds %d; in sync %d, refused 420 %d, of %d", held, inSync, full, n)
	}
	d.checkIn(t)
	if st, _ := s.rec.Status(ctx, dev); st.Queued != 0 {
		t.Errorf("a later session queued %d commands (the refused documents sent again?)", st.Queued)
	}
	if err := s.rec.Remove(ctx, dev, idList...); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, _ = s.rec.Status(ctx, dev)
	if len(d.agent.Summary().Documents) != 0 || len(st.Docs) != 0 || st.Queued != 0 {
		t.Errorf("after Remove: device holds %d, Status %d documents, queued %d", len(d.agent.Summary().Documents), len(st.Docs), st.Queued)
	}
	for _, e := range s.ev.take() {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
}
