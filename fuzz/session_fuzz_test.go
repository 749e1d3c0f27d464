package fuzz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzSessionServer feeds an arbitrary message to the server side of a
// session that has already sent commands (a Get, an Atomic, a Replace), as
// the device's second message (its CmdIDs renumbered when the session
// would refuse them, see renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage). No input may make Handle panic. When it is
// handled, the reply keeps the SessionID, answers the header first, has
// non-zero unique CmdIDs and encodes to the bytes returned; the same bytes
// sent again are a replay with the same reply; and the state survives
// MarshalBinary and UnmarshalBinary unchanged.
func FuzzSessionServer(f *testing.F) {
	hdr := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>` +
		`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody>`
	f.Add([]byte(hdr + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>2</CmdID><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Data>v</Data></Item></Results><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Alert><CmdID>1</CmdID><Data>1222</Data></Alert><Alert><CmdID>2</CmdID><Data>1223</Data></Alert></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Atomic><CmdID>1</CmdID><Add><CmdID>2</CmdID><Item><Target><LocURI>./X</LocURI></Target></Item></Add><Sequence><CmdID>3</CmdID>` +
		`<Get><CmdID>4</CmdID><Item><Target><LocURI>./Y</LocURI></Target></Item></Get></Sequence></Atomic><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Status><CmdID>2</CmdID><CmdRef>0</CmdRef><Data>x</Data></Status><Final/></SyncBody></SyncML>`))
	// the first chunk of a device's Results (MoreData, Size), then another
	f.Add([]byte(hdr + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Meta><Size xmlns="syncml:metinf">6</Size></Meta><Data>abc</Data><MoreData/></Item></Results>` +
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Data>def</Data></Item></Results></SyncBody></SyncML>`))
	if dir := sessionCorpusDir(); dir != "" {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
	pkg1 := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source><Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta></SyncHdr>` +
		`<SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
	gen := &genConfig{uris: []string{"./A", "./B", "./C", "./DevInfo/DevId", "./DevInfo/Man", ""},
		data: []string{"v", "abc", "def", "D", "1", ""}, types: []string{"", "text/plain", "syncml:auth-md5"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		data, _ = generatedRaw(data, deviceHeader("2"), gen)
		data = renumberedRaw(t, data)
		ctx := context.Background()
		s := session.NewSession(&session.Config{Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			if len(r.Command.ItemList()) > 1 {
				return session.Response{ItemCodes: []syncml.StatusCode{200, 404}}
			}
			return session.Response{}
		})})
		item := func(u string) []syncml.Item {
			return []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text("1")}}
		}
		_ = s.Queue(&syncml.Get{Items: item("./A")},
			&syncml.Atomic{Commands: []syncml.Command{&syncml.Replace{Items: item("./B")}}},
			&syncml.Replace{Items: item("./C")})
		if _, err := s.Handle(ctx, &session.Inbound{Raw: pkg1}); err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &session.Inbound{Raw: data})
		if err != nil {
			return
		}
		var in syncml.Message
		if err := syncml.Unmarshal(data, &in); err != nil {
			t.Fatalf("handled a message that does not decode: %v", err)
		}
		if x.Reply.Header.SessionID != in.Header.SessionID {
			t.Fatalf("SessionID %q answered as %q", in.Header.SessionID, x.Reply.Header.SessionID)
		}
		checkReplyIDs(t, x)
		for i, c := range x.Reply.Body.Commands {
			if i == 0 && !in.Header.NoResp {
				if st, ok := c.(*syncml.Status); !ok || st.CmdRef != "0" {
					t.Fatalf("first command is not the header's Status: %s", c.ElementName())
				}
			}
		}
		again, err := s.Handle(ctx, &session.Inbound{Raw: data})
		if err != nil || !again.Replayed || !bytes.Equal(again.Raw, x.Raw) {
			t.Fatalf("replay: %v %v", err, again)
		}
		st, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary: %v", err)
		}
		s2 := session.NewSession(nil)
		if err := s2.UnmarshalBinary(st); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
		st2, err := s2.MarshalBinary()
		if err != nil || !bytes.Equal(st, st2) {
			t.Fatalf("state does not round-trip: %v\n%s\n%s", err, st, st2)
		}
	})
}

