package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestCloseEndsSyncEnroll: Close during an Enroll that runs inside its
// Exec cancels it and returns only once it ended, so nothing the
// handler started outlives Close.
func TestCloseEndsSyncEnroll(t *testing.T) {
	ds := discoveryServer(t, nil)
	started := make(chan struct{})
	var ended atomic.Bool
	cfg := config(ds, &fakeEnroller{enroll: func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
		close(started)
		<-ctx.Done()
		ended.Store(true)
		return nil, ctx.Err()
	}})
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	// The session's own context never ends here; only Close can stop the
	// enrollment. The cleanup frees the goroutine if Close does not.
	sessCtx, cancel := context.WithCancel(context.Background())
	answered := make(chan session.Response, 1)
	go func() { answered <- h.ServeCommand(sessCtx, &session.Request{Command: le.ExecEnroll()}) }()
	t.Cleanup(func() { cancel(); <-answered })
	within(t, started, "the Enroller runs")
	h.Close()
	if !ended.Load() {
		t.Fatal("Close returned while the Enroller still ran")
	}
	r := within(t, answered, "Exec answered after Close")
	answered <- r
	if r.Code != syncml.StatusCommandFailed || r.OriginalError != "0x80004004" {
		t.Errorf("Exec answered %+v, want 500 E_ABORT", r)
	}
	if st := h.State(); st.Status != dmclient.StatusEnrollmentFailed || st.LastError != EAbort {
		t.Errorf("after Close: %v %v", st.Status, st.LastError)
	}
}

// TestOperationTimeout: an enrollment or unenrollment has a deadline by
// default (a discovery or enrollment server that never answers must not
// hold EnrollStatus at "in progress" forever), and Config.Timeout sets it.
func TestOperationTimeout(t *testing.T) {
	for _, async := range []bool{false, true} {
		ds := discoveryServer(t, nil)
		var hasDeadline atomic.Bool
		cfg := config(ds, &fakeEnroller{enroll: func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
			_, ok := ctx.Deadline()
			hasDeadline.Store(ok)
			return &Enrollment{ManagementURL: winDC}, nil
		}})
		cfg.Async = async
		h := newHandler(t, cfg)
		serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
		serve(h, le.ExecEnroll())
		if err := h.Wait(); err != nil {
			t.Fatal(err)
		}
		if !hasDeadline.Load() {
			t.Errorf("async %v: the Enroller ran without a deadline", async)
		}
	}
	// A timeout that has passed when the Enroller runs: ERROR_TIMEOUT.
	ds := discoveryServer(t, nil)
	cfg := config(ds, &fakeEnroller{enroll: func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	cfg.Timeout = 1 // a nanosecond
	h := newHandler(t, cfg)
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	if r := serve(h, le.ExecEnroll()); r.OriginalError != "0x800705B4" {
		t.Errorf("Exec answered %+v, want ERROR_TIMEOUT", r)
	}
}

// TestManagementURLChecked: the server a linked enrollment sends the
// device's sessions to comes from the enrollment service (w7 ADDR); one
// that is missing or does not meet the discovery URL policy fails the
// enrollment instead of being kept.
func TestManagementURLChecked(t *testing.T) {
	for _, u := range []string{"", "http://windc.example/plain", "ftp://windc.example/", "windc.example", "https://", "https://user:pw@windc.example/"} {
		ds := discoveryServer(t, nil)
		cfg := config(ds, &fakeEnroller{enroll: func(context.Context, *EnrollRequest) (*Enrollment, error) {
			return &Enrollment{ManagementURL: u}, nil
		}})
		h := newHandler(t, cfg)
		serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
		r := serve(h, le.ExecEnroll())
		st := h.State()
		if r.Code != syncml.StatusCommandFailed || st.Enrollment != nil || st.Status != dmclient.StatusEnrollmentFailed ||
			st.LastError != dmclient.MenrollEDeviceMessageFormatError {
			t.Errorf("ManagementURL %q: answer %+v, state %+v", u, r, st)
		}
	}
}

// TestStoredStateChecked: a state that passes the checksum but that the
// handler could never have written (an unknown EnrollStatus, an
// enrollment that contradicts it) is reported, not served.
func TestStoredStateChecked(t *testing.T) {
	for name, state := range map[string]string{
		"status 0":                  `{"enrollStatus":0}`,
		"status 9":                  `{"enrollStatus":9}`,
		"status -1":                 `{"enrollStatus":-1}`,
		"succeeded, no enrollment":  `{"enrollStatus":4}`,
		"not started, enrolled":     `{"enrollStatus":1,"enrollment":{"managementURL":"https://windc.example/"}}`,
		"unenrolled, still there":   `{"enrollStatus":8,"enrollment":{"managementURL":"https://windc.example/"}}`,
		"enrollment without server": `{"enrollStatus":4,"enrollment":{"managementURL":""}}`,
	} {
		dir := t.TempDir()
		p := filepath.Join(dir, "linkedenrollment-MS%20DM%20SERVER.json")
		if err := os.WriteFile(p, sealed(t, state), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := config(discoveryServer(t, nil), &fakeEnroller{})
		cfg.Store = &FileStore{Dir: dir}
		if h, err := New(context.Background(), cfg); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: New %v, want ErrCorrupt", name, err)
			if err == nil {
				h.Close()
			}
		}
	}
}

// TestEnrollmentKeyNotPrinted: an Enrollment's Data holds the private
// key; printing an Enrollment or a State (as a log or a test failure
// does) does not show it.
func TestEnrollmentKeyNotPrinted(t *testing.T) {
	e := &Enrollment{ManagementURL: winDC, Data: []byte("-----BEGIN PRIVATE KEY-----\nSECRET\n")}
	st := State{Status: dmclient.StatusEnrollmentSucceeded, Enrollment: e}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{e, *e, st} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, "SECRET") || strings.Contains(s, "83 69 67") || strings.Contains(s, "0x53, 0x45") {
				t.Errorf("%s of %T shows the key: %s", f, v, s)
			}
		}
	}
	if s := fmt.Sprint(e); !strings.Contains(s, winDC) {
		t.Errorf("%%v of an Enrollment hides its server: %s", s)
	}
}

