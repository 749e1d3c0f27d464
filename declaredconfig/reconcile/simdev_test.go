package reconcile_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// simDevice is a model of a WinDC device for the tests: it keeps its
// documents with a state and a result per document, answers Add, Replace,
// Delete and Get of the DeclaredConfiguration nodes, and reports its
// summary in every message.
type simDevice struct {
	id        string
	client    *session.Client
	docs      map[string]*simDoc // by upper-case DocID
	order     []string
	vars      map[string]string // BulkVariables by upper-case DocID
	abandoned map[string]bool
	refresh   string

	// Behaviour of the next applies.
	refuse    syncml.StatusCode // answer Add/Replace with this code
	failApply bool              // applied documents end in state 61
	transient bool              // applied documents stay in state 2
	noResults bool              // Gets of Results are answered 404
	quiet     bool              // no summary while it holds no document, as Windows
	value     string            // the Value of every setting's result (an inventory's reading), "" none
	extra     int               // results of settings no document names, added to every result
	// seen counts every command received, by name and target.
	seen []string
	gen  int
}

type simDoc struct {
	uri      declaredconfig.URI
	checksum string
	state    declaredconfig.State
	rc       string
	failing  string // a setting path that fails, "" none
	settings []declaredconfig.Setting
	csp      string
	deleted  bool
}

func newSimDevice(t testing.TB, id string) *simDevice {
	d := &simDevice{id: id, docs: map[string]*simDoc{}, vars: map[string]string{}, abandoned: map[string]bool{}}
	mux := session.NewMux()
	mux.NotFound = session.HandlerFunc(func(context.Context, *session.Request) session.Response {
		return session.Response{Code: syncml.StatusNotFound}
	})
	if err := mux.HandleSubtree("", "./Device/Vendor/MSFT/DeclaredConfiguration", session.HandlerFunc(d.serve)); err != nil {
		t.Fatal(err)
	}
	if err := mux.HandleSubtree("", "./User/Vendor/MSFT/DeclaredConfiguration", session.HandlerFunc(d.serve)); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{
		DeviceID: id, ServerURI: "http://127.0.0.1/WinDC", Handler: mux,
		BeforeReply: func(_ context.Context, c *session.Client, _ *syncml.Message, _ *session.Exchange) {
			_ = c.Queue(d.summaryAlerts()...)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.client = c
	return d
}

func (d *simDevice) newRC(doc *simDoc) string {
	d.gen++
	return fmt.Sprintf("RC%d-%s", d.gen, doc.checksum)
}

func (d *simDevice) serve(_ context.Context, r *session.Request) session.Response {
	items := r.Command.ItemList()
	if len(items) != 1 || items[0].Target == nil {
		return session.Response{Code: syncml.StatusBadRequest}
	}
	t := items[0].Target.LocURI
	d.seen = append(d.seen, r.Command.ElementName()+" "+t)
	if sameNode(t, declaredconfig.RefreshIntervalURI) {
		switch r.Command.ElementName() {
		case "Replace":
			d.refresh = items[0].Data.Value
			return session.Response{}
		case "Get":
			return session.Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: t}, Data: syncml.Text(d.refresh)}}}
		}
		return session.Response{Code: syncml.StatusCommandNotAllowed}
	}
	u, err := declaredconfig.ParseURI(t)
	if err != nil {
		return session.Response{Code: syncml.StatusNotFound}
	}
	k := strings.ToUpper(u.DocID)
	doc := d.docs[k]
	switch {
	case u.Node == declaredconfig.NodeDocument && (r.Command.ElementName() == "Add" || r.Command.ElementName() == "Replace"):
		if d.refuse != 0 {
			return session.Response{Code: d.refuse}
		}
		if r.Command.ElementName() == "Add" && doc != nil && !doc.deleted {
			return session.Response{Code: syncml.StatusAlreadyExists}
		}
		if r.Command.ElementName() == "Replace" && (doc == nil || doc.deleted) {
			return session.Response{Code: syncml.StatusNotFound}
		}
		var dc declaredconfig.Document
		if items[0].Data == nil || dc.UnmarshalText([]byte(items[0].Data.Value)) != nil || dc.Validate(u) != nil {
			return session.Response{Code: syncml.StatusBadRequest}
		}
		if doc == nil {
			d.order = append(d.order, k)
		}
		nd := &simDoc{uri: u, checksum: dc.Checksum, state: declaredconfig.StateConfigCompletedSuccess}
		if len(dc.CSPs) > 0 {
			nd.csp, nd.settings = dc.CSPs[0].Name, dc.CSPs[0].Settings
		}
		switch {
		case d.transient:
			nd.state = declaredconfig.StateConfigInprogress
		case d.failApply && len(nd.settings) > 0:
			nd.state, nd.failing = declaredconfig.StateConfigCompletedError, nd.settings[0].Path
		}
		nd.rc = d.newRC(nd)
		d.docs[k] = nd
		return session.Response{}
	case u.Node == declaredconfig.NodeDocument && r.Command.ElementName() == "Delete":
		if doc == nil || doc.deleted || doc.uri.Host != u.Host || doc.uri.Scope != u.Scope {
			return session.Response{Code: syncml.StatusNotFound}
		}
		doc.deleted = true
		d.order = slices.DeleteFunc(d.order, func(x string) bool { return x == k })
		delete(d.docs, k)
		return session.Response{}
	case u.Node == declaredconfig.NodeResults && r.Command.ElementName() == "Get":
		if doc == nil || doc.deleted || d.noResults {
			return session.Response{Code: syncml.StatusNotFound}
		}
		text, err := d.result(doc).MarshalText()
		if err != nil {
			return session.Response{Code: syncml.StatusCommandFailed}
		}
		return session.Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: t}, Data: syncml.Text(string(text))}}}
	case u.Node == declaredconfig.NodeBulkVariables && r.Command.ElementName() == "Replace":
		d.vars[k] = items[0].Data.Value
		return session.Response{}
	case u.Node == declaredconfig.NodeAbandoned && r.Command.ElementName() == "Replace":
		d.abandoned[k] = strings.TrimSpace(items[0].Data.Value) == "1"
		return session.Response{}
	}
	return session.Response{Code: syncml.StatusCommandNotAllowed}
}

