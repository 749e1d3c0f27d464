package session

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxMessages is the default of ClientConfig.MaxMessages.
const DefaultMaxMessages = 64

// Run runs one whole session over HTTP: it starts the session with
// sessionID and alerts (see Start), posts each message to url with hc
// (http.DefaultClient when nil) under ctx, hands every reply to Handle,
// and stops when the session is over. A server reply's RespURI, when set,
// is where the next message goes. It returns the Outcomes of what the
// device sent.
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
	for n := 1; ; n++ {
		if n > max {
			return outcomes, pkg.Limit("MaxMessages", int64(max), int64(n), "")
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			return outcomes, errorf("encode message %s: %w", m.Header.MsgID, err)
		}
		reply, err := c.post(ctx, hc, url, raw)
		if err != nil {
			return outcomes, err
		}
		x, err := c.Handle(ctx, reply)
		if err != nil {
			return outcomes, err
		}
		outcomes = append(outcomes, x.Outcomes...)
		if x.Reply == nil {
			return outcomes, nil
		}
		if u := reply.Header.RespURI; u != "" {
			url = u
		}
		m = x.Reply
		if x.Done {
			// The last message (Statuses after an abort) needs no answer.
			raw, err := syncml.Marshal(m)
			if err != nil {
				return outcomes, errorf("encode message %s: %w", m.Header.MsgID, err)
			}
			_, err = c.post(ctx, hc, url, raw)
			return outcomes, err
		}
	}
}

// post sends one message and reads the server's reply.
func (c *Client) post(ctx context.Context, hc *http.Client, url string, raw []byte) (*syncml.Message, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return nil, errorf("post: %w", err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", ContentType)
	if c.cfg.Credentials != nil {
		if err := c.cfg.Credentials.Sign(ctx, c.chal, raw, req.Header); err != nil {
			return nil, errorf("post: sign: %w", err)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, errorf("post: %w", err)
	}
	defer resp.Body.Close()
	max := c.cfg.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, errorf("post: read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errorf("post: server answered %s", resp.Status)
	}
	if int64(len(body)) > max {
		return nil, pkg.Limit("MaxBytes", max, max+1, "")
	}
	if !AcceptsContentType(resp.Header.Get("Content-Type")) {
		return nil, errorf("post: reply content type %q", resp.Header.Get("Content-Type"))
	}
	var m syncml.Message
	if err := syncml.Unmarshal(body, &m); err != nil {
		return nil, errorf("post: reply: %w", err)
	}
	return &m, nil
}
