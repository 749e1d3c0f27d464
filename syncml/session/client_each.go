package session

import (
	"context"

	"github.com/windc-go/windc/syncml"
)

// eachMessage puts the commands of ClientConfig.EachMessage before cands.
//
// EachMessage is the hook of a device that reports its state in every
// message it sends, as a WinDC device sends its 1224 summary alert: it is
// called once per message (package 1, package 1 sent again after a
// challenge, a reply, a message that asks for the rest of the server's
// package or carries the rest of the device's), after the Handler has
// answered the server's message, so what it returns reflects the commands
// just carried out. Its commands go before everything else the message
// carries but the Status of the server's SyncHdr (and, in package 1, Alert
// 1201), so that a MaxMsgSize never defers them to a later message; they are numbered, and their
// Statuses come back as Outcomes, like any command the device sends. An
// error aborts building the message. It is not called for the Statuses
// that answer an aborted session.
func (c *Client) eachMessage(ctx context.Context, cands []syncml.Command) ([]syncml.Command, error) {
	if c.cfg.EachMessage == nil {
		return cands, nil
	}
	extra, err := c.cfg.EachMessage(ctx)
	if err != nil {
		return nil, errorf("EachMessage: %w", err)
	}
	for _, x := range extra {
		if isNil(x) {
			return nil, errorf("EachMessage: nil command")
		}
	}
	if err := notInAtomic("EachMessage", extra); err != nil {
		return nil, err
	}
	c.nextEach = len(extra)
	if len(extra) == 0 {
		return cands, nil
	}
	return append(append([]syncml.Command(nil), extra...), cands...), nil
}
