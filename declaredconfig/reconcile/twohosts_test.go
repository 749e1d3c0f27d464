package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestDeclareOtherHostRefused: a document of the scope and DocID of a
// desired one under another host is refused, whether declared later or
// in the same call, and nothing changes; the other scope takes it. Before,
// both were desired, and as the summary names a document by its context
// and DocID alone, its one entry was read for both: each session sent
// one over the other (a Replace of the Complete document, then of the
// Inventory one, for ever).
func TestDeclareOtherHostRefused(t *testing.T) {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{})
	const hexID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	if err := rec.Declare(ctx, dev1, vpnDoc(hexID, "A0")); err != nil {
		t.Fatal(err)
	}
	if err := rec.Declare(ctx, dev1, invDoc(lowerID(hexID), "B0")); !errors.Is(err, reconcile.ErrInvalid) {
		t.Errorf("the DocID of a Complete document under Inventory: %v, want ErrInvalid", err)
	}
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[1], "A0"), invDoc(ids[1], "B0")); !errors.Is(err, reconcile.ErrInvalid) {
		t.Errorf("one DocID under two hosts in one call: %v, want ErrInvalid", err)
	}
	if docs, err := rec.Desired(ctx, dev1); err != nil || len(docs) != 1 || docs[0].Host != declaredconfig.Complete {
		t.Errorf("desired after the refusals: %+v, %v", docs, err)
	}
	user := invDoc(hexID, "B0")
	user.Scope, user.Document.Context = declaredconfig.User, "User"
	if err := rec.Declare(ctx, dev1, user); err != nil {
		t.Errorf("the DocID under Inventory in the User scope: %v", err)
	}
	// Moved: removed first, then declared under the other host.
	if err := rec.RemoveIn(ctx, dev1, declaredconfig.Device, hexID); err != nil {
		t.Fatal(err)
	}
	if err := rec.Declare(ctx, dev1, invDoc(hexID, "B0")); err != nil {
		t.Errorf("declared under Inventory once removed under Complete: %v", err)
	}
}

func lowerID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if 'A' <= c && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
