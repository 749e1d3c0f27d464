package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

func TestMuxRouting(t *testing.T) {
	var calls []string
	named := func(name string, code syncml.StatusCode) Handler {
		return HandlerFunc(func(_ context.Context, r *Request) Response {
			calls = append(calls, fmt.Sprintf("%s %s %v", name, r.Command.ElementName(), syncml.Targets(r.Command)))
			resp := Response{Code: code}
			if g, ok := r.Command.(*syncml.Get); ok {
				for _, it := range g.Items {
					resp.Results = append(resp.Results, syncml.Item{Source: it.Target, Data: syncml.Text(name)})
				}
			}
			return resp
		})
	}
	m := NewMux()
	m.Handle("", named("any", 200))
	m.Handle("Exec", named("exec", 200))
	if err := m.HandleSubtree("", "./Vendor/MSFT/DMClient", named("dmclient", 200)); err != nil {
		t.Fatal(err)
	}
	if err := m.HandleSubtree("Get", "./Device/Vendor/MSFT/DMClient/Provider", named("provider", 200)); err != nil {
		t.Fatal(err)
	}
	if err := m.HandleSubtree("", "./DevDetail", named("devdetail", 404)); err != nil {
		t.Fatal(err)
	}
	if err := m.HandleSubtree("", "/bad", nil); !errors.Is(err, syncml.ErrLocURI) {
		t.Errorf("bad prefix: %v", err)
	}
	item := func(u string) syncml.Item { return syncml.Item{Target: &syncml.Location{LocURI: u}} }
	ctx := context.Background()
	serve := func(c syncml.Command) Response { return m.ServeCommand(ctx, &Request{Command: c}) }

	serve(&syncml.Exec{Items: []syncml.Item{item("./X")}})
	serve(&syncml.Replace{Items: []syncml.Item{item("./Vendor/MSFT/DMClient/Provider/P/Priority")}})
	serve(&syncml.Alert{Data: syncml.Text("1224")})
	// Two items in one route: one call with both.
	serve(&syncml.Get{Items: []syncml.Item{item("./Vendor/MSFT/DMClient/Provider/P/A"), item("./Device/Vendor/MSFT/DMClient/Provider/P/B")}})
	// Items in different routes: split, joined in item order.
	resp := serve(&syncml.Get{Items: []syncml.Item{item("./DevDetail/SwV"), item("./Vendor/MSFT/DMClient/HWDevID")}})
	want := []string{
		"exec Exec [./X]",
		"dmclient Replace [./Vendor/MSFT/DMClient/Provider/P/Priority]",
		"any Alert []",
		"provider Get [./Vendor/MSFT/DMClient/Provider/P/A ./Device/Vendor/MSFT/DMClient/Provider/P/B]",
		"devdetail Get [./DevDetail/SwV]",
		"dmclient Get [./Vendor/MSFT/DMClient/HWDevID]",
	}
	if d := cmp.Diff(want, calls); d != "" {
		t.Errorf("routes (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]syncml.StatusCode{404, 200}, resp.ItemCodes); d != "" {
		t.Errorf("joined codes: %s", d)
	}
	if len(resp.Results) != 2 || resp.Results[1].Data.Value != "dmclient" {
		t.Errorf("joined results %+v", resp.Results)
	}
	if got := NewMux().ServeCommand(ctx, &Request{Command: &syncml.Delete{}}); got.code(-1) != syncml.StatusNotFound {
		t.Errorf("empty mux: %v", got.code(-1))
	}
}

func newTestClient(t *testing.T, h Handler) *Client {
	t.Helper()
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: h,
		DevInfo: DevInfo{DevID: "DEV1", Man: "Contoso", Mod: "Surface", DmV: "1.3", Lang: "en-US"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientPackage1(t *testing.T) {
	c := newTestClient(t, nil)
	m, err := c.Start(context.Background(), "0", NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1:Alert", "2:Alert", "3:Replace"}, summary(m)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	h := m.Header
	if h.SessionID != "0" || h.MsgID != "1" || h.Source.LocURI != "DEV1" || h.Target.LocURI != "https://mdm.example/ManagementServer/MDM.svc" || m.XMLNS != syncml.NamespaceSyncML12 {
		t.Errorf("header %+v", h)
	}
	ev := m.Body.Commands[1].(*syncml.Alert)
	if ev.Items[0].Meta.Type != "com.microsoft/MDM/LoginStatus" || ev.Items[0].Data.Value != "user" {
		t.Errorf("client event %+v", ev.Items[0])
	}
	if r := m.Body.Commands[2].(*syncml.Replace); len(r.Items) != 5 || r.Items[4].Source.LocURI != "./DevInfo/Lang" {
		t.Errorf("DevInfo %+v", r.Items)
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := NewClient(ClientConfig{}); err == nil {
		t.Error("NewClient without DeviceID accepted")
	}
	for ns, ok := range map[string]bool{"urn:example:other": false, "syncml:metinf": false, "SYNCML:SYNCML1.1": true, "syncml:syncml1.2": true} {
		if _, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", XMLNS: ns, VerDTD: "1.2"}); (err == nil) != ok {
			t.Errorf("NewClient with XMLNS %q: %v", ns, err)
		}
	}
	if _, err := (&Client{}).Handle(context.Background(), m); !errors.Is(err, ErrState) {
		t.Errorf("Handle before Start: %v", err)
	}
}

func TestClientAnswersConformance(t *testing.T) {
	raw := conformance(t, "058-mattrax-msmdm-basic-L8.xml")
	mux := NewMux()
	_ = mux.HandleSubtree("Get", "./DevDetail/SwV", HandlerFunc(func(_ context.Context, r *Request) Response {
		return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./DevDetail/SwV"}, Data: syncml.Text("10.0")}}}
	}))
	c := newTestClient(t, mux)
	if _, err := c.Start(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m.Header.Target.LocURI = "DEV1" // the message was for another device
	x, err := c.Handle(context.Background(), &m)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/2 Get 200)", "3:Results", "4:Status(1/3 Get 404)"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	res := x.Reply.Body.Commands[2].(*syncml.Results)
	if res.MsgRef != "1" || res.CmdRef != "2" || res.Items[0].Data.Value != "10.0" {
		t.Errorf("Results %+v", res)
	}
	if x.Reply.Header.MsgID != "2" || x.Done {
		t.Errorf("MsgID %s done %v", x.Reply.Header.MsgID, x.Done)
	}
	// A server message with only Statuses ends the session.
	x, err = c.Handle(context.Background(), &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: "2", Target: syncml.Location{LocURI: "DEV1"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{&syncml.Status{CmdID: "1", MsgRef: "2", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}}}})
	if err != nil || !x.Done || x.Reply != nil {
		t.Errorf("end: %v %+v", err, x)
	}
}

func TestClientAtomicConformance(t *testing.T) {
	raw := conformance(t, "081-cm-omadm-dm12-testalertconfirmatomic.xml")
	mux := NewMux()
	mux.Handle("Alert", HandlerFunc(func(context.Context, *Request) Response { return Response{Code: syncml.StatusNotModified} }))
	replaced := 0
	_ = mux.HandleSubtree("Replace", "./DevDetail", HandlerFunc(func(context.Context, *Request) Response { replaced++; return Response{} }))
	c := newTestClient(t, mux)
	_, _ = c.Start(context.Background(), "11")
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m.Header.Target.LocURI = "DEV1" // the message was for another device
	x, err := c.Handle(context.Background(), &m)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Atomic 507)", "3:Status(1/2 Alert 304)", "4:Status(1/3 Replace 215)"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if replaced != 0 {
		t.Error("a command after the failing one ran")
	}
}

// testServer serves one Session per device over HTTP, for the loopback
// tests of this stage (the package's own http.Handler comes later).
type testServer struct {
	mu       sync.Mutex
	sessions map[string]*Session
	cfg      *Config
	outcomes []Outcome
	posts    int
}

func (ts *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.posts++
	s := ts.sessions[m.Header.Source.LocURI]
	if s == nil {
		s = NewSession(ts.cfg)
		ts.sessions[m.Header.Source.LocURI] = s
		_ = s.Queue(
			&syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/A"}, Data: syncml.Text("1")}}},
			&syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/A/Run"}}}},
			get("./DevDetail/SwV"))
	}
	x, err := s.Handle(r.Context(), &Inbound{Raw: raw, Message: &m, Header: r.Header})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts.outcomes = append(ts.outcomes, x.Outcomes...)
	w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
	_, _ = w.Write(x.Raw)
}

func post(t *testing.T, url string, raw []byte) *syncml.Message {
	t.Helper()
	resp, err := http.Post(url, "application/vnd.syncml.dm+xml", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestTwoPeersLoopback(t *testing.T) {
	ts := &testServer{sessions: map[string]*Session{}, cfg: &Config{}}
	srv := httptest.NewServer(ts)
	defer srv.Close()

	var ran []string
	mux := NewMux()
	_ = mux.HandleSubtree("", "./Vendor/MSFT/Policy", HandlerFunc(func(_ context.Context, r *Request) Response {
		ran = append(ran, r.Command.ElementName())
		return Response{}
	}))
	_ = mux.HandleSubtree("Get", "./DevDetail", HandlerFunc(func(context.Context, *Request) Response {
		return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./DevDetail/SwV"}, Data: syncml.Text("10.0")}}}
	}))
	c := newTestClient(t, mux)
	ctx := context.Background()
	m, err := c.Start(ctx, "2A")
	if err != nil {
		t.Fatal(err)
	}
	var clientOutcomes []Outcome
	for i := 0; ; i++ {
		if i > 10 {
			t.Fatal("session does not end")
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, post(t, srv.URL, raw))
		if err != nil {
			t.Fatal(err)
		}
		clientOutcomes = append(clientOutcomes, x.Outcomes...)
		if x.Done {
			break
		}
		m = x.Reply
	}
	if d := cmp.Diff([]string{"Add", "Exec"}, ran); d != "" {
		t.Errorf("device ran (-want +got):\n%s", d)
	}
	var got []string
	for _, o := range ts.outcomes {
		code, _ := o.Code()
		s := fmt.Sprintf("%s %d", o.Command.ElementName(), code)
		for _, r := range o.Results {
			s += " " + r.Items[0].Data.Value
		}
		got = append(got, s)
	}
	if d := cmp.Diff([]string{"Add 200", "Exec 200", "Get 200 10.0"}, got); d != "" {
		t.Errorf("server outcomes (-want +got):\n%s", d)
	}
	if len(clientOutcomes) != 2 { // the client's Alert 1201 and DevInfo Replace
		t.Errorf("client outcomes %+v", clientOutcomes)
	}
	if ts.posts != 2 {
		t.Errorf("%d posts, want 2 (package 1, answers)", ts.posts)
	}
}

func TestClientChallenge(t *testing.T) {
	auth := AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
		cr := in.Message.Header.Cred
		if cr == nil || cr.Data == nil || cr.Data.Value != "secret" {
			return AuthDecision{Code: syncml.StatusInvalidCredentials, Chal: &syncml.Chal{Meta: &syncml.Meta{Type: "syncml:auth-basic", Format: "b64"}}}, nil
		}
		return AuthDecision{Identity: Identity{User: "u", Method: "basic"}}, nil
	})
	s := NewSession(&Config{Authenticator: auth})
	_ = s.Queue(get("./A"))
	var chals []*syncml.Chal
	creds := credFunc(func(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
		chals = append(chals, chal)
		if chal == nil {
			return nil, nil
		}
		return &syncml.Cred{Meta: &syncml.Meta{Type: chal.Meta.Type, Format: "b64"}, Data: syncml.Text("secret")}, nil
	})
	c, _ := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Credentials: creds})
	ctx := context.Background()
	m, _ := c.Start(ctx, "9")
	x := handle(t, s, mustMarshal(t, m))
	if code, _ := x.Reply.Body.Commands[0].(*syncml.Status).Code(); code != 401 {
		t.Fatalf("first answer %d", code)
	}
	cx, err := c.Handle(ctx, x.Reply)
	if err != nil {
		t.Fatal(err)
	}
	if cx.Reply.Header.MsgID != "2" || cx.Reply.Header.Cred == nil || len(chals) != 2 || chals[1] == nil {
		t.Fatalf("retry %+v chals %v", cx.Reply.Header, chals)
	}
	x = handle(t, s, mustMarshal(t, cx.Reply))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/1 Alert 200)", "3:Get"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// A client that keeps being refused gives up after MaxAuthRetries.
	c2, _ := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxAuthRetries: 1,
		Credentials: credFunc(func(context.Context, *syncml.Chal) (*syncml.Cred, error) { return nil, nil })})
	m, _ = c2.Start(ctx, "10")
	s2 := NewSession(&Config{Authenticator: auth})
	for i := 0; ; i++ {
		x := handle(t, s2, mustMarshal(t, m))
		cx, err := c2.Handle(ctx, x.Reply)
		if err != nil {
			if i != 1 {
				t.Errorf("gave up after %d retries: %v", i, err)
			}
			break
		}
		m = cx.Reply
	}
}

