package agent_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestAtomicUndoAfterUnenroll checks an Atomic whose commands change the
// agent (Replace and Delete of documents, RefreshInterval) and then run
// Unenroll, and that is rolled back: the Unenroll is not undone, so the
// rollback brings back no document, no setting and no RefreshInterval
// the Unenroll removed.
func TestAtomicUndoAfterUnenroll(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	serve(t, a, "Add", docURI.String(), text(t, vpnDoc("A1")))
	other := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, invID)
	d2 := vpnDoc("C1")
	d2.ID = invID
	d2.CSPs[0].Settings = d2.CSPs[0].Settings[:1]
	d2.CSPs[0].Settings[0].Path = "Other/AlwaysOn"
	serve(t, a, "Add", other.String(), text(t, d2))
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	unenroll := execRuns(t, a.Unenroll)
	rep, err := declaredconfig.ReplaceDocument(docURI, vpnDoc("A2"), syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	del := &syncml.Delete{Items: []syncml.Item{{Target: &syncml.Location{LocURI: other.String()}}}}
	ri := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}, Data: syncml.Text("60")}}}
	exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/Unenroll"}}}}
	fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
	codes := exchangeWith(t, a, map[string]session.Handler{"./Vendor/MSFT/Test": unenroll},
		&syncml.Atomic{Commands: []syncml.Command{rep, del, ri, exec, fail}})
	if !slices.Contains(codes, "Atomic 507") {
		t.Fatalf("statuses %v, want Atomic 507", codes)
	}
	if docs := a.Summary().Documents; len(docs) != 0 {
		t.Errorf("the rollback brought back documents the Unenroll removed: %+v", docs)
	}
	if d := a.RefreshInterval(); d != declaredconfig.DefaultRefreshInterval*time.Minute {
		t.Errorf("RefreshInterval %v after Unenroll and rollback", d)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	// The document deleted before the Unenroll left its settings (a
	// Delete does); the other document's are gone.
	if n := surface.Nodes("./Device/Vendor/MSFT/VPNv2/Contoso/"); len(n) != 0 {
		t.Errorf("after Unenroll and the rollback the surface holds %v", n)
	}
}