// TestConcurrentSessions: sessions that race Enroll, Unenroll and the
// endpoint against each other, and Wait, leave a state the handler
// could have saved, without a data race.
func TestConcurrentSessions(t *testing.T) {
	for _, async := range []bool{false, true} {
		ds := discoveryServer(t, nil)
		cfg := config(ds, &fakeEnroller{})
		cfg.Async = async
		store := &MemoryStore{}
		cfg.Store = store
		h := newHandler(t, cfg)
		cmds := []syncml.Command{
			le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll(), le.ExecUnenroll(), le.DeleteDiscoveryEndpoint(),
			get(string(le.EnrollStatus()), string(le.LastError())),
		}
		done := make(chan struct{})
		for g := range 6 {
			go func() {
				defer func() { done <- struct{}{} }()
				for i := range 40 {
					serve(h, cmds[(g+i*(g+1))%len(cmds)])
					if i%7 == 0 {
						h.Wait()
					}
				}
			}()
		}
		for range 6 {
			within(t, done, "the sessions end")
		}
		h.Wait()
		st := h.State()
		if err := st.check(); err != nil || st.Status == dmclient.StatusEnrollmentInProgress || st.Status == dmclient.StatusUnenrollmentInProgress {
			t.Errorf("async %v: state %+v: %v", async, st, err)
		}
		saved, _, _ := store.Load(context.Background(), provider)
		if saved.Status != st.Status || (saved.Enrollment == nil) != (st.Enrollment == nil) {
			t.Errorf("async %v: saved %+v, current %+v", async, saved, st)
		}
	}
}

