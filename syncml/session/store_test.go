package session

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestMemoryStoreOwnKeys checks that a MemoryStore keeps devices under
// copies of their own: a device string that is part of a whole received
// message (as the SyncHdr Source of a decoded message is) would otherwise
// keep that message alive for as long as the device's state, on every
// update.
func TestMemoryStoreOwnKeys(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	var ver uint64
	for i := range 3 {
		msg := strings.Repeat("x", 1000) + "<LocURI>DEV1</LocURI>" + strings.Repeat("y", 1000)
		at := strings.Index(msg, "DEV1")
		device := msg[at : at+4]
		v, err := s.CompareAndSwap(ctx, device, ver, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		ver = v
		start := uintptr(unsafe.Pointer(unsafe.StringData(msg)))
		for j := range s.n {
			k := s.bytesOf(s.at(uint32(j)))
			if p := uintptr(unsafe.Pointer(unsafe.SliceData(k))); p >= start && p < start+uintptr(len(msg)) {
				t.Fatalf("update %d: the key %q is part of the message given", i, k)
			}
		}
	}
	if st, v, _ := s.Load(ctx, "DEV1"); v != ver || len(st) != 1 || st[0] != 2 {
		t.Errorf("Load = %v, %d; want [2], %d", st, v, ver)
	}
}

// TestMemoryStoreLoadShared checks that LoadShared returns what Load
// does, without a copy, and that the state it returned stays as it was
// through later updates (and changes of the bytes given to them).
func TestMemoryStoreLoadShared(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	if st, v, err := s.LoadShared(ctx, "DEV1"); err != nil || st != nil || v != 0 {
		t.Fatalf("LoadShared of no state = %q, %d, %v", st, v, err)
	}
	in := []byte("state one")
	v1, err := s.CompareAndSwap(ctx, "DEV1", 0, in)
	if err != nil {
		t.Fatal(err)
	}
	in[0] = 'X'
	shared, v, err := s.LoadShared(ctx, "DEV1")
	if err != nil || v != v1 || string(shared) != "state one" {
		t.Fatalf("LoadShared = %q, %d, %v; want %q, %d", shared, v, err, "state one", v1)
	}
	again, _, _ := s.LoadShared(ctx, "DEV1")
	if unsafe.SliceData(again) != unsafe.SliceData(shared) {
		t.Error("LoadShared copied the state")
	}
	if _, err := s.CompareAndSwap(ctx, "DEV1", v1, []byte("state two")); err != nil {
		t.Fatal(err)
	}
	if string(shared) != "state one" {
		t.Errorf("an update changed the state LoadShared returned before: %q", shared)
	}
	if st, _, _ := s.LoadShared(ctx, "DEV1"); string(st) != "state two" {
		t.Errorf("LoadShared after the update = %q", st)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.LoadShared(cctx, "DEV1"); err == nil {
		t.Error("LoadShared with a canceled context: no error")
	}
}

// TestMemoryStoreManyDevices checks a MemoryStore over several chunks of
// entries: each device keeps its own state and version through updates
// made in another order than the devices were added, and a swap from
// version 0 of a device that has state is a conflict. It checks it again
// with every device of the same hash (collide), each then found in a
// chain of entries.
func TestMemoryStoreManyDevices(t *testing.T) {
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprint("collide=", collide), func(t *testing.T) {
			s := NewMemoryStore()
			s.collide = collide
			testManyDevices(t, s)
		})
	}
}

func testManyDevices(t *testing.T, s *MemoryStore) {
	ctx := context.Background()
	const n = 2*memChunk + 3
	dev := func(i int) string { return "DEV" + strconv.Itoa(i) }
	for i := range n {
		if v, err := s.CompareAndSwap(ctx, dev(i), 0, []byte(dev(i)+"/1")); err != nil || v != 1 {
			t.Fatalf("add %s: %d, %v", dev(i), v, err)
		}
	}
	for i := n - 1; i >= 0; i -= 2 {
		if v, err := s.CompareAndSwap(ctx, dev(i), 1, []byte(dev(i)+"/2")); err != nil || v != 2 {
			t.Fatalf("update %s: %d, %v", dev(i), v, err)
		}
	}
	if _, err := s.CompareAndSwap(ctx, dev(memChunk), 0, []byte("again")); !errors.Is(err, ErrConflict) {
		t.Fatalf("swap from 0 of a device with state: %v", err)
	}
	for i := range n {
		want, wantV := dev(i)+"/1", uint64(1)
		if (n-1-i)%2 == 0 {
			want, wantV = dev(i)+"/2", 2
		}
		if st, v, err := s.Load(ctx, dev(i)); err != nil || string(st) != want || v != wantV {
			t.Fatalf("Load %s = %q, %d, %v; want %q, %d", dev(i), st, v, err, want, wantV)
		}
	}
	if st, v, err := s.Load(ctx, "DEV-none"); st != nil || v != 0 || err != nil {
		t.Errorf("Load of no device = %q, %d, %v", st, v, err)
	}
}
