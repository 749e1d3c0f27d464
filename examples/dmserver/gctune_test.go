package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCTunerPercent(t *testing.T) {
	tu := newGCTuner(16<<20, 4)
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 100},          // nothing measured yet: the default
		{100 << 10, 1000}, // 16 MiB over 100 KiB: capped
		{2 << 20, 800},    // 16 MiB of headroom
		{16 << 20, 100},
		{64 << 20, 25}, // a quarter from here on
		{1 << 30, 25},
		{40 << 30, 25},
	} {
		if got := tu.percentFor(tc.live); got != tc.want {
			t.Errorf("live %d: GC percent %d, want %d", tc.live, got, tc.want)
		}
	}
	if got := newGCTuner(1<<20, 100).percentFor(1 << 30); got != 10 {
		t.Errorf("headroom 1%%: GC percent %d, want the floor 10", got)
	}
}

func TestGCTunerSetsPercent(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	runtime.GC()               // the live heap measured
	tu := newGCTuner(1<<40, 4) // a headroom so large that the cap applies
	tu.tune()
	if got := debug.SetGCPercent(100); got != 1000 || tu.percent != 1000 {
		t.Fatalf("GC percent %d (tuner's %d), want 1000", got, tu.percent)
	}
}

func TestGCTunerLeavesGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)
	done := make(chan struct{})
	go func() {
		newGCTuner(1<<40, 4).run(context.Background(), time.Millisecond) // returns at once
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run tunes although GOGC is set")
	}
	if got := debug.SetGCPercent(old); got != 77 {
		t.Fatalf("GC percent %d, want 77 (unchanged)", got)
	}
}

func TestGCTunerStops(t *testing.T) {
	if _, ok := lookupGOGC(); ok {
		t.Skip("GOGC is set")
	}
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	runtime.GC() // the live heap measured
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		newGCTuner(1<<40, 4).run(ctx, time.Millisecond)
		close(done)
	}()
	for deadline := time.Now().Add(10 * time.Second); debug.SetGCPercent(100) != 1000; { // set by the first tune
		if time.Now().After(deadline) {
			t.Fatal("GC percent not set")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
