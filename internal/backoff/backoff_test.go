package backoff_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/internal/backoff"
)

func TestBound(t *testing.T) {
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{
		{-1, 0}, {0, 0}, {1, backoff.Base}, {2, 2 * backoff.Base}, {3, 4 * backoff.Base},
		{7, 64 * backoff.Base}, {8, backoff.Max}, {1 << 30, backoff.Max},
	} {
		if got := backoff.Bound(c.attempt); got != c.want {
			t.Errorf("Bound(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, attempt := range []int{0, 1, 100} {
		if err := backoff.Wait(ctx, attempt); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait(cancelled, %d) = %v, want context.Canceled", attempt, err)
		}
	}
	if err := backoff.Wait(context.Background(), 1); err != nil {
		t.Errorf("Wait(1) = %v", err)
	}
}

// TestWaitBounds: in a synctest bubble, whose clock moves only while every
// goroutine waits, Wait lasts less than Bound(attempt), and a context that
// ends during the wait ends it at once.
func TestWaitBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for attempt := 1; attempt <= 12; attempt++ {
			for range 20 {
				start := time.Now()
				if err := backoff.Wait(context.Background(), attempt); err != nil {
					t.Fatalf("Wait(%d) = %v", attempt, err)
				}
				if d := time.Since(start); d >= backoff.Bound(attempt) {
					t.Fatalf("Wait(%d) lasted %v, bound %v", attempt, d, backoff.Bound(attempt))
				}
			}
		}
		for {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- backoff.Wait(ctx, 100) }()
			synctest.Wait() // Wait waits on its timer, unless it drew 0
			select {
			case <-done:
				cancel()
				continue
			default:
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Wait cancelled while waiting = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("Wait cancelled while waiting returned after %v", d)
			}
			break
		}
	})
}
