package agent_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// brk2Server is a WinDC server on loopback that sends cmds in its first
// reply and records the codes of the device's Statuses for them (by
// CmdRef) and the device's 1224 alerts, then ends the session.
type brk2Server struct {
	t      *testing.T
	cmds   []syncml.Command
	mu     sync.Mutex
	codes  map[string]string // CmdRef -> code
	alerts int               // 1224 alerts seen
	posts  int
	// announce, when set, is the MaxMsgSize announced in every reply.
	announce int
}

func (s *brk2Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Error(err)
		return
	}
	var m syncml.Message
	if err := syncml.Unmarshal(body, &m); err != nil {
		s.t.Errorf("device message: %v", err)
		w.WriteHeader(400)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts++
	var out []syncml.Command
	out = append(out, &syncml.Status{MsgRef: m.Header.MsgID, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()})
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status:
			if c.MsgRef == "1" && c.Cmd != "SyncHdr" {
				s.codes[c.CmdRef] = c.Data.Value
			}
			continue
		case *syncml.Results:
			continue
		case *syncml.Alert:
			if c.Data != nil && c.Data.Value == "1224" {
				s.alerts++
			}
		}
		out = append(out, &syncml.Status{MsgRef: m.Header.MsgID, CmdRef: c.ID(), Cmd: c.ElementName(), Data: syncml.StatusOK.Data()})
	}
	first := len(out)
	if s.posts == 1 {
		out = append(out, s.cmds...)
	}
	syncml.NumberCommands(out[:first], 1)
	if s.posts == 1 {
		syncml.NumberCommands(out[first:], first+1)
	}
	reply := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2",
		SessionID: m.Header.SessionID, MsgID: fmt.Sprint(s.posts),
		Target: m.Header.Source, Source: m.Header.Target},
		Body: syncml.Body{Final: true, Commands: out}}
	if s.announce > 0 {
		reply.Header.Meta = &syncml.Meta{MaxMsgSize: fmt.Sprint(s.announce)}
	}
	raw, err := syncml.Marshal(reply)
	if err != nil {
		s.t.Error(err)
		w.WriteHeader(500)
		return
	}
	w.Header().Set("Content-Type", session.ContentType)
	_, _ = w.Write(raw)
}

// brk2Run runs one session of a device whose Agent sits behind a
// session.Client (Handler, EachMessage and Unmarshal, as the package
// doc wires them) against a server that sends cmds, and returns the
// device's codes for them in order.
func brk2Run(t *testing.T, a *agent.Agent, cmds []syncml.Command) ([]string, *brk2Server) {
	t.Helper()
	s := &brk2Server{t: t, cmds: cmds, codes: map[string]string{}}
	if _, err := brk2Session(t, a, s); err != nil {
		t.Fatalf("Run: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var codes []string
	for _, cmd := range cmds {
		codes = append(codes, s.codes[cmd.ID()])
	}
	return codes, s
}

// brk2Session runs one session of the device of a against s and
// returns what Run returned.
func brk2Session(t *testing.T, a *agent.Agent, s *brk2Server) ([]session.Outcome, error) {
	t.Helper()
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:dev-1", ServerURI: "https://mdm.example/windc",
		Handler: mux, EachMessage: a.EachMessage, Unmarshal: a.Unmarshal})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.Run(ctx, srv.Client(), srv.URL, "1")
	srv.Client().CloseIdleConnections()
	return out, err
}

func brk2Doc(id string) *declaredconfig.Document {
	return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "A1", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "P" + id[:8] + "/AlwaysOn", Type: "bool", Value: "true"}}}}}
}

func brk2ID(i int) string { return fmt.Sprintf("%08X-0000-4000-8000-000000000000", i) }

func brk2Add(t *testing.T, id string, d *declaredconfig.Document) *syncml.Add {
	t.Helper()
	add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id), d, syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	return add
}

// brk2RawAdd is an Add of data, as is, to the Document node of id.
func brk2RawAdd(id, data string) *syncml.Add {
	return &syncml.Add{Items: []syncml.Item{{
		Target: &syncml.Location{LocURI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id).String()},
		Data:   syncml.Text(data)}}}
}

