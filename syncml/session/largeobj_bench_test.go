package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// BenchmarkServerLargeObject sends one large object from a Server to a
// Client through a whole session, in process (the Client's posts go to
// the Server's ServeHTTP, its state saved in its MemoryStore between
// messages): text that escapes fivefold ("&" is "&amp;") of 256 KiB,
// 1 MiB and 4 MiB, so that how the cost grows with the object shows, and,
// as a reference, 1 MiB of plain text, at a MaxMsgSize of 64 KiB. The
// metric msgs is the number of the Server's messages per session.
func BenchmarkServerLargeObject(b *testing.B) {
	for _, tc := range []struct {
		name, unit string
		size       int
	}{{"escaped-256KiB", "&", 256 << 10}, {"escaped-1MiB", "&", 1 << 20}, {"escaped-4MiB", "&", 4 << 20}, {"plain-1MiB", "a", 1 << 20}} {
		b.Run(tc.name, func(b *testing.B) {
			benchServerLargeObject(b, strings.Repeat(tc.unit, tc.size), 64<<10, false)
		})
	}
}

// benchServerLargeObject runs sessions in which the Server sends value
// to a new device in one Replace, under the device's MaxMsgSize maxMsg;
// copying puts the states in a copyStore (metric stateMB: the bytes of
// states saved per session) instead of the Server's MemoryStore.
func benchServerLargeObject(b *testing.B, value string, maxMsg int, copying bool) {
	const uri = "./Vendor/MSFT/Big"
	cs := &copyStore{states: map[string][]byte{}, vers: map[string]uint64{}}
	cfg := ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(value)}}})
	}}}
	if copying {
		cfg.Store = cs
	}
	s := NewServer(cfg)
	msgs := 0
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		msgs++
		return rec.Result(), nil
	})}
	got := 0
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
			got = len(it[0].Data.Value)
		}
		return Response{}
	})
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		n++
		c, err := NewClient(ClientConfig{DeviceID: fmt.Sprint("DEV", n), ServerURI: "http://dm.test/", Handler: h,
			MaxMsgSize: maxMsg, MaxMessages: 4096})
		if err != nil {
			b.Fatal(err)
		}
		got = 0
		if _, err := c.Run(ctx, hc, "http://dm.test/", "1"); err != nil {
			b.Fatal(err)
		}
		if got != len(value) {
			b.Fatalf("device got %d bytes, want %d", got, len(value))
		}
	}
	b.ReportMetric(float64(msgs)/float64(n), "msgs")
	if copying {
		b.ReportMetric(float64(cs.saved)/float64(n)/(1<<20), "stateMB")
	}
}
