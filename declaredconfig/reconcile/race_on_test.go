//go:build race

package reconcile_test

// raceEnabled: the race detector slows the property test about tenfold.
const raceEnabled = true
