package session

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"

	"github.com/windc-go/windc/syncml"
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

// NotSent tells the Client that m, the last message it built (the package
// 1 Start returned, or the Reply of the last Exchange), was never sent: a
// caller that posts the Client's messages with a transport of its own
// (Handle, HandleInbound) says so when nothing of m was written (the
// connection refused, a DNS or TLS handshake failure, a context done
// before a connection was made), as Run notes it of itself. The session
// is then given up as Run gives up one whose post wrote nothing: the next
// Start counts m as not sent, so the device's queued commands in it go
// back to the front of the queue, in order, and go first in the next
// session, and nothing of m comes back Abandoned (see Start). Handling a
// reply to m after all (the caller sent it later) undoes NotSent.
//
// Call it only when sure: a message that may have reached the server
// (an error after the connection was made) is left alone, and its
// commands come back Abandoned. NotSent refuses, with an error matching
// ErrState and changing nothing, a message that is not the last one the
// Client built in its session (another session's, an earlier one, nil),
// and one the server already answered (refusing it included: see
// ErrAuthGaveUp). The last message of a session
// that ended (Exchange.Done: the Statuses that answer an abort, the
// refusal of the server's credentials) holds none of the device's
// commands and needs no answer: NotSent takes it and changes nothing.
func (c *Client) NotSent(m *syncml.Message) error {
	if c.sessionID == "" {
		return errorf("%w: NotSent before Start", ErrState)
	}
	if m == nil || m.Header.SessionID != c.sessionID || m.Header.MsgID != strconv.Itoa(c.outMsgID) {
		var sid, id string
		if m != nil {
			sid, id = m.Header.SessionID, m.Header.MsgID
		}
		return errorf("%w: NotSent: message %q of session %q is not the last one built (%d of session %q)",
			ErrState, id, sid, c.outMsgID, c.sessionID)
	}
	if c.replied || c.refused != 0 {
		// answered, or refused at its SyncHdr (the session gave up on
		// authentication): the server had it
		return errorf("%w: NotSent: the server answered message %s of session %q", ErrState, m.Header.MsgID, c.sessionID)
	}
	if c.ended {
		return nil // the session's last message: nothing to take back
	}
	c.unsent = true
	return nil
}
