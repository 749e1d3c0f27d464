package session

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// retiredFull returns a MemoryStore with maxRetired references retired,
// each named by three stored forms, and maxRefs active, each named by
// three but the one returned (named by none: the next victim), a
// replacement due at every store.
func retiredFull(t testing.TB) (*MemoryStore, []byte) {
	t.Helper()
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 1
	swap := func(dev string, st []byte) {
		t.Helper()
		_, v, _ := s.Load(ctx, dev)
		if _, err := s.CompareAndSwap(ctx, dev, v, st); err != nil {
			t.Fatal(err)
		}
	}
	var refs [][]byte
	for k := range maxRefs + maxRetired {
		ref := randBytes(uint64(500+k), 1000)
		refs = append(refs, ref)
		for j := range 3 {
			swap(fmt.Sprint("N", k, "-", j), likeState(ref, j))
		}
	}
	if s.refs.retired != maxRetired || s.refs.replaced != maxRetired {
		t.Fatalf("%d retired, %d replaced; want %d", s.refs.retired, s.refs.replaced, maxRetired)
	}
	// the oldest active one named by none
	victim := refs[maxRetired]
	for j := range 3 {
		swap(fmt.Sprint("N", maxRetired, "-", j), nil)
	}
	if err := checkRefCounts(s); err != nil {
		t.Fatal(err)
	}
	return s, victim
}

// likeState returns a copy of b with a mark of j at its middle.
func likeState(b []byte, j int) []byte {
	st := bytes.Clone(b)
	copy(st[len(st)/2:], fmt.Sprintf("<%d>", j))
	return st
}

// TestMemoryRefsRetiredBoundRace: with maxRetired references retired, a
// replacement is allowed only when the active reference it takes the
// place of is named by no stored form (it is then freed, not retired).
// That is checked before the new reference is made, the table's lock
// released while it is made; a device storing a difference from that
// very reference meanwhile (in the test hook making) must not leave it
// retired, one over the bound: all refSlots slots are then held, and the
// next reference made takes slot 0, whose marker means a state kept as it
// is, so that a state stored as a difference from it loads as the bytes
// of its difference. (Without the hook, two goroutines, one storing such
// a difference and then no state over and over, made 36 of 156
// replacements retire one over the bound.)
func TestMemoryRefsRetiredBoundRace(t *testing.T) {
	ctx := context.Background()
	s, victim := retiredFull(t)
	s.refs.making = func() {
		s.refs.making = nil
		if _, err := s.CompareAndSwap(ctx, "Y", 0, likeState(victim, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// a state unlike every reference: it takes the victim's place
	x := randBytes(9000, 2000)
	if _, err := s.CompareAndSwap(ctx, "X", 0, x); err != nil {
		t.Fatal(err)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	// the new reference named by two (see replaceStale), the oldest active
	// one by none, then another state unlike every reference
	if _, err := s.CompareAndSwap(ctx, "X2", 0, likeState(x, 2)); err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("N", maxRetired+1, "-", j), 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	z := randBytes(9001, 2000)
	v, err := s.CompareAndSwap(ctx, "Z", 0, z)
	if err != nil {
		t.Fatal(err)
	}
	if st, lv, err := s.Load(ctx, "Z"); err != nil || lv != v || !bytes.Equal(st, z) {
		t.Errorf("load Z = %d bytes, version %d, %v; want %d bytes, version %d", len(st), lv, err, len(z), v)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
}
