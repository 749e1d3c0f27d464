package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// The Outcome of an object this side sent in chunks is that of its last
// piece, the command queued itself cut down to the end of the object
// (see split). Its Outcome hands the command back whole: on a Client, with
// the Items it was queued with (kept in Client.cuts for the session); on
// a Session, whose state between messages keeps only the pieces sent,
// rejoined from them (rejoinAnswered).

// lastPiece reports whether c may end an object sent in chunks: a command
// that may be chunked, with one Item of Data and no MoreData.
func lastPiece(c syncml.Command) bool {
	if !chunkable(c) {
		return false
	}
	items := c.ItemList()
	return len(items) == 1 && items[0].Data != nil && !items[0].MoreData
}

// samePiece reports whether the chunk a and the command b carry the same
// kind of command for the same node: pieces of one object.
func samePiece(a, b syncml.Command) bool {
	if a.ElementName() != b.ElementName() {
		return false
	}
	ia, ib := a.ItemList(), b.ItemList()
	return len(ia) == 1 && len(ib) == 1 && itemURI(ia[0]) == itemURI(ib[0])
}

// rejoinAnswered makes whole again (see rejoin) each command of outs, the
// Outcomes of the Statuses just matched, that ends an object sent in
// chunks (see piecesOf): the command queued gets the whole object, for
// its Outcome, and its record a copy holding the last piece, what was
// sent, so that a state keeps no second copy of the object. The chunk
// records stay: a peer may answer a chunk after the object's end. When
// save is true, what it changes is returned, for a reply that fails to
// put back (nil when it changed nothing).
func (c *correlator) rejoinAnswered(outs []Outcome, save bool) *rejoinUndo {
	var want []syncml.Command
	for i := range outs {
		if o := &outs[i]; o.Status != nil && lastPiece(o.Command) {
			want = append(want, o.Command)
		}
	}
	if len(want) == 0 {
		return nil
	}
	// Each plain Add or Replace of one Item may end an object: want is
	// searched only for the records that follow a chunk the session
	// sent, few, so that a message answering thousands of commands, in
	// any order, costs a step for each record (a search of want for
	// every record took a time quadratic in them).
	var u *rejoinUndo
	for i := len(c.sent) - 1; i > 0 && len(want) > 0; i-- {
		s := c.sent[i]
		if s.Internal || !c.afterChunk(i) {
			continue
		}
		k := slices.Index(want, s.Cmd)
		if k < 0 {
			continue
		}
		want = slices.Delete(want, k, k+1)
		pieces := c.piecesOf(i)
		if pieces == nil {
			continue
		}
		cmd := s.Cmd
		if save {
			if u == nil {
				u = new(rejoinUndo)
			}
			u.recs, u.cmds = append(u.recs, s), append(u.cmds, cmd)
			u.cut = append(u.cut, uncut{cmd: cmd, items: cmd.ItemList()})
		}
		s.Cmd = withItems(cmd, cmd.ItemList())
		rejoin(append(pieces, cmd))
	}
	return u
}

// rejoinUnanswered makes whole again, as rejoinAnswered does, the
// commands that end an object sent in chunks among those still waiting
// for their Status, before the session gives them up (abandon): their
// Outcomes take them from their records, which stay as they are.
func (c *correlator) rejoinUnanswered(save bool) *rejoinUndo {
	var u *rejoinUndo // allocated once needed: a session starts with none
	for i := len(c.sent) - 1; i > 0; i-- {
		s := c.sent[i]
		if s.Internal || s.Status != nil || s.NoResp || !lastPiece(s.Cmd) {
			continue
		}
		pieces := c.piecesOf(i)
		if pieces == nil {
			continue
		}
		if save {
			if u == nil {
				u = new(rejoinUndo)
			}
			u.cut = append(u.cut, uncut{cmd: s.Cmd, items: s.Cmd.ItemList()})
		}
		rejoin(append(pieces, s.Cmd))
	}
	return u
}

// afterChunk reports whether the record at i follows, but for Alerts
// 1222, a chunk the session sent itself: the first test of piecesOf.
func (c *correlator) afterChunk(i int) bool {
	for j := i - 1; j >= 0; j-- {
		if r := c.sent[j]; !isNextMessage(r) {
			return r.Internal && isChunk(r.Cmd)
		}
	}
	return false
}

// piecesOf returns, first first, the chunks of the object whose last
// piece is the command of the record at i, with room for one more: the
// commands of the records right before it that the session sent itself
// (Internal), chunks of the same command for the same node, its Alerts
// 1222 among them. Nil when there is none: the command was sent whole.
func (c *correlator) piecesOf(i int) []syncml.Command {
	last := c.sent[i].Cmd
	first := i
	for j := i - 1; j >= 0; j-- {
		r := c.sent[j]
		if isNextMessage(r) {
			continue
		}
		if !r.Internal || !isChunk(r.Cmd) || !samePiece(r.Cmd, last) {
			break
		}
		first = j
	}
	if first == i {
		return nil
	}
	pieces := make([]syncml.Command, 0, i-first+1)
	for _, r := range c.sent[first:i] {
		if !isNextMessage(r) {
			pieces = append(pieces, r.Cmd)
		}
	}
	return pieces
}

// A rejoinUndo is what rejoinAnswered or rejoinUnanswered changed, as it
// was: the records whose command it replaced, with it, and the commands
// it made whole, with their Items.
type rejoinUndo struct {
	recs []*sentCmd
	cmds []syncml.Command
	cut  []uncut
}

// put puts back what rejoinAnswered or rejoinUnanswered changed.
func (u *rejoinUndo) put() {
	for i, r := range u.recs {
		r.Cmd = u.cmds[i]
	}
	undoCuts(u.cut)
}

// wholeAgain gives the commands of outs that end an object the Client
// sent in chunks the Items they were queued with (see Client.cuts),
// noting in u what it changes, put back when the call fails.
func (c *Client) wholeAgain(outs []Outcome, u *clientMark) {
	if len(c.cuts) == 0 {
		return
	}
	for i := range outs {
		cmd := outs[i].Command
		if !lastPiece(cmd) {
			continue
		}
		for _, x := range c.cuts {
			if x.cmd == cmd && !sameItems(cmd.ItemList(), x.items) {
				u.recut = append(u.recut, uncut{cmd: cmd, items: cmd.ItemList()})
				setItems(cmd, x.items)
				break
			}
		}
	}
}