// TestBrk2AgentMalformedDocumentsOverSession: documents a server sends
// broken (not XML, a wrong root, an ID other than the node's: 400) or
// too large (nested beyond MaxDepth, beyond MaxBytes: 413) are refused
// each in the reply of the same session, while a good document of the
// same message is accepted; nothing of a refused one is kept.
func TestBrk2AgentMalformedDocumentsOverSession(t *testing.T) {
	a, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{},
		Limits: declaredconfig.Limits{MaxBytes: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	good := brk2ID(1)
	cmds := []syncml.Command{
		brk2RawAdd(brk2ID(2), "garbage <<"),
		brk2RawAdd(brk2ID(3), strings.Repeat("<a>", 200)+strings.Repeat("</a>", 200)),
		brk2RawAdd(brk2ID(4), `<Other/>`),
		brk2Add(t, brk2ID(5), brk2Doc(brk2ID(5))),
		brk2RawAdd(brk2ID(6), `<DeclaredConfiguration schema="1.0" context="Device" id="`+brk2ID(6)+`" checksum="1" osdefinedscenario="MSFTVPN"><CSP name="./Vendor/MSFT/VPNv2"><URI path="X/Y" type="chr">`+strings.Repeat("v", 8192)+`</URI></CSP></DeclaredConfiguration>`),
		brk2Add(t, good, brk2Doc(good)),
	}
	// The Add for ID 5 goes to ID 5's node with a document naming ID 7.
	wrong := brk2Doc(brk2ID(7))
	raw, err := wrong.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	cmds[3] = brk2RawAdd(brk2ID(5), string(raw))
	codes, _ := brk2Run(t, a, cmds)
	want := []string{"400", "413", "400", "400", "413", "200"}
	for i := range want {
		if codes[i] != want[i] {
			t.Errorf("command %d: code %q, want %s", i, codes[i], want[i])
		}
	}
	if n := len(a.Summary().Documents); n != 1 {
		t.Errorf("%d documents kept, want only the good one", n)
	}
}

// TestBrk2AgentThousandsOfDocumentsOverSession: a server that sends more
// documents than MaxDocuments in one message gets 420 for each past the
// bound, and the device's 1224 summary stays within MaxSummaryBytes (an
// alert too large is refused by the session, not sent whole); the
// session completes.
func TestBrk2AgentThousandsOfDocumentsOverSession(t *testing.T) {
	const max, n = 50, 400
	a, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}, MaxDocuments: max})
	if err != nil {
		t.Fatal(err)
	}
	var cmds []syncml.Command
	for i := range n {
		id := brk2ID(i + 1)
		cmds = append(cmds, brk2Add(t, id, brk2Doc(id)))
	}
	codes, s := brk2Run(t, a, cmds)
	ok, full := 0, 0
	for i, c := range codes {
		switch c {
		case "200":
			ok++
		case "420":
			full++
		default:
			t.Errorf("document %d: code %q", i, c)
		}
	}
	if ok != max || full != n-max {
		t.Errorf("%d accepted and %d refused 420; want %d and %d", ok, full, max, n-max)
	}
	if got := len(a.Summary().Documents); got != max {
		t.Errorf("%d documents kept, want %d", got, max)
	}
	if s.alerts == 0 {
		t.Error("no 1224 summary reached the server")
	}
}

// TestBrk2AgentHugeDocumentOverSession: with the defaults of both sides,
// a 3 MiB document (within the Client's DefaultMaxBytes, beyond the
// agent's 1 MiB Limits.MaxBytes) is refused 413 and not kept, and one
// of many settings beyond MaxSettings too; the session completes.
func TestBrk2AgentHugeDocumentOverSession(t *testing.T) {
	a, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}, MaxSettings: 100})
	if err != nil {
		t.Fatal(err)
	}
	big := `<DeclaredConfiguration schema="1.0" context="Device" id="` + brk2ID(1) + `" checksum="1" osdefinedscenario="MSFTVPN"><CSP name="./Vendor/MSFT/VPNv2"><URI path="X/Y" type="chr">` + strings.Repeat("v", 3<<20) + `</URI></CSP></DeclaredConfiguration>`
	many := brk2Doc(brk2ID(2))
	for i := range 101 {
		many.CSPs[0].Settings = append(many.CSPs[0].Settings, declaredconfig.Setting{Path: fmt.Sprintf("S%d/AlwaysOn", i), Type: "bool", Value: "true"})
	}
	codes, _ := brk2Run(t, a, []syncml.Command{brk2RawAdd(brk2ID(1), big), brk2Add(t, brk2ID(2), many)})
	if codes[0] != "413" || codes[1] != "413" {
		t.Errorf("codes %q, want 413 for both", codes)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("%d documents kept, want none", n)
	}
}

