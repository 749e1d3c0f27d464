package agent_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// wdcServer is a WinDC management server for the story: a session.Server
// over httptest that sends what a test queues at the start of each
// session and keeps, per session, the device's messages and the commands
// sent (for declaredconfig.ReadReply and Evaluate).
type wdcServer struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	next []syncml.Command // queued at the next session's start
	msgs []*syncml.Message
	sent []declaredconfig.Sent
}

func newWDCServer(t *testing.T) *wdcServer {
	w := &wdcServer{t: t}
	h := session.NewServer(session.ServerConfig{Session: session.Config{
		OnStart: func(_ context.Context, s *session.Session, _ session.Identity, _ bool) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if err := s.Queue(w.next...); err != nil {
				t.Error(err)
			}
			w.next = nil
		},
		BeforeReply: func(_ context.Context, _ *session.Session, m *syncml.Message, x *session.Exchange) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.msgs = append(w.msgs, m)
			for _, o := range x.Outcomes {
				w.sent = append(w.sent, declaredconfig.Sent{MsgID: o.MsgID, Command: o.Command})
			}
		},
	}})
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

// device is the device side: a session client with the agent's handler
// and its summary in every message.
type device struct {
	a       *agent.Agent
	surface *agent.MemorySurface
	asked   []string // RequestSession reasons
	events  []agent.Event
	n       int
}

