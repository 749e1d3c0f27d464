package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestTwoServersOneMemoryStoreLargeObjects: two Servers share one
// MemoryStore and serve the messages of several devices in turn while
// each gets a large object in chunks: the states each saves where it was
// built (compareAndSwapOwn) are loaded by the other, and every device
// gets its object whole. Run it with -race.
func TestTwoServersOneMemoryStoreLargeObjects(t *testing.T) {
	mem := NewMemoryStore()
	value := func(dev string) string { return strings.Repeat("&<"+dev+"x", 20000) }
	cfg := ServerConfig{Store: mem, Session: Config{OnStart: func(_ context.Context, s *Session, id Identity, _ bool) {
		_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(value(id.Device))}}})
	}}}
	srvs := [2]*Server{NewServer(cfg), NewServer(cfg)}
	var turn, bigOwn atomic.Uint32
	var wg sync.WaitGroup
	for d := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dev := fmt.Sprintf("DEV%d", d)
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				rec := httptest.NewRecorder()
				srvs[turn.Add(1)%2].ServeHTTP(rec, r)
				if raw, _, own, err := mem.loadKept(context.Background(), dev); err == nil && own && len(raw) > refMaxDiff {
					bigOwn.Add(1)
				}
				return rec.Result(), nil
			})}
			got := ""
			c, err := NewClient(ClientConfig{DeviceID: dev, ServerURI: "http://dm.test/", MaxMsgSize: 30000,
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
						got = it[0].Data.Value
					}
					return Response{}
				})})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := c.Run(context.Background(), hc, "http://dm.test/", "1"); err != nil {
				t.Error(dev, err)
				return
			}
			if got != value(dev) {
				t.Errorf("%s got %d bytes, want %d", dev, len(got), len(value(dev)))
			}
		}()
	}
	wg.Wait()
	if bigOwn.Load() == 0 {
		t.Error("no large own state saved")
	}
}
