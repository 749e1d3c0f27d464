// Package fuzzsteady makes the coverage of a fuzz target's input depend
// on the input alone, for the module's fuzz targets (in package fuzz and
// beside their packages).
//
// The Go fuzzer keeps an input when its run covers code (or a count of a
// block, rounded down to a power of two) that no input before it did,
// then runs it again, shortened, while it still covers as much. A run
// whose coverage depends on more than its input wastes that work and
// keeps inputs that find nothing. What made it so, measured with the
// coverage of one input run several times in a process:
//
//   - sync.Pools (syncml's buffers and scanners, reconcile's runs,
//     encoding/json's, fmt's): a garbage collection empties them at any
//     point of a run, a goroutine moved to another P misses what the
//     last P put, and what a run finds in them (a buffer, and its
//     capacity) was left by the inputs run before;
//   - syncml.Marshal's memory of the last large message (a message of
//     64 KiB or more makes the next one take another path);
//   - for the targets that write files, the random names of temporary
//     files and directories, and the time of day (left to the targets).
//
// Target and Input take the first two away. What stays varies with no
// input but a few counters: the runtime's random source refilled now and
// then (maps draw their seeds from it), random temporary file names, and
// caches filled once per process (reflection's, encoding/json's).
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
