package storetest_test

import (
	"testing"

	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/session/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return session.NewMemoryStore() })
}

// The zero MemoryStore is ready for use.
func TestMemoryStoreZero(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return &session.MemoryStore{} })
}

// TestMapStore proves the Example's store.
func TestMapStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return newMapStore() })
}
