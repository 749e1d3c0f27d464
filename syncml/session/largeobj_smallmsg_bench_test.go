package session

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// BenchmarkServerLargeObjectSmallMsg is BenchmarkServerLargeObject at a
// small MaxMsgSize (8 KiB and 32 KiB), where the object takes hundreds of
// the Server's messages, with objects of plain text of 1 MiB and 4 MiB:
// the state the Server saves holds the whole object at every message
// (the chunks sent, with their records, and the rest), so the bytes
// saved grow with the object times the messages, four times the object
// making about sixteen times the bytes. It runs with the Server's own
// MemoryStore ("mem") and with a Store that keeps copies as any other
// Store does ("copy", whose states the Server cannot take as its own).
// The metrics: msgs, the Server's messages per session, and stateMB, the
// megabytes of the states the copying Store was given per session (the
// MemoryStore is given the same states).
func BenchmarkServerLargeObjectSmallMsg(b *testing.B) {
	for _, size := range []int{1 << 20, 4 << 20} {
		for _, maxMsg := range []int{8 << 10, 32 << 10} {
			for _, store := range []string{"mem", "copy"} {
				b.Run(fmt.Sprintf("%dMiB-msg%dKiB-%s", size>>20, maxMsg>>10, store), func(b *testing.B) {
					benchServerLargeObject(b, strings.Repeat("a", size), maxMsg, store == "copy")
				})
			}
		}
	}
}

// copyStore is a Store in a map that keeps a copy of each state and
// gives out copies, counting the bytes it was given.
type copyStore struct {
	mu     sync.Mutex
	states map[string][]byte
	vers   map[string]uint64
	saved  int64
}

func (s *copyStore) Load(_ context.Context, device string) ([]byte, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.states[device]), s.vers[device], nil
}

func (s *copyStore) CompareAndSwap(_ context.Context, device string, old uint64, state []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vers[device] != old {
		return 0, fmt.Errorf("device %s at version %d, not %d: %w", device, s.vers[device], old, ErrConflict)
	}
	s.states[device] = bytes.Clone(state)
	s.vers[device]++
	s.saved += int64(len(state))
	return s.vers[device], nil
}
