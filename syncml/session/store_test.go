package session

import (
	"context"
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
		for k := range s.m {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(k))); p >= start && p < start+uintptr(len(msg)) {
				t.Fatalf("update %d: the key %q is part of the message given", i, k)
			}
		}
	}
	if st, v, _ := s.Load(ctx, "DEV1"); v != ver || len(st) != 1 || st[0] != 2 {
		t.Errorf("Load = %v, %d; want [2], %d", st, v, ver)
	}
}
