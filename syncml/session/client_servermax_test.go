package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// sizedServer is a loopback Server that reads request bodies of at most
// maxBytes (413 past it), announces no MaxMsgSize, and notes the size of
// every request body and the Replaces it runs ("uri length"), in order.
type sizedServer struct {
	mu    sync.Mutex
	posts []int
	got   []string
	srv   *httptest.Server
}

func newSizedServer(t *testing.T, maxBytes int64) *sizedServer {
	s := &sizedServer{}
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		s.mu.Lock()
		s.got = append(s.got, fmt.Sprintf("%s %d", it.Target.LocURI, len(it.Data.Value)))
		s.mu.Unlock()
		return Response{}
	}))
	inner := NewServer(ServerConfig{Session: Config{Handler: mux}, MaxBytes: maxBytes})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.posts = append(s.posts, len(body))
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sizedServer) seen() (posts []int, got []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.posts...), append([]string(nil), s.got...)
}

// TestClientServerMaxMsgSizeBeforeReply: before the server's first reply
// the Client keeps its messages within ServerMaxMsgSize
// (DefaultServerMaxMsgSize when zero): a 700 KiB Replace queued before
// Run goes to a server that reads no more than 512 KiB in chunks, and
// arrives whole; of ten 1000-byte Replaces, package 1 carries what fits
// a ServerMaxMsgSize of 4096 bytes. Negative, package 1 goes whole (and
// the server answers 413). Once the server answered and announced no
// MaxMsgSize, no bound stands: the rest of package 1 goes in one
// message, and BeforeReply's 700 KiB Replace goes whole. A
// ServerMaxMsgSize too small for package 1 fails Start with ErrLimit,
// naming it, not ErrProtocol (the bound is the device's). Before the fix
// package 1 went whole: the first Run got 413.
func TestClientServerMaxMsgSizeBeforeReply(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("a", 700<<10)
	replace := func(uri, data string) *syncml.Replace {
		return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(data)}}}
	}
	newC := func(t *testing.T, cfg ClientConfig, cmds ...syncml.Command) *Client {
		t.Helper()
		cfg.DeviceID, cfg.ServerURI = "DEV1", "https://mdm.example/"
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(cmds...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("default", func(t *testing.T) {
		s := newSizedServer(t, DefaultServerMaxMsgSize)
		outs, err := newC(t, ClientConfig{}, replace("./Vendor/Big", big)).Run(ctx, s.srv.Client(), s.srv.URL, "1")
		if err != nil {
			t.Fatal(err)
		}
		posts, got := s.seen()
		if d := cmp.Diff([]string{"./Vendor/Big 716800"}, got); d != "" {
			t.Errorf("the server ran (-want +got):\n%s", d)
		}
		if len(posts) < 2 || slicesMax(posts) > DefaultServerMaxMsgSize {
			t.Errorf("posts of %v bytes; want several, none over %d", posts, DefaultServerMaxMsgSize)
		}
		if d := cmp.Diff([]string{"Alert  200", "Replace ./Vendor/Big 200"}, outcomeCodes(outs)); d != "" {
			t.Errorf("Outcomes (-want +got):\n%s", d)
		}
	})
	t.Run("small", func(t *testing.T) {
		s := newSizedServer(t, 0)
		var cmds []syncml.Command
		var want []string
		for i := range 10 {
			uri := fmt.Sprintf("./Vendor/R%d", i)
			cmds = append(cmds, replace(uri, strings.Repeat("b", 1000)))
			want = append(want, uri+" 1000")
		}
		if _, err := newC(t, ClientConfig{ServerMaxMsgSize: 4096}, cmds...).Run(ctx, s.srv.Client(), s.srv.URL, "1"); err != nil {
			t.Fatal(err)
		}
		posts, got := s.seen()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("the server ran (-want +got):\n%s", d)
		}
		// package 1 within 4096 bytes; the server, heard, announced no
		// bound: the rest goes in one message
		if len(posts) != 2 || posts[0] > 4096 || posts[1] <= 4096 {
			t.Errorf("posts of %v bytes; want 2, the first within 4096, the second over", posts)
		}
	})
	t.Run("none", func(t *testing.T) {
		s := newSizedServer(t, DefaultServerMaxMsgSize)
		_, err := newC(t, ClientConfig{ServerMaxMsgSize: -1}, replace("./Vendor/Big", big)).Run(ctx, s.srv.Client(), s.srv.URL, "1")
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("Run: %v; want HTTP 413", err)
		}
		if posts, _ := s.seen(); len(posts) != 1 || posts[0] <= len(big) {
			t.Errorf("posts of %v bytes; want one, package 1 whole", posts)
		}
	})
	t.Run("heard", func(t *testing.T) {
		c := newC(t, ClientConfig{BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			_ = c.Queue(replace("./Vendor/Later", big))
		}})
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		// the server's Get makes the device answer, with BeforeReply's Replace
		get := &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}}
		x, err := c.Handle(ctx, &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://mdm.example/"}},
			Body: syncml.Body{Final: true, Commands: []syncml.Command{
				&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}, get}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Raw) <= len(big) || !x.Reply.Body.Final {
			t.Errorf("the reply after the server was heard: %d bytes, Final %v; want the Replace whole in it", len(x.Raw), x.Reply.Body.Final)
		}
	})
	t.Run("too small", func(t *testing.T) {
		c := newC(t, ClientConfig{ServerMaxMsgSize: 200, DevInfo: DevInfo{DevID: "DEV1", Man: "Contoso"}})
		_, err := c.Start(ctx, "1")
		if !errors.Is(err, ErrLimit) || errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "ServerMaxMsgSize 200") {
			t.Errorf("Start: %v; want ErrLimit naming ServerMaxMsgSize 200, not ErrProtocol", err)
		}
	})
}

// slicesMax returns the largest of xs (0 for none).
func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
