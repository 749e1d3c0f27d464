package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

func doPost(t *testing.T, url, ctype string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// postSyncML posts raw, a SyncML message, to url with hc, with the
// x-syncml-hmac header hmac when it is not empty, and returns the HTTP
// status and the answer's bytes.
func postSyncML(t *testing.T, hc *http.Client, url string, raw []byte, hmac string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ContentType)
	if hmac != "" {
		req.Header.Set(HMACHeaderName, hmac)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// postReply is postSyncML of a message the server answers with a reply
// (200): it returns the reply, parsed, and its bytes.
func postReply(t *testing.T, hc *http.Client, url string, raw []byte, hmac string) (*syncml.Message, []byte) {
	t.Helper()
	code, b := postSyncML(t, hc, url, raw, hmac)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, b)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m, b
}

func TestServerHTTPStatus(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(NewServer(ServerConfig{MaxBytes: 2048, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	defer srv.Close()
	good := devMsg("1", "1", alert1201)
	tests := []struct {
		name  string
		ctype string
		body  []byte
		want  int
	}{
		{"valid", ContentType, good, 200},
		{"charset parameter", `application/vnd.syncml.dm+xml; charset="utf-8"`, devMsg("2", "1", alert1201), 200},
		{"upper case type", `Application/VND.SyncML.DM+XML;charset=UTF-8`, devMsg("3", "1", alert1201), 200},
		{"wbxml", "application/vnd.syncml.dm+wbxml", good, 415},
		{"text/xml", "text/xml", good, 415},
		{"no content type", "", good, 415},
		{"bad media type", "application/", good, 415},
		{"empty body", ContentType, nil, 400},
		{"not xml", ContentType, []byte("hello"), 400},
		{"second root", ContentType, append(append([]byte(nil), good...), "<SyncML/>"...), 400},
		{"root not SyncML", ContentType, []byte(`<Foo><SyncHdr/></Foo>`), 400},
		{"root in another namespace", ContentType, bytes.Replace(devMsg("7", "1", alert1201), []byte("SYNCML:SYNCML1.2"), []byte("urn:example:other"), 1), 400},
		{"prefixed root in another namespace", ContentType, []byte(strings.NewReplacer(`<SyncML xmlns="SYNCML:SYNCML1.2">`, `<o:SyncML xmlns:o="urn:example:other" xmlns="SYNCML:SYNCML1.2">`,
			`</SyncML>`, `</o:SyncML>`).Replace(string(devMsg("8", "1", alert1201)))), 400},
		{"root in SyncML 1.2, lower case", ContentType, bytes.Replace(devMsg("9", "1", alert1201), []byte("SYNCML:SYNCML1.2"), []byte("syncml:syncml1.2"), 1), 200},
		{"root in SyncML 1.1", ContentType, bytes.Replace(devMsg("10", "1", alert1201), []byte("SYNCML:SYNCML1.2"), []byte("SYNCML:SYNCML1.1"), 1), 200},
		{"root in no namespace", ContentType, bytes.Replace(devMsg("11", "1", alert1201), []byte(` xmlns="SYNCML:SYNCML1.2"`), nil, 1), 200},
		{"no SessionID", ContentType, []byte(`<SyncML><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody/></SyncML>`), 400},
		{"no Source", ContentType, bytes.Replace(devMsg("6", "1", alert1201), []byte("<Source><LocURI>DEV1</LocURI></Source>"), nil, 1), 400},
		{"CmdID used twice", ContentType, devMsg("12", "1", alert1201+strings.Replace(alert1201, "1201", "1224", 1)), 400},
		{"CmdID 0", ContentType, devMsg("13", "1", strings.Replace(alert1201, "<CmdID>1</CmdID>", "<CmdID>0</CmdID>", 1)), 400},
		{"no CmdID", ContentType, devMsg("14", "1", strings.Replace(alert1201, "<CmdID>1</CmdID>", "", 1)), 400},
		{"over the bound", ContentType, devMsg("4", "1", strings.Repeat(alert1201, 100)), 413},
		{"still serving", ContentType, devMsg("5", "1", alert1201), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := doPost(t, srv.URL, tc.ctype, tc.body)
			if code != tc.want {
				t.Fatalf("HTTP %d, want %d: %s", code, tc.want, body)
			}
			if code == 200 {
				if hdr.Get("Content-Type") != ContentType {
					t.Errorf("reply content type %q", hdr.Get("Content-Type"))
				}
				var m syncml.Message
				if err := syncml.Unmarshal(body, &m); err != nil {
					t.Errorf("reply: %v", err)
				}
			}
		})
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "level=DEBUG msg=\"session exchange\" device=DEV1 ") {
		t.Errorf("no exchange log:\n%s", logs.String())
	}
	for _, want := range []string{`level=WARN msg="request refused" status=415`, `level=WARN msg="request refused" status=413`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestServerLogLevels: a Server logs an exchange at Debug, so that a
// logger at Info writes nothing for a request answered 200, and a refusal
// at Warn.
func TestServerLogLevels(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(NewServer(ServerConfig{Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	if code, body, _ := doPost(t, srv.URL, ContentType, devMsg("1", "1", alert1201)); code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	if logs.Len() != 0 {
		t.Errorf("an exchange logged at Info:\n%s", logs.String())
	}
	if code, _, _ := doPost(t, srv.URL, "text/xml", devMsg("2", "1", alert1201)); code != 415 {
		t.Fatalf("HTTP %d, want 415", code)
	}
	if !strings.Contains(logs.String(), `level=WARN msg="request refused" status=415 why="content type text/xml"`) {
		t.Errorf("refusal:\n%s", logs.String())
	}
}

// outcomeLog collects the outcomes a Server reports.
type outcomeLog struct {
	mu  sync.Mutex
	got []string
}

func (l *outcomeLog) add(_ context.Context, x *Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, o := range x.Outcomes {
		code, _ := o.Code()
		s := fmt.Sprintf("%s %s %d", x.Identity.Device, o.Command.ElementName(), code)
		for _, r := range o.Results {
			for _, it := range r.Items {
				s += " " + it.Data.Value
			}
		}
		l.got = append(l.got, s)
	}
}

func deviceMux() *Mux {
	mux := NewMux()
	_ = mux.HandleSubtree("Get", "./DevDetail", HandlerFunc(func(_ context.Context, r *Request) Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text("v:" + it.Target.LocURI)})
		}
		return Response{Results: items}
	}))
	_ = mux.HandleSubtree("", "./Vendor/MSFT", Accept)
	return mux
}

func runDevice(t *testing.T, hc *http.Client, url, device, sessionID string) []Outcome {
	t.Helper()
	c, err := NewClient(ClientConfig{DeviceID: device, ServerURI: url, Handler: deviceMux(), DevInfo: DevInfo{DevID: device, Lang: "en-US"}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(context.Background(), hc, url, sessionID, NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user"))
	if err != nil {
		t.Fatalf("%s: %v", device, err)
	}
	return outs
}

func TestServerAndClientOverHTTP(t *testing.T) {
	log := &outcomeLog{}
	type key struct{}
	var ctxSeen atomic.Int32
	s := NewServer(ServerConfig{OnExchange: log.add, Session: Config{Handler: HandlerFunc(func(ctx context.Context, r *Request) Response {
		if ctx.Value(key{}) == "through" {
			ctxSeen.Add(1)
		}
		return Response{}
	})}})
	ctx := context.Background()
	if err := s.Queue(ctx, "DEV1", &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/X"}, Data: syncml.Text("<a>&amp;</a>")}}},
		&syncml.Sequence{Commands: []syncml.Command{get("./DevDetail/SwV"), get("./DevDetail/OEM")}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "through")))
	}))
	defer srv.Close()
	outs := runDevice(t, srv.Client(), srv.URL, "DEV1", "1")
	want := []string{"DEV1 Replace 200", "DEV1 Sequence 200", "DEV1 Get 200 v:./DevDetail/SwV", "DEV1 Get 200 v:./DevDetail/OEM"}
	if d := cmp.Diff(want, log.got); d != "" {
		t.Errorf("server outcomes (-want +got):\n%s", d)
	}
	if len(outs) != 3 { // 1201, 1224, DevInfo Replace
		t.Errorf("client outcomes %d", len(outs))
	}
	if ctxSeen.Load() != 2 { // the 1224 Alert and the DevInfo Replace
		t.Errorf("context reached %d handler calls, want 2", ctxSeen.Load())
	}
	// A second session: nothing queued, the Results of the first are gone
	// from the state.
	log.got = nil
	runDevice(t, srv.Client(), srv.URL, "DEV1", "2")
	if len(log.got) != 0 {
		t.Errorf("second session outcomes %v", log.got)
	}
}

func TestServerManyDevices(t *testing.T) {
	log := &outcomeLog{}
	s := NewServer(ServerConfig{OnExchange: log.add})
	srv := httptest.NewServer(s)
	defer srv.Close()
	const n = 8
	for i := range n {
		if err := s.Queue(context.Background(), fmt.Sprint("D", i), get(fmt.Sprint("./DevDetail/N", i))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runDevice(t, srv.Client(), srv.URL, fmt.Sprint("D", i), "1")
		}()
	}
	wg.Wait()
	if len(log.got) != n {
		t.Fatalf("outcomes %v", log.got)
	}
	for _, g := range log.got {
		var d, n string
		if _, err := fmt.Sscanf(g, "D%s Get 200 v:./DevDetail/N%s", &d, &n); err != nil || d != n {
			t.Errorf("outcome %q crosses devices", g)
		}
	}
}

// roundRobin sends each request to the next of several servers.
type roundRobin struct {
	urls []string
	next atomic.Int32
	hits []atomic.Int32
}

func (rr *roundRobin) RoundTrip(r *http.Request) (*http.Response, error) {
	i := int(rr.next.Add(1)-1) % len(rr.urls)
	rr.hits[i].Add(1)
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Host = strings.TrimPrefix(rr.urls[i], "http://")
	r2.URL = &u
	r2.Host = u.Host
	return http.DefaultTransport.RoundTrip(r2)
}

func TestTwoServersOneStore(t *testing.T) {
	store := NewMemoryStore()
	log := &outcomeLog{}
	a := NewServer(ServerConfig{Store: store, OnExchange: log.add})
	b := NewServer(ServerConfig{Store: store, OnExchange: log.add})
	sa, sb := httptest.NewServer(a), httptest.NewServer(b)
	defer sa.Close()
	defer sb.Close()
	_ = a.Queue(context.Background(), "DEV1", get("./DevDetail/A"))
	_ = a.Queue(context.Background(), "DEV1", &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/B"}, Data: syncml.Text("1")}}})
	rr := &roundRobin{urls: []string{sa.URL, sb.URL}, hits: make([]atomic.Int32, 2)}
	hc := &http.Client{Transport: rr}
	runDevice(t, hc, sa.URL, "DEV1", "1")
	// Queued through the other instance between sessions.
	_ = b.Queue(context.Background(), "DEV1", get("./DevDetail/C"))
	runDevice(t, hc, sa.URL, "DEV1", "2")
	want := []string{"DEV1 Get 200 v:./DevDetail/A", "DEV1 Replace 200", "DEV1 Get 200 v:./DevDetail/C"}
	if d := cmp.Diff(want, log.got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if rr.hits[0].Load() == 0 || rr.hits[1].Load() == 0 {
		t.Errorf("round robin did not use both: %d %d", rr.hits[0].Load(), rr.hits[1].Load())
	}
}

// racyStore lets another writer change the state once between a Load and
// the CompareAndSwap that follows it.
type racyStore struct {
	*MemoryStore
	raced atomic.Bool
}

func (s *racyStore) CompareAndSwap(ctx context.Context, dev string, old uint64, st []byte) (uint64, error) {
	if !s.raced.Swap(true) {
		// Another instance saves the same state meanwhile.
		if _, err := s.MemoryStore.CompareAndSwap(ctx, dev, old, st); err != nil {
			return 0, err
		}
	}
	return s.MemoryStore.CompareAndSwap(ctx, dev, old, st)
}

func TestServerRetriesOnConflict(t *testing.T) {
	store := &racyStore{MemoryStore: NewMemoryStore()}
	calls := 0
	s := NewServer(ServerConfig{Store: store, Session: Config{Handler: HandlerFunc(func(context.Context, *Request) Response { calls++; return Response{} })}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(devMsg("1", "1", `<Alert><CmdID>1</CmdID><Data>1224</Data></Alert>`)))
	req.Header.Set("Content-Type", ContentType)
	s.ServeHTTP(rec, req)
	if rec.Code != 200 || !store.raced.Load() {
		t.Fatalf("HTTP %d raced %v", rec.Code, store.raced.Load())
	}
	// The conflicting writer saved the same message's state first, so the
	// retry finds it already handled and answers the kept reply.
	if calls != 1 {
		t.Errorf("handler ran %d times", calls)
	}
	// A store that always conflicts ends in 500 after MaxRetries.
	bad := NewServer(ServerConfig{Store: conflictStore{}, MaxRetries: 2})
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(devMsg("1", "1", alert1201)))
	req.Header.Set("Content-Type", ContentType)
	bad.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Errorf("HTTP %d", rec.Code)
	}
	if err := bad.Queue(context.Background(), "D", get("./A")); !errors.Is(err, ErrConflict) {
		t.Errorf("Queue: %v", err)
	}
}

type conflictStore struct{}

func (conflictStore) Load(context.Context, string) ([]byte, uint64, error) { return nil, 0, nil }
func (conflictStore) CompareAndSwap(context.Context, string, uint64, []byte) (uint64, error) {
	return 0, ErrConflict
}

func TestServerReplayOverHTTP(t *testing.T) {
	s := NewServer(ServerConfig{})
	_ = s.Queue(context.Background(), "DEV1", get("./A"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	raw := devMsg("1", "1", alert1201)
	_, b1, _ := doPost(t, srv.URL, ContentType, raw)
	_, b2, _ := doPost(t, srv.URL, ContentType, raw)
	if !bytes.Equal(b1, b2) || !bytes.Contains(b1, []byte("<Get>")) {
		t.Errorf("replay differs:\n%s\n%s", b1, b2)
	}
}

func TestStateRoundTrip(t *testing.T) {
	s := NewSession(nil)
	if err := s.Queue(get("./A"), &syncml.Sequence{Commands: []syncml.Command{get("./B")}}); err != nil {
		t.Fatal(err)
	}
	handle(t, s, devMsg("1", "1", alert1201))
	_ = s.Queue(&syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}, Data: syncml.XML("<x/>")}}})
	handle(t, s, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Item><Data>early</Data></Item></Results>`))
	b1, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2 := NewSession(nil)
	if err := s2.UnmarshalBinary(b1); err != nil {
		t.Fatal(err)
	}
	b2, err := s2.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Errorf("state does not round-trip:\n%s\n%s", b1, b2)
	}
	if s2.Pending() != s.Pending() || s2.Queued() != 1 {
		t.Errorf("pending %d queued %d", s2.Pending(), s2.Queued())
	}
	// The reloaded session goes on: the Sequence's Status arrives.
	x := handle(t, s2, devMsg("1", "3", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Sequence</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`))
	if len(x.Outcomes) != 2 || x.Outcomes[0].Command.ElementName() != "Sequence" || x.Reply.Header.MsgID != "3" {
		t.Errorf("after reload: %+v", x.Outcomes)
	}
	if x.Outcomes[1].Results[0].Items[0].Data.Value != "early" {
		t.Errorf("held Results lost: %+v", x.Outcomes[1])
	}
	for _, bad := range [][]byte{nil, {1}, {2}, {2, 200}, b1[:len(b1)-1], append(append([]byte(nil), b1...), 0)} {
		if err := NewSession(nil).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%q) accepted", bad)
		}
	}
	// Every single-byte truncation is refused, never a panic.
	for i := range len(b1) {
		_ = NewSession(nil).UnmarshalBinary(b1[:i])
	}
}

