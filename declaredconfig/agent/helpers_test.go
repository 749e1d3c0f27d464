package agent_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// fakeClock is a Clock moved by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	waiting chan struct{} // receives when After is called
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), waiting: make(chan struct{}, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return ch
}

// Advance moves the time and fires what is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

const (
	vpnID  = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	bulkID = "47E88660-1861-4131-96E8-F32E85011E55"
	invID  = "DCA000B5-397D-40A1-AABF-40B25078A7F9"
)

func vpnDoc(checksum string) *declaredconfig.Document {
	return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: vpnID, Checksum: checksum,
		Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"},
			{Path: "Contoso/RememberCredentials", Type: "bool", Value: "false"},
		}}}}
}

func bulkDoc() *declaredconfig.Document {
	return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: bulkID, Checksum: "B1",
		Scenario: declaredconfig.ScenarioClientCertificateInstall,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/ClientCertificateInstall", Settings: []declaredconfig.Setting{
			{Path: "PFXCertInstall/@#pfxThumbprint#/KeyLocation", Type: "int", Value: "2"},
			{Path: "PFXCertInstall/@#pfxThumbprint#/PFXCertPassword", Type: "chr", Value: "@#pfxPassword#"},
		}}}}
}

func blob(pairs ...[2]string) *declaredconfig.InstanceBlob {
	ib := &declaredconfig.InstanceBlob{Schema: "1.0"}
	for _, p := range pairs {
		ib.Instances = append(ib.Instances, declaredconfig.Instance{Data: []declaredconfig.InstanceData{
			{Variable: "pfxThumbprint", Value: p[0]}, {Variable: "pfxPassword", Value: p[1]}}})
	}
	return ib
}

func text(t testing.TB, v interface{ MarshalText() ([]byte, error) }) string {
	t.Helper()
	b, err := v.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newAgent(t testing.TB, cfg agent.Config) *agent.Agent {
	t.Helper()
	if cfg.Surface == nil {
		cfg.Surface = &agent.MemorySurface{}
	}
	if cfg.Clock == nil {
		cfg.Clock = newClock()
	}
	a, err := agent.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// serve hands one command with one item to a and returns its code and the
// Data of its Results item ("" when none).
func serve(t testing.TB, a *agent.Agent, verb, uri, data string) (syncml.StatusCode, string) {
	t.Helper()
	it := syncml.Item{Target: &syncml.Location{LocURI: uri}}
	if data != "" {
		it.Data = syncml.Text(data)
	}
	var c syncml.Command
	switch verb {
	case "Add":
		c = &syncml.Add{CmdID: "2", Items: []syncml.Item{it}}
	case "Replace":
		c = &syncml.Replace{CmdID: "2", Items: []syncml.Item{it}}
	case "Delete":
		c = &syncml.Delete{CmdID: "2", Items: []syncml.Item{it}}
	case "Get":
		c = &syncml.Get{CmdID: "2", Items: []syncml.Item{it}}
	case "Exec":
		c = &syncml.Exec{CmdID: "2", Items: []syncml.Item{it}}
	default:
		t.Fatalf("verb %s", verb)
	}
	r := a.ServeCommand(context.Background(), &session.Request{Command: c})
	code := r.Code
	if len(r.ItemCodes) > 0 {
		code = r.ItemCodes[0]
	}
	if code == 0 {
		code = syncml.StatusOK
	}
	v := ""
	if len(r.Results) > 0 && r.Results[0].Data != nil {
		v = r.Results[0].Data.Value
	}
	return code, v
}

// lastWait returns how long the latest After still waits.
func (c *fakeClock) lastWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		return 0
	}
	return c.waiters[len(c.waiters)-1].at.Sub(c.now)
}

// bulkAgent returns an agent on surface holding the bulk template
// bulkDoc with ib as its instance data, not applied yet.
func bulkAgent(t testing.TB, surface agent.Surface, ib *declaredconfig.InstanceBlob) *agent.Agent {
	t.Helper()
	a := newAgent(t, agent.Config{Surface: surface})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, ib)); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	return a
}

// checkBulkPathRefused checks, for each thumb, the bulk template bulkDoc
// applied with instance data giving thumb as the thumbprint, the variable
// of a setting's path: the setting fails (400, the document in 61) and
// the Surface is not called for it.
func checkBulkPathRefused(t *testing.T, thumbs ...string) {
	t.Helper()
	for _, thumb := range thumbs {
		ctx := context.Background()
		surface := &agent.MemorySurface{}
		a := bulkAgent(t, surface, blob([2]string{thumb, "pw"}))
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		if n := surface.Nodes("./"); len(n) != 0 {
			t.Errorf("thumbprint %q set %v", thumb, n)
		}
		if e := entry(a, bulkID); e.State != "61" {
			t.Errorf("thumbprint %q: state %s, want 61", thumb, e.State)
		}
		r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID))
		if s := statuses(r); !strings.Contains(s, " 400 61") {
			t.Errorf("thumbprint %q: result %s, want 400", thumb, s)
		}
	}
}

// exchange hands a server message carrying cmds to a session client
// whose Mux routes the CSP to a, and returns "Cmd code" of each Status of
// the reply.
func exchange(t *testing.T, a *agent.Agent, cmds ...syncml.Command) []string {
	t.Helper()
	return exchangeWith(t, a, nil, cmds...)
}

// exchangeWith is exchange with more subtrees on the Mux.
func exchangeWith(t *testing.T, a *agent.Agent, more map[string]session.Handler, cmds ...syncml.Command) []string {
	t.Helper()
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	for p, h := range more {
		if err := mux.HandleSubtree("", p, h); err != nil {
			t.Fatal(err)
		}
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "d", ServerURI: "s", Handler: mux})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "d"}, Source: syncml.Location{LocURI: "s"}},
		Body: syncml.Body{Final: true, Commands: cmds}}
	syncml.NumberCommands(m.Body.Commands, 2)
	x, err := c.Handle(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, cmd := range x.Reply.Body.Commands {
		if st, ok := cmd.(*syncml.Status); ok {
			codes = append(codes, st.Cmd+" "+st.Data.Value)
		}
	}
	return codes
}

// releaseAll lets every Set through from now on.
func (b *blockingSurface) releaseAll() {
	go func() {
		for range b.entered {
		}
	}()
	close(b.release)
}

// within returns what ch gives, and fails the test when it gives nothing
// in a minute (what says what was waited for): a wait that would hang
// until go test's timeout fails with a message instead.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("%s: nothing in a minute", what)
		panic("unreachable")
	}
}

// applied returns an agent on cfg holding d at uri, added and applied.
func applied(t testing.TB, cfg agent.Config, uri string, d *declaredconfig.Document) *agent.Agent {
	t.Helper()
	a := newAgent(t, cfg)
	if c, _ := serve(t, a, "Add", uri, text(t, d)); c != 200 {
		t.Fatalf("Add: %d", c)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// execRuns returns the handler of a test subtree whose Exec runs f (200;
// f's error fails the test) and which fails every other command (500):
// an Atomic that runs f and is then rolled back.
func execRuns(t *testing.T, f func(context.Context) error) session.Handler {
	return session.HandlerFunc(func(ctx context.Context, r *session.Request) session.Response {
		if r.Command.ElementName() == "Exec" {
			if err := f(ctx); err != nil {
				t.Error(err)
			}
			return session.Response{Code: syncml.StatusOK}
		}
		return session.Response{Code: syncml.StatusCommandFailed}
	})
}
