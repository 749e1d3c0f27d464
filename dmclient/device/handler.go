package device

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Defaults of the Config limits.
const (
	// DefaultMaxEndpointBytes is the default of Config.MaxEndpointBytes.
	DefaultMaxEndpointBytes = 2048
	// DefaultTimeout is the default of Config.Timeout.
	DefaultTimeout = 5 * time.Minute
)

// Config configures a Handler.
type Config struct {
	// ProviderID is the primary enrollment's provider, unescaped, such
	// as "MS DM SERVER" (required; see dmclient.LinkedEnrollment.Validate).
	// The Handler answers the nodes of this ProviderID only, compared
	// exactly: a command for "ms dm server" is another provider's, 404
	// (see dmclient.LinkedEnrollment.ProviderID for what the
	// specifications say).
	ProviderID string
	// Discovery is the discovery client Enroll uses, with URL set to the
	// DiscoveryEndpoint value: its HTTPClient, UPN, URL policy, limits
	// and retries apply.
	Discovery discovery.Client
	// Request is the device's discovery request: osVersion is required
	// (see discovery.Request.Validate), and Headers are its HTTP headers.
	Request discovery.Request
	Headers discovery.Headers
	// Enroller is the enrollment step after discovery (required).
	Enroller Enroller
	// Unenroller rolls back the linked enrollment on Unenroll; nil means
	// that forgetting the Enrollment is all there is to do.
	Unenroller Unenroller
	// Store keeps the state across restarts; nil means a new MemoryStore.
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Async runs Enroll and Unenroll after the Exec is answered, as
	// Windows does: the Exec gets 202 (Accepted for processing) and
	// EnrollStatus shows the progress. Otherwise they run within the
	// Exec, whose Status tells the outcome.
	Async bool
	// OnChange, when set, is called with the new state after each change,
	// with the Handler's lock held: it must not call the Handler's
	// methods. A device uses it to start its first session with the
	// linked enrollment's server, for example.
	OnChange func(State)
	// MaxEndpointBytes bounds the DiscoveryEndpoint value; zero means
	// DefaultMaxEndpointBytes. A longer value is answered 413.
	MaxEndpointBytes int
	// Timeout bounds each enroll or unenroll, discovery and Enroller or
	// Unenroller together; zero means DefaultTimeout. One that runs out
	// fails with ERROR_TIMEOUT.
	Timeout time.Duration
}

// A Handler is the device side of the DMClient CSP's LinkedEnrollment
// nodes of one provider, as a session.Handler: it answers Add, Replace,
// Get and Delete of DiscoveryEndpoint and Priority, Get of EnrollStatus,
// LastError and the LinkedEnrollment node itself, and Exec of Enroll and
// Unenroll, with the status codes Windows returns. Its methods are safe
// for concurrent use.
type Handler struct {
	cfg  Config
	le   dmclient.LinkedEnrollment
	base syncml.LocURI

	ctx  context.Context // parent of asynchronous operations
	stop context.CancelFunc

	mu     sync.Mutex
	st     State
	busy   bool       // an enroll or unenroll runs
	ops    int        // operations not yet over, outcome recorded
	idle   *sync.Cond // on mu, signalled when ops drops to 0
	closed bool       // Close was called
	errs   error      // store failures of asynchronous operations
}