func TestIdleStateSize(t *testing.T) {
	s := NewServer(ServerConfig{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	_ = s.Queue(context.Background(), "DEV1", get("./DevDetail/SwV"), get("./DevDetail/OEM"))
	runDevice(t, srv.Client(), srv.URL, "DEV1", "1")
	raw, _, _ := s.cfg.Store.Load(context.Background(), "DEV1")
	sess := NewSession(nil)
	if err := sess.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	sess.st.Reply, sess.st.ReqHash = nil, nil
	b, _ := sess.MarshalBinary()
	if len(b) > 4096 {
		t.Errorf("idle state %d bytes: %s", len(b), b)
	}
	t.Logf("idle state: %d bytes without the kept reply (%d with)", len(b), len(raw))
}

func TestQueueWhileSessionsRun(t *testing.T) {
	store := NewMemoryStore()
	log := &outcomeLog{}
	a := NewServer(ServerConfig{Store: store, OnExchange: log.add})
	b := NewServer(ServerConfig{Store: store, OnExchange: log.add})
	sa, sb := httptest.NewServer(a), httptest.NewServer(b)
	defer sa.Close()
	defer sb.Close()
	rr := &roundRobin{urls: []string{sa.URL, sb.URL}, hits: make([]atomic.Int32, 2)}
	hc := &http.Client{Transport: rr}
	const writers, each = 4, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := []*Server{a, b}[w%2]
			for i := range each {
				if err := srv.Queue(context.Background(), "DEV1", get(fmt.Sprintf("./DevDetail/W%d/%d", w, i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for n := 1; ; n++ {
		runDevice(t, hc, sa.URL, "DEV1", fmt.Sprint(n))
		select {
		case <-done:
		default:
			continue
		}
		log.mu.Lock()
		got := len(log.got)
		log.mu.Unlock()
		if got == writers*each {
			break
		}
		if n > 100 {
			t.Fatalf("%d outcomes after %d sessions", got, n)
		}
	}
	last := map[int]int{}
	for _, g := range log.got {
		var w, i int
		if _, err := fmt.Sscanf(g, "DEV1 Get 200 v:./DevDetail/W%d/%d", &w, &i); err != nil {
			t.Fatalf("outcome %q", g)
		}
		if prev, ok := last[w]; ok && i != prev+1 || !ok && i != 0 {
			t.Errorf("writer %d: %d after %d: out of queue order or twice", w, i, prev)
		}
		last[w] = i
	}
}

func TestClientSignsBody(t *testing.T) {
	// An Authenticator that checks a header computed over the raw body,
	// as x-syncml-hmac is.
	sum := func(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }
	var checked atomic.Int32
	auth := AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
		if in.Header.Get("X-Test-Mac") != sum(in.Raw) {
			return AuthDecision{Code: syncml.StatusInvalidCredentials}, nil
		}
		checked.Add(1)
		return AuthDecision{Identity: Identity{Method: "test-mac"}}, nil
	})
	s := NewServer(ServerConfig{Session: Config{Authenticator: auth}})
	_ = s.Queue(context.Background(), "DEV1", get("./DevDetail/SwV"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL, Handler: deviceMux(),
		Credentials: signFunc(func(_ context.Context, body []byte, h http.Header) error {
			h.Set("X-Test-Mac", sum(body))
			return nil
		})})
	outs, err := c.Run(context.Background(), srv.Client(), srv.URL, "1")
	if err != nil {
		t.Fatal(err)
	}
	if checked.Load() != 2 || len(outs) != 1 {
		t.Errorf("checked %d messages, %d outcomes", checked.Load(), len(outs))
	}
	// Without the header the server refuses, and the client gives up.
	c2, _ := NewClient(ClientConfig{DeviceID: "DEV2", ServerURI: srv.URL})
	if _, err := c2.Run(context.Background(), srv.Client(), srv.URL, "1"); err == nil {
		t.Error("unsigned session accepted")
	}
}

// The server names, in its SyncHdr RespURI, where the device sends its
// answer to that message: the client posts its next message there, and
// only that one (a later reply without RespURI is answered at the
// session's URL, and the next session starts there again).
func TestRespURI(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	replies := 0
	s := NewServer(ServerConfig{Session: Config{
		RespURI: func(_ context.Context, id Identity, m *syncml.Message) string {
			replies++
			if replies == 1 {
				return "/ManagementServer/MDM.svc/s/" + m.Header.SessionID // relative: resolved against the URL posted to
			}
			return ""
		},
		OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
			_ = s.Queue(get("./DevDetail/SwV"))
		},
		BeforeReply: func(_ context.Context, s *Session, m *syncml.Message, x *Exchange) {
			if len(x.Outcomes) == 1 && m.Header.MsgID == "2" {
				_ = s.Queue(get("./DevDetail/OEM"))
			}
		},
	}})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	defer ts.Close()
	url := ts.URL + "/ManagementServer/MDM.svc"
	outs := runDevice(t, ts.Client(), url, "DEV1", "1")
	if len(outs) != 3 { // Alert 1201, the 1224 alert and the DevInfo Replace: answered
		t.Errorf("outcomes %d", len(outs))
	}
	base := "/ManagementServer/MDM.svc"
	want := []string{base, base + "/s/1", base}
	mu.Lock()
	got := slices.Clone(paths)
	paths = nil
	mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("paths %v; want %v", got, want)
	}
	runDevice(t, ts.Client(), url, "DEV1", "2")
	if len(paths) == 0 || paths[0] != base {
		t.Errorf("next session: paths %v", paths)
	}

	// A RespURI that leaves https for http is not followed.
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "https://mdm.example/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.nextURL("https://mdm.example/x", "http://mdm.example/y"); err == nil {
		t.Error("https -> http followed")
	}
	if u, err := c.nextURL("https://mdm.example/x", "/y?s=1"); err != nil || u != "https://mdm.example/y?s=1" {
		t.Errorf("relative RespURI: %q, %v", u, err)
	}
}

// The allocations of a Server answering a fresh check-in (package 1 of a
// new device, 10 Gets queued at its start), and the bytes they take, stay
// bounded: a guard against the regressions the benchmarks would show only
// as noise on a shared machine (the exchange's one allocation growing
// into the next size class, 512 B more, fails the bytes). The request
// and recorder are made outside the count. The bytes count the slabs of
// the MemoryStore too: the devices' states, kept as differences from a
// reference state (store_refs.go), take a few hundred bytes of them, and
// the reply, no longer sent from the state kept, is a copy (one
// allocation).
func TestServerCheckInAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation count")
	}
	uris := make([]string, 10)
	for i := range uris {
		uris[i] = fmt.Sprintf("./DevDetail/N%d", i)
	}
	s := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
		if first {
			_ = s.Queue(NewGets(uris...)...)
		}
	}}})
	const runs = 200
	reqs := make([]*http.Request, runs+1)
	recs := make([]*httptest.ResponseRecorder, runs+1)
	for i := range reqs {
		body := bytes.Replace(devMsg("1", "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>X</Data></Item></Replace>`),
			[]byte("<LocURI>DEV1</LocURI>"), fmt.Appendf(nil, "<LocURI>DEV%d</LocURI>", i), 1)
		reqs[i] = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		reqs[i].Header.Set("Content-Type", ContentType)
		recs[i] = httptest.NewRecorder()
	}
	n := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(runs, func() {
		s.ServeHTTP(recs[n], reqs[n])
		n++
	})
	runtime.ReadMemStats(&after)
	if recs[0].Code != http.StatusOK {
		t.Fatalf("HTTP %d", recs[0].Code)
	}
	// AllocsPerRun runs the function once more, to warm up
	perCheckIn := float64(after.TotalAlloc-before.TotalAlloc) / float64(runs+1)
	t.Logf("%.0f allocations, %.0f bytes per check-in", allocs, perCheckIn)
	if allocs > 13 {
		t.Errorf("%.0f allocations per check-in, want at most 13", allocs)
	}
	if perCheckIn > 13300 {
		t.Errorf("%.0f bytes allocated per check-in, want at most 13300", perCheckIn)
	}
}

