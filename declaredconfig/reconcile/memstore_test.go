package reconcile

import (
	"testing"

	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/session/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return newMemStore() })
}

// TestMemStoreShared checks that what loadShared hands out is the state
// stored, and that neither changing what Load returns nor changing what
// was stored changes it.
func TestMemStoreShared(t *testing.T) {
	ctx := t.Context()
	s := newMemStore()
	if raw, ver, err := s.loadShared(ctx, "d"); raw != "" || ver != 0 || err != nil {
		t.Fatalf("no state: %q %d %v", raw, ver, err)
	}
	in := []byte{3, 1, 2}
	ver, err := s.CompareAndSwap(ctx, "d", 0, in)
	if err != nil {
		t.Fatal(err)
	}
	in[0] = 9
	b, _, err := s.Load(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	b[1] = 9
	raw, v, err := s.loadShared(ctx, "d")
	if err != nil || v != ver || raw != "\x03\x01\x02" {
		t.Fatalf("loadShared = %q %d %v, want %q %d", raw, v, err, "\x03\x01\x02", ver)
	}
}
