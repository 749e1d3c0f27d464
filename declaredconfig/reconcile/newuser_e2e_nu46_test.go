package reconcile_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// nu46Device is a device wired as the package docs of agent and session
// say: an Agent on a Mux behind a session.Client, EachMessage and
// Unmarshal from the Agent, posting with Client.Run to a loopback server.
type nu46Device struct {
	id      string
	surface *agent.MemorySurface
	agent   *agent.Agent
	client  *session.Client
	url     string
	n       int
}

func newNu46Device(t *testing.T, url, id string) *nu46Device {
	t.Helper()
	return newNu46DeviceOn(t, url, id, &agent.MemorySurface{}, nil)
}

// newNu46DeviceOn is newNu46Device with the device's surface and agent
// Store given: a device that restarts keeps both.
func newNu46DeviceOn(t *testing.T, url, id string, surface *agent.MemorySurface, store agent.Store) *nu46Device {
	t.Helper()
	ctx := context.Background()
	d := &nu46Device{id: id, surface: surface, url: url}
	a, err := agent.New(ctx, agent.Config{Surface: d.surface, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: id, ServerURI: url,
		Handler: mux, EachMessage: a.EachMessage, Unmarshal: a.Unmarshal})
	if err != nil {
		t.Fatal(err)
	}
	d.agent, d.client = a, c
	return d
}

// checkIn runs one session, then lets the worker apply what came.
func (d *nu46Device) checkIn(t *testing.T) []session.Outcome {
	t.Helper()
	out, err := d.checkInVia(nil)
	if err != nil {
		t.Fatalf("session %d: %v", d.n, err)
	}
	return out
}

// checkIns runs n sessions, each as checkIn.
func (d *nu46Device) checkIns(t *testing.T, n int) {
	t.Helper()
	for range n {
		d.checkIn(t)
	}
}

// checkInVia runs one session posting with hc, then applies what came.
func (d *nu46Device) checkInVia(hc *http.Client) ([]session.Outcome, error) {
	ctx := context.Background()
	d.n++
	out, err := d.client.Run(ctx, hc, d.url, strconv.Itoa(d.n))
	if aerr := d.agent.ApplyPending(ctx); aerr != nil && err == nil {
		err = aerr
	}
	return out, err
}

type nu46Events struct {
	mu sync.Mutex
	ev []reconcile.Event
}

func (e *nu46Events) add(_ context.Context, ev reconcile.Event) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
}

func (e *nu46Events) take() []reconcile.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.ev
	e.ev = nil
	return out
}

func (e *nu46Events) kinds(id string) []string {
	var out []string
	for _, ev := range e.take() {
		if ev.Status.URI.DocID == id || (id == "" && ev.Kind == reconcile.Problem) {
			s := ev.Kind.String()
			if ev.Err != nil {
				s += ":" + ev.Err.Error()
			}
			out = append(out, s)
		}
	}
	return out
}

func nu46Doc(id, checksum, path, value string) reconcile.Doc {
	return reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Document: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: id, Checksum: checksum, Scenario: "MSFTPolicies",
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy", Settings: []declaredconfig.Setting{
				{Path: path, Type: "int", Value: value},
			}}},
		}}
}

type nu46Server struct {
	rec *reconcile.Reconciler
	ev  *nu46Events
	hs  *httptest.Server
}

func newNu46Server(t *testing.T, cfg reconcile.Config) *nu46Server {
	t.Helper()
	s := &nu46Server{ev: &nu46Events{}}
	if cfg.OnEvent == nil {
		cfg.OnEvent = s.ev.add
	}
	s.rec = reconcile.New(cfg)
	srv := session.NewServer(session.ServerConfig{Session: session.Config{BeforeReply: s.rec.BeforeReply}})
	s.hs = httptest.NewServer(srv)
	t.Cleanup(s.hs.Close)
	return s
}

const (
	nu46A = "11111111-2222-4333-8444-555555555555"
	nu46B = "66666666-7777-4888-9999-AAAAAAAAAAAA"
)

// A new server author's first program: two documents, one changed, the
// other removed, the results read back through Status.
func TestNewServerAuthorTwoDocsNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-dev"
	d := newNu46Device(t, s.hs.URL, dev)

	if err := s.rec.Declare(ctx, dev,
		nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0"),
		nu46Doc(nu46B, "B1", "Config/Bluetooth/AllowDiscoverableMode", "1")); err != nil {
		t.Fatal(err)
	}
	d.checkIn(t) // documents sent; the agent applies after the session
	d.checkIn(t) // the summary reports them; the results are read
	got := s.ev.kinds(nu46A)
	if len(got) != 1 || got[0] != "Applied" {
		t.Errorf("events of A after two sessions: %v, want [Applied]", got)
	}
	st, err := s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{nu46A, nu46B} {
		ds := st.Doc(id)
		if ds == nil {
			t.Fatalf("no status of %s", id)
		}
		if ds.Condition != reconcile.InSync {
			t.Errorf("%s: %v (%s), want InSync", id, ds.Condition, ds.Reason)
		}
		if set := ds.Settings(); len(set) != 1 {
			t.Errorf("%s: %d settings read, want 1", id, len(set))
		}
	}
	if v, _, _ := d.surface.Get(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"); v != "0" {
		t.Errorf("AllowCamera = %q", v)
	}

	// Change A, remove B.
	if err := s.rec.Declare(ctx, dev, nu46Doc(nu46A, "A2", "Config/Camera/AllowCamera", "1")); err != nil {
		t.Fatal(err)
	}
	if err := s.rec.Remove(ctx, dev, nu46B); err != nil {
		t.Fatal(err)
	}
	d.checkIn(t)
	d.checkIn(t)
	st, err = s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Docs) != 1 || st.Docs[0].URI.DocID != nu46A || st.Docs[0].Checksum != "A2" || st.Docs[0].Condition != reconcile.InSync {
		t.Fatalf("status after change and remove: %+v", st.Docs)
	}
	if v, _, _ := d.surface.Get(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"); v != "1" {
		t.Errorf("AllowCamera = %q, want 1", v)
	}
	if sum := d.agent.Summary(); len(sum.Documents) != 1 || !strings.EqualFold(sum.Documents[0].ID, nu46A) {
		t.Errorf("device summary: %+v", sum.Documents)
	}
	// A quiet session afterwards queues nothing.
	d.checkIn(t)
	st, _ = s.rec.Status(ctx, dev)
	if st.Queued != 0 {
		t.Errorf("steady session queued %d commands", st.Queued)
	}
}
