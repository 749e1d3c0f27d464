package session

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
)

// benchMessages returns a Windows-like package 1 and the device's answers
// to 20 Gets (20 Statuses and 20 Results), as the server sends them in its
// first reply (CmdIDs 3 to 22 after two Statuses).
func benchMessages() (pkg1, answers []byte) {
	pkg1 = devMsg("1", "1", alert1201+
		`<Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>`+
		`<Replace><CmdID>3</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>DEV1</Data></Item>`+
		`<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Contoso</Data></Item>`+
		`<Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item></Replace>`)
	var b strings.Builder
	b.WriteString(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`)
	id := 2
	for i := range 20 {
		fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`, id, i+5)
		fmt.Fprintf(&b, `<Results><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Item><Source><LocURI>./DevDetail/N%d</LocURI></Source><Data>value %d</Data></Item></Results>`, id+1, i+5, i, i)
		id += 2
	}
	return pkg1, devMsg("1", "2", b.String())
}

// benchURIs are the targets of benchGets, made once so that the
// benchmarks do not count their formatting.
var benchURIs = func() []string {
	uris := make([]string, 20)
	for i := range uris {
		uris[i] = fmt.Sprintf("./DevDetail/N%d", i)
	}
	return uris
}()

func benchGets() []syncml.Command {
	cmds := make([]syncml.Command, len(benchURIs))
	for i, uri := range benchURIs {
		cmds[i] = get(uri)
	}
	return cmds
}

// BenchmarkSessionCost runs a whole two-message server session (package 1
// answered with 20 Gets, then the 20 Statuses and Results matched) through
// a Session with its state serialized between messages and after the
// last, as a Server does; through a Session kept in memory; and, as the
// baseline, the bare decoding and encoding of the same four messages. The
// three are interleaved in every iteration so that they see the same load;
// the metrics state/bare and session/bare are the session's own cost as a
// ratio to the baseline (the goal is state/bare <= 1.5).
func BenchmarkSessionCost(b *testing.B) {
	pkg1, answers := benchMessages()
	ctx := context.Background()
	run := func(withState bool) (reply1, reply2 []byte) {
		s := NewSession(nil)
		_ = s.Queue(benchGets()...)
		x, err := s.Handle(ctx, &Inbound{Raw: pkg1})
		if err != nil {
			b.Fatal(err)
		}
		if withState {
			st, _ := s.MarshalBinary()
			s = NewSession(nil)
			if err := s.UnmarshalBinary(st); err != nil {
				b.Fatal(err)
			}
		}
		y, err := s.Handle(ctx, &Inbound{Raw: answers})
		if err != nil || len(y.Outcomes) != 20 {
			b.Fatalf("%v %d", err, len(y.Outcomes))
		}
		if withState {
			if _, err := s.MarshalBinary(); err != nil {
				b.Fatal(err)
			}
		}
		return x.Raw, y.Raw
	}
	reply1, reply2 := run(false)
	bare := func() {
		for _, in := range [][]byte{pkg1, answers, reply1, reply2} {
			var m syncml.Message
			if err := syncml.Unmarshal(in, &m); err != nil {
				b.Fatal(err)
			}
			if _, err := syncml.Marshal(&m); err != nil {
				b.Fatal(err)
			}
		}
	}
	var tState, tMem, tBare time.Duration
	b.ReportAllocs()
	b.SetBytes(int64(len(pkg1) + len(answers)))
	for b.Loop() {
		t0 := time.Now()
		run(true)
		t1 := time.Now()
		run(false)
		t2 := time.Now()
		bare()
		tState, tMem, tBare = tState+t1.Sub(t0), tMem+t2.Sub(t1), tBare+time.Since(t2)
	}
	b.ReportMetric(tState.Seconds()/tBare.Seconds(), "state/bare")
	b.ReportMetric(tMem.Seconds()/tBare.Seconds(), "session/bare")
}

// benchDevice is the device of the Client benchmarks: a Client of DEV1
// that sends its package 1 to serverURI and answers a Get with "value".
func benchDevice(b *testing.B, serverURI string) *Client {
	b.Helper()
	mux := NewMux()
	mux.Handle("Get", HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		return Response{Results: []syncml.Item{{Source: it.Target, Data: syncml.Text("value")}}}
	}))
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: serverURI, Handler: mux, DevInfo: DevInfo{DevID: "DEV1", Lang: "en-US"}})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkServerLoopback runs whole device sessions (package 1, 20 Gets,
// their answers) against a Server over loopback HTTP.
func BenchmarkServerLoopback(b *testing.B) {
	s := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		_ = s.Queue(benchGets()...)
	}}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := benchDevice(b, srv.URL)
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		if _, err := c.Run(ctx, srv.Client(), srv.URL, fmt.Sprint(n)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "sessions/s")
}

// BenchmarkServerSession runs whole two-message sessions of new devices
// (package 1 answered with 20 Gets, then their 20 Statuses and Results)
// through a Server's ServeHTTP in process, state saved in its
// MemoryStore: the server's cost of one device session, without the
// network.
func BenchmarkServerSession(b *testing.B) {
	benchServerSession(b, func(f func()) { f() })
}

// BenchmarkServerSessionNewGoroutine is BenchmarkServerSession with each
// message served on a goroutine of its own, as net/http serves a
// connection, and as it serves devices that each come on a new
// connection: the goroutine starts with a small stack, which ServeHTTP
// grows (reserveStack).
func BenchmarkServerSessionNewGoroutine(b *testing.B) {
	done := make(chan struct{})
	benchServerSession(b, func(f func()) {
		go func() {
			f()
			done <- struct{}{}
		}()
		<-done
	})
}

// benchServerSession runs BenchmarkServerSession's sessions, each
// message by calling serve.
func benchServerSession(b *testing.B, serve func(func())) {
	pkg1, answers := benchMessages()
	s := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		_ = s.Queue(benchGets()...)
	}}})
	post := func(raw []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		serve(func() { s.ServeHTTP(rec, req) })
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d", rec.Code)
		}
	}
	dev := []byte("<LocURI>DEV1</LocURI>")
	n := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(pkg1) + len(answers)))
	for b.Loop() {
		n++
		id := fmt.Appendf(nil, "<LocURI>DEV%d</LocURI>", n)
		post(bytes.Replace(pkg1, dev, id, 1))
		post(bytes.Replace(answers, dev, id, 1))
	}
}