// TestBrk2AgentSummaryOverServerMaxMsgSize: a server that announces a
// MaxMsgSize smaller than the device's 1224 summary (30 documents held,
// 2 KB announced) gets no summary it cannot take: Run ends with an error
// matching ErrLimit or the summary's Outcome carries one; nothing panics
// and the session ends within its bounds.
func TestBrk2AgentSummaryOverServerMaxMsgSize(t *testing.T) {
	a, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}})
	if err != nil {
		t.Fatal(err)
	}
	var cmds []syncml.Command
	for i := range 30 {
		id := brk2ID(i + 1)
		cmds = append(cmds, brk2Add(t, id, brk2Doc(id)))
	}
	brk2Run(t, a, cmds)
	s := &brk2Server{t: t, codes: map[string]string{}, announce: 2048,
		cmds: []syncml.Command{&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}}}}}}
	out, err := brk2Session(t, a, s)
	t.Logf("Run: %v; %d Outcomes; %d posts, %d summaries", err, len(out), s.posts, s.alerts)
	if err != nil {
		if !errors.Is(err, session.ErrLimit) {
			t.Errorf("Run: %v; want an error matching ErrLimit", err)
		}
		return
	}
	limited := 0
	for _, o := range out {
		if errors.Is(o.Err, session.ErrLimit) {
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("no Outcome tells of the summary the server's MaxMsgSize could not carry (%d posts, %d summaries reached it)", s.posts, s.alerts)
	}
}

// TestBrk2AgentManyResultsOverServer: a session.Server that announces a
// 128 KiB MaxMsgSize declares 300 documents to an Agent behind a
// session.Client in one session (its messages spread over several), then
// asks in the next session for the result document of each: every Add is
// answered 200 and every Get with its Results, the device's answers
// spread over the messages the server's MaxMsgSize allows.
func TestBrk2AgentManyResultsOverServer(t *testing.T) {
	const n = 300
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, MaxSummaryBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	codes := map[string]int{}
	results := 0
	// An Outcome comes again for Results that arrive after the Status
	// (in a later message of the device's package): count each Get once.
	gotGets := map[string]bool{}
	srv := session.NewServer(session.ServerConfig{
		Session: session.Config{MaxMsgSize: 128 << 10, AnnounceMaxMsgSize: 128 << 10},
		OnExchange: func(_ context.Context, x *session.Exchange) {
			mu.Lock()
			defer mu.Unlock()
			for _, o := range x.Outcomes {
				code := "none"
				if o.Status != nil {
					code = o.Status.Data.Value
				}
				if o.Err != nil || o.Abandoned {
					code = fmt.Sprintf("err %v abandoned %v", o.Err, o.Abandoned)
				}
				if _, ok := o.Command.(*syncml.Get); ok {
					key := o.SessionID + "/" + o.MsgID + "/" + o.Command.ID()
					if gotGets[key] {
						code = "again"
					}
					gotGets[key] = true
				}
				codes[o.Command.ElementName()+" "+code]++
				if _, ok := o.Command.(*syncml.Get); ok && len(o.Results) == 1 && strings.Contains(o.Results[0].Items[0].Data.Value, "DeclaredConfigurationResult") {
					results++
				}
			}
		},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	hc := hs.Client()
	defer hc.CloseIdleConnections()
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:dev-1", ServerURI: hs.URL,
		Handler: mux, EachMessage: a.EachMessage, Unmarshal: a.Unmarshal})
	if err != nil {
		t.Fatal(err)
	}
	var adds, gets []syncml.Command
	for i := range n {
		id := brk2ID(i + 1)
		adds = append(adds, brk2Add(t, id, brk2Doc(id)))
		g, err := declaredconfig.GetResults(declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, id))
		if err != nil {
			t.Fatal(err)
		}
		gets = append(gets, g)
	}
	if err := srv.Queue(ctx, "urn:uuid:dev-1", adds...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, hc, hs.URL, "1"); err != nil {
		t.Fatalf("session 1: %v", err)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Queue(ctx, "urn:uuid:dev-1", gets...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, hc, hs.URL, "2"); err != nil {
		t.Fatalf("session 2: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	delete(codes, "Get again")
	if len(codes) != 2 || codes["Add 200"] != n || codes["Get 200"] != n || results != n {
		t.Errorf("server Outcomes %v, %d Results documents; want %d Adds and Gets answered 200, each Get with its result", codes, results, n)
	}
}
