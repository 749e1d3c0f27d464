package agent_test

import (
	"context"
	"slices"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestAtomicUndoConditionalNode goes through the public API where
// TestUndoHandsSureNodeOn checks undone alone. The VPN profile's first
// apply is refused; the refresh that sets its nodes again records them
// on the condition of its values (Intents) and the process dies before
// its first Set. Started again, the agent gets an Atomic that adds a
// second document setting AlwaysOn to another value (it wins the node:
// ConflictResolution 1), applies it (an Exec of the Atomic) and fails:
// the rollback removes the second document. AlwaysOn, which holds its
// value, is not deleted by the Undo (the VPN profile holds it), and the
// VPN profile now holds it without a condition: the Unenroll deletes it
// and leaves RememberCredentials, which holds the device's own value.
// Before (with the condition kept), the removed document's value stayed
// on the device after the Unenroll.
func TestAtomicUndoConditionalNode(t *testing.T) {
	ctx := context.Background()
	surface, a := refusedVPN(t)
	surface.mu.Lock()
	surface.n, surface.crash, surface.made = 0, 1, false
	surface.mu.Unlock()
	_ = a.Refresh(ctx) // the process dies at its first Set
	b := surface.restart(t)
	if c, _ := serve(t, b, "Replace", declaredconfig.ConflictResolutionURI, "1"); c != 200 {
		t.Fatalf("Replace of ConflictResolution: %d", c)
	}
	st := b.Snapshot()
	if len(st.Documents) != 1 || len(st.Documents[0].Intents) != 2 {
		t.Fatalf("after the crash the VPN profile's record is %+v, want its two nodes in Intents", st.Documents)
	}
	const otherValue = "false"
	d := vpnDoc("C1")
	d.ID = otherID
	d.CSPs[0].Settings = d.CSPs[0].Settings[:1]
	d.CSPs[0].Settings[0].Value = otherValue
	add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, otherID), d, syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	apply := execRuns(t, b.ApplyPending)
	exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/Apply"}}}}
	fail := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/X"}, Data: syncml.Text("1")}}}
	codes := exchangeWith(t, b, map[string]session.Handler{"./Vendor/MSFT/Test": apply},
		&syncml.Atomic{Commands: []syncml.Command{add, exec, fail}})
	if !slices.Contains(codes, "Atomic 507") {
		t.Fatalf("statuses %v, want Atomic 507", codes)
	}
	if v, ok, _ := surface.Get(ctx, vpnNodes[0]); !ok || v != otherValue {
		t.Fatalf("after the rollback AlwaysOn holds %q (%v), want the removed document's %q", v, ok, otherValue)
	}
	if docs := b.Snapshot().Documents; len(docs) != 1 {
		t.Fatalf("after the rollback %d documents, want the VPN profile alone", len(docs))
	}
	unenrollLeaves(t, b, surface, map[string]string{vpnNodes[1]: own})
}
