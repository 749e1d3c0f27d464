package session

import (
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// fitPeerObj returns the commands of queue that hold no Item of more than
// max bytes of data (the MaxObjSize the server announced), at any depth,
// and an Outcome for each of the others, not sent, with a *LimitError of
// MaxObjSize. queue is returned as it is when all fit; otherwise the
// commands kept are in a new array (the queue's stays as it was, for a
// call that fails to put back).
func fitPeerObj(queue []syncml.Command, max int) ([]syncml.Command, []Outcome) {
	var keep []syncml.Command
	var unsent []Outcome
	for i, c := range queue {
		_, k, n := overAny(c, max)
		if k == 0 {
			if keep != nil {
				keep = append(keep, c)
			}
			continue
		}
		if keep == nil {
			keep = append(make([]syncml.Command, 0, len(queue)-1), queue[:i]...)
		}
		unsent = append(unsent, Outcome{Command: c, Err: peerObjError(c.ElementName()+" not sent", k, n, max)})
	}
	if keep == nil {
		return queue, nil
	}
	return keep, unsent
}

// peerObjError is the error of what, whose Item k of n bytes of data is
// over the MaxObjSize max the server announced.
func peerObjError(what string, k, n, max int) error {
	return errorf("%s: its Item %d has %d bytes of data, over the server's MaxObjSize: %w",
		what, k, n, pkg.LimitCount("MaxObjSize", int64(max), int64(n), ""))
}

// fitPeerObjCont is fitPeerObj for the rest of the device's package
// (c.cont), cut into messages before the server announced its MaxObjSize
// (package 1 is built before the server says anything): the device's own
// commands in it with an Item over c.peerObj bytes of data are not sent,
// an object cut into chunks whole (its chunks leave c.cont, and the
// command gets back the Items it was queued with, noted in u, as a call
// that fails puts them back). An object some chunks of which went out
// goes on: the server, which saw its Size on the first, answered that
// chunk already, and refuses the object in its Status when it does not
// take it (see dropRefused). It returns c.cont as it is when all fit,
// otherwise the commands kept in a new array.
func (c *Client) fitPeerObjCont(u *clientMark) ([]syncml.Command, []Outcome) {
	return c.fitPeerObjRest(c.cont, c.chunkInFlight(), "", u)
}

// fitPeerObjRest is fitPeerObjCont over cont, a list of the device's
// commands the server has not run, whose object in flight, if any, is
// the one flight is the last chunk sent of (nil for none), and refused
// the MsgID of a message the server refused that cont holds again (""
// for none): the Results in it are held to the bound first (see
// fitPeerResults), then the
// device's own commands, the first of which goes on when it is a piece
// of that object (answers to the server may come before it). It returns
// cont as it is when all fit, otherwise the commands kept in a new
// array.
func (c *Client) fitPeerObjRest(cont []syncml.Command, flight syncml.Command, refused string, u *clientMark) ([]syncml.Command, []Outcome) {
	cont, results := c.fitPeerResults(cont, flight, refused, u)
	kept, own := c.fitPeerOwn(cont, ownChunk(flight), u)
	return kept, append(results, own...)
}

// fitPeerOwn is fitPeerObjRest for the device's own commands of cont,
// the answers to the server aside; flight is the last chunk sent of the
// device's own object in flight (nil for none).
func (c *Client) fitPeerOwn(cont []syncml.Command, flight syncml.Command, u *clientMark) ([]syncml.Command, []Outcome) {
	max := c.peerObj
	var keep []syncml.Command // nil until a command is left out
	var unsent []Outcome
	for i := 0; i < len(cont); i++ {
		x := cont[i]
		if isAnswer(x) || sessionAlert(x) {
			if keep != nil {
				keep = append(keep, x)
			}
			continue
		}
		end := i + 1 // after the command, or after the pieces of its object
		cmd := x
		size := 0
		if isChunk(x) {
			end = i + objectEnd(cont[i:])
			cmd = cont[end-1]
			for _, p := range cont[i:end] {
				if it := p.ItemList(); len(it) == 1 && it[0].Data != nil {
					size += len(it[0].Data.Value)
				}
			}
		}
		k := 1
		switch {
		case flight != nil && samePiece(flight, x):
			k = 0 // its Size went with its first chunk
		case size <= max:
			_, k, size = overAny(cmd, max)
		}
		flight = nil
		if k == 0 {
			if keep != nil {
				keep = append(keep, cont[i:end]...)
			}
			i = end - 1
			continue
		}
		if keep == nil {
			keep = append(make([]syncml.Command, 0, len(cont)-1), cont[:i]...)
		}
		if end > i+1 {
			for _, x := range c.cuts {
				if x.cmd == cmd {
					u.recut = append(u.recut, uncut{cmd: cmd, items: cmd.ItemList()})
					setItems(cmd, x.items)
					break
				}
			}
		}
		unsent = append(unsent, Outcome{Command: cmd, Err: peerObjError(cmd.ElementName()+" not sent", k, size, max)})
		i = end - 1
	}
	if keep == nil {
		return cont, nil
	}
	if len(keep) == 0 {
		keep = nil
	}
	return keep, unsent
}

// ownInFlight returns chunkInFlight when that is a chunk of an object of
// the device's own (not a Results, which answers the server); nil
// otherwise.
func (c *Client) ownInFlight() syncml.Command {
	return ownChunk(c.chunkInFlight())
}

// ownChunk returns x when it is a chunk of an object of the device's own,
// nil when it is nil or a Results.
func ownChunk(x syncml.Command) syncml.Command {
	if x != nil && !isAnswer(x) {
		return x
	}
	return nil
}

// fitPeerObjResend holds the message the server refused at its SyncHdr
// (401 or 407) in the middle of the session, about to be sent again,
// to a MaxObjSize the refusal announced (c.peerObj): again, the device's
// commands of that message (EachMessage's aside, which it gives anew),
// and the rest of the package after it, as one list, as fitPeerObjRest
// holds the rest of a package. The server ran none of the refused
// message: an object whose first chunk it carried was never begun, and
// is not sent when over the bound, nor its chunks; an object begun in an
// earlier message the server took goes on (its chunk, or last piece,
// leads the list). The Results it carried for the server's Gets are held
// to the bound too (see fitPeerResults): the Get of Results over it
// fails, 500. It returns the commands to send again, in a new
// array, and the Outcomes of those left out.
func (c *Client) fitPeerObjResend(again []syncml.Command, u *clientMark) ([]syncml.Command, []Outcome) {
	cands := append(append(make([]syncml.Command, 0, len(again)+len(c.cont)), again...), c.cont...)
	if c.peerObj <= 0 {
		return cands, nil
	}
	refused := strconv.Itoa(c.outMsgID)
	return c.fitPeerObjRest(cands, c.chunkInFlightBefore(refused), refused, u)
}
