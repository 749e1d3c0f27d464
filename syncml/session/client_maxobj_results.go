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
// responder.fitResults): a Results with an Item of more data, whole or an
// object cut into chunks none of which the server took, is not sent (its
// pieces leave cont, and the command gets back the Items it was made
// with, noted in u), nor the other Results of the same Get, and that Get
// fails: the Statuses answering it in cont become 500 (copies; one sent
// already stays as it went). Each Results left out gets an Outcome with a
// *LimitError of MaxObjSize. The Results whose chunk flight is (the last
// chunk sent, nil for none) go on: the server saw their Size and took a
// piece. It returns cont as it is when all fit, otherwise what is kept in
// a new array.
func (c *Client) fitPeerResults(cont []syncml.Command, flight syncml.Command, u *clientMark) ([]syncml.Command, []Outcome) {
	max := c.peerObj
	var over map[getRef]error // the Gets whose Results do not go, with why
	var begun *syncml.Results // the Results in flight, which go on
	for i := 0; i < len(cont); i++ {
		r, ok := cont[i].(*syncml.Results)
		if !ok {
			continue
		}
		end, k, n := c.resultsOver(cont, i, max)
		if begun == nil && flight != nil && samePiece(flight, r) {
			// the first Results in cont is the one in flight, if any
			begun, _ = cont[end-1].(*syncml.Results)
		}
		flight = nil
		if k > 0 && cont[end-1] != syncml.Command(begun) {
			if over == nil {
				over = make(map[getRef]error)
			}
			ref := getRef{r.MsgRef, r.CmdRef}
			if over[ref] == nil {
				over[ref] = peerObjError("Results for Get "+r.CmdRef+" of message "+r.MsgRef+" not sent", k, n, max)
			}
		}
		i = end - 1
	}
	if over == nil {
		return cont, nil
	}
	keep := make([]syncml.Command, 0, len(cont))
	var unsent []Outcome
	for i := 0; i < len(cont); i++ {
		switch x := cont[i].(type) {
		case *syncml.Status:
			if x.Cmd == "Get" && over[getRef{x.MsgRef, x.CmdRef}] != nil {
				failed := *x
				failed.Data = syncml.Text("500")
				keep = append(keep, &failed)
				continue
			}
		case *syncml.Results:
			end := i + 1
			if isChunk(x) {
				end = i + objectEnd(cont[i:])
			}
			last := cont[end-1]
			err := over[getRef{x.MsgRef, x.CmdRef}]
			if err == nil || last == syncml.Command(begun) {
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
