package session

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/internal/stackprobe"
)

// TestReserveStackAnyInt checks that reserveStack takes any int: a
// negative one made a negative index (i%stackReserve) and a panic.
func TestReserveStackAnyInt(t *testing.T) {
	for _, i := range []int{0, 1, 4, 7, stackReserve - 1, stackReserve, 2*stackReserve + 1, math.MaxInt,
		-1, -2, -stackReserve, -stackReserve - 1, math.MinInt, math.MinInt + 1} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("reserveStack(%d) panicked: %v", i, p)
				}
			}()
			reserveStack(i)
		}()
	}
}

// TestServeHTTPStack16KiB checks what reserveStack is for: a connection
// that net/http serves on a new goroutine has a 16 KiB stack during the
// exchange, not 32 KiB (a frame too large for the frames below ServeHTTP
// makes the runtime double the stack once more). The stacks are measured
// with conns exchanges held in OnStart: the growth of the memory of
// goroutine stacks per connection, which also holds net/http's goroutine
// reading the connection once the body is read (a few KiB). Without the
// reservation the exchange is held with an 8 KiB stack.
func TestServeHTTPStack16KiB(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes frames larger")
	}
	const conns = 128
	arrived := make(chan struct{}, conns)
	release := make(chan struct{})
	s := NewServer(ServerConfig{Session: Config{OnStart: func(context.Context, *Session, Identity, bool) {
		arrived <- struct{}{}
		<-release
	}}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	pkg1, _ := benchMessages()
	stackprobe.Want16KiB(t, ts.Listener.Addr().String(), conns, func(i int) []byte {
		return stackprobe.Post("/", ContentType, bytes.Replace(pkg1, []byte("<LocURI>DEV1</LocURI>"), fmt.Appendf(nil, "<LocURI>DEV%d</LocURI>", i), 1))
	}, arrived, release)
}
