package session

import (
	"github.com/windc-go/windc/syncml"
)

// DefaultMaxPendingAnswers is the default of
// ClientConfig.MaxPendingAnswers.
const DefaultMaxPendingAnswers = 4096

// maxPendingAnswers returns ClientConfig.MaxPendingAnswers, or its
// default when not set.
func (c *Client) maxPendingAnswers() int {
	if n := c.cfg.MaxPendingAnswers; n > 0 {
		return n
	}
	return DefaultMaxPendingAnswers
}

// maxQueue returns ClientConfig.MaxQueue, or DefaultMaxQueue when not
// set.
func (c *Client) maxQueue() int {
	if n := c.cfg.MaxQueue; n > 0 {
		return n
	}
	return DefaultMaxQueue
}

// ownWaiting returns how many of the device's own commands (neither
// answers to the server nor an Alert 1222 asking for its next message)
// wait in the rest of the device's package, an object cut into chunks
// counted once: those a message could not carry, from Queue, BeforeReply
// or EachMessage.
func (c *Client) ownWaiting() int {
	return c.rest.countsOf(c.cont).own
}

// pendingAnswers returns how many answers to the server (Statuses and
// Results) wait in the rest of the device's package, a Results cut into
// chunks counted once, and whether one of them answers the server's
// message msgID ("" asks about none).
func (c *Client) pendingAnswers(msgID string) (n int, of bool) {
	if msgID == "" {
		return c.rest.countsOf(c.cont).answers, false
	}
	for _, x := range c.cont {
		var ref string
		switch x := x.(type) {
		case *syncml.Status:
			ref = x.MsgRef
		case *syncml.Results:
			if isChunk(x) {
				continue // its last piece counts
			}
			ref = x.MsgRef
		default:
			continue
		}
		n++
		if msgID != "" && ref == msgID {
			of = true
		}
	}
	return n, of
}

// bringsCommands reports whether m carries a command for the device to
// answer other than Statuses, Results and one Alert asking for the
// device's next message (1222) or ending the session (1223): a message
// that only goes on with the device's package, or ends it, brings
// nothing new to answer but that Alert's Status, which goes first in the
// reply.
func bringsCommands(m *syncml.Message) bool {
	alerts := 0
	for _, x := range m.Body.Commands {
		switch x := x.(type) {
		case *syncml.Status, *syncml.Results, *syncml.Unknown:
			continue
		case *syncml.Alert:
			code, err := x.Code()
			if err == nil && (code == syncml.AlertNextMessage || code == syncml.AlertSessionAbort) {
				if alerts++; alerts == 1 {
					continue
				}
			}
		}
		return true
	}
	return false
}

// checkPending refuses a server message that brings commands (see
// bringsCommands) while the answers the device owes the server, waiting
// in the rest of its package, have reached MaxPendingAnswers: the server
// keeps adding to them faster than the device's messages carry them. The
// error holds a *LimitError (Limit "MaxPendingAnswers", Count the answers
// waiting). With AllowMsgIDReuse it also refuses such a message when one
// of those answers is to an earlier server message of the session with
// the same MsgID (a *MsgIDError, Open set): the Client knows the server's
// Gets by MsgID and CmdID, so it could take a Get of the new message for
// one of the earlier whose answers are still to go. Nothing of a refused
// message runs, and nothing of the Client changes. The notes of Gets whose
// answers all went are dropped once a message is taken (see answer), so
// that reuse is taken as soon as nothing of the earlier message waits.
//
// Such a message is refused too while the device's own commands waiting
// there (see ownWaiting) have reached MaxQueue: the commands a server
// message brings make more of them (BeforeReply's, and those its answers
// push back), so a server that sends them without letting the device's
// package go would make them pile up without end. The error holds a
// *LimitError (Limit "MaxQueue", Count those waiting).
func (c *Client) checkPending(m *syncml.Message) error {
	if !bringsCommands(m) {
		return nil
	}
	id := "" // the MsgID looked for among the answers waiting
	if c.cfg.AllowMsgIDReuse {
		id = m.Header.MsgID
	}
	n, open := c.pendingAnswers(id)
	if open {
		return &MsgIDError{SessionID: c.sessionID, MsgID: m.Header.MsgID, Last: c.inMsgID, AnswersWaiting: true}
	}
	if max := c.maxPendingAnswers(); n >= max {
		return errorf("server message %s brings commands while %d answers of the device to the server's earlier ones wait to go: %w",
			shown(m.Header.MsgID), n, pkg.LimitCount("MaxPendingAnswers", int64(max), int64(n), ""))
	}
	if own, max := c.ownWaiting(), c.maxQueue(); own >= max {
		return errorf("server message %s brings commands while %d commands of the device's own wait to go in the rest of its package: %w",
			shown(m.Header.MsgID), own, pkg.LimitCount("MaxQueue", int64(max), int64(own), ""))
	}
	return nil
}
