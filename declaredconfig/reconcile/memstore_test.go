package reconcile

import (
	"errors"
	"testing"
	"unsafe"

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

// TestMemStoreKey checks that the store keys a device by its own copy of
// the device string, not by the string given (often part of a message).
func TestMemStoreKey(t *testing.T) {
	ctx := t.Context()
	s := newMemStore()
	msg := []byte("<Source>dev-1</Source>")
	device := string(msg)[8:13]
	for old := uint64(0); old < 2; old++ {
		if _, err := s.CompareAndSwap(ctx, device, old, []byte{3}); err != nil {
			t.Fatal(err)
		}
		for k := range s.m {
			if k != "dev-1" || unsafe.StringData(k) == unsafe.StringData(device) {
				t.Fatalf("update %d: keyed by %q at the device string given", old+1, k)
			}
		}
	}
}

// TestMemStoreDropNoVersionBack: once a device's entry is dropped
// (Forget), a compare-and-swap from a version read before it fails, even
// after the device's state is stored anew (a session that loaded the
// state before Forget must not write it back over the new one), and the
// new state's version is none the device had before (the Reconciler
// keeps a decoded state by version). Numbered per device, the new state
// took version 1 again and the stale write went through.
func TestMemStoreDropNoVersionBack(t *testing.T) {
	ctx := t.Context()
	s := newMemStore()
	v1, err := s.CompareAndSwap(ctx, "dev", 0, []byte("before Forget"))
	if err != nil {
		t.Fatal(err)
	}
	s.drop("dev")
	v2, err := s.CompareAndSwap(ctx, "dev", 0, []byte("after Forget"))
	if err != nil {
		t.Fatal(err)
	}
	if v2 == v1 {
		t.Errorf("the state stored after the drop has version %d, the version of the one dropped", v2)
	}
	if _, err := s.CompareAndSwap(ctx, "dev", v1, []byte("stale")); !errors.Is(err, ErrConflict) {
		t.Errorf("a compare-and-swap from the version read before the drop: %v, want ErrConflict", err)
	}
	if got, _, _ := s.Load(ctx, "dev"); string(got) != "after Forget" {
		t.Errorf("the state is %q, want %q", got, "after Forget")
	}
}
