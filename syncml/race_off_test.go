//go:build !race

package syncml

const raceEnabled = false
