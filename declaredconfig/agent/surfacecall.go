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

// gets reads the nodes uris from the Surface in turn, each Get a call
// of c (bounded by Config.SurfaceTimeout: its context ends at its own
// bound, and a Get that does not return by then gives an error matching
// ErrSurfaceTimeout), and gives each outcome to each, in the order of
// uris, until each returns false. A Get that times out is the last: the
// nodes after it are not read. It returns the error of c's context when
// it ends before all are read (the Get under way, if any, is not given to
// each).
func (c *caller) gets(uris []string, each func(uri, v string, ok bool, err error) bool) error {
	for _, u := range uris {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		o := c.do(surfaceOp{kind: opGet, uri: u})
		if o.cut {
			return c.ctx.Err()
		}
		if !each(u, o.v, o.ok, o.err) || o.late {
			return nil
		}
	}
	return nil
}

// A caller makes the Surface calls of one batch (an ApplyPending's reads,
// sets and deletes, a refresh's reads and sets, an Unenroll's or an
// Undo's reads and deletes) one at a time, each bounded by
// Config.SurfaceTimeout: its context has the deadline of the bound from
// its start, and one that has not returned by then fails alone with
// ErrSurfaceTimeout, its context ended (context.DeadlineExceeded), left
// running on its own goroutine (its outcome is dropped). When the
// batch's context ends first, the call fails with its error (cut). It
// makes one goroutine, one timer and one context for the calls, not one
// each: a new goroutine and context only after a call that timed out (or
// when the first call is made). Without a bound, the calls are made on
// the goroutine of do. Not safe for concurrent use; close ends it, and
// its goroutine, but one left to a call that has not returned.
type caller struct {
	a     *Agent
	ctx   context.Context
	t     time.Duration // the bound; 0 for none
	rc    *readContext  // nil until the first call, and after one timed out
	req   chan surfaceOp
	res   chan surfaceOut
	timer *time.Timer
}

// A surfaceOp is one call of a caller: a Get of uri, a Set of it to
// value, or a Delete of it.
type surfaceOp struct {
	kind       opKind
	uri, value string
}

// An opKind is the Surface method a surfaceOp calls.
type opKind uint8

const (
	opGet opKind = iota
	opSet
	opDelete
)

// String returns the name of the Surface method.
func (k opKind) String() string {
	switch k {
	case opSet:
		return "Set"
	case opDelete:
		return "Delete"
	}
	return "Get"
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
	switch op.kind {
	case opSet:
		o.err = a.cfg.Surface.Set(ctx, op.uri, op.value)
	case opDelete:
		o.err = a.cfg.Surface.Delete(ctx, op.uri)
	default:
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
		return surfaceOut{err: timeoutError(op.kind.String(), op.uri, c.t), late: true}
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

// setDeadline sets the deadline of the next call.
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
