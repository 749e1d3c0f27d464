package session

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// chunkedReplace returns the chunks of an object of n chunks of size
// bytes each for ./Vendor/Obj, the first announcing the whole size.
func chunkedReplace(n, size int) []*syncml.Replace {
	out := make([]*syncml.Replace, n)
	for i := range out {
		it := syncml.Item{Target: &syncml.Location{LocURI: "./Vendor/Obj"}, Data: syncml.Text(strings.Repeat("x", size)), MoreData: i < n-1}
		if i == 0 {
			it.Meta = &syncml.Meta{Size: strconv.Itoa(n * size)}
		}
		out[i] = &syncml.Replace{Items: []syncml.Item{it}}
	}
	return out
}

// feedChunks starts a session of a Client with cfg (Handler and IDs set
// here) and hands it the chunks, one server message each, the last one
// final, then a message replacing ./Vendor/After. It returns the code
// the device answered each chunk with, the code of that last Replace,
// and the data the Handler was given for ./Vendor/Obj.
func feedChunks(t testing.TB, cfg ClientConfig, chunks []*syncml.Replace) (codes []int, after int, got []string) {
	t.Helper()
	ctx := context.Background()
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		if it.Target.LocURI == "./Vendor/Obj" {
			got = append(got, it.Data.Value)
		}
		return Response{}
	}))
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "DEV1", "https://mdm.example/ManagementServer/MDM.svc", mux
	cfg.DevInfo = DevInfo{DevID: "DEV1", Lang: "en-US"}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	code := func(x *Exchange, msgID, cmdID string) int {
		for _, cmd := range x.Reply.Body.Commands {
			if s, ok := cmd.(*syncml.Status); ok && s.MsgRef == msgID && s.CmdRef == cmdID {
				n, _ := s.Code()
				return int(n)
			}
		}
		t.Fatalf("server message %s: no Status for command %s", msgID, cmdID)
		return 0
	}
	id := 1
	for i, ch := range chunks {
		id++
		m := srvMsg("1", strconv.Itoa(id), "", i == len(chunks)-1, ch)
		x, err := c.Handle(ctx, m)
		if err != nil {
			t.Fatalf("chunk %d: %v", i+1, err)
		}
		codes = append(codes, code(x, m.Header.MsgID, ch.CmdID))
	}
	id++
	last := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/After"}, Data: syncml.Text("1")}}}
	m := srvMsg("1", strconv.Itoa(id), "", true, last)
	x, err := c.Handle(ctx, m)
	if err != nil {
		t.Fatalf("after the object: %v", err)
	}
	return codes, code(x, m.Header.MsgID, last.CmdID), got
}

// TestClientMaxObjectChunks: the chunks of an object the server sends
// are bounded by ClientConfig.MaxObjectChunks: the chunk over the bound
// and the rest of the object are answered 413, nothing is joined nor
// handed to the Handler, and the session goes on (the next command is
// served). Before, every chunk was taken (213) and the object joined,
// however many chunks it came in.
func TestClientMaxObjectChunks(t *testing.T) {
	for _, tc := range []struct {
		name       string
		max, n     int
		refusedAt  int // first chunk answered 413, 0 for none
		size       int
		msgSize    int
		wantJoined bool
	}{
		{name: "bound 4, 8 chunks", max: 4, n: 8, refusedAt: 5, size: 10},
		{name: "bound 4, 4 chunks", max: 4, n: 4, size: 10, wantJoined: true},
		{name: "bound 4, last chunk over", max: 4, n: 5, refusedAt: 5, size: 10},
		{name: "no bound", max: -1, n: 1100, size: 1, wantJoined: true},
		{name: "default, empty chunks", n: 1030, refusedAt: DefaultMaxObjectChunks + 1},
		// MaxMsgSize 2000 announced: 4 MiB / 1000 + 1 = 4195 chunks
		{name: "default from MaxMsgSize", msgSize: 2000, n: 1100, size: 1, wantJoined: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ClientConfig{MaxObjectChunks: tc.max, MaxMsgSize: tc.msgSize}
			codes, after, got := feedChunks(t, cfg, chunkedReplace(tc.n, tc.size))
			for i, code := range codes {
				want := 213
				switch {
				case tc.refusedAt > 0 && i+1 >= tc.refusedAt:
					want = 413
				case i == len(codes)-1:
					want = 200
				}
				if code != want {
					t.Fatalf("chunk %d of %d answered %d, want %d", i+1, tc.n, code, want)
				}
			}
			if joined := len(got) == 1 && len(got[0]) == tc.n*tc.size; joined != tc.wantJoined || !tc.wantJoined && len(got) > 0 {
				t.Errorf("Handler given %d objects (joined %v), want joined %v", len(got), joined, tc.wantJoined)
			}
			if after != 200 {
				t.Errorf("the command after the object answered %d, want 200: the session goes on", after)
			}
		})
	}
}

// TestClientMaxChunksDefault pins the bound ClientConfig.MaxObjectChunks
// gives when zero or negative.
func TestClientMaxChunksDefault(t *testing.T) {
	for _, tc := range []struct {
		cfg  ClientConfig
		want int
	}{
		{ClientConfig{}, DefaultMaxObjectChunks},
		{ClientConfig{MaxObjectChunks: 7}, 7},
		{ClientConfig{MaxObjectChunks: -1}, 0},
		{ClientConfig{MaxMsgSize: 65536}, DefaultMaxObjectChunks},
		{ClientConfig{MaxMsgSize: 5000}, DefaultMaxObjectSize/2500 + 1}, // 1678
		{ClientConfig{MaxMsgSize: 2000}, DefaultMaxObjectSize/1000 + 1},
		{ClientConfig{MaxMsgSize: 2000, MaxObjectSize: 1 << 20}, 1<<20/1000 + 1},
		{ClientConfig{MaxMsgSize: 8000, MaxObjectSize: 1 << 20}, DefaultMaxObjectChunks},
	} {
		c := &Client{cfg: tc.cfg}
		maxObj := tc.cfg.MaxObjectSize
		if maxObj <= 0 {
			maxObj = DefaultMaxObjectSize
		}
		if got := c.maxChunks(maxObj); got != tc.want {
			t.Errorf("%+v: bound %d, want %d", tc.cfg, got, tc.want)
		}
	}
}

// BenchmarkClientHostileChunks: what a server sending an object of
// DefaultMaxObjectSize in chunks of 1 KiB (4096 messages) makes a Client
// do through Handle (no Run, so no MaxMessages), with the default bound
// of its chunks and with none (the Client before MaxObjectChunks).
func BenchmarkClientHostileChunks(b *testing.B) {
	chunks := chunkedReplace(DefaultMaxObjectSize/1024, 1024)
	for _, bc := range []struct {
		name string
		max  int
	}{{"default", 0}, {"unbounded", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				codes, _, got := feedChunks(b, ClientConfig{MaxObjectChunks: bc.max}, chunks)
				if refused := codes[len(codes)-1] == 413; refused != (bc.max == 0) || refused == (len(got) == 1) {
					b.Fatalf("last chunk %d, %d objects handed", codes[len(codes)-1], len(got))
				}
			}
		})
	}
}