func TestClientAbort(t *testing.T) {
	c := newTestClient(t, nil)
	_, _ = c.Start(context.Background(), "1")
	abort := NewAlert(syncml.AlertSessionAbort)
	abort.CmdID = "1"
	x, err := c.Handle(context.Background(), &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: "1", Target: syncml.Location{LocURI: "DEV1"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{abort}}})
	if err != nil {
		t.Fatal(err)
	}
	if !x.Done || len(x.Reply.Body.Commands) != 2 || len(x.Outcomes) != 2 || !x.Outcomes[0].Abandoned {
		t.Errorf("abort: done %v reply %v outcomes %d", x.Done, summary(x.Reply), len(x.Outcomes))
	}
	if _, err := c.Handle(context.Background(), &syncml.Message{Header: syncml.Header{SessionID: "other", MsgID: "2"}}); !errors.Is(err, ErrProtocol) {
		t.Errorf("wrong SessionID: %v", err)
	}
}

type credFunc func(context.Context, *syncml.Chal) (*syncml.Cred, error)

func (f credFunc) Cred(ctx context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
	return f(ctx, chal)
}

func (credFunc) Sign(context.Context, *syncml.Chal, []byte, http.Header) error { return nil }

// signFunc is Credentials that send no Cred and sign every body.
type signFunc func(ctx context.Context, body []byte, h http.Header) error

func (signFunc) Cred(context.Context, *syncml.Chal) (*syncml.Cred, error) { return nil, nil }

func (f signFunc) Sign(ctx context.Context, _ *syncml.Chal, body []byte, h http.Header) error {
	return f(ctx, body, h)
}

func mustMarshal(t *testing.T, m *syncml.Message) []byte {
	t.Helper()
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
