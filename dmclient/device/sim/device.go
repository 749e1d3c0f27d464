package sim

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Defaults of the Config limits.
const (
	// DefaultMaxSessions is the default of Config.MaxSessions.
	DefaultMaxSessions = 4
	// DefaultSessionTimeout is the default of Config.SessionTimeout.
	DefaultSessionTimeout = time.Minute
)

// Config configures a simulated device.
type Config struct {
	// ServerURL is the OMA-DM server the device checks in with
	// (required): the WinDC service, or, with LinkedEnrollment, the
	// primary management server.
	ServerURL string
	// HTTPClient sends the messages; nil means http.DefaultClient.
	HTTPClient *http.Client
	// DevInfo is what package 1 and Gets of ./DevInfo say; DevID is
	// required and is the SyncHdr Source.
	DevInfo session.DevInfo
	// DevDetail answers Gets of ./DevDetail.
	DevDetail DevDetail
	// Credentials, when set, authenticates the device's sessions.
	Credentials session.Credentials
	// MaxMsgSize, when set, is announced in package 1.
	MaxMsgSize int
	// Agent configures the declared configuration agent; its Surface
	// defaults to a new MemorySurface, and RequestSession is the device's
	// own (a later check-in session).
	Agent agent.Config
	// LinkedEnrollment, when set, puts the LinkedEnrollment handler of
	// package device on the primary account (at ServerURL); the agent
	// then talks to the management URL of the enrollment it sets up.
	// Its Unenroller defaults to the agent's Unenroll, which deletes what
	// the documents set and drops them; its OnChange, when set, is called
	// after the device's own.
	LinkedEnrollment *device.Config
	// MaxSessions bounds the sessions of one CheckIn; zero means
	// DefaultMaxSessions.
	MaxSessions int
	// SessionTimeout bounds each session, all its messages together, so
	// that a server that does not answer cannot hold a device; zero
	// means DefaultSessionTimeout.
	SessionTimeout time.Duration
	// Now is the clock that times sessions; nil means time.Now.
	Now func() time.Time
}

// A Device is a simulated Windows device: a session client that answers
// DevInfo and DevDetail, the declared configuration agent on an in-memory
// surface and, when configured, the LinkedEnrollment handler. Its methods
// are not safe for concurrent use, except Agent, Surface,
// LinkedEnrollmentRan and LinkedEnrollment's own.
type Device struct {
	cfg      Config
	surface  agent.Surface
	mem      *agent.MemorySurface // surface, when it is a MemorySurface
	agent    *agent.Agent
	linked   *device.Handler
	http     *http.Client
	sent     atomic.Int64 // messages posted
	wanted   atomic.Bool  // the agent asked for a session
	nextID   int
	primary  *session.Mux
	winDC    *session.Mux
	mu       sync.Mutex
	requests []string       // reasons of the agent's session requests, for logs
	failures []device.State // linked enrollment outcomes that failed, not yet counted
	// linkedStatus is the EnrollStatus watchLinked saw last.
	linkedStatus dmclient.EnrollStatus
	// linkedRan is set once the EnrollStatus is seen other than 0 or 1
	// (LinkedEnrollmentRan).
	linkedRan atomic.Bool
	// baseTransport is Config.HTTPClient's transport; certHTTP sends the
	// WinDC sessions with the client certificate of the enrollment whose
	// Data is certData, over certTransport (cert.go).
	baseTransport http.RoundTripper
	certHTTP      *http.Client
	certData      []byte
	certTransport *http.Transport
}