func (d *simDevice) result(doc *simDoc) *declaredconfig.Result {
	res := &declaredconfig.Result{Context: doc.uri.Scope.String(), Schema: "1.0", ID: doc.uri.DocID, Scenario: "MSFTVPN",
		Checksum: doc.checksum, ResultChecksum: doc.rc, Operation: "Set", State: strconv.Itoa(int(doc.state))}
	if doc.csp != "" {
		cr := declaredconfig.CSPResult{Name: doc.csp, State: strconv.Itoa(int(doc.state))}
		for _, s := range doc.settings {
			sr := declaredconfig.SettingResult{Path: s.Path, Status: "200", State: "60", Type: s.Type, Value: d.value}
			if s.Path == doc.failing {
				sr.Status, sr.State = "404", "61"
			}
			cr.Settings = append(cr.Settings, sr)
		}
		for i := range d.extra {
			cr.Settings = append(cr.Settings, declaredconfig.SettingResult{Path: "X" + strconv.Itoa(i), Status: "200"})
		}
		res.CSPs = append(res.CSPs, cr)
	}
	return res
}

// drift makes an in-sync document fail as an unrepaired drift: state
// 61, a new result_checksum, its first setting failing.
func (d *simDevice) drift(id string) bool {
	doc := d.docs[strings.ToUpper(id)]
	if doc == nil || doc.state != declaredconfig.StateConfigCompletedSuccess || len(doc.settings) == 0 {
		return false
	}
	doc.state, doc.failing = declaredconfig.StateConfigCompletedError, doc.settings[0].Path
	doc.rc = d.newRC(doc)
	return true
}

// settle finishes transient documents: they succeed.
func (d *simDevice) settle() {
	// In the order listed, so that two devices given the same history
	// number their result_checksums alike (TestSettledTwins).
	for _, k := range d.order {
		if doc := d.docs[k]; doc.state.Transient() {
			doc.state = declaredconfig.StateConfigCompletedSuccess
			doc.rc = d.newRC(doc)
		}
	}
}

func (d *simDevice) summary() *declaredconfig.Summary {
	s := &declaredconfig.Summary{Schema: "1.0"}
	for _, k := range d.order {
		doc := d.docs[k]
		s.Documents = append(s.Documents, declaredconfig.SummaryEntry{Context: doc.uri.Scope.String(), ID: doc.uri.DocID,
			Checksum: doc.checksum, ResultChecksum: doc.rc, State: strconv.Itoa(int(doc.state))})
	}
	return s
}

func (d *simDevice) summaryAlert() *syncml.Alert {
	text, err := d.summary().MarshalText()
	if err != nil {
		panic(err)
	}
	return session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, string(text))
}

