package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// giveUp ends the session in progress before its end: Start after a
// session that did not end (the caller gave it up, after a network error
// say) and an abort by the server. As a Server does with its own
// package, the commands of the device's package not sent yet (c.cont) go
// back to the front of the queue, in order and whole: an object whose
// first chunks went out is put back as it was queued (uncutSession), its
// chunks sent forgotten, and the answers to the server and the alerts the
// session sent of itself are dropped (they belong to the session). So is
// what Start made for a package 1 the server's MaxMsgSize cut, left for
// a later message (Changed: it went back to the queue, and the next
// package 1 carried it after its own, a second DevInfo Replace among
// them): the DevInfo, which the next Start makes anew, and the alerts
// given to Start, each with an Outcome whose Err says it was not sent
// and is not sent again, without MsgID (see startCutShort); Alert 1201
// leads the first message, never the rest. The commands EachMessage gave
// a message of the session that it could not carry are not queued again
// either, EachMessage giving each message its own: an Outcome each says
// so (see withoutEachLeft). It returns an Outcome for each command sent and not answered (Abandoned;
// answered with its chunked Results never completed: its Status alone),
// with the SessionID of the session given up, and forgets the records.
// What it changes is noted in u, as the call that fails puts it back (the
// queue and the rest are new slices).
//
// A session that gave up on authentication (c.refused: the server
// refused the last message at its SyncHdr once more than MaxAuthRetries
// allows) did
// not send that message: its commands go back to the queue with the rest
// (see unsend), before it, and are not Abandoned; those EachMessage gave
// it, and the alerts given to the Start of a package 1 (in any message
// of it), come last, with an Err (see refusedEach). So does a session
// whose last message Run failed to post before any of it was written
// (c.unsent), but nothing of that message is reported, the server never
// having seen it, except the Start alerts of a later message of package 1
// and those left after it (see notPosted).
//
// A session that ended (answered through, or refused by ServerAuth with
// nothing left to send) has no rest: only its commands the server never
// answered are reported (the command of an object sent in chunks whole,
// as it was queued).
func (c *Client) giveUp(u *clientMark) []Outcome {
	sent := c.sent.sent
	var refused []Outcome
	if c.refused != 0 || c.unsent {
		// the session gave up on authentication, or Run failed to post
		// its last message: that message was not sent
		refused, sent = c.unsend()
		c.refused, c.unsent = 0, false
	}
	if !c.ended || len(c.cont) > 0 {
		if (&correlator{sent: sent}).continued(c.cont) != nil {
			sent = sent[:inFlight(sent)]
		}
		// what Start made for package 1 and the message that was to carry
		// it never took is not queued again: the next Start makes its own
		var left []syncml.Command
		c.cont, left = c.withoutStartOwn(c.cont)
		for _, x := range left {
			refused = append(refused, c.startCutShort(x))
		}
		rest, each := c.withoutEachLeft(c.restToQueue())
		refused = append(refused, each...)
		c.uncutSession(u)
		if len(rest) > 0 {
			c.queue = append(rest, c.queue...)
		}
		c.cont = nil
	}
	if len(c.cuts) > 0 {
		// a session that ended with the last piece of an object not
		// answered: its Outcome holds the command as queued
		c.uncutSession(u)
	}
	outs := inSession(unansweredOf(sent), c.sessionID)
	c.sent.reset()
	return append(outs, refused...)
}

// startCutShort returns the Outcome of x, one of the alerts given to
// Start that the session left for a later message of its package 1 (the
// server's MaxMsgSize cut it) and never sent, the session having ended
// first (the server aborted it, or the next Start gave it up): x is not
// sent again (the next Start has alerts of its own), so its Outcome has
// no MsgID and an Err that says so.
func (c *Client) startCutShort(x syncml.Command) Outcome {
	return Outcome{SessionID: c.sessionID, Command: x,
		Err: errorf("%s not sent: session %q ended (aborted by the server, or given up) before the message of package 1 that was to carry it; Start gives each session its own alerts",
			x.ElementName(), c.sessionID)}
}

