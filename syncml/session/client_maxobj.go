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
		k, n := overPeerObj(c, max)
		if k == 0 {
			if keep != nil {
				keep = append(keep, c)
			}
			continue
		}
		if keep == nil {
			keep = append(make([]syncml.Command, 0, len(queue)-1), queue[:i]...)
		}
		unsent = append(unsent, Outcome{Command: c, Err: errorf("%s not sent: its Item %d has %d bytes of data, over the server's MaxObjSize: %w",
			c.ElementName(), k, n, pkg.LimitCount("MaxObjSize", int64(max), int64(n), ""))})
	}
	if keep == nil {
		return queue, nil
	}
	return keep, unsent
}

// overPeerObj returns the number (from 1) of the first Item of c, or of a
// command it holds, with more than max bytes of data, and their number; 0
// when none has.
func overPeerObj(c syncml.Command, max int) (item, size int) {
	if isNil(c) {
		return 0, 0
	}
	if k, n := overObject(c, max); k > 0 {
		return k, n
	}
	for _, in := range nestedOf(c) {
		if k, n := overPeerObj(in, max); k > 0 {
			return k, n
		}
	}
	return 0, 0
}
