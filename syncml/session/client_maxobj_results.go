package session

import (
	"github.com/windc-go/windc/syncml"
)

// A getRef names a server Get the device answers: the MsgID of the
// server's message and the Get's CmdID.
type getRef struct{ msg, cmd string }

// fitPeerResults holds the Results among cont, answers to the server's
// Gets made before it announced c.peerObj as its MaxObjSize (the rest of
// the package, a refused message about to be sent again), to that bound,
// as the Handler's Results are held to it when they are made (see
// responder.fitResults). A Results with an Item of more data, whole or an
// object cut into chunks none of which the server took, is not sent (its
// pieces leave cont, and the command gets back the Items it was made
// with, noted in u). What becomes of the Get depends on what the server
// has of its answer:
//   - its Status is still in cont, and no Results of it is in flight: the
//     Get fails, as one failed when its Results were made. The Statuses
//     answering it in cont become 500 (copies), and none of its Results
//     is sent, those within the bound with the others;
//   - otherwise the server has the Get's code already (its Status went
//     in an earlier message, or the Get asked for none), the codes of
//     some of its items (answered with a Status per item, a message took
//     some and left the others in cont: see noteSplitGet; refused names
//     a message the server refused, "" for none, whose Statuses it does
//     not have), or a chunk of one
//     of its Results (flight, the last chunk sent, nil for none: that
//     Results goes on, the server having seen its Size): a Status of 500
//     would contradict what the server has, so the Get keeps its code and
//     only the Results over the bound are left out; the others go.
//
// Each Results left out gets an Outcome with a *LimitError of MaxObjSize
// (for one within the bound, that of its Get). It returns cont as it is
// when all fit, otherwise what is kept in a new array.
func (c *Client) fitPeerResults(cont []syncml.Command, flight syncml.Command, refused string, u *clientMark) ([]syncml.Command, []Outcome) {
	max := c.peerObj
	var over map[syncml.Command]error // the Results over the bound (their last piece), with why
	var failed map[getRef]error       // the Gets that fail, with why (their first Results over the bound)
	var answered map[getRef]bool      // the Gets a Status in cont answers
	var begun syncml.Command          // the last piece of the Results in flight, which goes on
	var begunRef getRef
	for i := 0; i < len(cont); i++ {
		switch x := cont[i].(type) {
		case *syncml.Status:
			if x.Cmd == "Get" {
				if answered == nil {
					answered = make(map[getRef]bool)
				}
				answered[getRef{x.MsgRef, x.CmdRef}] = true
			}
		case *syncml.Results:
			end, k, n := c.resultsOver(cont, i, max)
			ref := getRef{x.MsgRef, x.CmdRef}
			if begun == nil && flight != nil && samePiece(flight, x) {
				// the first Results in cont is the one in flight, if any
				begun, begunRef = cont[end-1], ref
			}
			flight = nil
			if k > 0 && cont[end-1] != begun {
				if over == nil {
					over, failed = make(map[syncml.Command]error), make(map[getRef]error)
				}
				err := peerObjError("Results for Get "+x.CmdRef+" of message "+x.MsgRef+" not sent", k, n, max)
				over[cont[end-1]] = err
				if failed[ref] == nil {
					failed[ref] = err
				}
			}
			i = end - 1
		}
	}
	if over == nil {
		return cont, nil
	}
	went := c.statusWent(refused)
	for ref := range failed {
		if !answered[ref] || (begun != nil && ref == begunRef) || went[ref] {
			delete(failed, ref) // the server has part of its answer: the Get cannot fail now
		}
	}
	keep := make([]syncml.Command, 0, len(cont))
	var unsent []Outcome
	for i := 0; i < len(cont); i++ {
		switch x := cont[i].(type) {
		case *syncml.Status:
			if x.Cmd == "Get" && failed[getRef{x.MsgRef, x.CmdRef}] != nil {
				fail := *x
				fail.Data = syncml.Text("500")
				keep = append(keep, &fail)
				continue
			}
		case *syncml.Results:
			end := i + 1
			if isChunk(x) {
				end = i + objectEnd(cont[i:])
			}
			last := cont[end-1]
			err := over[last]
			if e := failed[getRef{x.MsgRef, x.CmdRef}]; e != nil && err == nil && last != begun {
				err = e
			}
			if err == nil {
				keep = append(keep, cont[i:end]...)
				i = end - 1
				continue
			}
			if end > i+1 {
				for _, cu := range c.cuts {
					if cu.cmd == last {
						u.recut = append(u.recut, uncut{cmd: last, items: last.ItemList()})
						setItems(last, cu.items)
						break
					}
				}
			}
			unsent = append(unsent, Outcome{Command: last, Err: err})
			i = end - 1
			continue
		}
		keep = append(keep, cont[i])
	}
	if len(keep) == 0 {
		keep = nil
	}
	return keep, unsent
}

// resultsOver returns the end in cont of the Results starting at i (after
// its last piece when it is cut into chunks) and, when an Item of it has
// more than max bytes of data, that Item's number from 1 (0 when none)
// and its bytes: an object cut into chunks counts as the one Item it
// holds, all its pieces' data.
func (c *Client) resultsOver(cont []syncml.Command, i, max int) (end, k, n int) {
	if !isChunk(cont[i]) {
		k, n = overObject(cont[i], max)
		return i + 1, k, n
	}
	end = i + objectEnd(cont[i:])
	for _, p := range cont[i:end] {
		if it := p.ItemList(); len(it) == 1 && it[0].Data != nil {
			n += len(it[0].Data.Value)
		}
	}
	if n > max {
		return end, 1, n
	}
	return end, 0, 0
}
