package reconcile_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// bigSummary returns a summary of n entries as devices write them (64
// digit checksums, some 220 bytes each), of documents never declared,
// their ids made of device number i.
func bigSummary(i, n int) []declaredconfig.SummaryEntry {
	out := make([]declaredconfig.SummaryEntry, n)
	for j := range out {
		out[j] = declaredconfig.SummaryEntry{Context: "Device", ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, j),
			Checksum: strings.Repeat(fmt.Sprintf("%08X", j), 8), ResultChecksum: strings.Repeat(fmt.Sprintf("%08X", i), 8), State: "60"}
	}
	return out
}

// heapInUse returns the bytes of live objects, after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// A device whose summary is near MaxSummaryBytes (here 2000 entries, 440
// KB) kept some 0.9 MB in the Reconciler's memory between messages (more
// for entries with attributes), and MaxCachedDevices counted devices
// only: 16 such devices held 16 times that. Config.MaxCachedBytes now
// bounds what the cache counts, and what it counts is what it holds: the
// memory that letting go of every cached device frees (measured after a
// collection) is within it, and within 5/4 of what it counted. It holds
// some devices still. The second round serves the devices again, their
// states decoded from the Store, which holds them as they were saved.
func TestCacheBoundBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("serves 16 devices with summaries of 440 KB")
	}
	const (
		bound   = 4 << 20
		devices = 16
	)
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{MaxCachedBytes: bound})
	for round := range 2 {
		var names []string
		for i := range devices {
			dev := fmt.Sprintf("urn:uuid:big-%d", i)
			names = append(names, dev)
			m := specMessage(t, strconv.Itoa(round+1), "")
			m.Header.Source.LocURI = dev
			appendSummary(m, bigSummary(i, 2000)...)
			if _, err := rec.Reconcile(ctx, session.NewSession(nil), m, &session.Exchange{Identity: session.Identity{Device: dev}}); err != nil {
				t.Fatal(err)
			}
		}
		counted := reconcile.CachedBytes(rec)
		held := heapInUse()
		cached := 0
		for _, dev := range names {
			if reconcile.Cached(rec, dev) {
				cached++
			}
			reconcile.Forget(rec, dev)
		}
		freed := held - heapInUse()
		runtime.KeepAlive(rec)
		t.Logf("round %d: %d devices of %d cached, %d bytes counted; letting go of them freed %d bytes (bound %d)",
			round+1, cached, devices, counted, freed, bound)
		if freed > bound || freed > int64(counted)*5/4 || counted > bound {
			t.Errorf("round %d: the cache held %d bytes, counted %d, MaxCachedBytes %d", round+1, freed, counted, bound)
		}
		if cached == 0 || cached == devices {
			t.Errorf("round %d: %d devices of %d cached", round+1, cached, devices)
		}
	}
}
