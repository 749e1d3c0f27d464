package session

import "github.com/windc-go/windc/syncml"

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
