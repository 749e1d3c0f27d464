package session

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// stallSegStore is a Store that stalls its n-th load of a segment (see
// segKey) until release is closed, telling entered when it starts to.
type stallSegStore struct {
	Store
	loads   atomic.Int32
	n       int32
	entered chan struct{}
	release chan struct{}
}

func (s *stallSegStore) Load(ctx context.Context, key string) ([]byte, uint64, error) {
	if strings.HasPrefix(key, segPrefix) && s.loads.Add(1) == s.n {
		close(s.entered)
		<-s.release
	}
	return s.Store.Load(ctx, key)
}

// TestServerObjectStalledInstance: an instance (Server X) stalls while it
// handles a message of a device's object: before it loads the segment it
// is to write ("writer"), or after it saved the state that ends the
// object, before it empties the object's segments ("cleaner"). The
// device, its reply late, sends the message again to another instance
// (Y, the same Store), which handles it (or answers it from the state, a
// replay), and goes on with its next object, whose segments take the
// names of the first one's; then X goes on. The second object is served
// whole: X neither writes over its segments (the device's state is no
// longer the one X handled the message from: X fails) nor empties them
// (they are of another generation). Before, X did, and the second object
// was refused (424).
func TestServerObjectStalledInstance(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int   // the message of the first object X handles
		n    int32 // the load of a segment X stalls in
	}{
		{"writer", 2, 1},   // the message that makes segment 0 (at 72 KiB)
		{"cleaner", -1, 3}, // the last one: 2 loads to join, then clean's
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := NewMemoryStore()
			stall := &stallSegStore{Store: mem, n: tc.n, entered: make(chan struct{}), release: make(chan struct{})}
			var h segServed
			x := NewServer(ServerConfig{Store: stall, Session: h.config()})
			y := NewServer(ServerConfig{Store: mem, Session: h.config()})
			first, whole1 := segObject(200<<10, 24<<10) // 2 segments, at 72 and 144 KiB
			at := tc.at
			if at < 0 {
				at = len(first) - 1
			}
			var wg sync.WaitGroup
			defer wg.Wait()
			defer func() {
				select {
				case <-stall.release:
				default:
					close(stall.release)
				}
			}()
			code := sendSegObjectVia(t, func(i int, msg []byte) []byte {
				if i != at {
					return postRaw(t, y, msg)
				}
				wg.Add(1)
				xDone := make(chan struct{})
				go func() { // X, stalled
					defer wg.Done()
					defer close(xDone)
					req := httptest.NewRequest(http.MethodPost, "http://dm.test/", bytes.NewReader(msg))
					req.Header.Set("Content-Type", "application/vnd.syncml.dm+xml")
					x.ServeHTTP(httptest.NewRecorder(), req)
				}()
				select {
				case <-stall.entered:
				case <-xDone:
					t.Fatal("X handled its message without the load of a segment the test stalls: the test needs the stall")
				}
				return postRaw(t, y, msg) // the device's retry
			}, "DEV1", 1, first)
			if code != "200" || len(h.got) != 1 || h.got[0] != whole1 {
				t.Fatalf("first object: answered %s, %d served", code, len(h.got))
			}
			// the second object, on Y, its segments written before X goes on
			second, whole2 := segObject(200<<10+3, 24<<10)
			code = sendSegObjectVia(t, func(i int, msg []byte) []byte {
				if i == len(second)-1 {
					close(stall.release)
					wg.Wait()
				}
				return postRaw(t, y, msg)
			}, "DEV1", len(first)+1, second)
			served := h.got[1:]
			if code != "200" || len(served) != 1 || served[0] != whole2 {
				n := 0
				if len(served) > 0 {
					n = len(served[0])
				}
				t.Fatalf("the second object answered %s, %d served (the first of %d bytes): want 200 and the object of %d bytes", code, len(served), n, len(whole2))
			}
		})
	}
}
