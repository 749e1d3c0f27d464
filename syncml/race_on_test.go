//go:build race

package syncml

// raceEnabled: the race detector adds allocations of its own (and
// sync.Pool drops values at random under it), so allocations are not
// counted under it.
const raceEnabled = true
