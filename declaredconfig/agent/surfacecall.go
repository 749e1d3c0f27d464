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
// last: the nodes after it are not read. It returns ctx's error when ctx
// ends before all are read (the Get under way, if any, is not given to
// each).
//
// Unlike as many calls, it makes one goroutine, one timer and one context
// for all the Gets, not one each (a caller).
func (a *Agent) surfaceGets(ctx context.Context, uris []string, each func(uri, v string, ok bool, err error) bool) error {
	c := a.newCaller(ctx)
	defer c.close()
	for _, u := range uris {
		if err := ctx.Err(); err != nil {
			return err
		}
		o := c.do(surfaceOp{uri: u})
		if o.cut {
			return ctx.Err()
		}
		if !each(u, o.v, o.ok, o.err) || o.late {
			return nil
		}
	}
	return nil
}

// A caller makes the Surface calls of one batch (the reads of
// surfaceGets, a refresh's reads and sets) one at a time, each bounded by
// Config.SurfaceTimeout as call bounds one: its context has the deadline
// of the bound from its start, and one that has not returned by then
// fails with ErrSurfaceTimeout, its context ended
// (context.DeadlineExceeded), left running on its own. Unlike call, it
// makes one goroutine, one timer and one context for the calls, not one
// each: a new goroutine and context only after a call that timed out.
// Without a bound, the calls are made on the goroutine of do. Not safe
// for concurrent use; close ends it.
type caller struct {
	a     *Agent
	ctx   context.Context
	t     time.Duration // the bound; 0 for none
	rc    *readContext  // nil until the first call, and after one timed out
	req   chan surfaceOp
	res   chan surfaceOut
	timer *time.Timer
}

// A surfaceOp is one call of a caller: a Get of uri, or a Set of it to
// value.
type surfaceOp struct {
	set        bool
	uri, value string
}

// A surfaceOut is the outcome of a surfaceOp; cut says ctx ended before
// it (err is ctx's), late that it timed out.
type surfaceOut struct {
	v         string
	ok        bool
	err       error
	cut, late bool
}

// newCaller returns a caller of a's Surface for calls under ctx.
func (a *Agent) newCaller(ctx context.Context) *caller {
	return &caller{a: a, ctx: ctx, t: a.surfaceTimeout()}
}

// run makes the call op under ctx.
func (a *Agent) run(ctx context.Context, op surfaceOp) (o surfaceOut) {
	if op.set {
		o.err = a.cfg.Surface.Set(ctx, op.uri, op.value)
	} else {
		o.v, o.ok, o.err = a.cfg.Surface.Get(ctx, op.uri)
	}
	return o
}

// do makes the call op.
func (c *caller) do(op surfaceOp) surfaceOut {
	if c.t == 0 {
		return c.a.run(c.ctx, op)
	}
	if err := c.ctx.Err(); err != nil {
		return surfaceOut{err: err, cut: true}
	}
	if c.rc == nil {
		c.rc = newReadContext(c.ctx)
		a, req, res, rc := c.a, make(chan surfaceOp), make(chan surfaceOut, 1), c.rc
		c.req, c.res = req, res
		go func() {
			for op := range req {
				res <- a.run(rc, op) // never blocks: one call at a time, and room for one
			}
		}()
	}
	if c.timer == nil {
		c.timer = time.NewTimer(c.t)
	} else {
		c.timer.Reset(c.t)
	}
	c.rc.setDeadline(time.Now().Add(c.t))
	c.req <- op
	select {
	case o := <-c.res:
		return o
	case <-c.timer.C:
		c.abandon(context.DeadlineExceeded)
		if err := c.ctx.Err(); err != nil {
			return surfaceOut{err: err, cut: true}
		}
		name := "Get"
		if op.set {
			name = "Set"
		}
		return surfaceOut{err: timeoutError(name, op.uri, c.t), late: true}
	case <-c.ctx.Done():
		err := c.ctx.Err()
		c.abandon(err)
		return surfaceOut{err: err, cut: true}
	}
}

// abandon ends the context of the goroutine of the calls, with err (when
// the parent's has not ended it), and leaves it to the call under way,
// if any: it ends when that call returns.
func (c *caller) abandon(err error) {
	if c.rc != nil {
		c.rc.end(err)
		close(c.req)
		c.rc = nil
	}
}

// close ends the caller.
func (c *caller) close() {
	c.abandon(context.Canceled)
	if c.timer != nil {
		c.timer.Stop()
	}
}

// A readContext is the context of the calls of a caller: its parent's,
// with the deadline of the call under way, ended (Done, Err) when the
// parent ends, at the call that times out (context.DeadlineExceeded) or
// when the caller ends (context.Canceled).
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