// The allocations of a Server answering the device's second message (the
// Statuses and Results of the 14 Gets its check-in was answered with), and
// the bytes they take, stay bounded: the state loaded with its sent
// commands, the answers correlated into Outcomes. The state loaded is made
// from its difference from a reference state (store_refs.go) and the
// reply copied: two allocations of the 43. Its sent commands are read by
// the fast reader (a body without header), which takes one slab more
// than the general reader did for much less CPU
// (BenchmarkCheckInSameDevice in examples/dmserver: 25 to 17 us). The
// 14 Outcomes take 1536 bytes (104 each, in a size class of 1536): 256
// more since Outcome.SessionID.
func TestServerAnswersAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation count")
	}
	uris := make([]string, 14)
	for i := range uris {
		uris[i] = fmt.Sprintf("./DevDetail/N%d", i)
	}
	s := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
		_ = s.Queue(NewGets(uris...)...)
	}}})
	var outcomes int
	s.cfg.OnExchange = func(_ context.Context, x *Exchange) {
		for _, o := range x.Outcomes {
			if len(o.Results) == 1 {
				outcomes++
			}
		}
	}
	var b strings.Builder
	b.WriteString(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`)
	for i := range uris {
		// the reply's three Statuses take CmdIDs 1 to 3: the Gets are 4 to 17
		fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`, 2*i+2, i+4)
		fmt.Fprintf(&b, `<Results><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>value %d</Data></Item></Results>`, 2*i+3, i+4, uris[i], i)
	}
	answers := devMsg("1", "2", b.String())
	const runs = 200
	reqs := make([]*http.Request, runs+1)
	for i := range reqs {
		dev := fmt.Appendf(nil, "<LocURI>DEV%d</LocURI>", i)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(bytes.Replace(devMsg("1", "1", alert1201+
			`<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>X</Data></Item></Replace>`),
			[]byte("<LocURI>DEV1</LocURI>"), dev, 1)))
		req.Header.Set("Content-Type", ContentType)
		s.ServeHTTP(httptest.NewRecorder(), req)
		reqs[i] = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(bytes.Replace(answers, []byte("<LocURI>DEV1</LocURI>"), dev, 1)))
		reqs[i].Header.Set("Content-Type", ContentType)
	}
	recs := make([]*httptest.ResponseRecorder, runs+1)
	for i := range recs {
		recs[i] = httptest.NewRecorder()
	}
	n := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(runs, func() {
		s.ServeHTTP(recs[n], reqs[n])
		n++
	})
	runtime.ReadMemStats(&after)
	if recs[0].Code != http.StatusOK || outcomes != len(uris)*(runs+1) {
		t.Fatalf("HTTP %d, %d Outcomes with their Results; want 200, %d", recs[0].Code, outcomes, len(uris)*(runs+1))
	}
	perAnswer := float64(after.TotalAlloc-before.TotalAlloc) / float64(runs+1)
	t.Logf("%.0f allocations, %.0f bytes per answer", allocs, perAnswer)
	if allocs > 43 {
		t.Errorf("%.0f allocations per answer, want at most 43", allocs)
	}
	if perAnswer > 35050 {
		t.Errorf("%.0f bytes allocated per answer, want at most 35,050", perAnswer)
	}
}

