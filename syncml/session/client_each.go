package session

import (
	"context"
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// eachMessage returns the commands of ClientConfig.EachMessage, which go
// before the candidates of the message being built.
//
// EachMessage is the hook of a device that reports its state in every
// message it sends, as a WinDC device sends its 1224 summary alert: it is
// called once per message (package 1, package 1 sent again after a
// challenge, a reply, a message that asks for the rest of the server's
// package or carries the rest of the device's), after the Handler has
// answered the server's message, so what it returns reflects the commands
// just carried out. Its commands go before everything else the message
// carries but the Status of the server's SyncHdr (and, in package 1, Alert
// 1201), so that a MaxMsgSize never defers them to a later message; they
// are numbered, and their Statuses come back as Outcomes, like any
// command the device sends. A message the server refuses (401 or 407) is
// sent again with what EachMessage gives then: the commands it gave the
// refused message come back as Outcomes with an Err (see refusedEach).
// Those with an Item over maxObj, the MaxObjSize the server announced in
// the session (0 for none), are not sent: they go to c.eachUnsent, an
// Outcome each with a *LimitError, which the Exchange of the message
// built reports; so are those past MaxQueue when added to the device's
// own commands waiting in the rest of its package (see ownWaiting), with
// a *LimitError of MaxQueue.
// An error aborts building the message. It is not called for the
// Statuses that answer an aborted session, nor for a message that
// continues an object of the device's: the object's next chunk comes
// first in it, and no other command may go between the chunks of an
// object (OMA DM, large objects), or the server takes the object as cut.
func (c *Client) eachMessage(ctx context.Context, maxObj int) ([]syncml.Command, error) {
	c.nextEach, c.eachUnsent = nil, nil
	if c.cfg.EachMessage == nil || c.continuesObject(c.again) {
		return nil, nil
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
	if maxObj > 0 {
		// what the server would not take is not sent (Outcome.Err), as
		// queued commands are not
		extra, c.eachUnsent = fitPeerObj(extra, maxObj)
	}
	if own, bound := c.ownWaiting(), c.maxQueue(); own+len(extra) > bound {
		// the device's own commands waiting in the rest of its package
		// stay within MaxQueue: those past it are not sent
		keep := max(0, bound-own)
		for i, x := range extra[keep:] {
			c.eachUnsent = append(c.eachUnsent, Outcome{Command: x,
				Err: errorf("%s not sent: %d commands of the device's own wait to go in the rest of its package: %w",
					x.ElementName(), own, pkg.LimitCount("MaxQueue", int64(bound), int64(own+keep+i+1), ""))})
		}
		extra = extra[:keep:keep]
	}
	c.nextEach = extra
	return extra, nil
}

// continuesObject reports whether the message being built continues an
// object: the last command the device sent (see chunkInFlight) is one of
// its chunks, or, when again (the last message built once more), the last
// one continued one itself.
func (c *Client) continuesObject(again bool) bool {
	if again {
		return c.lastCont
	}
	return c.chunkInFlight() != nil
}

// chunkInFlight returns the last chunk the device sent of an object whose
// other pieces are still to go, its own or a Results: the last command it
// sent, Alerts 1222 aside, when that is a chunk. Messages of Statuses
// alone may have gone out since (a forced message the Statuses filled),
// so the last message built does not tell. Nil when there is none.
func (c *Client) chunkInFlight() syncml.Command {
	return c.chunkInFlightBefore("")
}

// chunkInFlightBefore is chunkInFlight as it was before the message
// msgID was built (its records passed over), when msgID is the last
// message built: the message a server refused, which it ran none of.
// An empty msgID passes over nothing.
func (c *Client) chunkInFlightBefore(msgID string) syncml.Command {
	for i := len(c.sent.sent) - 1; i >= 0; i-- {
		s := c.sent.sent[i]
		if isNextMessage(s) || msgID != "" && s.MsgID == msgID {
			continue
		}
		if isChunk(s.Cmd) {
			return s.Cmd
		}
		return nil
	}
	return nil
}

// refusedEach returns an Outcome for each command EachMessage gave the
// last message, which the server refused with code (401 or 407): the
// server ran none of it, and the message sent again carries what
// EachMessage gives then, not those. Each has the refused message's MsgID
// and an Err matching ErrInvalidCredentials or ErrMissingCredentials;
// the commands nested in them count as they do in any Outcome, those that
// ask for no Status (NoResp) do not.
func (c *Client) refusedEach(code syncml.StatusCode) []Outcome {
	from := 0
	if c.lastPkg1 {
		from = 1 // after Alert 1201
	}
	from = min(from, len(c.lastSent))
	each := c.lastSent[from:min(from+c.lastEach, len(c.lastSent))]
	if len(each) == 0 {
		return nil
	}
	return c.refusedOf(each, code, "EachMessage gave the message sent again its own")
}

// refusedOf returns an Outcome for each command of cmds (and those nested
// in them), which the last message carried and the server refused with
// code: as refusedEach's, the Err saying why (why) it is not sent again.
func (c *Client) refusedOf(cmds []syncml.Command, code syncml.StatusCode, why string) []Outcome {
	if len(cmds) == 0 {
		return nil
	}
	var flat []syncml.Command
	flattenAll(cmds, &flat)
	cause := refusalCause(code)
	msgID := strconv.Itoa(c.outMsgID)
	var outs []Outcome
	for _, s := range c.sent.sent {
		if s.MsgID != msgID || s.NoResp || s.Internal || !slices.Contains(flat, s.Cmd) {
			continue
		}
		outs = append(outs, Outcome{MsgID: msgID, SessionID: c.sessionID, Command: s.Cmd,
			Err: errorf("%s %s of message %s: the server refused the message (%d) and ran none of it; %s: %w",
				s.Cmd.ElementName(), s.Cmd.ID(), msgID, int(code), why, cause)})
	}
	return outs
}

// noteEachLeft notes, once the message being built is made, the
// EachMessage commands it was given (c.eachLeft), carried or not: one it
// did not carry waits in the rest of the device's package, and one it
// carried goes back there if the message is not run (see unsend). They
// are noted until the session ends, as one that was carried and answered
// is no longer in the rest. The work is in proportion to the message's
// EachMessage commands, not to the rest.
func (c *Client) noteEachLeft() {
	if len(c.nextEach) == 0 {
		return
	}
	if c.eachLeft == nil {
		c.eachLeft = make(map[syncml.Command]bool, len(c.nextEach))
	}
	for _, x := range c.nextEach {
		c.eachLeft[x] = true
	}
}

// withoutEachLeft returns rest, the device's own commands of a session
// given up bound for the queue (see giveUp), without those EachMessage
// gave the session (c.eachLeft), in a new slice when it held any, and an
// Outcome for each of those: they are not queued again, EachMessage
// giving each message its own (a device that reports its state in every
// message would otherwise send the next session a stale report after
// the fresh one). The Outcome has no MsgID, and an Err that says so.
func (c *Client) withoutEachLeft(rest []syncml.Command) ([]syncml.Command, []Outcome) {
	if len(c.eachLeft) == 0 || !slices.ContainsFunc(rest, func(x syncml.Command) bool { return c.eachLeft[x] }) {
		return rest, nil
	}
	var outs []Outcome
	kept := make([]syncml.Command, 0, len(rest))
	for _, x := range rest {
		if !c.eachLeft[x] {
			kept = append(kept, x)
			continue
		}
		outs = append(outs, Outcome{SessionID: c.sessionID, Command: x,
			Err: errorf("%s not sent: session %q ended (aborted by the server, or given up) before the message that was to carry it; EachMessage gives each message its own, and it is not queued again",
				x.ElementName(), c.sessionID)})
	}
	return kept, outs
}