// inFlight returns where the records of the object in flight start in
// sent: its chunks at the end of it (the Alerts 1222 among and after them
// with them), which nothing waits for once it is put back whole.
func inFlight(sent []*sentCmd) int {
	from := len(sent)
	for i := len(sent) - 1; i >= 0; i-- {
		s := sent[i]
		if a, ok := s.Cmd.(*syncml.Alert); ok && s.Internal {
			if code, err := a.Code(); err == nil && code == syncml.AlertNextMessage {
				from = i
				continue
			}
		}
		if !isChunk(s.Cmd) {
			break
		}
		from = i
	}
	return from
}

// restToQueue returns, in a new slice, the device's own commands among
// the rest of its package (c.cont): not the Statuses and Results that
// answer the server, nor the Alerts 1222 and 1225 the session sent of
// itself, and of an object cut into chunks the command alone (cut: its
// last chunk, put back whole by uncutSession), not the chunks before it
// that chunkCommands made (c.pieces). A command queued as a chunk (an
// object the caller cut itself) is the caller's and goes back.
func (c *Client) restToQueue() []syncml.Command {
	var out []syncml.Command
	for _, x := range c.cont {
		if isAnswer(x) || sessionAlert(x) || c.pieces[x] {
			continue
		}
		out = append(out, x)
	}
	return out
}

// noteForcedPieces notes in c.pieces the chunks pack's forced cut made of
// x (see forced): the first, the last command the message carries, and
// those in rest before x, which carries the last.
func (c *Client) noteForcedPieces(x syncml.Command, sent, rest []syncml.Command) {
	if c.pieces == nil {
		c.pieces = make(map[syncml.Command]bool)
	}
	if n := len(sent); n > 0 && sent[n-1] != x && isChunk(sent[n-1]) {
		c.pieces[sent[n-1]] = true
	}
	if i := slices.Index(rest, x); i > 0 {
		for _, y := range rest[:i] {
			c.pieces[y] = true
		}
	}
}

// notePieces notes in c.pieces the commands of out, what chunkCommands
// made of in, that are not in in: the chunks it made before the last of
// each object it cut.
func (c *Client) notePieces(in, out []syncml.Command) {
	if len(out) == len(in) {
		return // nothing cut: the same commands
	}
	was := make(map[syncml.Command]bool, len(in))
	for _, x := range in {
		was[x] = true
	}
	for _, x := range out {
		if !was[x] {
			if c.pieces == nil {
				c.pieces = make(map[syncml.Command]bool)
			}
			c.pieces[x] = true
		}
	}
}

// sessionAlert reports whether c is an Alert the session sends of itself
// (1222 for the peer's next message, 1225 for an object cut short).
func sessionAlert(c syncml.Command) bool {
	a, ok := c.(*syncml.Alert)
	if !ok {
		return false
	}
	code, err := a.Code()
	return err == nil && (code == syncml.AlertNextMessage || code == syncml.AlertNoEndOfData)
}

// overQueue keeps the queue within MaxQueue after an abort put the rest
// of the device's package back at its front (see giveUp): the rest may
// hold more of the device's own commands than MaxQueue, BeforeReply
// having queued more while some waited. The first MaxQueue commands stay
// queued, in order; each command past them (the last queued) is not
// queued again and gets an Outcome of the session, its Err a
// *LimitError of MaxQueue, so that none is lost silently. The queue is
// resliced, not written: a mark (u) keeps the slice as it was.
func (c *Client) overQueue() []Outcome {
	bound := c.maxQueue()
	if len(c.queue) <= bound {
		return nil
	}
	outs := make([]Outcome, 0, len(c.queue)-bound)
	for i, x := range c.queue[bound:] {
		outs = append(outs, Outcome{Command: x,
			Err: errorf("%s not queued again after the server aborted the session: %d commands of the device's own were queued or waited to go: %w",
				x.ElementName(), len(c.queue), pkg.LimitCount("MaxQueue", int64(bound), int64(bound+i+1), ""))})
	}
	c.queue = c.queue[:bound:bound]
	return inSession(outs, c.sessionID)
}
