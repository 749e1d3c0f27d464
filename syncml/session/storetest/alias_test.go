package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/session/storetest"
)

// aliasStore is a Store whose Load hands out the bytes it keeps, not a
// copy: what the caller does to them changes the state kept. A Server
// keeps parts of a loaded state, so the kit must refuse it.
type aliasStore struct {
	mu sync.Mutex
	m  map[string]aliasEntry
}

type aliasEntry struct {
	b []byte
	v uint64
}

func (s *aliasStore) Load(_ context.Context, device string) ([]byte, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	return e.b, e.v, nil
}

func (s *aliasStore) CompareAndSwap(_ context.Context, device string, old uint64, state []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[device]
	if e.v != old {
		return 0, session.ErrConflict
	}
	e = aliasEntry{append([]byte(nil), state...), e.v + 1}
	s.m[device] = e
	return e.v, nil
}

// TestRunRefusesAliasingLoad runs the kit, in a child process, on a Store
// whose Load returns the bytes it keeps: the kit fails it.
func TestRunRefusesAliasingLoad(t *testing.T) {
	if os.Getenv("STORETEST_ALIAS_CHILD") == "1" {
		storetest.Run(t, func(*testing.T) session.Store { return &aliasStore{m: map[string]aliasEntry{}} })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunRefusesAliasingLoad$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STORETEST_ALIAS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the kit passed a Store whose Load aliases its state:\n%s", out)
	}
	if !strings.Contains(string(out), "Load must return bytes the Store never uses again") {
		t.Fatalf("the kit failed the aliasing Store, not on its Load:\n%s", out)
	}
}
