package session

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes f allocates: a measure of its work that,
// unlike a clock, does not depend on the machine or its load.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocatedFresh is allocated after two collections, which empty the
// sync.Pools (the second their victims): f then allocates its pooled
// buffers anew each time, not only when a collection happened to empty
// them, so that two runs compare.
func allocatedFresh(f func()) uint64 {
	runtime.GC()
	runtime.GC()
	return allocated(f)
}

// linear fails t unless the work of n things, twice as many of them, is
// less than three times that of n/2: twice for work linear in their
// number, four times for work that grows with its square. The bytes are
// counted for the whole process, so that what other goroutines allocate
// meanwhile (those a test before left winding down) adds to them: each
// is the least of three runs.
func linear(t *testing.T, what string, work func(n int) uint64, n int) {
	t.Helper()
	least := func(n int) uint64 { return min(work(n), work(n), work(n)) }
	half, whole := least(n/2), least(n)
	t.Logf("%s: %d of them allocated %d bytes, %d of them %d bytes", what, n/2, half, n, whole)
	if whole >= 3*half {
		t.Errorf("%s: %d of them allocated %.1f times what %d did: the work grows faster than their number", what, n, float64(whole)/float64(half), n/2)
	}
}

// TestServerUnfitWorkLinear: a device's MaxMsgSize decides which queued
// commands no message can carry, so a device announcing a small one can
// make every queued command one of them. Refusing them costs work in
// proportion to their number, not to its square: each refusal once
// packed the whole queue again (2,000 queued commands of 800 bytes:
// 5 GB allocated, 2.4 s, for one message; 4,000: 8 s).
func TestServerUnfitWorkLinear(t *testing.T) {
	const max = 700
	linear(t, "commands refused for MaxMsgSize", func(n int) uint64 {
		s := NewSession(nil)
		for i := range n {
			if err := s.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/%s/%d", strings.Repeat("P", 700), i), 10)); err != nil {
				t.Fatal(err)
			}
		}
		var cv *conversation
		var err error
		work := allocatedFresh(func() { cv, err = converse(t, s, max, "1") })
		if err != nil {
			t.Fatal(err)
		}
		if len(cv.outcomes) != n {
			t.Fatalf("%d Outcomes, want %d (every command refused)", len(cv.outcomes), n)
		}
		return work
	}, 1000)
}

// TestServerAbortWorkLinear: the reply to a device's abort is kept within
// its MaxMsgSize by leaving Statuses out; the device decides how many
// there are (one per command of its message), and leaving them out costs
// work in proportion to their number, not to its square (each one left
// out once encoded the whole reply again: 20,000 commands, 28 GB
// allocated, 24 s).
func TestServerAbortWorkLinear(t *testing.T) {
	const max = 900
	linear(t, "Statuses of an abort", func(n int) uint64 {
		var body strings.Builder
		body.WriteString(alert1201)
		for i := 2; i < n+2; i++ {
			fmt.Fprintf(&body, `<Alert><CmdID>%d</CmdID><Data>1224</Data><Item><Data>u</Data></Item></Alert>`, i)
		}
		fmt.Fprintf(&body, `<Alert><CmdID>%d</CmdID><Data>1223</Data></Alert>`, n+2)
		raw := strings.Replace(string(devMsg("5", "1", body.String())), "</Source></SyncHdr>",
			fmt.Sprintf(`</Source><Meta><MaxMsgSize xmlns="syncml:metinf">%d</MaxMsgSize></Meta></SyncHdr>`, max), 1)
		s := NewSession(nil)
		var x *Exchange
		work := allocatedFresh(func() { x = handle(t, s, []byte(raw)) })
		if len(x.Raw) > max {
			t.Errorf("abort reply of %d bytes over MaxMsgSize %d", len(x.Raw), max)
		}
		return work
	}, 4000)
}
