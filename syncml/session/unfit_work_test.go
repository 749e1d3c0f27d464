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

// TestServerUnfitWorkLinear: a device's MaxMsgSize decides which queued
// commands no message can carry, so a device announcing a small one can
// make every queued command one of them. Refusing them costs work in
// proportion to the queue, not to its square: each refusal once packed
// the whole queue again (2,000 queued commands of 730 bytes, about 1.5
// MB: some 3 GB encoded, 2.3 s, for one message; 4,000: 8 s).
func TestServerUnfitWorkLinear(t *testing.T) {
	const n, max = 2000, 700
	s := NewSession(nil)
	queued := 0
	for i := range n {
		c := replaceOf(fmt.Sprintf("./Vendor/MSFT/%s/%d", strings.Repeat("P", 700), i), 10)
		if err := s.Queue(c); err != nil {
			t.Fatal(err)
		}
		l, err := encodedLen(c)
		if err != nil {
			t.Fatal(err)
		}
		queued += l
	}
	var cv *conversation
	var err error
	work := allocated(func() { cv, err = converse(t, s, max, "1") })
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.outcomes) != n {
		t.Fatalf("%d Outcomes, want %d (every command refused)", len(cv.outcomes), n)
	}
	if limit := uint64(40 * queued); work > limit {
		t.Errorf("refusing %d commands (%d bytes) allocated %d bytes, over %d: work grows with the square of the queue", n, queued, work, limit)
	}
}

// TestServerAbortWorkLinear: the reply to a device's abort is kept within
// its MaxMsgSize by dropping Statuses; the device decides how many there
// are (one per command of its message), and dropping them costs work in
// proportion to them, not to their square (each drop once encoded the
// whole reply again: 20,000 commands, some 20 GB).
func TestServerAbortWorkLinear(t *testing.T) {
	const n, max = 20000, 900
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
	work := allocated(func() { x = handle(t, s, []byte(raw)) })
	if len(x.Raw) > max {
		t.Errorf("abort reply of %d bytes over MaxMsgSize %d", len(x.Raw), max)
	}
	if limit := uint64(100 * len(raw)); work > limit {
		t.Errorf("abort of %d commands (%d bytes) allocated %d bytes, over %d: work grows with the square of the Statuses", n, len(raw), work, limit)
	}
}