// New returns a device for cfg.
func New(ctx context.Context, cfg Config) (*Device, error) {
	if cfg.ServerURL == "" || cfg.DevInfo.DevID == "" {
		return nil, pkg.Errorf("%w: ServerURL and DevInfo.DevID are required", ErrConfig)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Device{cfg: cfg}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *hc
	c.Transport = counted(base, &d.sent)
	d.http = &c
	d.baseTransport = base

	ac := cfg.Agent
	if ac.Surface == nil {
		d.mem = &agent.MemorySurface{}
		ac.Surface = d.mem
	} else if m, ok := ac.Surface.(*agent.MemorySurface); ok {
		d.mem = m
	}
	d.surface = ac.Surface
	user := ac.RequestSession
	ac.RequestSession = func(reason string) {
		d.wanted.Store(true)
		d.mu.Lock()
		d.requests = append(d.requests, reason)
		d.mu.Unlock()
		if user != nil {
			user(reason)
		}
	}
	a, err := agent.New(ctx, ac)
	if err != nil {
		return nil, err
	}
	d.agent = a

	tree := newInfoTree(cfg.DevInfo, cfg.DevDetail)
	mux := func() (*session.Mux, error) {
		m := session.NewMux()
		for _, p := range []string{"./DevInfo", "./DevDetail"} {
			if err := m.HandleSubtree("", p, tree); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	if d.winDC, err = mux(); err != nil {
		return nil, err
	}
	if err := a.Register(d.winDC); err != nil {
		return nil, err
	}
	if cfg.LinkedEnrollment != nil {
		lc := *cfg.LinkedEnrollment
		if lc.Unenroller == nil {
			lc.Unenroller = device.UnenrollerFunc(func(ctx context.Context, _ *device.Enrollment) error { return a.Unenroll(ctx) })
		}
		lc.OnChange = d.watchLinked(lc.OnChange)
		if d.linked, err = device.New(ctx, lc); err != nil {
			return nil, err
		}
		d.linkedStatus = d.linked.State().Status
		d.linkedRan.Store(started(d.linkedStatus))
		if d.primary, err = mux(); err != nil {
			return nil, err
		}
		if err := d.linked.Register(d.primary); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// watchLinked returns the LinkedEnrollment OnChange that keeps the states
// in which an enroll or unenroll ended failed (EnrollStatus 3 or 7
// reached from another status), for CheckIn to count, and then calls
// user.
func (d *Device) watchLinked(user func(device.State)) func(device.State) {
	return func(s device.State) {
		if s.Status != d.linkedStatus && (s.Status == dmclient.StatusEnrollmentFailed || s.Status == dmclient.StatusUnenrollmentFailed) {
			d.mu.Lock()
			d.failures = append(d.failures, s)
			d.mu.Unlock()
		}
		d.linkedStatus = s.Status
		if started(s.Status) {
			d.linkedRan.Store(true)
		}
		if user != nil {
			user(s)
		}
	}
}

// started reports whether an EnrollStatus is one a linked enrollment
// reaches once it ran: neither 0 (undefined) nor 1 (not started).
func started(s dmclient.EnrollStatus) bool {
	return s != dmclient.StatusUndefined && s != dmclient.StatusEnrollmentNotStarted
}

// LinkedEnrollmentRan reports whether the device's linked enrollment ever
// ran: its EnrollStatus was other than 0 (undefined) or 1 (not started),
// when New loaded it or since. It stays false while the primary server
// sends no Exec of Enroll for Config.LinkedEnrollment's ProviderID, such
// as a server that drives another provider's LinkedEnrollment nodes
// (which the device answers 404: only the server sees them), and always
// without Config.LinkedEnrollment. Safe for concurrent use; read it after
// the check-in (CheckIn waits for an asynchronous enroll).
func (d *Device) LinkedEnrollmentRan() bool { return d.linkedRan.Load() }

// linkedFailures returns the failed outcomes watchLinked kept since the
// last call, as Stats.
func (d *Device) linkedFailures() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	var st Stats
	for _, s := range d.failures {
		st.add(Stats{Errors: 1, Err: pkg.Errorf("device %s: linked enrollment: EnrollStatus %v, LastError %v: %s",
			d.cfg.DevInfo.DevID, s.Status, s.LastError, s.Reason)})
	}
	d.failures = nil
	return st
}

// Agent returns the device's declared configuration agent.
func (d *Device) Agent() *agent.Agent { return d.agent }

// Surface returns the configuration the agent applies documents to.
func (d *Device) Surface() agent.Surface { return d.surface }

// LinkedEnrollment returns the LinkedEnrollment handler; nil without
// Config.LinkedEnrollment.
func (d *Device) LinkedEnrollment() *device.Handler { return d.linked }

// Close stops the LinkedEnrollment handler's background work.
func (d *Device) Close() error {
	d.closeCertHTTP()
	if d.linked != nil {
		return d.linked.Close()
	}
	return nil
}

// Stats counts what check-ins did.
type Stats struct {
	Sessions int
	Messages int64 // messages the device posted (Changed: not a post whose connection was refused, which wrote nothing)
	Errors   int   // sessions that failed, commands of the device the server refused, linked enrollments and unenrollments that failed
	// Durations are the wall times of the sessions, in order.
	Durations []time.Duration
	// Err is the first error met, for the report.
	Err error
}

// add adds o to s.
func (s *Stats) add(o Stats) {
	s.Sessions += o.Sessions
	s.Messages += o.Messages
	s.Errors += o.Errors
	s.Durations = append(s.Durations, o.Durations...)
	if s.Err == nil {
		s.Err = o.Err
	}
}

// CheckIn runs what a device does when it checks in: with a
// LinkedEnrollment, one session with the primary server (and the end of
// an asynchronous enrollment it started; an enroll or unenroll that
// failed counts as an error, with its EnrollStatus and LastError); then, once there
// is a WinDC server (ServerURL, or the linked enrollment's management URL),
// a session with it and what RunRequested runs after. The summary alert
// goes in every message to the WinDC server (but those that go on with
// an object in chunks).
func (d *Device) CheckIn(ctx context.Context) Stats {
	var st Stats
	if d.linked != nil {
		st.add(d.session(ctx, d.http, d.cfg.ServerURL, d.primary, nil))
		// An asynchronous Enroll or Unenroll the session started ends
		// before the device goes on.
		if err := d.linked.Wait(); err != nil {
			st.add(Stats{Errors: 1, Err: err})
		}
		// An enroll or unenroll that failed is an error of the check-in.
		st.add(d.linkedFailures())
	}
	if d.winDCURL() == "" {
		return st
	}
	d.wanted.Store(true)
	st.add(d.RunRequested(ctx))
	return st
}

// RunRequested runs the sessions with the WinDC server that the agent
// asked for (to report a document it applied, or drift it could not
// repair), applying after each what the server declared in it, until the
// agent asks for no more or MaxSessions ran.
func (d *Device) RunRequested(ctx context.Context) Stats {
	var st Stats
	url := d.winDCURL()
	for url != "" && st.Sessions < d.cfg.MaxSessions && d.wanted.Swap(false) {
		st.add(d.session(ctx, d.winDCClient(), url, d.winDC, d.agent.EachMessage))
		if err := d.agent.ApplyPending(ctx); err != nil {
			st.Errors++
			if st.Err == nil {
				st.Err = err
			}
		}
	}
	return st
}

// winDCURL returns the WinDC server: ServerURL, or with LinkedEnrollment
// the management URL of the enrollment, "" while there is none.
func (d *Device) winDCURL() string {
	if d.linked == nil {
		return d.cfg.ServerURL
	}
	if e := d.linked.State().Enrollment; e != nil {
		return e.ManagementURL
	}
	return ""
}

// session runs one session with url and counts it.
func (d *Device) session(ctx context.Context, hc *http.Client, url string, h session.Handler, each func(context.Context) ([]syncml.Command, error)) Stats {
	st := Stats{Sessions: 1}
	c, err := session.NewClient(session.ClientConfig{
		DeviceID: d.cfg.DevInfo.DevID, ServerURI: url, Handler: h, DevInfo: d.cfg.DevInfo,
		Credentials: d.cfg.Credentials, MaxMsgSize: d.cfg.MaxMsgSize, EachMessage: each,
		Unmarshal: d.agent.Unmarshal,
	})
	if err != nil {
		st.Errors, st.Err = 1, err
		return st
	}
	d.nextID++
	ctx, cancel := context.WithTimeout(ctx, d.cfg.SessionTimeout)
	defer cancel()
	before := d.sent.Load()
	start := d.cfg.Now()
	outs, err := c.Run(countWrites(ctx, hc, &d.sent), hc, url, strconv.FormatInt(int64(d.nextID), 16))
	st.Durations = []time.Duration{d.cfg.Now().Sub(start)}
	st.Messages = d.sent.Load() - before
	if err != nil {
		st.Errors, st.Err = 1, pkg.Errorf("device %s: session with %s: %w", d.cfg.DevInfo.DevID, url, err)
		return st
	}
	for _, o := range outs {
		code, err := o.Code()
		if err == nil && code.Success() {
			continue
		}
		st.Errors++
		if st.Err == nil {
			if err == nil {
				err = pkg.Errorf("device %s: the server answered %s %s with %s", d.cfg.DevInfo.DevID, o.Command.ElementName(), o.Command.ID(), code)
			}
			st.Err = err
		}
	}
	return st
}

// counted returns the transport of a device's sessions: base itself when
// it is an *http.Transport, whose posts countWrites counts, since
// session.Client.Run tells a post that wrote nothing (a refused
// connection: its commands go back to the queue, none comes back
// Abandoned) only over an *http.Transport; another RoundTripper, where
// Run cannot tell that anyway, wrapped to count each request in n.
func counted(base http.RoundTripper, n *atomic.Int64) http.RoundTripper {
	if _, ok := base.(*http.Transport); ok {
		return base
	}
	return &counter{base: base, n: n}
}

// countWrites returns ctx with a trace that counts in n each SyncML
// message written in full, when hc's transport is an *http.Transport
// (see counted): a post whose connection was refused is no message
// posted. The trace reaches what the session's handlers send under ctx
// too (a synchronous linked enrollment's discovery and MS-MDE2 posts):
// only a request whose Content-Type is SyncML's counts. The requests
// under ctx go one at a time (a handler runs between two posts).
func countWrites(ctx context.Context, hc *http.Client, n *atomic.Int64) context.Context {
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if _, ok := rt.(*http.Transport); !ok {
		return ctx
	}
	var syncML atomic.Bool // the request being written is a SyncML message
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaderField: func(key string, value []string) {
			if strings.EqualFold(key, "Content-Type") && len(value) > 0 && session.AcceptsContentType(value[0]) {
				syncML.Store(true)
			}
		},
		WroteRequest: func(w httptrace.WroteRequestInfo) {
			if syncML.Swap(false) && w.Err == nil {
				n.Add(1)
			}
		},
	})
}

// counter counts the requests it sends.
type counter struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}
