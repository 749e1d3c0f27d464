//go:build race

package main

// raceEnabled: the race detector makes frames larger, so stack sizes are
// not checked under it.
const raceEnabled = true
