package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Bounds of the wait before an attempt.
const (
	// Base is the bound of the wait after the first lost attempt.
	Base = 200 * time.Microsecond
	// Max caps the bound however many attempts were lost.
	Max = 20 * time.Millisecond
)

// Bound returns the longest wait after attempt lost attempts (1 for the
// first loss): Base doubled attempt-1 times, at most Max; zero for
// attempt < 1.
func Bound(attempt int) time.Duration {
	if attempt < 1 {
		return 0
	}
	d := Base
	for i := 1; i < attempt && d < Max; i++ {
		d *= 2
	}
	return min(d, Max)
}

// Wait sleeps a random time in [0, Bound(attempt)) ("full jitter") and
// returns nil, or the context's error as soon as ctx ends.
func Wait(ctx context.Context, attempt int) error {
	b := Bound(attempt)
	if err := ctx.Err(); err != nil || b <= 0 {
		return err
	}
	t := time.NewTimer(rand.N(b))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
