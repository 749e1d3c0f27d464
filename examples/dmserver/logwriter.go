package main

import (
	"io"
	"runtime"
	"sync"
	"time"
)

// logWriter gathers dmserver's log records and writes them to out from a
// goroutine of its own: the first record to wait wakes it, it waits the
// linger for more (dmserver: 2 ms), and whatever has come by then goes in
// one Write. Idle, a record goes out after the linger; under load, the
// records of many sessions go in one system call (with 8 kept-alive
// clients on 2 cores, about 5 records a Write without the linger, so that
// the writes were a sixth of the server's system calls). dmserver writes a record per session, so that a load of
// fresh check-ins writes thousands a second; written one by one to a
// terminal or a pipe, each costs a system call and a wake-up of the
// reader, in the request's own time. Measured with 8 kept-alive clients
// on 2 cores: records written one by one to a pseudo-terminal took 40% of
// the check-in rate, to a pipe 15%.
//
// Nothing is dropped: a Write that finds maxPending bytes waiting (the
// output is slower than the records come) writes them itself, in the
// caller's time, as an unbuffered logger would; so the records waiting
// take at most maxPending and one record per concurrent Write. Records
// stay whole and in order. Close writes what is waiting and stops the
// goroutine; records written after Close go out at once. A process killed
// outright loses the records waiting then (those of the last linger, or
// of the last write's time while the output is slow).
type logWriter struct {
	out        io.Writer
	maxPending int
	linger     time.Duration // how long the first record of a batch waits for others

	mu      sync.Mutex
	pending []byte // records not yet handed to out
	closed  bool

	outMu sync.Mutex // held while writing to out, so batches go in order
	spare []byte     // the buffer of the last batch written, for reuse (outMu)
	err   error      // the first error out returned (outMu)

	kick chan struct{} // records wait
	stop chan struct{}
	done chan struct{}
}

// newLogWriter returns a logWriter to out and starts its goroutine. A
// batch's first record waits linger for others (none when 0: only for the
// goroutines already runnable).
func newLogWriter(out io.Writer, maxPending int, linger time.Duration) *logWriter {
	w := &logWriter{out: out, maxPending: maxPending, linger: linger,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Write implements io.Writer. The record is copied; Write never fails
// (an error of out is reported by Close).
func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.flush(p) // after what is still waiting
		return len(p), nil
	}
	first := len(w.pending) == 0
	w.pending = append(w.pending, p...)
	n := len(w.pending)
	w.mu.Unlock()
	switch {
	case n >= w.maxPending:
		w.flush(nil)
	case first:
		select {
		case w.kick <- struct{}{}:
		default: // already told
		}
	}
	return len(p), nil
}

// run writes the waiting records whenever told, until stopped.
func (w *logWriter) run() {
	defer close(w.done)
	for {
		select {
		case <-w.kick:
		case <-w.stop:
			w.flush(nil)
			return
		}
		if w.linger > 0 {
			// the records of the sessions under way join this batch
			t := time.NewTimer(w.linger)
			select {
			case <-t.C:
			case <-w.stop:
				t.Stop()
				w.flush(nil)
				return
			}
		} else {
			// the goroutines already runnable (sessions under way)
			// first: their records join this batch
			runtime.Gosched()
		}
		w.flush(nil)
	}
}

// flush hands the waiting records to out in one Write, then the record
// then, if any (a Write after Close).
func (w *logWriter) flush(then []byte) {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	w.mu.Lock()
	batch := w.pending
	w.pending = w.spare[:0]
	w.mu.Unlock()
	if len(batch) > 0 {
		w.write(batch)
	}
	w.spare = nil
	if cap(batch) <= 64<<10 { // a burst's large buffer goes
		w.spare = batch
	}
	if len(then) > 0 {
		w.write(then)
	}
}

// write writes b to out, keeping the first error; outMu is held.
func (w *logWriter) write(b []byte) {
	if _, err := w.out.Write(b); err != nil && w.err == nil {
		w.err = err
	}
}

// Close writes the waiting records, stops the goroutine and returns the
// first error out returned, if any.
func (w *logWriter) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.stop)
	}
	w.mu.Unlock()
	<-w.done
	w.flush(nil) // what came before closed was set, after the goroutine's last flush
	w.outMu.Lock()
	defer w.outMu.Unlock()
	return w.err
}
