package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	per, cs, err := stackprobe.PerConn(ts.Listener.Addr().String(), conns, func(i int) []byte {
		body := bytes.Replace(pkg1, []byte("<LocURI>DEV1</LocURI>"), fmt.Appendf(nil, "<LocURI>DEV%d</LocURI>", i), 1)
		return fmt.Appendf(nil, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			ContentType, len(body), body)
	}, arrived)
	defer func() {
		close(release)
		for _, c := range cs {
			_, _ = io.ReadAll(c)
			_ = c.Close()
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	if per < 16<<10 || per >= 28<<10 {
		t.Errorf("%d bytes of stack per connection, want 16 KiB and the reader's few KiB", per)
	}
}