// TestStateFromReplyEncoding checks that the state saved after a reply,
// whose sent commands are given as their span in the reply's own
// encoding, loads as the state built by encoding them again (byte for byte
// once encoded again), for commands with Meta, XML data, nesting and
// escaping, and that a loaded state saves the same span again.
func TestStateFromReplyEncoding(t *testing.T) {
	add := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/A&B"},
		Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: &syncml.Data{Kind: syncml.DataText, Value: "<x a=\"1\">&amp;</x>"}}}}
	exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Reboot/RebootNow"}}}}
	atomic := &syncml.Atomic{Commands: []syncml.Command{
		&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/X"}, Data: &syncml.Data{Kind: syncml.DataText, Value: "1"}}}},
	}}
	for _, tc := range []struct {
		xmlns  string
		nested bool // a nested command is recorded on its own: encoded again
	}{{"SYNCML:SYNCML1.2", false}, {"SYNCML:SYNCML1.1", false}, {"", false}, {"SYNCML:SYNCML1.2", true}} {
		xmlns := tc.xmlns
		cmds := append(NewGets("./DevDetail/SwV", "./DevInfo/Mod"), add, exec)
		if tc.nested {
			cmds = append(cmds, atomic)
		}
		s := NewSession(&Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
			_ = s.Queue(cmds...)
		}})
		msg := bytes.Replace(devMsg("1", "1", alert1201), []byte(`xmlns="SYNCML:SYNCML1.2"`), []byte(`xmlns="`+xmlns+`"`), 1)
		if xmlns == "" {
			msg = bytes.Replace(msg, []byte(` xmlns=""`), nil, 1)
		}
		x, err := s.Handle(context.Background(), &Inbound{Raw: msg})
		if err != nil {
			t.Fatalf("%q: %v", xmlns, err)
		}
		if fast := s.st.sentEncoded() != nil; fast == tc.nested {
			t.Fatalf("%q: copied from the reply %v, want %v: %s", xmlns, fast, !tc.nested, x.Raw)
		}
		fast, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		s.st.sentEnc = nil
		slow, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if tc.nested {
			if !bytes.Equal(fast, slow) {
				t.Errorf("%q: state\n%q\nwant\n%q", xmlns, fast, slow)
			}
			continue
		}
		if len(fast) >= len(slow) {
			t.Errorf("%q: state with the span %d bytes, not less than the %d of the copy", xmlns, len(fast), len(slow))
		}
		loaded := NewSession(nil)
		if err := loaded.UnmarshalBinary(fast); err != nil {
			t.Fatalf("%q: %v", xmlns, err)
		}
		if again, err := loaded.MarshalBinary(); err != nil || !bytes.Equal(again, fast) {
			t.Errorf("%q: loaded state saved again (%v)\n%q\nwant\n%q", xmlns, err, again, fast)
		}
		loaded.st.sentEnc = nil
		if again, err := loaded.MarshalBinary(); err != nil || !bytes.Equal(again, slow) {
			t.Errorf("%q: loaded state encoded again (%v)\n%q\nwant\n%q", xmlns, err, again, slow)
		}
	}
}

