package agent

import (
	"context"
	"sync"
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
		return zero, timeoutError(op, uri, t)
	}
}

// timeoutError is the error of a Surface call op of uri that did not
// return within t.
func timeoutError(op, uri string, t time.Duration) error {
	return errorf("%w: %s %s did not return within %v: %w", ErrSurfaceTimeout, op, uri, t, context.DeadlineExceeded)
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

// surfaceGets reads the nodes uris from the Surface in turn, each Get
// bounded by Config.SurfaceTimeout as a call is (its context ends at its
// own bound, and a Get that does not return by then gives an error
// matching ErrSurfaceTimeout), and gives each outcome to each, in the
// order of uris, until each returns false. A Get that times out is the
// last: the goroutine making the Gets is left to it, and the nodes after
// it are not read. It returns ctx's error when ctx ends before all are
// read (the Get under way, if any, is not given to each).
//
// Unlike as many calls, it makes one goroutine, one timer and one context
// for all the Gets, not one each.
func (a *Agent) surfaceGets(ctx context.Context, uris []string, each func(uri, v string, ok bool, err error) bool) error {
	t := a.surfaceTimeout()
	if t == 0 || len(uris) < 2 {
		for _, u := range uris {
			if err := ctx.Err(); err != nil {
				return err
			}
			if v, ok, err := a.surfaceGet(ctx, u); !each(u, v, ok, err) {
				break
			}
		}
		return nil
	}
	rc := newReadContext(ctx)
	defer rc.end(context.Canceled)
	type out struct {
		v   string
		ok  bool
		err error
	}
	req, res := make(chan string), make(chan out, 1)
	defer close(req)
	go func() {
		for u := range req {
			v, ok, err := a.cfg.Surface.Get(rc, u)
			res <- out{v, ok, err} // never blocks: one Get at a time, and room for one
		}
	}()
	timer := time.NewTimer(t)
	defer timer.Stop()
	for _, u := range uris {
		if err := ctx.Err(); err != nil {
			return err
		}
		rc.setDeadline(time.Now().Add(t))
		timer.Reset(t)
		req <- u
		select {
		case o := <-res:
			if !each(u, o.v, o.ok, o.err) {
				return nil
			}
		case <-timer.C:
			rc.end(context.DeadlineExceeded)
			each(u, "", false, timeoutError("Get", u, t))
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// A readContext is the context of the Gets of surfaceGets: its parent's,
// with the deadline of the Get under way, ended (Done, Err) when the
// parent ends or at the first Get that times out (context.DeadlineExceeded).
type readContext struct {
	context.Context
	done     chan struct{}
	stop     func() bool // of the AfterFunc on the parent
	mu       sync.Mutex
	deadline time.Time
	err      error
}

func newReadContext(parent context.Context) *readContext {
	c := &readContext{Context: parent, done: make(chan struct{})}
	c.stop = context.AfterFunc(parent, func() { c.end(parent.Err()) })
	return c
}

// setDeadline sets the deadline of the next Get.
func (c *readContext) setDeadline(d time.Time) {
	c.mu.Lock()
	c.deadline = d
	c.mu.Unlock()
}

// end ends c with err, once.
func (c *readContext) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
		c.stop()
	}
}

func (c *readContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	d := c.deadline
	c.mu.Unlock()
	if p, ok := c.Context.Deadline(); ok && p.Before(d) {
		return p, true
	}
	return d, true
}

func (c *readContext) Done() <-chan struct{} { return c.done }

func (c *readContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
