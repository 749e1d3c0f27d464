package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// TestSummaryTypeAnyCase: a device whose summary alert names its Meta
// Type in other letter case, or after OMA DM's "Reversed-Domain-Name:",
// is read by its summary (declaredconfig.IsSummaryType): the document it
// lists at the declared version is read in sync, not sent again. Before,
// the summary was not found: the reconciler asked for one, then took the
// device for one holding nothing and sent the document again.
func TestSummaryTypeAnyCase(t *testing.T) {
	for _, typ := range []string{"COM.MICROSOFT.MDM.DeclaredConfigurationDocuments", "Reversed-Domain-Name: " + declaredconfig.SummaryType} {
		w := newWire(t, reconcile.Config{})
		if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		sum := strings.Replace(sumAlert("2", entry(ids[0], "A0", "R1", "60")), declaredconfig.SummaryType, typ, 1)
		w.send(startAlert("1") + sum)
		w.send(sum)
		if len(w.errs) > 0 {
			t.Fatalf("%s: %v", typ, w.errs)
		}
		for _, c := range w.reply.Body.Commands {
			if n := c.ElementName(); n == "Add" || n == "Replace" {
				t.Errorf("%s: the document listed in sync is sent again: %s %v", typ, n, syncml.Targets(c))
			}
		}
		ds, err := w.rec.Status(context.Background(), dev1)
		if err != nil {
			t.Fatal(err)
		}
		if d := ds.Docs[0]; !d.Reported || d.Condition != reconcile.InSync {
			t.Errorf("%s: %+v, want reported in sync", typ, d)
		}
	}
}
