//go:build linux

package mde2

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time of the calling OS thread, so that the
// shares the enrollment benchmark reports do not depend on what else the
// machine runs (the caller locks its goroutine to the thread).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