// New returns the Handler of cfg's provider, with the state cfg.Store
// holds for it (the initial state when none: EnrollStatus 1, enrollment
// not started). An operation that was running when that state was saved
// is reported failed with E_ABORT (ErrInterrupted). ctx bounds the
// loading and is the parent of asynchronous operations: when it ends, a
// running one is cancelled, as by Close.
func New(ctx context.Context, cfg Config) (*Handler, error) {
	le := dmclient.LinkedEnrollment{ProviderID: cfg.ProviderID}
	if err := le.Validate(); err != nil {
		return nil, pkg.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.Enroller == nil {
		return nil, pkg.Errorf("%w: no Enroller", ErrConfig)
	}
	if err := cfg.Request.Validate(); err != nil {
		return nil, pkg.Errorf("%w: discovery request: %w", ErrConfig, err)
	}
	if cfg.Store == nil {
		cfg.Store = &MemoryStore{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxEndpointBytes <= 0 {
		cfg.MaxEndpointBytes = DefaultMaxEndpointBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	base, err := syncml.ParseLocURI(string(le.URI()))
	if err != nil {
		return nil, pkg.Errorf("%w: %w", ErrConfig, err)
	}
	h := &Handler{cfg: cfg, le: le, base: base}
	h.idle = sync.NewCond(&h.mu)
	st, ok, err := cfg.Store.Load(ctx, cfg.ProviderID)
	if err != nil {
		return nil, err
	}
	if !ok {
		st = initialState()
	} else if err := st.check(); err != nil {
		return nil, pkg.Errorf("%w: state of provider %q: %w", ErrCorrupt, cfg.ProviderID, err)
	}
	h.st = st
	switch st.Status {
	case dmclient.StatusEnrollmentInProgress, dmclient.StatusUnenrollmentInProgress:
		st = st.clone()
		st.Status++ // InProgress → Failed, for enrollment and unenrollment
		st.LastError, st.Reason = HRESULTOf(ErrInterrupted), ErrInterrupted.Error()
		if err := h.commit(ctx, st); err != nil {
			return nil, err
		}
	}
	h.ctx, h.stop = context.WithCancel(ctx)
	return h, nil
}

// Register routes the LinkedEnrollment subtree of h's provider on m to h.
// The route's path is matched as the Mux matches it, letter case included
// (the scope aside): see the package doc.
func (h *Handler) Register(m *session.Mux) error {
	return m.HandleSubtree("", string(h.le.URI()), h)
}

// State returns a copy of the current state.
func (h *Handler) State() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st.clone()
}

// Wait waits until no enroll or unenroll runs and returns the errors met
// saving the outcome of asynchronous ones to the Store since the last
// Wait.
func (h *Handler) Wait() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.ops > 0 {
		h.idle.Wait()
	}
	err := h.errs
	h.errs = nil
	return err
}

// Close cancels a running enroll or unenroll, asynchronous or within its
// Exec, which then ends failed with E_ABORT, waits for it, and refuses
// new ones. It returns what Wait returns.
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.stop()
	return h.Wait()
}

// commit saves st as the new state and, once saved, makes it current and
// calls OnChange. h.mu is held.
func (h *Handler) commit(ctx context.Context, st State) error {
	st.Changed = h.cfg.Now()
	if err := h.cfg.Store.Save(context.WithoutCancel(ctx), h.cfg.ProviderID, st); err != nil {
		return err
	}
	h.set(st)
	return nil
}

// set makes st current without saving it and calls OnChange. h.mu is held.
func (h *Handler) set(st State) {
	h.st = st
	if h.cfg.OnChange != nil {
		h.cfg.OnChange(st.clone())
	}
}

// ServeCommand implements session.Handler.
func (h *Handler) ServeCommand(ctx context.Context, r *session.Request) session.Response {
	if _, ok := r.Command.(*syncml.Exec); !ok && len(r.Command.ItemList()) == 0 {
		return session.Response{Code: syncml.StatusBadRequest} // a command on no node
	}
	switch c := r.Command.(type) {
	case *syncml.Get:
		return h.get(c.Items)
	case *syncml.Add:
		return h.write(ctx, c.Meta, c.Items, true, r.Atomic)
	case *syncml.Replace:
		return h.write(ctx, c.Meta, c.Items, false, r.Atomic)
	case *syncml.Delete:
		return h.delete(ctx, c.Items, r.Atomic)
	case *syncml.Exec:
		return h.exec(ctx, c.Items, r.Atomic)
	}
	// Copy and whatever else names a node: no node here allows it.
	items := r.Command.ItemList()
	codes := make([]syncml.StatusCode, len(items))
	for i, it := range items {
		_, codes[i] = h.node(it)
		if codes[i] == syncml.StatusOK {
			codes[i] = syncml.StatusCommandNotAllowed
		}
	}
	return session.Response{ItemCodes: codes}
}

// failed is the answer to an Exec that failed with err: 500 with the
// HRESULT in msft:originalerror, as Windows answers.
func failed(err error) session.Response {
	return session.Response{Code: syncml.StatusCommandFailed, OriginalError: fmt.Sprintf("0x%08X", uint32(HRESULTOf(err)))}
}

// exec runs Enroll or Unenroll. Windows requires one Item in an Exec.
// Inside an Atomic, one that started gets an Undo that fails: it cannot
// be undone, and a rollback reports it 516 (roll back failed), not 216.
func (h *Handler) exec(ctx context.Context, items []syncml.Item, atomic bool) session.Response {
	if len(items) != 1 {
		return session.Response{Code: syncml.StatusBadRequest}
	}
	n, code := h.node(items[0])
	if code != syncml.StatusOK {
		return session.Response{Code: code}
	}
	var (
		o    op
		name string
	)
	switch n {
	case nodeEnroll:
		o, name = opEnroll, "Enroll"
	case nodeUnenroll:
		o, name = opUnenroll, "Unenroll"
	default:
		return session.Response{Code: syncml.StatusCommandNotAllowed}
	}
	r := h.run(ctx, o)
	if atomic && (r.Code == 0 || r.Code == syncml.StatusAccepted) {
		r.Undo = func(context.Context) error {
			return pkg.Errorf("Exec %s was carried out and cannot be undone", name)
		}
	}
	return r
}

// op is an operation Exec starts.
type op int

const (
	opEnroll op = iota
	opUnenroll
)

// cannotStart returns why no operation (enroll, unenroll, renewal) can
// start now, nil when one can; h.mu is held.
func (h *Handler) cannotStart() error {
	switch {
	case h.busy:
		return ErrBusy
	case h.closed || h.ctx.Err() != nil:
		return pkg.Errorf("handler closed: %w", context.Canceled)
	}
	return nil
}

// run starts op: it refuses it when it cannot start, moves EnrollStatus
// to in progress, and runs it now or, with Config.Async, in the
// background.
func (h *Handler) run(ctx context.Context, o op) session.Response {
	h.mu.Lock()
	refuse := h.cannotStart()
	switch {
	case refuse != nil:
	case o == opEnroll && h.st.Enrollment != nil:
		refuse = ErrEnrolled
	case o == opEnroll && xmlscan.TrimSpace(h.st.DiscoveryEndpoint) == "":
		refuse = ErrNoEndpoint
	case o == opUnenroll && h.st.Enrollment == nil:
		refuse = ErrNotEnrolled
	}
	st := h.st.clone()
	if refuse != nil {
		st.LastError, st.Reason = HRESULTOf(refuse), refuse.Error()
		if errors.Is(refuse, ErrNoEndpoint) {
			st.Status = dmclient.StatusEnrollmentFailed
		}
		if err := h.commit(ctx, st); err != nil {
			refuse = errors.Join(refuse, err)
		}
		h.mu.Unlock()
		return failed(refuse)
	}
	if o == opEnroll {
		st.Status = dmclient.StatusEnrollmentInProgress
	} else {
		st.Status = dmclient.StatusUnenrollmentInProgress
	}
	if err := h.commit(ctx, st); err != nil {
		h.mu.Unlock()
		return failed(err)
	}
	h.busy = true
	h.ops++ // under h.mu, so that Close, once it set closed, waits
	h.mu.Unlock()
	if h.cfg.Async {
		go func() {
			ctx, cancel := context.WithTimeout(h.ctx, h.cfg.Timeout)
			defer cancel()
			_, err := h.finish(ctx, o, st)
			h.done(err)
		}()
		return session.Response{Code: syncml.StatusAccepted}
	}
	defer h.done(nil)
	// Within the Exec: the session's context, ended by Close too.
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	defer context.AfterFunc(h.ctx, cancel)()
	opErr, saveErr := h.finish(ctx, o, st)
	if err := errors.Join(opErr, saveErr); err != nil {
		return failed(err)
	}
	return session.Response{}
}

// done ends an operation that run started, with saveErr the failure to
// save its outcome that Wait returns.
func (h *Handler) done(saveErr error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errs = errors.Join(h.errs, saveErr)
	if h.ops--; h.ops == 0 {
		h.idle.Broadcast()
	}
}

// finish carries out o, started from state from, and records its outcome:
// opErr is why o failed, saveErr why its outcome could not be saved (the
// state in memory is the outcome even then).
func (h *Handler) finish(ctx context.Context, o op, from State) (opErr, saveErr error) {
	var (
		e   *Enrollment
		err error
	)
	if o == opEnroll {
		e, err = h.enroll(ctx, from.DiscoveryEndpoint)
	} else if h.cfg.Unenroller != nil {
		err = h.cfg.Unenroller.Unenroll(ctx, from.Enrollment.clone())
		if err != nil {
			err = pkg.Errorf("unenroll: %w", err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.busy = false
	st := h.st.clone()
	switch {
	case err != nil:
		st.Status = from.Status + 1 // InProgress → Failed
		st.LastError, st.Reason = HRESULTOf(err), err.Error()
	case o == opEnroll:
		st.Status = dmclient.StatusEnrollmentSucceeded
		st.LastError, st.Reason = dmclient.SOK, ""
		st.Enrollment = e
	default:
		st.Status = dmclient.StatusUnenrollmentSucceeded
		st.LastError, st.Reason = dmclient.SOK, ""
		st.Enrollment = nil
	}
	if serr := h.commit(ctx, st); serr != nil {
		st.Changed = h.cfg.Now()
		h.set(st)
		return err, serr
	}
	return err, nil
}

// enroll runs discovery at endpoint and then the Enroller. XML spaces
// around the node's value are not part of the URL: a server that writes
// its Data on lines of its own sends them.
func (h *Handler) enroll(ctx context.Context, endpoint string) (*Enrollment, error) {
	endpoint = xmlscan.TrimSpace(endpoint)
	req := h.cfg.Request
	c := h.cfg.Discovery
	c.URL = endpoint
	resp, err := c.Discover(ctx, &req, h.cfg.Headers)
	if err != nil {
		return nil, pkg.Errorf("discovery at %s: %w", endpoint, err)
	}
	e, err := h.cfg.Enroller.Enroll(ctx, &EnrollRequest{ProviderID: h.cfg.ProviderID, Endpoint: endpoint, Discovery: &req, Response: resp})
	if err != nil {
		return nil, pkg.Errorf("enrollment at %s: %w", resp.EnrollmentServiceURL, err)
	}
	if e == nil {
		return nil, ErrNoEnrollment
	}
	// The device's sessions go there: it meets the policy discovery's
	// URLs meet.
	if err := h.cfg.Discovery.URLs.Check(e.ManagementURL); err != nil {
		return nil, pkg.Errorf("enrollment at %s: management server: %w", resp.EnrollmentServiceURL, err)
	}
	e = e.clone()
	if e.AuthPolicy == "" {
		e.AuthPolicy = resp.AuthPolicy
	}
	if e.EnrollmentServiceURL == "" {
		e.EnrollmentServiceURL = resp.EnrollmentServiceURL
	}
	if e.Enrolled.IsZero() {
		e.Enrolled = h.cfg.Now()
	}
	return e, nil
}
