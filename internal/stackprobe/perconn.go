package stackprobe

import (
	"fmt"
	"net"
	"runtime"
	"runtime/debug"
)

// PerConn writes n requests to addr, each on a connection of its own
// (request(i) gives the bytes of the i-th), waits until arrived has
// received n values (the server's handler sends one when it holds a
// request, and holds it until the caller lets it go), and returns the
// growth of the memory of goroutine stacks (runtime.MemStats.StackInuse)
// per connection, with the garbage collector, which shrinks stacks, off
// meanwhile. The connections are returned open, also with an error; the
// caller closes them once the server has let the requests go.
func PerConn(addr string, n int, request func(i int) []byte, arrived <-chan struct{}) (perConn uint64, conns []net.Conn, err error) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, conns, fmt.Errorf("connection %d: %w", i, err)
		}
		conns = append(conns, c)
		if _, err := c.Write(request(i)); err != nil {
			return 0, conns, fmt.Errorf("request %d: %w", i, err)
		}
	}
	for range n {
		<-arrived
	}
	runtime.ReadMemStats(&after)
	return (after.StackInuse - before.StackInuse) / uint64(n), conns, nil
}
