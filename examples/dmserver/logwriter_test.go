package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an output that keeps every Write's bytes, and can be made
// to block each Write until released (gate) and to fail.
type recorder struct {
	mu      sync.Mutex
	writes  [][]byte
	entered chan struct{} // a Write has begun (when not nil)
	gate    chan struct{} // a Write waits for it to close (when not nil)
	err     error
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.entered != nil {
		select {
		case r.entered <- struct{}{}:
		default:
		}
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), r.err
}

func (r *recorder) all() (string, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	biggest := 0
	for _, w := range r.writes {
		b.Write(w)
		biggest = max(biggest, len(w))
	}
	return b.String(), len(r.writes), biggest
}

// Records from many goroutines come out whole, each goroutine's in its
// order, none lost, in fewer Writes than records; with an output that
// blocks, no batch is larger than maxPending and one record per writer.
func TestLogWriterWholeInOrder(t *testing.T) {
	for _, blocked := range []bool{false, true} {
		out := &recorder{}
		if blocked {
			out.gate, out.entered = make(chan struct{}), make(chan struct{}, 1)
		}
		const writers, each, maxPending = 8, 500, 4 << 10
		w := newLogWriter(out, maxPending, 0)
		var wg sync.WaitGroup
		for g := range writers {
			wg.Go(func() {
				for i := range each {
					fmt.Fprintf(w, "writer=%d record=%d %s\n", g, i, strings.Repeat("x", i%50))
				}
			})
		}
		if blocked {
			<-out.entered // a batch is being written and blocks every other
			close(out.gate)
		}
		wg.Wait()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, writes, biggest := out.all()
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != writers*each || blocked && writes >= len(lines) {
			t.Fatalf("blocked %v: %d records in %d writes, want %d (in fewer when blocked)", blocked, len(lines), writes, writers*each)
		}
		next := make([]int, writers)
		for _, l := range lines {
			var g, i int
			var x string
			if n, err := fmt.Sscanf(l, "writer=%d record=%d %s", &g, &i, &x); (n < 2 || err != nil) && !strings.HasSuffix(l, " ") {
				t.Fatalf("blocked %v: record cut: %q", blocked, l)
			}
			if i != next[g] || len(x) != i%50 {
				t.Fatalf("blocked %v: writer %d: record %q, want number %d", blocked, g, l, next[g])
			}
			next[g]++
		}
		if biggest > maxPending+writers*100 { // each writer may add its record past the bound

			t.Errorf("blocked %v: a batch of %d bytes, over %d waiting", blocked, biggest, maxPending)
		}
	}
}

// Idle, a record goes out at once, without Close; the records that come
// while a batch is being written go together in the next.
func TestLogWriterBatches(t *testing.T) {
	out := &recorder{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	w := newLogWriter(out, 1<<20, 0)
	fmt.Fprint(w, "first\n")
	<-out.entered // written at once, and held there
	for range 9 {
		fmt.Fprint(w, "ten bytes\n")
	}
	close(out.gate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.writes) != 2 || string(out.writes[0]) != "first\n" || string(out.writes[1]) != strings.Repeat("ten bytes\n", 9) {
		t.Errorf("writes %q, want the first record, then the nine together", out.writes)
	}
}

// A record written after Close goes out at once, after those before; the
// first error of the output is Close's.
func TestLogWriterAfterClose(t *testing.T) {
	out := &recorder{err: errors.New("disk full")}
	w := newLogWriter(out, 1<<20, 0)
	fmt.Fprint(w, "before\n")
	if err := w.Close(); err == nil || err.Error() != "disk full" {
		t.Errorf("Close: %v", err)
	}
	fmt.Fprint(w, "after\n")
	if got, n, _ := out.all(); got != "before\nafter\n" || n != 2 {
		t.Errorf("%d writes of %q", n, got)
	}
	if err := w.Close(); err == nil {
		t.Error("second Close: no error")
	}
}

// With a linger, the records that come while the first one waits go
// with it in one Write; Close does not wait for the linger to end.
func TestLogWriterLinger(t *testing.T) {
	out := &recorder{}
	w := newLogWriter(out, 1<<20, time.Minute)
	fmt.Fprint(w, "record 0\n")
	// the writer's goroutine, woken by the first record, gets every
	// chance to run: without the linger it writes record 0 alone here
	for range 1000 {
		if _, n, _ := out.all(); n > 0 {
			break
		}
		runtime.Gosched()
	}
	for i := 1; i < 5; i++ {
		fmt.Fprintf(w, "record %d\n", i)
	}
	start := time.Now()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Close took %v: it waited for the linger", d)
	}
	got, writes, _ := out.all()
	if want := "record 0\nrecord 1\nrecord 2\nrecord 3\nrecord 4\n"; got != want || writes != 1 {
		t.Errorf("%d writes of %q, want one of %q", writes, got, want)
	}
}
