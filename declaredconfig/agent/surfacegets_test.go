package agent

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// slowSurface is a MemorySurface whose Get waits for wait (or, when
// block names the node, for its context to end) and records the
// deadline and the error of the context it was given.
type slowSurface struct {
	MemorySurface
	wait      time.Duration
	block     string
	deadlines []time.Duration // each Get's deadline, from its start
	errs      []error         // each Get's ctx.Err() when it returned
}

func (s *slowSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Time{}
	}
	s.deadlines = append(s.deadlines, time.Until(d))
	if uri == s.block {
		<-ctx.Done()
	} else {
		time.Sleep(s.wait)
	}
	s.errs = append(s.errs, ctx.Err())
	return s.MemorySurface.Get(ctx, uri)
}

// surfaceGets runs the gets of uris through a new caller of a under ctx.
func (a *Agent) surfaceGets(ctx context.Context, uris []string, each func(uri, v string, ok bool, err error) bool) error {
	c := a.newCaller(ctx)
	defer c.close()
	return c.gets(uris, each)
}

// getsOf runs surfaceGets of uris on a and returns what each was given,
// as "uri=value ok err", and surfaceGets's error.
func getsOf(ctx context.Context, a *Agent, uris []string) ([]string, error) {
	var got []string
	err := a.surfaceGets(ctx, uris, func(u, v string, ok bool, err error) bool {
		got = append(got, fmt.Sprintf("%s=%s %v %v", u, v, ok, err != nil))
		return !errors.Is(err, ErrSurfaceTimeout)
	})
	return got, err
}

// TestSurfaceGetsBoundEach: the reads of one run each have
// Config.SurfaceTimeout, not the run as a whole: five Gets of 0.6 of it
// each all return their value, each given a context whose deadline is the
// bound from its own start and which has not ended.
func TestSurfaceGetsBoundEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		const bound = 10 * time.Second
		s := &slowSurface{wait: 6 * time.Second}
		uris := []string{"./Vendor/MSFT/A/1", "./Vendor/MSFT/A/2", "./Vendor/MSFT/A/3", "./Vendor/MSFT/A/4", "./Vendor/MSFT/A/5"}
		for _, u := range uris {
			if err := s.Set(ctx, u, "v"); err != nil {
				t.Fatal(err)
			}
		}
		a, err := New(ctx, Config{Surface: s, SurfaceTimeout: bound})
		if err != nil {
			t.Fatal(err)
		}
		got, err := getsOf(ctx, a, uris)
		if err != nil {
			t.Fatal(err)
		}
		for i, u := range uris {
			if i >= len(got) || got[i] != u+"=v true false" {
				t.Fatalf("the reads gave %q", got)
			}
			if s.deadlines[i] != bound || s.errs[i] != nil {
				t.Errorf("Get %d had a deadline %v from its start (want %v) and ended with %v", i, s.deadlines[i], bound, s.errs[i])
			}
		}
	})
}

// TestSurfaceGetsTimeout: a Get that does not return within the bound
// ends the run: its context ends with context.DeadlineExceeded, it is
// given as an ErrSurfaceTimeout, the nodes after it are not read, and
// the run returns at the bound.
func TestSurfaceGetsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		const bound = 10 * time.Second
		s := &slowSurface{wait: time.Second, block: "./Vendor/MSFT/A/2"}
		a, err := New(ctx, Config{Surface: s, SurfaceTimeout: bound})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		got, err := getsOf(ctx, a, []string{"./Vendor/MSFT/A/1", "./Vendor/MSFT/A/2", "./Vendor/MSFT/A/3"})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"./Vendor/MSFT/A/1= false false", "./Vendor/MSFT/A/2= false true"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the reads gave %q, want %q", got, want)
		}
		if d := time.Since(start); d != time.Second+bound {
			t.Errorf("the run took %v, want %v", d, time.Second+bound)
		}
		synctest.Wait()
		if len(s.errs) != 2 || s.errs[0] != nil || !errors.Is(s.errs[1], context.DeadlineExceeded) {
			t.Errorf("the Gets' contexts ended with %v", s.errs)
		}
	})
}

// TestSurfaceGetsCanceled: the end of the caller's context ends the
// context of the Get under way, and the run returns its error.
func TestSurfaceGetsCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		s := &slowSurface{block: "./Vendor/MSFT/A/1"}
		a, err := New(context.Background(), Config{Surface: s, SurfaceTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(time.Second, cancel)
		got, err := getsOf(ctx, a, []string{"./Vendor/MSFT/A/1", "./Vendor/MSFT/A/2"})
		if !errors.Is(err, context.Canceled) || len(got) > 1 {
			t.Errorf("a run whose context ended gave %q, %v", got, err)
		}
		synctest.Wait()
		if len(s.errs) != 1 || !errors.Is(s.errs[0], context.Canceled) {
			t.Errorf("the Get's context ended with %v", s.errs)
		}
	})
}

// constSurface is a MemorySurface whose Get finds every node holding
// "v", allocating nothing.
type constSurface struct{ MemorySurface }

func (*constSurface) Get(context.Context, string) (string, bool, error) { return "v", true, nil }

// TestSurfaceGetsAllocs: a run of reads costs allocations once, not once
// per node (a goroutine, a timer and a context each, as the removed call made):
// 64 nodes more take less than one allocation each, of a Surface whose
// Get allocates nothing.
func TestSurfaceGetsAllocs(t *testing.T) {
	ctx := context.Background()
	s := &constSurface{}
	a, err := New(ctx, Config{Surface: s})
	if err != nil {
		t.Fatal(err)
	}
	uris := make([]string, 66)
	for i := range uris {
		uris[i] = fmt.Sprintf("./Vendor/MSFT/A/%d", i)
	}
	each := func(u, v string, ok bool, err error) bool { return true }
	allocs := func(n int) float64 {
		return testing.AllocsPerRun(20, func() {
			if err := a.surfaceGets(ctx, uris[:n], each); err != nil {
				t.Fatal(err)
			}
		})
	}
	few, many := allocs(2), allocs(len(uris))
	if per := (many - few) / float64(len(uris)-2); per >= 1 {
		t.Errorf("a run of reads takes %.1f allocations per node (%v for 2, %v for %d)", per, few, many, len(uris))
	}
}