func newDevice(t *testing.T, store agent.Store, surface *agent.MemorySurface, clock agent.Clock) *device {
	d := &device{surface: surface}
	var err error
	d.a, err = agent.New(context.Background(), agent.Config{Surface: surface, Store: store, Clock: clock,
		RequestSession: func(r string) { d.asked = append(d.asked, r) },
		OnEvent:        func(e agent.Event) { d.events = append(d.events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// session runs one session of d with w, with cmds queued by the server,
// and returns the server's evaluation of desired.
func (w *wdcServer) session(d *device, desired []declaredconfig.Desired, cmds ...syncml.Command) *declaredconfig.Evaluation {
	t := w.t
	t.Helper()
	w.mu.Lock()
	w.next, w.msgs, w.sent = cmds, nil, nil
	w.mu.Unlock()
	mux := session.NewMux()
	if err := d.a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:story-device", ServerURI: w.srv.URL,
		Handler: mux, EachMessage: d.a.EachMessage})
	if err != nil {
		t.Fatal(err)
	}
	d.n++
	held := len(d.a.Summary().Documents) > 0
	outs, err := c.Run(context.Background(), &http.Client{}, w.srv.URL, strings.Repeat("A", d.n))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if code, err := o.Code(); err != nil || code != syncml.StatusOK {
			t.Errorf("the server answered the device's %s with %v %v", o.Command.ElementName(), code, err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	holds := len(d.a.Summary().Documents) > 0
	for i, m := range w.msgs {
		if _, err := declaredconfig.ReadSummary(m); (i > 0 && holds || held) && err != nil {
			t.Errorf("device message %d of the session: %v", i+1, err)
		}
	}
	r, err := declaredconfig.ReadReply(w.msgs...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range desired {
		desired[i].SentBy(w.sent)
	}
	return r.Evaluate(desired, w.sent)
}

// TestStory drives the whole story through SyncML over HTTP: declare,
// apply, report, per-setting status, drift repaired by a refresh, drift
// that cannot be repaired (missing instance data) turning into a drifted
// document and a session request, RefreshInterval, a restart from the
// file store, abandon, delete.
func TestStory(t *testing.T) {
	ctx := context.Background()
	w := newWDCServer(t)
	store := &agent.FileStore{Path: filepath.Join(t.TempDir(), "agent.state")}
	surface := &agent.MemorySurface{}
	clock := newClock()
	d := newDevice(t, store, surface, clock)

	vpnURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	vpnRes := declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID)
	bulkRes := declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID)
	must := func(c syncml.Command, err error) syncml.Command {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// 1. Declare two documents and the template's data; the device
	// checks their syntax and answers 200 at once, state 1 in the summary.
	// A third document fails the check (its id is not its DocID) and is
	// refused in the same reply.
	badURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, invID)
	badAdd := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: badURI.String()}, Data: syncml.Text(text(t, vpnDoc("X1")))}}}
	ev := w.session(d, []declaredconfig.Desired{{URI: badURI, Checksum: "X1"}}, badAdd)
	if ds := ev.Documents[0]; ds.Command != syncml.StatusBadRequest || ds.Condition != declaredconfig.Failed {
		t.Errorf("refused document: %v (command %v)", ds.Condition, ds.Command)
	}
	desired := []declaredconfig.Desired{{URI: vpnURI, Checksum: "A1"}, {URI: bulkURI, Checksum: "B1"}}
	ev = w.session(d, desired,
		must(declaredconfig.AddDocument(vpnURI, vpnDoc("A1"), syncml.DataXML)),
		must(declaredconfig.AddDocument(bulkURI, bulkDoc(), syncml.DataCDATA)),
		must(declaredconfig.ReplaceBulkVariables(declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID),
			blob([2]string{"813A", "secret-1"}), syncml.DataCDATA)))
	for _, ds := range ev.Documents {
		if ds.Command != syncml.StatusOK || ds.Condition != declaredconfig.Pending || ds.State != declaredconfig.StateConfigRequest {
			t.Errorf("after declaring, %s: %v %v (command %v): %s", ds.DocID, ds.Condition, ds.State, ds.Command, ds.Reason)
		}
	}

	// 2. The worker applies them and asks for one session, for the
	// batch; the server reads the results: in sync, every setting 200.
	if err := d.a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if len(d.asked) != 1 || !strings.Contains(d.asked[0], vpnID) || !strings.Contains(d.asked[0], bulkID) {
		t.Errorf("sessions asked for after the apply: %q", d.asked)
	}
	ev = w.session(d, desired, must(declaredconfig.GetResults(vpnRes)), must(declaredconfig.GetResults(bulkRes)))
	for i, ds := range ev.Documents {
		if ds.Condition != declaredconfig.InSync || ds.Result == nil || len(ds.Settings) != 2 {
			t.Fatalf("after the apply, %s: %v (%s), %d settings", ds.DocID, ds.Condition, ds.Reason, len(ds.Settings))
		}
		for _, s := range ds.Settings {
			if s.Status != syncml.StatusOK || s.State != declaredconfig.StateConfigCompletedSuccess {
				t.Errorf("%s %s: %v %v", ds.DocID, s.Name, s.Status, s.State)
			}
		}
		desired[i].LastResultChecksum = ds.ResultChecksum
	}
	if len(ev.Unmatched) != 0 {
		t.Errorf("unmatched: %v", ev.Unmatched)
	}

	// 3. Drift the agent can repair: the refresh sets the value again;
	// nothing changes for the server, no session is asked for.
	alwaysOn := "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
	if err := surface.Set(ctx, alwaysOn, "false"); err != nil {
		t.Fatal(err)
	}
	d.asked = nil
	if err := d.a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, alwaysOn); v != "true" {
		t.Errorf("AlwaysOn after the refresh: %q", v)
	}
	if len(d.asked) != 0 || !hasEvent(d.events, agent.EventRepaired, alwaysOn) {
		t.Errorf("repair: sessions asked %q, events %v", d.asked, d.events)
	}
	ev = w.session(d, desired)
	if ds := ev.Documents[0]; ds.Condition != declaredconfig.InSync || ds.ResultChecksum != desired[0].LastResultChecksum {
		t.Errorf("after a repaired drift: %v, result_checksum %s (was %s)", ds.Condition, ds.ResultChecksum, desired[0].LastResultChecksum)
	}

	// 4. Drift the agent cannot repair: the template's password came from
	// instance data it did not keep. The document turns 61 with a new
	// result_checksum, the agent asks for a session, the server sees it
	// drifted and which setting failed.
	password := "./Device/Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/813A/PFXCertPassword"
	if err := surface.Set(ctx, password, "changed"); err != nil {
		t.Fatal(err)
	}
	if err := d.a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if len(d.asked) != 1 || !hasEvent(d.events, agent.EventDrifted, password) {
		t.Fatalf("unrepaired drift: sessions asked %q", d.asked)
	}
	ev = w.session(d, desired, must(declaredconfig.GetResults(bulkRes)))
	ds := ev.Documents[1]
	if ds.Condition != declaredconfig.Drifted || ds.State != declaredconfig.StateConfigCompletedError || ds.ResultChecksum == desired[1].LastResultChecksum {
		t.Errorf("after unrepaired drift: %v %v (%s)", ds.Condition, ds.State, ds.Reason)
	}
	var failed []string
	for _, s := range ds.Settings {
		if s.Failed() {
			failed = append(failed, s.Name+" "+s.Status.String())
		}
	}
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "PFXCertInstall/813A/PFXCertPassword 404") {
		t.Errorf("failing settings %q", failed)
	}
	if ev.Documents[0].Condition != declaredconfig.InSync {
		t.Errorf("the other document: %v", ev.Documents[0].Condition)
	}
	// The same failure found again changes nothing and asks for nothing.
	d.asked = nil
	sum := entry(d.a, bulkID).ResultChecksum
	if err := d.a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if len(d.asked) != 0 || entry(d.a, bulkID).ResultChecksum != sum {
		t.Errorf("second refresh: asked %q", d.asked)
	}

	// 5. RefreshInterval through the builders; the server re-declares the
	// drifted template with its data under a new checksum.
	next := bulkDoc()
	next.Checksum = "B2"
	desired[1].Checksum = "B2"
	getRI := declaredconfig.GetRefreshInterval()
	ev = w.session(d, desired, must(declaredconfig.ReplaceRefreshInterval(30)), getRI,
		must(declaredconfig.ReplaceDocument(bulkURI, next, syncml.DataCDATA)),
		must(declaredconfig.ReplaceBulkVariables(declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID),
			blob([2]string{"813A", "secret-1"}), syncml.DataCDATA)))
	if got := d.a.RefreshInterval().Minutes(); got != 30 {
		t.Errorf("RefreshInterval %v", got)
	}
	if ds := ev.Documents[1]; ds.Command != syncml.StatusOK || ds.Condition != declaredconfig.Pending {
		t.Errorf("re-declared template: %v (command %v)", ds.Condition, ds.Command)
	}
	if err := d.a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, password); v != "secret-1" {
		t.Errorf("password after the re-declare: %q", v)
	}

	// 6. A restart from the file store keeps everything.
	before := text(t, d.a.Summary())
	d2 := newDevice(t, store, surface, clock)
	if after := text(t, d2.a.Summary()); after != before {
		t.Errorf("after a restart the summary is\n%s\nwas\n%s", after, before)
	}
	if d2.a.RefreshInterval() != d.a.RefreshInterval() {
		t.Errorf("RefreshInterval after a restart: %v", d2.a.RefreshInterval())
	}
	d2.n = d.n
	ev = w.session(d2, desired, must(declaredconfig.GetResults(vpnRes)), must(declaredconfig.GetResults(bulkRes)))
	for _, ds := range ev.Documents {
		if ds.Condition != declaredconfig.InSync {
			t.Errorf("after the restart %s: %v (%s)", ds.DocID, ds.Condition, ds.Reason)
		}
	}

	// 7. Abandon: refresh no longer keeps the document.
	ab := must(declaredconfig.SetAbandoned(declaredconfig.AbandonedURI(declaredconfig.Device, vpnID), true))
	w.session(d2, nil, ab)
	if err := surface.Set(ctx, alwaysOn, "false"); err != nil {
		t.Fatal(err)
	}
	if err := d2.a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, alwaysOn); v != "false" {
		t.Errorf("an abandoned document was reapplied: %q", v)
	}
	// Taken back, it is applied again.
	w.session(d2, nil, must(declaredconfig.SetAbandoned(declaredconfig.AbandonedURI(declaredconfig.Device, vpnID), false)))
	if err := d2.a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, alwaysOn); v != "true" {
		t.Errorf("after unabandon AlwaysOn is %q", v)
	}

	// 8. Delete: the document goes from the summary; its settings stay.
	del := must(declaredconfig.DeleteDocument(vpnURI))
	w.session(d2, nil, del)
	if e := d2.a.Summary().Entry(vpnID); e != nil {
		t.Errorf("deleted document still listed: %+v", e)
	}
	if v, ok, _ := surface.Get(ctx, alwaysOn); !ok || v != "true" {
		t.Errorf("after delete AlwaysOn is %q %v", v, ok)
	}
	d3 := newDevice(t, store, surface, clock)
	if len(d3.a.Summary().Documents) != 1 {
		t.Errorf("after delete and restart: %d documents", len(d3.a.Summary().Documents))
	}
}

func hasEvent(evs []agent.Event, k agent.EventKind, uri string) bool {
	for _, e := range evs {
		if e.Kind == k && e.URI == uri {
			return true
		}
	}
	return false
}
