package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// gcTuner sets the garbage collector's headroom (the heap allocated
// between two collections) from the live heap: at least minHeadroom, else
// 1/headroomDiv of the live heap. dmserver keeps every device's state in
// memory (session.MemoryStore), most of its live heap once many devices
// have checked in. On a virtual machine that returns freed memory to its
// host, touching memory the process never had costs 10-60 us per 4 KiB
// page, so that a heap grown by the default headroom (GOGC=100, as much
// again as the live heap) costs CPU as well as memory. When each new
// device's state took 3 KiB, the tuner's quarter of the live heap made a
// fresh check-in cost 31 us of server CPU instead of 42-50; with the
// states kept as differences (a few hundred bytes a device) it is 27-28
// us instead of 28-30 (keep-alive, 6 s runs). A headroom of at least
// 16 MiB keeps a small heap from being collected every few hundred
// requests.
type gcTuner struct {
	minHeadroom uint64
	headroomDiv uint64
	sample      []metrics.Sample
	percent     int
}

// newGCTuner returns a tuner of at least min bytes of headroom, else
// 1/div of the live heap.
func newGCTuner(min, div uint64) *gcTuner {
	// percent starts at no value percentFor returns, so that the first
	// tune sets it
	return &gcTuner{minHeadroom: min, headroomDiv: div, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: -2}
}

// percentFor returns the GC percent giving a live heap of live bytes the
// tuner's headroom, between 10 and 1000.
func (t *gcTuner) percentFor(live uint64) int {
	if live == 0 {
		return 100
	}
	headroom := max(t.minHeadroom, live/t.headroomDiv)
	return int(min(max(headroom*100/live, 10), 1000))
}

// tune sets the GC percent for the live heap measured at the last cycle.
func (t *gcTuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if p := t.percentFor(t.sample[0].Value.Uint64()); p != t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
}

// run tunes every interval until ctx is done, unless the environment sets
// GOGC, which then stands.
func (t *gcTuner) run(ctx context.Context, interval time.Duration) {
	if _, set := lookupGOGC(); set {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		t.tune()
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// lookupGOGC returns the environment's GOGC, if set.
func lookupGOGC() (string, bool) { return os.LookupEnv("GOGC") }