// sessionCorpusDir returns the shared conformance folder, "" when absent.
func sessionCorpusDir() string {
	dir, _ := filepath.Abs(".")
	for d := dir; filepath.Dir(d) != d; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "conformance", "syncml")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
	}
	return ""
}

// FuzzSessionClient feeds an arbitrary server message to the device side
// of a session after package 1 (its CmdIDs renumbered when the session
// would refuse them, see renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage), with a Mux that answers Gets
// and accepts the rest. No input may make Handle panic; a reply, when there is one,
// encodes, keeps the SessionID and has non-zero unique CmdIDs. An input
// of a length a multiple of 8 (not 0) also runs a session over loopback HTTPS
// through redirects its last bytes choose (see redirectRun).
func FuzzSessionClient(f *testing.F) {
	hdr := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source><Meta><MaxMsgSize xmlns="syncml:metinf">900</MaxMsgSize></Meta></SyncHdr><SyncBody>`
	f.Add([]byte(hdr + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Get><CmdID>2</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item><Item><Target><LocURI>./X</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Replace><CmdID>2</CmdID><Item><Target><LocURI>./A</LocURI></Target><Meta><Size xmlns="syncml:metinf">6</Size></Meta><Data>abc</Data><MoreData/></Item></Replace></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>401</Data><Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta></Chal></Status><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID><Item><Target><LocURI>./B</LocURI></Target></Item></Add><Exec><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/C</LocURI></Target></Item></Exec></Atomic><Alert><CmdID>5</CmdID><Data>1222</Data></Alert></SyncBody></SyncML>`))
	gen := &genConfig{uris: []string{"./DevDetail/SwV", "./DevDetail/C", "./X", "./A", "./DevInfo/DevId", ""},
		data: []string{"v", "abc", "def", "1", ""}, types: []string{"", "text/plain", "syncml:auth-md5"}}
	// MaxRedirects 3: two 307s then a 308, followed; MaxRedirects 1:
	// a 307 then a 302, refused
	f.Add([]byte{3, 3, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{1, 2, 0, 3, 0, 0, 0, 0})
	rr := newRedirectRig(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 && len(data)%8 == 0 {
			rr.run(t, data)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			g, ok := generatedMessage(data, serverHeader(), gen)
			if !ok {
				return
			}
			m = *g
		}
		renumberCmdIDs(t, &m, data)
		mux := session.NewMux()
		mux.Handle("", session.Accept)
		_ = mux.HandleSubtree("Get", "./DevDetail", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			var items []syncml.Item
			for _, it := range r.Command.ItemList() {
				items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text("v")})
			}
			return session.Response{Results: items}
		}))
		c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxObjectSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, &m)
		if err != nil || x.Reply == nil {
			return
		}
		if x.Reply.Header.SessionID != "1" {
			t.Fatalf("SessionID %q", x.Reply.Header.SessionID)
		}
		checkReplyIDs(t, x)
	})
}

// A redirectRig is a loopback HTTPS server that answers a device's post
// at /p/ with a server's first message, Final (the session ends), and
// one at /p/PLAN with the redirect PLAN's first letter says, to /p/ and
// the rest of PLAN: a 307 (a), 308 (b), 301 (c), 302 (d), 303 (e) on
// the same server, a 307 to a plain HTTP server (f); and that plain
// server, which answers alike.
type redirectRig struct {
	tls, plain *httptest.Server
	hc         *http.Client
	// bodies are the bodies of the posts each server took, the plain
	// one's under "plain", the final answer's under "final".
	mu     sync.Mutex
	bodies map[string][][]byte
}

