package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// A brokenObject is the device's object in flight that a message about
// to be built does not continue (see breakInFlight), made whole again.
type brokenObject struct {
	// was is the object's command with the Items it had (its last
	// piece), put back when the message fails.
	was uncut
	// sent are the records of the session without the chunks of the
	// object (a new slice), which the message built keeps.
	sent []*sentCmd
	// cuts are c.cuts without the object's (a new slice).
	cuts []uncut
}

// breakInFlight handles a message that does not continue the device's
// object in flight although its first command after the Statuses would
// have to (nextPiece found another command there): the server takes such
// an object as cut short and drops it, so its other pieces must not
// follow as if it went on. As a session given up does with an object
// some chunks of which went out (uncutSession, and the Server's
// rejoinObject), the object goes out again whole, to be cut anew with its
// own Size: its pieces left in cands give way to its command, which gets
// back the Items it was queued with (c.cuts), at the place of its first
// piece; the records of its chunks sent and its cut are to be forgotten
// (b.sent, b.cuts), once the message is built. flight is the last chunk
// the device sent of the object; skip is the MsgID of a refused message
// built again, whose records are passed over ("" for none). It returns
// cands as it is, and a nil brokenObject, when no piece of the object is
// among them; otherwise the new commands in a new array.
func (c *Client) breakInFlight(cands []syncml.Command, flight syncml.Command, skip string) ([]syncml.Command, *brokenObject) {
	if flight == nil {
		return cands, nil
	}
	// the object's command: one cut by the session, for flight's node,
	// among cands, its pieces right before it
	e, ci := -1, -1
	for i, x := range cands {
		if !samePiece(flight, x) || isChunk(x) {
			continue
		}
		for j := range c.cuts {
			if c.cuts[j].cmd == x {
				e, ci = i, j
				break
			}
		}
		if e >= 0 {
			break
		}
	}
	b := &brokenObject{sent: c.withoutChunksOf(flight, skip)}
	if e < 0 {
		// nothing of it is left to send: its chunks are forgotten
		// (nothing continues it)
		b.cuts = c.cuts
		return cands, b
	}
	k := e
	for k > 0 && isChunk(cands[k-1]) && samePiece(flight, cands[k-1]) {
		k--
	}
	cmd := cands[e]
	b.was = uncut{cmd: cmd, items: cmd.ItemList()}
	setItems(cmd, c.cuts[ci].items)
	b.cuts = slices.DeleteFunc(slices.Clone(c.cuts), func(x uncut) bool { return x.cmd == cmd })
	if len(b.cuts) == 0 {
		b.cuts = nil
	}
	return slices.Concat(cands[:k], cands[e:]), b
}

// withoutChunksOf returns, in a new slice, the records of the session but
// the chunks of the object whose last chunk sent is flight: those at the
// end of the records (the Alerts 1222 among them stay), the records of
// message skip passed over ("" passes over none).
func (c *Client) withoutChunksOf(flight syncml.Command, skip string) []*sentCmd {
	sent := c.sent.sent
	drop := make(map[*sentCmd]bool)
	for i := len(sent) - 1; i >= 0; i-- {
		s := sent[i]
		if isNextMessage(s) || skip != "" && s.MsgID == skip {
			continue
		}
		if !isChunk(s.Cmd) || !samePiece(flight, s.Cmd) {
			break
		}
		drop[s] = true
	}
	return slices.DeleteFunc(slices.Clone(sent), func(s *sentCmd) bool { return drop[s] })
}

// undo puts back the Items the object's command had before breakInFlight
// made it whole, for a message that fails (nothing when b is nil).
func (b *brokenObject) undo() {
	if b != nil {
		b.was.undo()
	}
}
