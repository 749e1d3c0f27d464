package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// Two instances share the Store; each has read the device's state (so
// caches it). One Forgets the device and declares another document; the
// other, asked next, must see that document and not the one forgotten,
// however the Store numbers its versions after a delete.
func TestForgetSharedStoreNu46(t *testing.T) {
	ctx := context.Background()
	for _, store := range []struct {
		name string
		s    session.Store
	}{{"session.MemoryStore", session.NewMemoryStore()}} {
		a := reconcile.New(reconcile.Config{Store: store.s})
		b := reconcile.New(reconcile.Config{Store: store.s})
		const dev = "urn:uuid:nu46-forget"
		if err := a.Declare(ctx, dev, nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0")); err != nil {
			t.Fatal(err)
		}
		for _, r := range []*reconcile.Reconciler{a, b} {
			if st, err := r.Status(ctx, dev); err != nil || len(st.Docs) != 1 {
				t.Fatalf("%s: %+v %v", store.name, st, err)
			}
		}
		if err := b.Forget(ctx, dev); err != nil {
			t.Fatal(err)
		}
		if err := b.Declare(ctx, dev, nu46Doc(nu46B, "B1", "Config/Camera/AllowCamera", "1")); err != nil {
			t.Fatal(err)
		}
		st, err := a.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Docs) != 1 || st.Docs[0].URI.DocID != nu46B {
			var got []string
			for _, x := range st.Docs {
				got = append(got, x.URI.DocID+" "+x.Checksum)
			}
			t.Errorf("%s: the other instance's Status after Forget and Declare: %v, want B1 alone", store.name, got)
		}
		if docs, _ := a.Desired(ctx, dev); len(docs) != 1 || docs[0].Document.ID != nu46B {
			t.Errorf("%s: Desired %d documents", store.name, len(docs))
		}
	}
}
