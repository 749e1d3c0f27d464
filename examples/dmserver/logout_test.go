package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flushing goroutine and the
// test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogOutputBuffers(t *testing.T) {
	var dst lockedBuffer
	out := newLogOutput(&dst)
	log := slog.New(slog.NewTextHandler(out, nil))
	log.Info("session start", "device", "DEV1")
	if got := dst.String(); got != "" {
		t.Fatalf("written before a flush: %q", got)
	}
	if err := out.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := dst.String(); !strings.Contains(got, `msg="session start" device=DEV1`) {
		t.Fatalf("after Flush: %q", got)
	}
}

func TestLogOutputFlushesEveryInterval(t *testing.T) {
	var dst lockedBuffer
	out := newLogOutput(&dst)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		out.flushEvery(ctx, 5*time.Millisecond)
		close(done)
	}()
	fmt.Fprintln(out, "first")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(dst.String(), "first"); {
		if time.Now().After(deadline) {
			t.Fatal("not flushed by the ticker")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	// written after the goroutine stopped: nothing flushes it but Flush
	fmt.Fprintln(out, "late")
	time.Sleep(20 * time.Millisecond)
	if strings.Contains(dst.String(), "late") {
		t.Fatal("flushed after flushEvery returned")
	}
}

func TestLogOutputFlushesAtStop(t *testing.T) {
	var dst lockedBuffer
	out := newLogOutput(&dst)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		out.flushEvery(ctx, time.Hour)
		close(done)
	}()
	fmt.Fprintln(out, "last record")
	cancel()
	<-done
	if got := dst.String(); got != "last record\n" {
		t.Fatalf("after stop: %q", got)
	}
}

func TestLogOutputConcurrentRecords(t *testing.T) {
	var dst lockedBuffer
	out := newLogOutput(&dst)
	log := slog.New(slog.NewTextHandler(out, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		out.flushEvery(ctx, time.Millisecond)
		close(done)
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				log.Info("r", "g", g, "i", i)
			}
		})
	}
	wg.Wait()
	cancel()
	<-done
	lines := strings.Split(strings.TrimSuffix(dst.String(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 8*500)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " msg=r g=") {
			t.Fatalf("torn record %q", l)
		}
	}
}
