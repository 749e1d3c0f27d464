//go:build !linux

package mde2

import "time"

var cpuEpoch = time.Now()

// threadCPU falls back to wall time where thread CPU time is not read.
func threadCPU() time.Duration { return time.Since(cpuEpoch) }
