package session

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
)

// checkInState is a state like those a server keeps of its devices after
// their first check-in: the same commands under another device ID.
func checkInState(device string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<SyncHdr><Target><LocURI>%s</LocURI></Target></SyncHdr>", device)
	for i := range 12 {
		fmt.Fprintf(&b, "<Get><CmdID>%d</CmdID><Item><Target><LocURI>./DevDetail/N%d</LocURI></Target></Item></Get>", i+2, i)
	}
	fmt.Fprintf(&b, "<SourceRef>%s</SourceRef>", device)
	return b.Bytes()
}

// TestMemoryRefsAddedMeanwhile: a state that resembles no reference the
// caller saw, but one added meanwhile (devices checking in at once with no
// reference kept yet), is a difference from that one; it does not take
// another of the maxRefs.
func TestMemoryRefsAddedMeanwhile(t *testing.T) {
	var rs memRefs
	a, b := checkInState("DEV-A"), checkInState("DEV-B-LONGER")
	sa, ok := rs.addAndDiff(nil, a, 0)
	if !ok || len(rs.refs()) != 1 {
		t.Fatalf("first state: difference %v, %d references; want one", ok, len(rs.refs()))
	}
	// b's caller looked when none was kept (from 0)
	sb, ok := rs.addAndDiff(nil, b, 0)
	if !ok || len(rs.refs()) != 1 || sb[0] != 1 {
		t.Fatalf("second state: difference %v, %d references, from %d; want from the first, one reference", ok, len(rs.refs()), sb[0])
	}
	if len(sb) > len(b)/8 {
		t.Errorf("second state: %d bytes stored of %d", len(sb), len(b))
	}
	for _, c := range []struct{ stored, want []byte }{{sa, a}, {sb, b}} {
		if got, err := rs.state(c.stored); err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("state = %q, %v; want %q", got, err, c.want)
		}
	}
}

// TestMemoryRefsConcurrentStart: devices checking in at once on a new
// MemoryStore, their states alike, leave one reference, and every state
// loads as stored.
func TestMemoryRefsConcurrentStart(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		s := NewMemoryStore()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range 8 {
			wg.Go(func() {
				<-start
				for i := range 20 {
					dev := fmt.Sprintf("DEV-%d-%d", g, i)
					if _, err := s.CompareAndSwap(ctx, dev, 0, checkInState(dev)); err != nil {
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		if n := len(s.refs.refs()); n != 1 {
			t.Errorf("round %d: %d references, want 1", round, n)
		}
		for g := range 8 {
			for i := range 20 {
				dev := fmt.Sprintf("DEV-%d-%d", g, i)
				if st, _, err := s.Load(ctx, dev); err != nil || !bytes.Equal(st, checkInState(dev)) {
					t.Fatalf("round %d: Load(%s) = %q, %v", round, dev, st, err)
				}
			}
		}
	}
}
