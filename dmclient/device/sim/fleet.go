package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/windc-go/windc/declaredconfig"
)

// DefaultConcurrency is the default of FleetConfig.Concurrency.
const DefaultConcurrency = 64

// FleetConfig configures a run of many simulated devices.
type FleetConfig struct {
	// Devices is how many devices check in (at least 1).
	Devices int
	// Concurrency bounds the devices running at once; zero means
	// DefaultConcurrency. A device lives only while it runs, so memory
	// grows with Concurrency, not with Devices, but for the session
	// times kept for the exact P50 and P99: 8 bytes per session (twice
	// that while they are sorted at the end), 16 MB for a million
	// sessions.
	Concurrency int
	// Device returns the Config of device i (0 ≤ i < Devices); DeviceID
	// gives a stable DevID for it (required). It is called from
	// Concurrency goroutines at once.
	Device func(i int) Config
	// Drift is the share of devices (0 to 1, chosen by Seed) that get a
	// drift injected after their check-in, in DriftMode; a device whose
	// agent then asks for a session checks in again. RunFleet refuses a
	// Drift outside 0 to 1 (NaN included) and a DriftMode other than
	// DriftRepairable and DriftUnrepairable with ErrConfig (Changed: a
	// Drift over 1 was taken as 1, under 0 or NaN as 0, and another mode
	// as DriftRepairable).
	Drift     float64
	DriftMode DriftMode
	// Seed chooses the drifting devices.
	Seed uint64
	// Now is the clock for the elapsed time; nil means time.Now.
	Now func() time.Time
}

// Report is the outcome of a fleet run.
type Report struct {
	Devices  int
	Sessions int
	Messages int64
	Errors   int
	// Documents are the documents the devices held at the end, and InSync
	// those whose state is a success (60, 63 or 80).
	Documents, InSync int
	// Drifted counts the devices that got a drift.
	Drifted int
	// LinkedNotRun counts the devices with a LinkedEnrollment whose
	// linked enrollment never ran (Device.LinkedEnrollmentRan), and those
	// whose Config had one but New failed: a primary server that sent no
	// Exec of Enroll for their ProviderID. Such a device meets no error of
	// its own, so Errors does not count it. String does not show it.
	LinkedNotRun int
	// P50 and P99 are percentiles of the session times.
	P50, P99 time.Duration
	Elapsed  time.Duration
	// Err is the first error met.
	Err error
}

// String returns the report as one line.
func (r *Report) String() string {
	s := fmt.Sprintf("devices=%d sessions=%d messages=%d errors=%d in_sync=%d/%d drifted=%d p50=%s p99=%s elapsed=%s",
		r.Devices, r.Sessions, r.Messages, r.Errors, r.InSync, r.Documents, r.Drifted,
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Elapsed.Round(time.Millisecond))
	if r.Err != nil {
		s += fmt.Sprintf(" first_error=%q", r.Err.Error())
	}
	return s
}

// DeviceID returns a stable device ID for device i of a fleet: a
// urn:uuid of a version 4, variant 10 UUID (RFC 9562) whose last group is
// the low 48 bits of i, so that 0 ≤ i < 2^48 gives
// urn:uuid:5D1C0DE5-0000-4000-8000-<i in 12 hex digits>. Any other int,
// negative included, is taken as its 64 bits (uint64(i)), whose top 16
// go to the low 12 bits of the third group and the low 4 of the fourth,
// after the version and variant bits: every int gives a valid UUID, and
// distinct ints distinct ones. The second group is always 0000
// (examples/simdevice puts its -run there).
//
// Changed: an i outside 0 ≤ i < 2^48 gave no valid UUID (a last group
// longer than 12 digits, or a minus sign).
func DeviceID(i int) string {
	u := uint64(i)
	hi := u >> 48
	return fmt.Sprintf("urn:uuid:5D1C0DE5-0000-4%03X-8%03X-%012X", hi&0xFFF, hi>>12, u&(1<<48-1))
}

// RunFleet runs cfg.Devices devices, at most cfg.Concurrency at once:
// each is created, checks in (CheckIn), gets its drift when chosen (and
// checks in again when its agent asks), is counted and dropped. ctx
// cancels the run; RunFleet returns the report of what ran.
func RunFleet(ctx context.Context, cfg FleetConfig) (*Report, error) {
	if cfg.Devices < 1 || cfg.Device == nil {
		return nil, pkg.Errorf("%w: a fleet needs Devices ≥ 1 and Device", ErrConfig)
	}
	if !(cfg.Drift >= 0 && cfg.Drift <= 1) { // NaN too
		return nil, pkg.Errorf("%w: Drift %v is not a share from 0 to 1", ErrConfig, cfg.Drift)
	}
	if err := cfg.DriftMode.check(); err != nil {
		return nil, err
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	start := cfg.Now()
	jobs := make(chan int)
	var (
		mu    sync.Mutex
		total Stats
		rep   = &Report{}
		wg    sync.WaitGroup
	)
	for range min(cfg.Concurrency, cfg.Devices) {
		wg.Go(func() {
			for i := range jobs {
				o := runOne(ctx, cfg, i)
				mu.Lock()
				total.add(o.st)
				rep.Devices++
				rep.Documents += o.docs
				rep.InSync += o.inSync
				if o.drifted {
					rep.Drifted++
				}
				if o.linkedNotRun {
					rep.LinkedNotRun++
				}
				mu.Unlock()
			}
		})
	}
	for i := range cfg.Devices {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.Sessions, rep.Messages, rep.Errors, rep.Err = total.Sessions, total.Messages, total.Errors, total.Err
	rep.P50, rep.P99 = percentile(total.Durations, 50), percentile(total.Durations, 99)
	rep.Elapsed = cfg.Now().Sub(start)
	return rep, ctx.Err()
}

// outcome is what one device of a fleet did.
type outcome struct {
	st           Stats
	docs, inSync int  // documents held at the end, and those in sync
	drifted      bool // it got a drift
	linkedNotRun bool // it has a LinkedEnrollment that never ran
}

// runOne runs device i.
func runOne(ctx context.Context, cfg FleetConfig, i int) (o outcome) {
	c := cfg.Device(i)
	d, err := New(ctx, c)
	if err != nil {
		return outcome{st: Stats{Errors: 1, Err: err}, linkedNotRun: c.LinkedEnrollment != nil}
	}
	defer func() {
		if err := d.Close(); err != nil {
			o.st.Errors++
			if o.st.Err == nil {
				o.st.Err = err
			}
		}
		o.linkedNotRun = d.linked != nil && !d.LinkedEnrollmentRan()
	}()
	o.st = d.CheckIn(ctx)
	if cfg.Drift > 0 && rand.New(rand.NewPCG(cfg.Seed, uint64(i))).Float64() < cfg.Drift {
		if _, err := d.InjectDrift(ctx, cfg.DriftMode); err != nil {
			o.st.Errors++
			if o.st.Err == nil {
				o.st.Err = err
			}
		} else {
			o.drifted = true
			// When the agent asked for a session, report the drift.
			o.st.add(d.RunRequested(ctx))
		}
	}
	for _, rec := range d.agent.Snapshot().Documents {
		o.docs++
		switch rec.State {
		case declaredconfig.StateConfigCompletedSuccess, declaredconfig.StateConfigCompletedSuccessNoRefresh, declaredconfig.StateGetCompletedSuccess:
			o.inSync++
		}
	}
	return o
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
