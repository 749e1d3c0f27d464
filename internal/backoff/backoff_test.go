package backoff_test

import (
	"context"
	"errors"
	"testing"
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