// TestFileStoreMaxBytes: a state file larger than the limit is reported
// without being read whole; FileStore.MaxBytes sets the limit.
func TestFileStoreMaxBytes(t *testing.T) {
	dir := t.TempDir()
	fs := &FileStore{Dir: dir}
	ctx := context.Background()
	big := State{Status: dmclient.StatusEnrollmentSucceeded, Enrollment: &Enrollment{ManagementURL: winDC, Data: make([]byte, 3000)}}
	if err := fs.Save(ctx, provider, big); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := fs.Load(ctx, provider); !ok || err != nil {
		t.Fatalf("within the default limit: %v %v", ok, err)
	}
	fs.MaxBytes = 1000
	if _, ok, err := fs.Load(ctx, provider); ok || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "1000") {
		t.Errorf("over MaxBytes: %v %v", ok, err)
	}
	p := filepath.Join(dir, "linkedenrollment-MS%20DM%20SERVER.json")
	if err := os.WriteFile(p, make([]byte, DefaultMaxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	fs.MaxBytes = 0
	if _, ok, err := fs.Load(ctx, provider); ok || !errors.Is(err, ErrCorrupt) {
		t.Errorf("over DefaultMaxFileBytes: %v %v", ok, err)
	}
}

// TestHostileDiscoveryServer: what a discovery service that answers
// garbage, too much or nothing does to EnrollStatus and LastError.
func TestHostileDiscoveryServer(t *testing.T) {
	huge := strings.Repeat(" ", 2*discovery.DefaultMaxBytes)
	for _, tt := range []struct {
		name   string
		answer http.HandlerFunc
		want   dmclient.HRESULT
	}{
		{"garbage", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "\x00\xff{{")
		}, dmclient.MenrollEDeviceMessageFormatError},
		{"huge body", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"EnrollmentServiceUrl":"https://e.example/E"`+huge+`}`)
		}, dmclient.MenrollEDeviceMessageFormatError},
		{"html", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>sign in</html>")
		}, dmclient.MenrollEDeviceMessageFormatError},
		{"enrollment URL over plain http", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"EnrollmentServiceUrl":"http://e.example/E","EnrollmentPolicyServiceUrl":"https://e.example/P","AuthenticationServiceUrl":"https://e.example/A","AuthPolicy":"Federated"}`)
		}, dmclient.MenrollEDeviceMessageFormatError},
	} {
		ds := discoveryServer(t, tt.answer)
		fe := &fakeEnroller{}
		h := newHandler(t, config(ds, fe))
		serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
		r := serve(h, le.ExecEnroll())
		st := h.State()
		if r.Code != syncml.StatusCommandFailed || st.Status != dmclient.StatusEnrollmentFailed || st.LastError != tt.want || len(fe.got) != 0 {
			t.Errorf("%s: answer %+v, state %v %v %q, enroller called %d times", tt.name, r, st.Status, st.LastError, st.Reason, len(fe.got))
		}
	}
}

// TestCloseDuringSlowDiscovery: Close while the discovery service has
// not answered ends the request, and Close returns with the enrollment
// failed E_ABORT.
func TestCloseDuringSlowDiscovery(t *testing.T) {
	arrived := make(chan struct{}, 1)
	ds := discoveryServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server sees the client go
		arrived <- struct{}{}
		<-r.Context().Done() // never answers
	})
	for _, async := range []bool{false, true} {
		cfg := config(ds, &fakeEnroller{})
		cfg.Async = async
		h, err := New(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
		answered := make(chan session.Response, 1)
		go func() { answered <- serve(h, le.ExecEnroll()) }()
		within(t, arrived, "the discovery request arrives")
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		within(t, answered, "Exec answered after Close")
		if st := h.State(); st.Status != dmclient.StatusEnrollmentFailed || st.LastError != EAbort {
			t.Errorf("async %v: after Close: %v %v %q", async, st.Status, st.LastError, st.Reason)
		}
	}
}

