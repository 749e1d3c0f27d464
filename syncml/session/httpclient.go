package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	neturl "net/url"
	"sync/atomic"

	"github.com/windc-go/windc/internal/httpredirect"
	"github.com/windc-go/windc/syncml"
)

// DefaultMaxMessages is the default of ClientConfig.MaxMessages. It agrees
// with DefaultMaxObjectSize: an object that large, in chunks at a
// MaxMsgSize of 64 KiB (what Windows announces), takes about 66 messages
// of plain text and about 370 of text that grows fivefold when escaped
// (&amp;, the most XML text grows), a device message for each; 1024 leaves
// room for one such object each way and the rest of the session.
const DefaultMaxMessages = 1024

// Run runs one whole session over HTTP: it starts the session with
// sessionID and alerts (see Start: a new sessionID each session, such as a
// counter the device keeps, written in decimal or hexadecimal as Windows
// does), posts each message to url with hc
// (http.DefaultClient when nil) under ctx, hands every reply to Handle,
// and stops when the session is over. url is where the messages go;
// ClientConfig.ServerURI is what they name as their SyncHdr Target, which
// need not be the same text (the server's address as the enrollment gave
// it, without the port or query the post uses, say). A server reply's
// RespURI, when set, is where the answer to that reply goes (relative
// references resolved against url; one that leaves https stops the
// session; one naming another host is followed, with the session's
// credentials, as OMA DM lets a server move its session: a device that
// must stay on its server's host gives Run an hc whose *http.Transport
// dials no other (its DialContext checks the address)); the answer to a
// reply without RespURI, and the next session, go to url. It returns the
// Outcomes of what the device sent (Start's Alert 1201 and alerts
// included), and before them those a session given up before left
// Abandoned (see Start); a command the server never answered in a
// session it ended comes Abandoned with them (Changed: it came with the
// next session's). The Statuses and Results that answer none of the
// device's commands (Exchange.Unmatched) are no Outcome: they reach
// ClientConfig.OnExchange, with every Exchange. A Run that fails (a post that
// fails, say) gives its session up: the next Start sends the rest of its
// package and reports what it sent and got no answer for. A server that
// keeps refusing the device's credentials (past MaxAuthRetries) fails
// Run with an error matching ErrAuthGaveUp: the next Start sends the
// refused message's commands again, none of which the server ran.
//
// A post that wrote nothing to the server (the connection refused, a
// DNS, proxy or TLS handshake failure, a context done before a
// connection was made; also a message not posted because MaxMessages is
// reached or its RespURI is refused) fails Run too, but the server never
// saw that message: the next Start counts it as not sent, so the device's queued
// commands in it go back to the front of the queue, in order, and go
// first in the next session, and nothing of it comes back Abandoned (not
// Start's Alert 1201, alerts and DevInfo, which the next Start makes
// anew, nor what EachMessage gave it); when it was a later message of a
// package 1 cut by the server's MaxMsgSize, the Start alerts in it or
// left after it come back with an Err (see Start). Run knows that only when hc's
// Transport is an *http.Transport (http.DefaultTransport when nil),
// which tells it whether the request got a connection (see
// net/http/httptrace's GotConn; its HTTP/2 does too). A RoundTripper
// registered on that Transport with RegisterProtocol for the URL's scheme
// takes the request past its connections: unless it calls the request's
// GotConn before it writes, a failure after writing is taken as not sent,
// and the commands go out again. With another RoundTripper, and after any
// error once a connection was made (the server may have got the message
// and run it), the session's commands sent come back Abandoned, as after
// a restart: a Client keeps at most MaxQueue of those across failed
// sessions, the newest (see DroppedAbandoned).
//
// A server that answers another HTTP status than 200 OK fails Run with
// an error holding an *HTTPError (errors.As), whose Header has the
// response's Retry-After, if any. Run follows no HTTP redirect by
// default, whatever hc's CheckRedirect says (it posts through a copy of
// hc): a 3xx fails Run as an *HTTPError whose Header has the Location.
// SyncML moves a session with RespURI, which Run follows; a 307 or 308
// would post the device's message (and its x-syncml-hmac header) again
// wherever it points, plain http included, and a 301, 302 or 303 would
// turn the post into a GET whose answer is no reply to it. (Changed: Run
// followed them as hc does, up to 10 by default.) ClientConfig.MaxRedirects
// lets Run follow a 307 or 308 from https to https, as many as it says,
// each also passed to hc's CheckRedirect when set; any other 3xx fails
// Run as above. A reply that is not for the device
// (another SessionID, or a SyncHdr Target LocURI other than DeviceID), or
// whose Statuses or Results answer a message the device did not send in
// the session (a MsgRef that is none of its MsgIDs), or whose MsgID is
// not past the last one the server sent in the session (a [MsgIDError]:
// the same reply again, say; see ClientConfig.AllowMsgIDReuse), or a 200
// reply whose Content-Type is not SyncML's (see AcceptsContentType), fails
// Run with ErrProtocol, nothing of it run (Changed: the content type's
// error matched no sentinel).
//
// The bounds are ClientConfig.MaxBytes (reply body) and MaxMessages
// (messages the device sends in the session). Run waits for each reply
// as long as ctx and hc allow: with a nil hc (no Timeout) and a ctx
// without deadline, a server that never answers holds Run for ever; pass
// a ctx with a deadline, or an http.Client with a Timeout.
func (c *Client) Run(ctx context.Context, hc *http.Client, url, sessionID string, alerts ...syncml.Command) ([]Outcome, error) {
	hc = httpredirect.KeepBody(hc, c.cfg.MaxRedirects) // nil: http.DefaultClient
	if _, err := c.Start(ctx, sessionID, alerts...); err != nil {
		return nil, err
	}
	var outcomes []Outcome
	max := c.cfg.MaxMessages
	if max <= 0 {
		max = DefaultMaxMessages
	}
	at := url // where the next message goes
	// raw is m's encoding, made as the Client built it (and measured
	// against the server's MaxMsgSize): posted as it is, not encoded again
	raw := c.lastRaw
	for n := 1; ; n++ {
		if n > max {
			c.unsent = true // m, built, is not posted
			return outcomes, pkg.LimitCount("MaxMessages", int64(max), int64(n), "")
		}
		reply, body, hdr, err := c.post(ctx, hc, at, raw)
		if err != nil {
			var ns errNotSent
			if errors.As(err, &ns) {
				c.unsent = true
				err = ns.error
			}
			return outcomes, err
		}
		x, err := c.HandleInbound(ctx, &Inbound{Raw: body, Message: reply, Header: hdr})
		if err != nil {
			return outcomes, err
		}
		if c.cfg.OnExchange != nil {
			c.cfg.OnExchange(ctx, x)
		}
		if x.Refused != nil {
			// The server failed ClientConfig.ServerAuth: the device's last
			// message (401 or 407 and a new nonce) needs no answer.
			next, uerr := c.nextURL(url, reply.Header.RespURI)
			if uerr != nil {
				return outcomes, uerr
			}
			_, _, _, _ = c.post(ctx, hc, next, x.Raw)
			return outcomes, errorf("server credentials: %w", x.Refused)
		}
		outcomes = append(outcomes, x.Outcomes...)
		if x.Reply == nil {
			return outcomes, nil
		}
		// The answer to a reply goes to its RespURI, when set, and to the
		// session's URL otherwise.
		next, err := c.nextURL(url, reply.Header.RespURI)
		if err != nil {
			c.unsent = !x.Done
			return outcomes, err
		}
		raw = x.Raw
		if x.Done {
			// The last message (Statuses after an abort) needs no answer.
			_, _, _, err = c.post(ctx, hc, next, raw)
			return outcomes, err
		}
		at = next
	}
}

