package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// Run checks the Store made by newStore (a fresh, empty one per subtest):
// an unknown device loads as nil state and version 0; a swap from the
// right version succeeds and returns a new non-zero version; a swap from a
// stale version fails with session.ErrConflict and changes nothing; the
// Store keeps its own copy of the state and Load returns bytes it does
// not use again (changing them changes no later Load); devices are
// independent, and so are names holding NUL bytes (a Server's own
// records), which a swap to an empty state empties; and of many
// concurrent swaps from the same version exactly one wins.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	ctx := context.Background()
	t.Run("Empty", func(t *testing.T) {
		s := newStore(t)
		st, v, err := s.Load(ctx, "dev")
		if err != nil || len(st) != 0 || v != 0 {
			t.Fatalf("Load of an unknown device = %q, %d, %v; want no state, 0, nil", st, v, err)
		}
	})
	t.Run("SwapAndLoad", func(t *testing.T) {
		s := newStore(t)
		state := []byte("one")
		v1, err := s.CompareAndSwap(ctx, "dev", 0, state)
		if err != nil || v1 == 0 {
			t.Fatalf("first swap = %d, %v", v1, err)
		}
		state[0] = 'X' // the Store must have kept its own copy
		got, v, err := s.Load(ctx, "dev")
		if err != nil || string(got) != "one" || v != v1 {
			t.Fatalf("Load = %q, %d, %v; want \"one\", %d", got, v, err, v1)
		}
		got[0] = 'Y' // nor may a loaded slice alias it
		if again, _, _ := s.Load(ctx, "dev"); string(again) != "one" {
			t.Fatalf("Load after changing the bytes of an earlier Load = %q, want \"one\": Load must return bytes the Store never uses again (a Server keeps parts of them)", again)
		}
		v2, err := s.CompareAndSwap(ctx, "dev", v1, []byte("two"))
		if err != nil || v2 == 0 || v2 == v1 {
			t.Fatalf("second swap = %d, %v (first version %d)", v2, err, v1)
		}
		got, v, _ = s.Load(ctx, "dev")
		if string(got) != "two" || v != v2 {
			t.Fatalf("Load = %q, %d; want \"two\", %d", got, v, v2)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		s := newStore(t)
		v1, _ := s.CompareAndSwap(ctx, "dev", 0, []byte("one"))
		if _, err := s.CompareAndSwap(ctx, "dev", v1, []byte("two")); err != nil {
			t.Fatal(err)
		}
		for _, old := range []uint64{0, v1} {
			if _, err := s.CompareAndSwap(ctx, "dev", old, []byte("lost")); !errors.Is(err, session.ErrConflict) {
				t.Errorf("swap from stale version %d: %v, want ErrConflict", old, err)
			}
		}
		if got, _, _ := s.Load(ctx, "dev"); string(got) != "two" {
			t.Errorf("a refused swap changed the state to %q", got)
		}
	})
	t.Run("Devices", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.CompareAndSwap(ctx, "a", 0, []byte("A")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, "b", 0, []byte("B")); err != nil {
			t.Fatalf("devices are not independent: %v", err)
		}
		a, _, _ := s.Load(ctx, "a")
		b, _, _ := s.Load(ctx, "b")
		if !bytes.Equal(a, []byte("A")) || !bytes.Equal(b, []byte("B")) {
			t.Errorf("a = %q, b = %q", a, b)
		}
	})
	t.Run("OwnRecords", func(t *testing.T) {
		// A Server keeps records of its own next to a device's, under
		// names holding NUL bytes (FirstNonceKeyDevice, the data of an
		// object received in chunks), and empties them with a swap to an
		// empty state, which a later swap goes on from.
		s := newStore(t)
		own := "\x00windc object segment\x000\x00dev"
		if _, err := s.CompareAndSwap(ctx, "dev", 0, []byte("state")); err != nil {
			t.Fatal(err)
		}
		v1, err := s.CompareAndSwap(ctx, own, 0, []byte("data"))
		if err != nil {
			t.Fatalf("swap under a name with NUL bytes: %v", err)
		}
		v2, err := s.CompareAndSwap(ctx, own, v1, nil)
		if err != nil || v2 == 0 || v2 == v1 {
			t.Fatalf("swap to an empty state = %d, %v (version before %d)", v2, err, v1)
		}
		if got, v, err := s.Load(ctx, own); err != nil || len(got) != 0 || v != v2 {
			t.Fatalf("Load of an emptied record = %q, %d, %v; want no bytes, %d", got, v, err, v2)
		}
		if _, err := s.CompareAndSwap(ctx, own, v2, []byte("again")); err != nil {
			t.Fatalf("swap from an emptied record: %v", err)
		}
		if got, _, _ := s.Load(ctx, "dev"); string(got) != "state" {
			t.Errorf("the device's state is %q, want \"state\"", got)
		}
	})
	t.Run("ConcurrentSwaps", func(t *testing.T) {
		s := newStore(t)
		v, _ := s.CompareAndSwap(ctx, "dev", 0, []byte("0"))
		const n = 16
		var wg sync.WaitGroup
		wins := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.CompareAndSwap(ctx, "dev", v, []byte(fmt.Sprint(i)))
				wins[i] = err == nil
			}()
		}
		wg.Wait()
		won := 0
		for _, w := range wins {
			if w {
				won++
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent swaps from one version won, want 1", won, n)
		}
	})
}
