package session

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// DroppedAbandoned returns how many Abandoned Outcomes the Client has
// dropped since NewClient, the oldest first, to keep at most MaxQueue of
// them (DefaultMaxQueue when zero) while no session gets an answer to
// hand them out: a device whose server takes its messages and never
// answers (it times out, or answers 500) gives a session up at each Run,
// and each Start would otherwise keep that session's commands.
func (c *Client) DroppedAbandoned() int {
	return c.dropped
}

// boundAbandoned drops the oldest Abandoned Outcomes kept beyond
// MaxQueue, counting them.
func (c *Client) boundAbandoned() {
	max := c.cfg.MaxQueue
	if max <= 0 {
		max = DefaultMaxQueue
	}
	if over := len(c.abandoned) - max; over > 0 {
		// Start made c.abandoned a new slice: the next one is new too, so
		// the dropped ones are not kept long
		c.abandoned = c.abandoned[over:]
		c.dropped += over
	}
}

// connTrace returns ctx with a trace noting in got whether the request
// got a connection, and whether that tells for sure that nothing of a
// request that failed was written: only hc's Transport being an
// *http.Transport (http.DefaultTransport when nil) says so, as it calls
// GotConn once it holds a connection (dialled, its TLS handshake done,
// through its proxy, or an idle one), before it writes anything on it
// (HTTP/2 included). Another RoundTripper may not call the trace at all,
// nor may one registered on the Transport with RegisterProtocol, which
// the Transport calls instead of its own connections and which cannot be
// told apart from here (see Run).
func connTrace(ctx context.Context, hc *http.Client, got *atomic.Bool) (context.Context, bool) {
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if _, ok := rt.(*http.Transport); !ok {
		return ctx, false
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { got.Store(true) },
	}), true
}