func newRedirectRig(f *testing.F) *redirectRig {
	rr := &redirectRig{bodies: map[string][][]byte{}}
	reply, err := syncml.Marshal(serverHMACMessage())
	if err != nil {
		f.Fatal(err)
	}
	handler := func(plain bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			plan := strings.TrimPrefix(r.URL.Path, "/p/")
			rr.mu.Lock()
			switch {
			case plain:
				rr.bodies["plain"] = append(rr.bodies["plain"], b)
			case plan == "":
				rr.bodies["final"] = append(rr.bodies["final"], b)
			default:
				rr.bodies["hop"] = append(rr.bodies["hop"], b)
			}
			rr.mu.Unlock()
			if plan == "" || plain {
				w.Header().Set("Content-Type", session.ContentType)
				_, _ = w.Write(reply)
				return
			}
			to := "/p/" + plan[1:]
			if plan[0] == 'f' {
				to = rr.plain.URL + to
			}
			code := map[byte]int{'a': 307, 'b': 308, 'c': 301, 'd': 302, 'e': 303, 'f': 307}[plan[0]]
			http.Redirect(w, r, to, code)
		}
	}
	rr.tls = httptest.NewTLSServer(handler(false))
	rr.plain = httptest.NewServer(handler(true))
	rr.hc = rr.tls.Client() // trusts the loopback certificate
	f.Cleanup(func() {
		rr.hc.CloseIdleConnections()
		rr.tls.Close()
		rr.plain.Close()
	})
	return rr
}

// run runs a session of a Client with MaxRedirects data[len-8]%4 through
// up to three redirects the next bytes choose (see redirectRig), and
// checks ClientConfig.MaxRedirects (5c130e0): Run follows them exactly
// when each is a 307 or 308 on https and they are at most MaxRedirects,
// posting the same body at each; else it fails with the *HTTPError of
// the first not followed, the Location never posted. No post goes to
// plain HTTP.
func (rr *redirectRig) run(t *testing.T, data []byte) {
	t.Helper()
	p := data[len(data)-8:]
	max := int(p[0] % 4)
	var plan []byte
	for _, b := range p[2 : 2+int(p[1]%4)] {
		plan = append(plan, "abcdef"[b%6])
	}
	rr.mu.Lock()
	clear(rr.bodies)
	rr.mu.Unlock()
	c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: session.Accept, MaxRedirects: max})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background(), rr.hc, rr.tls.URL+"/p/"+string(plan), "1")
	// the redirects a Run follows, and the status of the first it does
	// not (0: none)
	follow, stop := 0, 0
	for _, h := range plan {
		if h != 'a' && h != 'b' || follow == max {
			stop = map[byte]int{'a': 307, 'b': 308, 'c': 301, 'd': 302, 'e': 303, 'f': 307}[h]
			break
		}
		follow++
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	var he *session.HTTPError
	switch {
	case len(rr.bodies["plain"]) != 0:
		t.Fatalf("redirects %q, MaxRedirects %d: %d posts to plain HTTP", plan, max, len(rr.bodies["plain"]))
	case stop == 0:
		if err != nil || len(rr.bodies["final"]) != 1 || len(rr.bodies["hop"]) != len(plan) {
			t.Fatalf("redirects %q, MaxRedirects %d: Run %v, %d posts redirected, %d answered; want all followed", plan, max, err, len(rr.bodies["hop"]), len(rr.bodies["final"]))
		}
		for _, b := range rr.bodies["hop"] {
			if !bytes.Equal(b, rr.bodies["final"][0]) {
				t.Fatalf("redirects %q: the body changed on the way:\n%s\n%s", plan, b, rr.bodies["final"][0])
			}
		}
	case !errors.As(err, &he) || he.StatusCode != stop || len(rr.bodies["final"]) != 0 || len(rr.bodies["hop"]) != follow+1:
		t.Fatalf("redirects %q, MaxRedirects %d: Run %v, %d posts redirected, %d answered; want the *HTTPError %d after %d followed", plan, max, err, len(rr.bodies["hop"]), len(rr.bodies["final"]), stop, follow)
	}
}

// checkReplyIDs checks what every reply of either side keeps to: Raw is
// the reply's canonical encoding, and its CmdIDs are positive numbers, each
// used once.
func checkReplyIDs(t *testing.T, x *session.Exchange) {
	t.Helper()
	if b, err := syncml.Marshal(x.Reply); err != nil || !bytes.Equal(b, x.Raw) {
		t.Fatalf("Raw is not the reply's encoding: %v", err)
	}
	seen := map[string]bool{}
	for i, c := range x.Reply.Body.Commands {
		id := c.ID()
		if n, err := strconv.Atoi(id); err != nil || n <= 0 || seen[id] {
			t.Fatalf("command %d has CmdID %q", i, id)
		}
		seen[id] = true
	}
}

