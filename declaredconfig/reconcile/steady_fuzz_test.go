package reconcile_test

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// steadyTarget and steadyInput make the coverage of a fuzz target's input
// depend on the input alone, as those of package fuzz do (see
// fuzz/steady_test.go for what varied without them): the Reconciler's
// sync.Pools (its runs, states, document lists and summaries) are empty
// at the start of every input and no collection empties them during one.
// Measured on FuzzSettledTwinsState's seeds, each run six times in one
// process with the fuzzer's counters: 13 of 2264 runs covered otherwise
// than the run of the same input before them, none with these.

// steadyTarget runs the target of f on one P (restored when f is done),
// so that what a goroutine puts in a sync.Pool it finds there again.
func steadyTarget(f *testing.F) {
	prev := runtime.GOMAXPROCS(1)
	f.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// steadyInput empties the sync.Pools (two collections: the first moves
// what they hold aside, the second drops it) and stops collections until
// t is done, but past steadyMemoryLimit.
func steadyInput(t *testing.T) {
	runtime.GC()
	runtime.GC()
	pct := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(steadyMemoryLimit)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	})
}

// steadyMemoryLimit is the heap from which an input of steadyInput is
// collected after all.
const steadyMemoryLimit = 1 << 30