// TestQueueStateFromEncoding checks that the state saved by repeated
// Server.Queue calls, which copies the queue's encoding kept from the
// stored state and from Queue, is byte for byte the state built by
// encoding the queue again, and that the queue goes out whole and in order.
func TestQueueStateFromEncoding(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	s := NewServer(ServerConfig{Store: store})
	add := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/A&B"},
		Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: &syncml.Data{Kind: syncml.DataText, Value: "<x a=\"1\">&amp;</x>"}}}}
	atomic := &syncml.Atomic{Commands: []syncml.Command{
		&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/X"}, Data: &syncml.Data{Kind: syncml.DataText, Value: " 1 "}}}},
	}}
	batches := [][]syncml.Command{NewGets("./DevDetail/SwV"), {add}, {atomic}, NewGets("./A", "./B")}
	for i, cmds := range batches {
		if err := s.Queue(ctx, "DEV1", cmds...); err != nil {
			t.Fatal(err)
		}
		raw, _, err := store.Load(ctx, "DEV1")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.session(raw)
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		if _, ok := sess.st.queueEncoded(); !ok {
			t.Fatalf("batch %d: the loaded queue's encoding is not kept", i)
		}
		sess.st.queueEnc = nil
		again, err := sess.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, again) {
			t.Fatalf("batch %d: state from the kept encoding\n%q\nwant\n%q", i, raw, again)
		}
	}
	x, err := s.exchange(ctx, "DEV1", &Inbound{Raw: devMsg("1", "1", alert1201)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range x.Reply.Body.Commands {
		if _, ok := c.(*syncml.Status); !ok {
			got = append(got, c.ElementName())
		}
	}
	want := []string{"Get", "Add", "Atomic", "Get", "Get"}
	if !cmp.Equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}
}

