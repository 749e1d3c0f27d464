package session

import (
	"github.com/windc-go/windc/syncml"
)

// replyLimits returns the limits under which the Client decodes a server
// message. They follow its own configuration rather than syncml's
// defaults, which are looser: the message is bounded by the MaxMsgSize
// the device announces in package 1 (the server keeps each message
// within it), when set, and by MaxBytes (DefaultMaxBytes when zero), the
// reply Run reads, in any case; one text run may hold an object of
// MaxObjectSize whole, and at least what syncml allows by default. The
// other bounds are syncml's defaults.
func (c *Client) replyLimits() syncml.Limits {
	return syncml.Limits{MaxBytes: c.replyMax(), MaxTokenBytes: max(syncml.DefaultMaxTokenBytes, c.cfg.MaxObjectSize)}
}

// replyMax is the largest server message the Client takes, in bytes: the
// MaxMsgSize it announces when set and below MaxBytes, MaxBytes (or
// DefaultMaxBytes) otherwise.
func (c *Client) replyMax() int64 {
	n := c.cfg.MaxBytes
	if n <= 0 {
		n = DefaultMaxBytes
	}
	if c.cfg.MaxMsgSize > 0 && int64(c.cfg.MaxMsgSize) < n {
		n = int64(c.cfg.MaxMsgSize)
	}
	return n
}

// checkReplySize refuses a server message of n bytes larger than the
// MaxMsgSize the device announced: the server broke the bound it was
// given, so the error matches ErrProtocol, and ErrLimit through a
// *LimitError (Limit "MaxMsgSize", Count n).
func (c *Client) checkReplySize(n int) error {
	if max := c.cfg.MaxMsgSize; max > 0 && n > max {
		return errorf("%w: server message of %d bytes is larger than the MaxMsgSize the device announced: %w",
			ErrProtocol, n, pkg.LimitCount("MaxMsgSize", int64(max), int64(n), ""))
	}
	return nil
}

// decodeReply decodes the server message data into m: with
// ClientConfig.Unmarshal when set (the caller's decoder and its limits),
// under replyLimits otherwise; in both cases a message larger than the
// MaxMsgSize the device announced is refused first (see checkReplySize).
func (c *Client) decodeReply(data []byte, m *syncml.Message) error {
	if err := c.checkReplySize(len(data)); err != nil {
		return err
	}
	if c.cfg.Unmarshal != nil {
		return c.cfg.Unmarshal(data, m)
	}
	return syncml.UnmarshalLimits(data, m, c.replyLimits())
}

// maxChunks returns the bound of the chunks of one object the server
// sends (see ClientConfig.MaxObjectChunks), 0 for none; maxObj is the
// bound of its data in effect.
func (c *Client) maxChunks(maxObj int) int {
	switch n := c.cfg.MaxObjectChunks; {
	case n > 0:
		return n
	case n < 0:
		return 0
	}
	n := DefaultMaxObjectChunks
	if half := c.cfg.MaxMsgSize / 2; half > 0 {
		n = max(n, maxObj/half+1)
	}
	return n
}
