package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// TestStateJSONCounters loads states of the JSON format (before format 1)
// whose counters (queued, strayOver) do not fit the 32 bits the binary
// format reads: each is refused with ErrStoredState, or, read, saves a
// state that reads again. Before c0b9d81 (int counters) such a state read,
// and the first save wrote one that no longer did.
func TestStateJSONCounters(t *testing.T) {
	ctx := context.Background()
	for _, js := range []string{`{"queued":3000000000}`, `{"strayOver":3000000000}`, `{"queued":-3000000000}`,
		`{"queued":2147483647,"strayOver":-2147483648}`} {
		store := session.NewMemoryStore()
		if _, err := store.CompareAndSwap(ctx, dev1, 0, []byte(js)); err != nil {
			t.Fatal(err)
		}
		rec := reconcile.New(reconcile.Config{Store: store})
		if _, err := rec.Status(ctx, dev1); err != nil {
			if !errors.Is(err, reconcile.ErrStoredState) {
				t.Errorf("%s: %v, not ErrStoredState", js, err)
			}
			continue
		}
		if err := rec.SetRefreshInterval(ctx, dev1, 45); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if _, v, _ := store.Load(ctx, dev1); v == 1 {
			t.Fatalf("%s: not saved", js)
		}
		if _, err := reconcile.New(reconcile.Config{Store: store}).Status(ctx, dev1); err != nil {
			t.Errorf("%s: read, then saved as a state that does not read: %v", js, err)
		}
	}
}