// nextURL returns where the answer to a reply goes: its RespURI (resolved
// against base, the session's URL) when set, base otherwise. A RespURI
// that is not a URL, or that leaves https for another scheme, is an
// error: the session stops rather than send the device's data elsewhere.
func (c *Client) nextURL(base, respURI string) (string, error) {
	if respURI == "" {
		return base, nil
	}
	b, err := neturl.Parse(base)
	if err != nil {
		return "", errorf("session URL: %w", err)
	}
	r, err := neturl.Parse(respURI)
	if err != nil {
		return "", errorf("%w: RespURI: %w", ErrProtocol, shownURLError(err))
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", errorf("%w: RespURI %s is not an http or https URL", ErrProtocol, shown(respURI))
	}
	if b.Scheme == "https" && u.Scheme != "https" {
		return "", errorf("%w: RespURI %s leaves https", ErrProtocol, shown(respURI))
	}
	return u.String(), nil
}

// errNotSent wraps the error of a post that wrote nothing to the server.
type errNotSent struct{ error }

func (e errNotSent) Unwrap() error { return e.error }

// post sends one message and reads the server's reply, returned parsed,
// as its bytes, and with the response headers. An error of a request
// that for sure wrote nothing (see connTrace) is an errNotSent.
func (c *Client) post(ctx context.Context, hc *http.Client, url string, raw []byte) (*syncml.Message, []byte, http.Header, error) {
	var got atomic.Bool
	tctx, sure := connTrace(ctx, hc, &got)
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return nil, nil, nil, errNotSent{errorf("post: %w", err)}
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", ContentType)
	if c.cfg.Credentials != nil {
		if err := c.cfg.Credentials.Sign(ctx, c.chal, raw, req.Header); err != nil {
			return nil, nil, nil, errNotSent{errorf("post: sign: %w", err)}
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if sure && !got.Load() {
			return nil, nil, nil, errNotSent{errorf("post: %w (nothing was sent)", err)}
		}
		return nil, nil, nil, errorf("post: %w", err)
	}
	defer resp.Body.Close()
	max := c.cfg.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, nil, errorf("post: read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, nil, errorf("post: %w", &HTTPError{StatusCode: resp.StatusCode, Header: resp.Header})
	}
	if int64(len(body)) > max {
		return nil, nil, nil, pkg.Limit("MaxBytes", max, max+1, "")
	}
	if !AcceptsContentType(resp.Header.Get("Content-Type")) {
		return nil, nil, nil, errorf("post: %w: reply content type %s", ErrProtocol, shown(resp.Header.Get("Content-Type")))
	}
	var m syncml.Message
	if err := c.decodeReply(body, &m); err != nil {
		return nil, nil, nil, errorf("post: reply: %w", err)
	}
	return &m, body, resp.Header, nil
}