// TestFileStoreRemovesStaleTemporaries: a temporary file left by a crash
// between its write and its rename holds a copy of the state, private
// key included; Load, which runs at start, removes it.
func TestFileStoreRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "linkedenrollment-MS%20DM%20SERVER.json.tmp4242")
	if err := os.WriteFile(stale, []byte(`{"state":{"enrollment":{"data":"a2V5"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "linkedenrollment-Other.json.tmp1")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fs := &FileStore{Dir: dir}
	if _, ok, err := fs.Load(context.Background(), provider); ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another provider's file removed: %v", err)
	}
}

// TestAtomicExecNotUndone: an Exec Enroll inside an Atomic that fails
// after it is carried out and cannot be undone; the device must not tell
// the server it was rolled back (216), but 516 (roll back failed), so
// that the server knows the device is enrolled.
func TestAtomicExecNotUndone(t *testing.T) {
	ds := discoveryServer(t, nil)
	h := newHandler(t, config(ds, &fakeEnroller{}))
	mux := session.NewMux()
	if err := h.Register(mux); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		outcomes []session.Outcome
	)
	srv := session.NewServer(session.ServerConfig{OnExchange: func(_ context.Context, x *session.Exchange) {
		mu.Lock()
		outcomes = append(outcomes, x.Outcomes...)
		mu.Unlock()
	}})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const dev = "urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"
	ctx := context.Background()
	atomic := &syncml.Atomic{Commands: []syncml.Command{
		le.ReplaceDiscoveryEndpoint(ds.URL),
		le.ExecEnroll(),
		&syncml.Replace{Items: []syncml.Item{item(string(le.EnrollStatus()), syncml.Text("1"), "int")}}, // 405
	}}
	if err := srv.Queue(ctx, dev, atomic); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: dev, ServerURI: hs.URL, Handler: mux})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, hs.Client(), hs.URL, "1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	codes := map[string]syncml.StatusCode{}
	for _, o := range outcomes {
		if code, err := o.Code(); err == nil {
			codes[o.Command.ElementName()] = code
		}
	}
	if st := h.State(); st.Status != dmclient.StatusEnrollmentSucceeded || st.Enrollment == nil {
		t.Fatalf("the enrollment ran: %+v", st)
	}
	if codes["Atomic"] != syncml.StatusAtomicFailed || codes["Exec"] != syncml.StatusAtomicRollbackFailed {
		t.Errorf("codes %v: want Atomic 507 and Exec 516", codes)
	}
}

// TestMDE2WithoutResponse: MDE2 called by hand without a discovery
// answer returns an error instead of panicking.
func TestMDE2WithoutResponse(t *testing.T) {
	m := &MDE2{Credentials: func(context.Context, discovery.AuthPolicy) (mde2.Credentials, error) { return mde2.Credentials{}, nil }}
	for _, r := range []*EnrollRequest{nil, {ProviderID: provider}} {
		if _, err := m.Enroll(context.Background(), r); err == nil {
			t.Errorf("Enroll(%+v) succeeded", r)
		}
	}
}

// TestEndpointNotXMLText: a DiscoveryEndpoint that is not UTF-8 made of
// characters XML allows is refused (400) and the value held stays, in
// memory and in a FileStore: kept, it could not be sent back in Results,
// and a FileStore would save "\xff" as U+FFFD, a value the server never
// set. The syncml decoder yields no such value; a program calling
// ServeCommand can.
func TestEndpointNotXMLText(t *testing.T) {
	ds := discoveryServer(t, nil)
	cfg := config(ds, &fakeEnroller{})
	cfg.Store = &FileStore{Dir: t.TempDir()}
	h := newHandler(t, cfg)
	const good = "https://discovery.example/windc"
	if c := codes(le.ReplaceDiscoveryEndpoint(good), serve(h, le.ReplaceDiscoveryEndpoint(good))); c[0] != syncml.StatusOK {
		t.Fatalf("Replace of %q: %v", good, c)
	}
	for _, v := range []string{"\xff", "https://a/\x00", "https://a/\uFFFE", "https://a/\xed\xa0\x80"} {
		c := le.ReplaceDiscoveryEndpoint(v)
		if got := codes(c, serve(h, c)); got[0] != syncml.StatusBadRequest {
			t.Errorf("Replace of %q: %v, want 400", v, got)
		}
		if got := h.State().DiscoveryEndpoint; got != good {
			t.Errorf("after Replace of %q the endpoint is %q", v, got)
		}
	}
	h2, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if got := h2.State().DiscoveryEndpoint; got != good {
		t.Errorf("reloaded endpoint %q, want %q", got, good)
	}
}