// TestHTTPRequestInHooks: the hooks and the Handler of a Server's session
// get a context that carries the request answered (HTTPRequest), also
// through contexts made from it, is done when the request's is and holds
// its values; any other context carries none. The request's context is a
// cancelable one with a value, so that a hook context not made from it
// (whose Done would be nil like context.Background's) is told apart.
func TestHTTPRequestInHooks(t *testing.T) {
	if HTTPRequest(context.Background()) != nil {
		t.Fatal("a request in context.Background")
	}
	type hostKey struct{}
	type mwKey struct{} // a value a middleware put in the request's context
	var mu sync.Mutex
	seen := map[string]string{} // hook -> Host and a header of the request it saw
	note := func(hook string, ctx context.Context) {
		r := HTTPRequest(context.WithValue(ctx, hostKey{}, 1)) // through a child context
		mu.Lock()
		defer mu.Unlock()
		if r == nil {
			seen[hook] = "none"
			return
		}
		if ctx.Done() == nil || r.Context().Done() != ctx.Done() {
			seen[hook] = "not done with the request"
			return
		}
		if ctx.Value(mwKey{}) != "mw" {
			seen[hook] = "without the request's values"
			return
		}
		seen[hook] = r.Host + " " + r.Header.Get("X-Test")
	}
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(ctx context.Context, r *Request) Response {
		note("Handler", ctx)
		return Response{}
	}))
	s := NewServer(ServerConfig{
		Session: Config{
			Handler: mux,
			Authenticator: AuthenticatorFunc(func(ctx context.Context, _ *AuthInput) (AuthDecision, error) {
				note("Authenticator", ctx)
				return AuthDecision{}, nil
			}),
			OnStart:     func(ctx context.Context, _ *Session, _ Identity, _ bool) { note("OnStart", ctx) },
			BeforeReply: func(ctx context.Context, _ *Session, _ *syncml.Message, _ *Exchange) { note("BeforeReply", ctx) },
			RespURI: func(ctx context.Context, _ Identity, _ *syncml.Message) string {
				note("RespURI", ctx)
				return ""
			},
		},
		OnExchange: func(ctx context.Context, _ *Exchange) { note("OnExchange", ctx) },
	})
	body := devMsg("1", "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/X</LocURI></Target><Data>1</Data></Item></Replace>`)
	rctx, cancel := context.WithCancel(context.WithValue(context.Background(), mwKey{}, "mw"))
	defer cancel()
	req := httptest.NewRequestWithContext(rctx, http.MethodPost, "http://mdm.example:8443/ManagementServer/MDM.svc", bytes.NewReader(body))
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("X-Test", "this one")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	want := map[string]string{}
	for _, h := range []string{"Authenticator", "Handler", "OnStart", "BeforeReply", "RespURI", "OnExchange"} {
		want[h] = "mdm.example:8443 this one"
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests seen (-want +got):\n%s", diff)
	}
}

