package session

import (
	"bytes"
	"context"
	"io"
	"net/http"
	neturl "net/url"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxMessages is the default of ClientConfig.MaxMessages.
const DefaultMaxMessages = 64

// Run runs one whole session over HTTP: it starts the session with
// sessionID and alerts (see Start), posts each message to url with hc
// (http.DefaultClient when nil) under ctx, hands every reply to Handle,
// and stops when the session is over. A server reply's RespURI, when set,
// is where the answer to that reply goes (relative references resolved
// against url; one that leaves https stops the session); the answer to a
// reply without RespURI, and the next session, go to url. It returns the
// Outcomes of what the device sent, and before them those a session given
// up before left Abandoned (see Start). A Run that fails (a post that
// fails, say) gives its session up: the next Start sends the rest of its
// package and reports what it sent and got no answer for. A server that
// keeps refusing the device's credentials (past MaxAuthRetries) fails
// Run with an error matching ErrAuthGaveUp: the next Start sends the
// refused message's commands again, none of which the server ran.
//
// A server that answers another HTTP status than 200 OK fails Run with
// an error holding an *HTTPError (errors.As), whose Header has the
// response's Retry-After, if any.
//
// The bounds are ClientConfig.MaxBytes (reply body) and MaxMessages
// (messages the device sends in the session).
func (c *Client) Run(ctx context.Context, hc *http.Client, url, sessionID string, alerts ...syncml.Command) ([]Outcome, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	m, err := c.Start(ctx, sessionID, alerts...)
	if err != nil {
		return nil, err
	}
	var outcomes []Outcome
	max := c.cfg.MaxMessages
	if max <= 0 {
		max = DefaultMaxMessages
	}
	at := url // where the next message goes
	for n := 1; ; n++ {
		if n > max {
			return outcomes, pkg.Limit("MaxMessages", int64(max), int64(n), "")
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			return outcomes, errorf("encode message %s: %w", m.Header.MsgID, err)
		}
		reply, body, hdr, err := c.post(ctx, hc, at, raw)
		if err != nil {
			return outcomes, err
		}
		x, err := c.HandleInbound(ctx, &Inbound{Raw: body, Message: reply, Header: hdr})
		if err != nil {
			return outcomes, err
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
			return outcomes, err
		}
		m = x.Reply
		if x.Done {
			// The last message (Statuses after an abort) needs no answer.
			raw, err := syncml.Marshal(m)
			if err != nil {
				return outcomes, errorf("encode message %s: %w", m.Header.MsgID, err)
			}
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
		return "", errorf("%w: RespURI: %w", ErrProtocol, err)
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", errorf("%w: RespURI %q is not an http or https URL", ErrProtocol, respURI)
	}
	if b.Scheme == "https" && u.Scheme != "https" {
		return "", errorf("%w: RespURI %q leaves https", ErrProtocol, respURI)
	}
	return u.String(), nil
}

// post sends one message and reads the server's reply, returned parsed,
// as its bytes, and with the response headers.
func (c *Client) post(ctx context.Context, hc *http.Client, url string, raw []byte) (*syncml.Message, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return nil, nil, nil, errorf("post: %w", err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", ContentType)
	if c.cfg.Credentials != nil {
		if err := c.cfg.Credentials.Sign(ctx, c.chal, raw, req.Header); err != nil {
			return nil, nil, nil, errorf("post: sign: %w", err)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
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
		return nil, nil, nil, errorf("post: reply content type %q", resp.Header.Get("Content-Type"))
	}
	unmarshal := syncml.Unmarshal
	if c.cfg.Unmarshal != nil {
		unmarshal = c.cfg.Unmarshal
	}
	var m syncml.Message
	if err := unmarshal(body, &m); err != nil {
		return nil, nil, nil, errorf("post: reply: %w", err)
	}
	return &m, body, resp.Header, nil
}
