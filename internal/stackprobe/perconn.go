package stackprobe

import (
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/debug"
	"testing"
)

// Want16KiB writes n requests to addr, each on a connection of its own
// (request(i) gives the bytes of the i-th), waits until arrived has
// received n values (the server's handler sends one when it holds a
// request, and holds it until release is closed), and fails t unless the
// memory of goroutine stacks (runtime.MemStats.StackInuse) grew by 16 KiB
// per connection and the few KiB of net/http's goroutine reading it. The
// garbage collector, which shrinks stacks, is off meanwhile. It then
// closes release and reads every reply to its end.
func Want16KiB(t testing.TB, addr string, n int, request func(i int) []byte, arrived <-chan struct{}, release chan<- struct{}) {
	t.Helper()
	var conns []net.Conn
	defer func() {
		close(release)
		for _, c := range conns {
			_, _ = io.ReadAll(c)
			_ = c.Close()
		}
	}()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if _, err := c.Write(request(i)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	for range n {
		<-arrived
	}
	runtime.ReadMemStats(&after)
	if per := (after.StackInuse - before.StackInuse) / uint64(n); per < 16<<10 || per >= 28<<10 {
		t.Errorf("%d bytes of stack per connection, want 16 KiB and the reader's few KiB", per)
	}
}

// Post returns the bytes of an HTTP/1.1 POST of body to path, with its
// Content-Type and Connection: close.
func Post(path, contentType string, body []byte) []byte {
	return fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		path, contentType, len(body), body)
}