// TestServerQueueSpace: the commands a Server's hooks queue go out in
// order whether they fit the array allocated with the session or not
// (queued in one call, in calls that fill it and go past it, and in a
// call larger than it).
func TestServerQueueSpace(t *testing.T) {
	for _, calls := range [][]int{{3}, {16}, {12, 4}, {12, 8}, {17}, {10, 10, 10}} {
		var want []string
		uri := func(i int) string { return fmt.Sprintf("./DevDetail/Node%03d", i) }
		for i := range sumInts(calls) {
			want = append(want, uri(i))
		}
		s := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
			at := 0
			for _, n := range calls {
				uris := make([]string, n)
				for i := range uris {
					uris[i] = uri(at)
					at++
				}
				if err := s.Queue(NewGets(uris...)...); err != nil {
					t.Error(err)
				}
			}
		}}})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(devMsg("1", "1", alert1201)))
		req.Header.Set("Content-Type", ContentType)
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%v: HTTP %d", calls, rec.Code)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range m.Body.Commands {
			if g, ok := c.(*syncml.Get); ok {
				got = append(got, g.Items[0].Target.LocURI)
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%v: Gets sent (-queued +sent):\n%s", calls, d)
		}
	}
}

func sumInts(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

// TestServerMessageOutlivesRequest: the message a hook is handed stays
// intact after the Server answered it and went on to other requests,
// whether its body was read into memory of its own (an announced length,
// also one the body does not keep to) or into a pooled buffer (no length):
// the decoded strings never share a buffer that is used again.
func TestServerMessageOutlivesRequest(t *testing.T) {
	type kept struct {
		m                   *syncml.Message
		device, session, in string
		data                string
	}
	var got []kept
	s := NewServer(ServerConfig{Session: Config{BeforeReply: func(_ context.Context, _ *Session, m *syncml.Message, _ *Exchange) {
		r := m.Body.Commands[1].(*syncml.Replace)
		got = append(got, kept{m: m, device: strings.Clone(m.Header.Source.LocURI), session: strings.Clone(m.Header.SessionID),
			in: strings.Clone(m.Header.MsgID), data: strings.Clone(r.Items[0].Data.Value)})
	}}})
	for i := range 24 {
		dev := fmt.Sprintf("DEV%02d", i)
		body := bytes.Replace(devMsg(fmt.Sprint(10+i), "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>`+dev+`</Data></Item></Replace>`),
			[]byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>"+dev+"</LocURI>"), 1)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", ContentType)
		switch i % 4 {
		case 1:
			req.ContentLength = -1 // not announced (chunked)
		case 2:
			req.ContentLength = 10 // fewer bytes announced than sent
		case 3:
			req.ContentLength += 100 // more
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: HTTP %d", i, rec.Code)
		}
	}
	if len(got) != 24 {
		t.Fatalf("%d messages handed to BeforeReply, want 24", len(got))
	}
	for i, k := range got {
		dev := fmt.Sprintf("DEV%02d", i)
		h := &k.m.Header
		if k.device != dev || h.Source.LocURI != k.device || h.SessionID != k.session || h.MsgID != k.in ||
			k.m.Body.Commands[1].(*syncml.Replace).Items[0].Data.Value != k.data || k.data != dev {
			t.Errorf("request %d: message of %s now has Source %q, SessionID %q (was %q), MsgID %q, DevId %q",
				i, dev, h.Source.LocURI, h.SessionID, k.session, h.MsgID, k.m.Body.Commands[1].(*syncml.Replace).Items[0].Data.Value)
		}
	}
}

func TestAcceptsContentType(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{ContentType, true},
		{"Application/VND.SyncML.DM+XML", true},
		{ContentType + "; charset=utf-8", true},
		{"APPLICATION/vnd.syncml.dm+xml ; charset=UTF-8", true},
		{"application/vnd.syncml.dm+wbxml", false},
		{"application/vnd.syncml.dm+xm", false},
		{"text/xml", false},
		{"", false},
		{ContentType + `; charset="utf-8"`, true}, // as Windows sends it
		{ContentType + `;charset="UTF-8" `, true},
		{ContentType + `; charset=utf-16`, true},     // the media type is what counts
		{ContentType + `; charset="utf-8`, false},    // a parameter mime does not parse
		{ContentType + `; charset=utf-8; a=1`, true}, // not the fast path
		{ContentType + `x; charset=utf-8`, false},
		{ContentType + `; charset=`, false},
	} {
		if got := AcceptsContentType(tc.v); got != tc.want {
			t.Errorf("AcceptsContentType(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// AcceptsContentType answers as mime.ParseMediaType does for every value
// made of the pieces a Content-Type has (its fast path for a charset
// parameter included), and takes no allocation for the Windows form.
func TestAcceptsContentTypeAsMime(t *testing.T) {
	heads := []string{ContentType, "APPLICATION/VND.SYNCML.DM+XML", "application/vnd.syncml.dm+wbxml", "text/xml", ""}
	seps := []string{"", ";", " ;", "; ", ";\t", " ", ",", ";;"}
	names := []string{"charset", "CharSet", "charset ", "chars", "a", ""}
	eqs := []string{"=", " =", "= ", ""}
	vals := []string{"utf-8", `"utf-8"`, `"UTF-8"`, `"utf-8`, `utf-8"`, `""`, "", "utf-8 ", "latin1", `"utf\-8"`, "utf-8;", "utf-8; x=1", `"`}
	n := 0
	for _, h := range heads {
		for _, sep := range seps {
			for _, name := range names {
				for _, eq := range eqs {
					for _, val := range vals {
						v := h + sep + name + eq + val
						mt, _, err := mime.ParseMediaType(v)
						want := err == nil && strings.EqualFold(mt, ContentType)
						if got := AcceptsContentType(v); got != want {
							t.Errorf("AcceptsContentType(%q) = %v, mime says %v", v, got, want)
						}
						n++
					}
				}
			}
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { AcceptsContentType(ContentType + `; charset="utf-8"`) }); allocs != 0 {
		t.Errorf("%v allocations for the Windows Content-Type, want 0", allocs)
	}
	t.Logf("%d values", n)
}