// wholeStore is a Store that is not a MemoryStore (a Server hands it each
// state whole), over one.
type wholeStore struct{ m *session.MemoryStore }

func (s wholeStore) Load(ctx context.Context, d string) ([]byte, uint64, error) {
	return s.m.Load(ctx, d)
}

func (s wholeStore) CompareAndSwap(ctx context.Context, d string, old uint64, st []byte) (uint64, error) {
	return s.m.CompareAndSwap(ctx, d, old, st)
}

// FuzzSessionHTTPServer posts a package 1 and then an arbitrary message
// (its CmdIDs renumbered when the session would refuse them, see
// renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage), twice, to two session.Servers: one over a MemoryStore (which a Server
// hands the state and the reply apart, and answers from in place) and one
// over another Store (which gets each state whole). No input may make
// either panic; both answer alike, keep the same state bytes for the
// device, and a message answered 200 sent again gets the same reply.
func FuzzSessionHTTPServer(f *testing.F) {
	hdr := func(msg string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>` + msg + `</MsgID>` +
			`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody>`
	}
	f.Add([]byte(hdr("2") + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Data>v</Data></Item></Results><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr("1") + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>D</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>M</Data></Item></Replace><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr("2") + `<Alert><CmdID>1</CmdID><Data>1223</Data></Alert><Final/></SyncBody></SyncML>`))
	pkg1 := []byte(hdr("1") + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
	gen := &genConfig{uris: []string{"./A", "./B/C", "./D", "./DevInfo/DevId", "./DevInfo/Man", ""},
		data: []string{"v", "D", "M", "1", ""}, types: []string{"", "text/plain"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		data, _ = generatedRaw(data, deviceHeader("2"), gen)
		data = renumberedRaw(t, data)
		ctx := context.Background()
		cfg := session.Config{OnStart: func(_ context.Context, s *session.Session, _ session.Identity, first bool) {
			if first {
				_ = s.Queue(session.NewGets("./A", "./B/C", "./D")...)
			}
		}}
		mem, other := session.NewMemoryStore(), session.NewMemoryStore()
		servers := [2]*session.Server{
			session.NewServer(session.ServerConfig{Store: mem, Session: cfg}),
			session.NewServer(session.ServerConfig{Store: wholeStore{other}, Session: cfg}),
		}
		type answer struct {
			code int
			body string
		}
		post := func(s *session.Server, body []byte) answer {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			req.Header.Set("Content-Type", session.ContentType)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			return answer{rec.Code, rec.Body.String()}
		}
		var got [2][3]answer
		for i, s := range servers {
			for j, body := range [3][]byte{pkg1, data, data} {
				got[i][j] = post(s, body)
			}
		}
		if got[0] != got[1] {
			t.Fatalf("the Servers answer differently:\nMemoryStore %v\nother Store %v", got[0], got[1])
		}
		if got[0][1].code == http.StatusOK && got[0][2] != got[0][1] {
			t.Fatalf("sent again, answered %v, first %v", got[0][2], got[0][1])
		}
		devices := []string{"D"}
		var m syncml.Message
		if syncml.Unmarshal(data, &m) == nil {
			devices = append(devices, m.Header.Source.LocURI)
		}
		for _, d := range devices {
			a, _, err1 := mem.Load(ctx, d)
			b, _, err2 := other.Load(ctx, d)
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				t.Fatalf("state of %q: MemoryStore %q (%v), other Store %q (%v)", d, a, err1, b, err2)
			}
		}
	})
}

// deviceHeader is the SyncHdr of message msgID of device D to server S,
// for generated messages (see generatedMessage).
func deviceHeader(msgID string) syncml.Header {
	return syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
		Target: syncml.Location{LocURI: "S"}, Source: syncml.Location{LocURI: "D"}}
}

// serverHeader is the SyncHdr of server S's first message to device D,
// for generated messages (see generatedMessage).
func serverHeader() syncml.Header {
	return syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "D"}, Source: syncml.Location{LocURI: "S"}}
}
