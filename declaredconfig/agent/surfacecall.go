package agent

import (
	"context"
	"time"
)

// DefaultSurfaceTimeout is the default of Config.SurfaceTimeout.
const DefaultSurfaceTimeout = time.Minute

// surfaceTimeout returns the bound of one Surface call; 0 for none.
func (a *Agent) surfaceTimeout() time.Duration {
	switch t := a.cfg.SurfaceTimeout; {
	case t < 0:
		return 0
	case t == 0:
		return DefaultSurfaceTimeout
	default:
		return t
	}
}

// call runs one Surface call with Config.SurfaceTimeout as its bound. The
// call gets a context that ends at the bound; a Surface that does not
// return by then is left running on its own goroutine (its outcome is
// dropped) and call returns an error matching ErrSurfaceTimeout and
// context.DeadlineExceeded. When ctx ends first, call returns ctx's error.
func call[T any](a *Agent, ctx context.Context, op, uri string, f func(context.Context) (T, error)) (T, error) {
	t := a.surfaceTimeout()
	if t == 0 {
		return f(ctx)
	}
	cctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	type out struct {
		v   T
		err error
	}
	ch := make(chan out, 1)
	go func() {
		v, err := f(cctx)
		ch <- out{v, err}
	}()
	select {
	case o := <-ch:
		return o.v, o.err
	case <-cctx.Done():
		var zero T
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return zero, errorf("%w: %s %s did not return within %v: %w", ErrSurfaceTimeout, op, uri, t, context.DeadlineExceeded)
	}
}

// getResult is what Surface.Get returns.
type getResult struct {
	value string
	ok    bool
}

func (a *Agent) surfaceSet(ctx context.Context, uri, value string) error {
	_, err := call(a, ctx, "Set", uri, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, a.cfg.Surface.Set(ctx, uri, value)
	})
	return err
}

func (a *Agent) surfaceGet(ctx context.Context, uri string) (string, bool, error) {
	r, err := call(a, ctx, "Get", uri, func(ctx context.Context) (getResult, error) {
		v, ok, err := a.cfg.Surface.Get(ctx, uri)
		return getResult{v, ok}, err
	})
	return r.value, r.ok, err
}

func (a *Agent) surfaceDelete(ctx context.Context, uri string) error {
	_, err := call(a, ctx, "Delete", uri, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, a.cfg.Surface.Delete(ctx, uri)
	})
	return err
}
