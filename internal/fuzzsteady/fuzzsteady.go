package fuzzsteady

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Target runs the target of f on one P (restored when f is done), so
// that what a goroutine puts in a sync.Pool it finds there again.
func Target(f *testing.F) {
	prev := runtime.GOMAXPROCS(1)
	f.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// Input starts every input of a target as the one before it started:
// the sync.Pools empty (two collections: the first moves what they hold
// aside, the second drops it) and no collection during the input
// (restored when t is done; from MemoryLimit of heap one collects all the
// same, so that an input that allocates without bound does not run the
// machine out), and syncml.Marshal's last message a small one. It costs
// some 0.35-0.5 ms an input.
func Input(t *testing.T) {
	if _, err := syncml.Marshal(&syncml.Message{}); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	pct := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(MemoryLimit)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	})
}

// MemoryLimit is the heap from which an input of Input is collected
// after all.
const MemoryLimit = 1 << 30
