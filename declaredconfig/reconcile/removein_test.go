package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestRemoveIn: RemoveIn removes the documents of its ids in one scope
// only: with the same DocID declared in both scopes, and strays of one
// id listed in both, only the User ones are deleted, and the Device
// document stays desired and in sync. A scope that is neither Device nor
// User is an error matching ErrInvalid that changes nothing.
func TestRemoveIn(t *testing.T) {
	ctx := context.Background()
	rec := bothScopes(t)
	entries := []declaredconfig.SummaryEntry{
		{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R0", State: "60"},
		{Context: "User", ID: ids[0], Checksum: "A0", ResultChecksum: "R1", State: "60"},
		{Context: "Device", ID: ids[1], Checksum: "S0", ResultChecksum: "R2", State: "60"},
		{Context: "User", ID: ids[1], Checksum: "S1", ResultChecksum: "R3", State: "60"},
	}
	reconcileSummary(t, rec, "1", entries...)

	if err := rec.RemoveIn(ctx, dev1, 2, ids[0]); !errors.Is(err, reconcile.ErrInvalid) || !strings.Contains(err.Error(), "Scope(2)") {
		t.Errorf("RemoveIn of scope 2: %v, want ErrInvalid naming the scope", err)
	}
	if err := rec.RemoveIn(ctx, dev1, declaredconfig.User, strings.ToLower(ids[0]), ids[1]); err != nil {
		t.Fatal(err)
	}
	docs, err := rec.Desired(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Scope != declaredconfig.Device || docs[0].Document.ID != ids[0] {
		t.Errorf("desired after RemoveIn(User): %+v, want the Device document alone", docs)
	}
	ss, st := reconcileSummary(t, rec, "2", entries...)
	var dels []string
	for _, c := range queued(t, ss) {
		if strings.HasPrefix(c, "Delete") {
			dels = append(dels, c)
		}
	}
	slices.Sort(dels)
	want := []string{
		"Delete " + declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, ids[0]).String(),
		"Delete " + declaredconfig.DocumentURI(declaredconfig.User, declaredconfig.Complete, ids[1]).String(),
	}
	slices.Sort(want)
	if !slices.Equal(dels, want) {
		t.Errorf("queued Deletes %q, want %q", dels, want)
	}
	for _, d := range st.Docs {
		if d.URI.Scope == declaredconfig.Device && d.Condition == reconcile.Removing {
			t.Errorf("Device document %s is being removed (%s)", d.URI.DocID, d.Reason)
		}
		if d.URI.Scope == declaredconfig.Device && d.URI.DocID == ids[0] && d.Condition != reconcile.InSync {
			t.Errorf("Device document %s is %v (%s), want InSync", d.URI.DocID, d.Condition, d.Reason)
		}
	}
}