// summaryAlerts returns the summary alert the device sends with a
// message: none when it is quiet and holds no document.
func (d *simDevice) summaryAlerts() []syncml.Command {
	if d.quiet && len(d.order) == 0 {
		return nil
	}
	return []syncml.Command{d.summaryAlert()}
}

func sameNode(a, b string) bool {
	la, err := syncml.ParseLocURI(a)
	if err != nil {
		return false
	}
	lb, err := syncml.ParseLocURI(b)
	return err == nil && la.Equal(lb)
}

// link connects a simDevice to a server Session whose BeforeReply runs a
// Reconciler; it records every message the server sends.
type link struct {
	t       testing.TB
	rec     *reconcile.Reconciler
	srv     *session.Session
	dev     *simDevice
	sent    []*syncml.Message // server messages
	errs    []error
	last    *syncml.Message // the device's last message (for replays)
	lastRaw []byte
	n       int
}

func newLink(t testing.TB, rec *reconcile.Reconciler, dev *simDevice) *link {
	l := &link{t: t, rec: rec, dev: dev}
	l.srv = session.NewSession(&session.Config{
		Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
				l.errs = append(l.errs, err)
			}
		},
	})
	return l
}

// roundTrip encodes and decodes m, as the wire would.
func roundTrip(t testing.TB, m *syncml.Message) ([]byte, *syncml.Message) {
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out syncml.Message
	if err := syncml.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v\n%s", err, b)
	}
	return b, &out
}

// toServer hands the device's message to the server; it returns the
// server's reply (nil when the session is over).
func (l *link) toServer(m *syncml.Message) *syncml.Message {
	raw, in := roundTrip(l.t, m)
	l.last, l.lastRaw = in, raw
	x, err := l.srv.Handle(context.Background(), &session.Inbound{Raw: raw, Message: in})
	if err != nil {
		l.t.Fatalf("server Handle: %v", err)
	}
	if x.Reply == nil {
		return nil
	}
	l.sent = append(l.sent, x.Reply)
	return x.Reply
}

// replay hands the device's last message to the server again.
func (l *link) replay() {
	if l.last == nil {
		return
	}
	x, err := l.srv.Handle(context.Background(), &session.Inbound{Raw: l.lastRaw})
	if err != nil {
		l.t.Fatalf("server Handle (replay): %v", err)
	}
	if !x.Replayed {
		l.t.Errorf("a byte-identical message was not taken as a replay")
	}
}

// session runs one whole session; drop, when >= 0, loses the device's
// message with that index (the session ends there, as on a network
// failure).
func (l *link) session(drop int) {
	l.n++
	ctx := context.Background()
	m, err := l.dev.client.Start(ctx, "S"+strconv.Itoa(l.n), l.dev.summaryAlerts()...)
	if err != nil {
		l.t.Fatal(err)
	}
	l.run(m, drop)
}

// run carries the session that the device's message m begins (its
// package 1) to its end; drop as in session.
func (l *link) run(m *syncml.Message, drop int) {
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		if i == drop {
			return
		}
		reply := l.toServer(m)
		if reply == nil {
			return
		}
		_, in := roundTrip(l.t, reply)
		x, err := l.dev.client.Handle(ctx, in)
		if err != nil {
			l.t.Fatalf("device Handle: %v", err)
		}
		if x.Done || x.Reply == nil {
			return
		}
		m = x.Reply
	}
	l.t.Fatalf("session %d does not end", l.n)
}

// commands returns "Cmd target" for every command the server sent.
func (l *link) commands() []string {
	var out []string
	for _, m := range l.sent {
		for _, c := range m.Body.Commands {
			switch c.(type) {
			case *syncml.Status, *syncml.Results:
				continue
			}
			t := ""
			if ts := syncml.Targets(c); len(ts) > 0 {
				t = ts[0]
			}
			out = append(out, c.ElementName()+" "+t)
		}
	}
	return out
}

func (l *link) noErrors() {
	l.t.Helper()
	for _, err := range l.errs {
		l.t.Errorf("Reconcile: %v", err)
	}
	l.errs = nil
}

// hold puts on the device, applied, a document the server never sent.
func (d *simDevice) hold(u declaredconfig.URI) {
	d.docs[u.DocID] = &simDoc{uri: u, checksum: "X", state: declaredconfig.StateConfigCompletedSuccess, rc: "R"}
	d.order = append(d.order, u.DocID)
}
