package session

import (
	"github.com/windc-go/windc/syncml"
)

// restRoom is the least room a restBuf leaves on each side of the rest
// of the package it holds when it makes a new array.
const restRoom = 64

// A restBuf is the array the rest of the device's package (Client.cont)
// lives in between messages, with room before it and after it, so that
// the next message's list of candidates (its new commands first, the rest
// of the package, the commands queued after it) is made without copying
// the rest: the commands a message carries leave room at the front for
// the next one's. A long rest (thousands of commands a server never lets
// go) then costs each message in proportion to what it carries and
// brings, not to what waits.
//
// Nothing but join writes to the array, and only outside the rest it
// made last (view), which it uses in place only while Client.cont is
// still that very slice: a rest put back by a failed call (clientMark),
// trimmed or rebuilt by anyone is copied into a new array instead. So no
// slice of the Client, nor one a mark holds, sees its commands change.
type restBuf struct {
	buf  []syncml.Command // the whole array (len is cap)
	view []syncml.Command // the rest the last message left in buf
	// clean is where the commands of buf start that may be set: those
	// before it are nil (the commands sent are not held on to).
	clean int
	// counts are those of view (see restCounts), and joined those of
	// the candidates join made last when inBuf (they lie in buf): so
	// that Client.ownWaiting and pendingAnswers need not walk the rest.
	counts, joined restCounts
	inBuf          bool
}

// restCounts are the counts of a list of commands in the rest of the
// device's package: own the device's own commands (neither answers to
// the server nor an Alert 1222), answers its Statuses and Results, an
// object cut into chunks counted once (its last piece), next its Alerts
// 1222.
type restCounts struct{ own, answers, next int }

// add adds the counts of cmds to r, or takes them away (sign -1).
func (r *restCounts) add(cmds []syncml.Command, sign int) {
	for _, x := range cmds {
		switch x := x.(type) {
		case *syncml.Status:
			r.answers += sign
			continue
		case *syncml.Results:
			if !isChunk(x) {
				r.answers += sign
			}
			continue
		case *syncml.Alert:
			if isNextMessageAlert(x) {
				r.next += sign
				continue
			}
		}
		if !isChunk(x) {
			r.own += sign
		}
	}
}

// countsOf returns the counts of cont, the rest of the package, from
// those kept when it is the rest the last message left, else counted.
func (r *restBuf) countsOf(cont []syncml.Command) restCounts {
	if len(cont) > 0 {
		if _, ok := r.at(cont); ok {
			return r.counts
		}
	}
	var n restCounts
	n.add(cont, 1)
	return n
}

// join returns front, mid and back in one list of candidates, mid being
// the rest of the package (Client.cont) when it is the rest the last
// message left (then in place: front is written before it, back after
// it), else a new array with room on both sides when mid is not empty
// (the rest it leaves is used in place next time), an array of their
// length alone when it is.
func (r *restBuf) join(front, mid, back []syncml.Command) []syncml.Command {
	n := len(front) + len(mid) + len(back)
	r.inBuf = len(mid) > 0
	if len(mid) == 0 {
		if len(back) == 0 {
			return front
		}
		return append(append(make([]syncml.Command, 0, n), front...), back...)
	}
	if off, ok := r.at(mid); ok && off >= len(front) && len(r.buf)-off-len(mid) >= len(back) {
		s, end := off-len(front), off+len(mid)
		r.joined = r.counts
		r.joined.add(front, 1)
		r.joined.add(back, 1)
		if r.clean < s {
			clear(r.buf[r.clean:s]) // sent already: no longer held
		}
		r.clean = s
		copy(r.buf[s:], front)
		copy(r.buf[end:], back)
		return r.buf[s : end+len(back)]
	}
	room := max(n, restRoom)
	r.buf = make([]syncml.Command, room+n+room)
	r.joined = restCounts{}
	r.clean = room
	copy(r.buf[room:], front)
	copy(r.buf[room+len(front):], mid)
	copy(r.buf[room+len(front)+len(mid):], back)
	r.view = nil
	cands := r.buf[room : room+n]
	r.joined.add(cands, 1)
	return cands
}

// at returns where mid starts in buf when mid is the rest the last
// message left there, the very slice.
func (r *restBuf) at(mid []syncml.Command) (int, bool) {
	v := r.view
	if len(v) == 0 || len(mid) != len(v) || cap(mid) != cap(v) || &mid[0] != &v[0] {
		return 0, false
	}
	off := len(r.buf) - cap(v)
	if off < 0 || &r.buf[off] != &v[0] {
		return 0, false
	}
	return off, true
}

// keep notes rest, what a message left of the candidates join made
// (sent went), as the rest to use in place next time when it lies in buf
// (a command cut into chunks makes it a new array).
func (r *restBuf) keep(sent, rest []syncml.Command) {
	r.view = nil
	if !r.inBuf || len(rest) == 0 || cap(rest) > len(r.buf) {
		return
	}
	if off := len(r.buf) - cap(rest); &r.buf[off] == &rest[0] {
		r.view = rest
		r.counts = r.joined
		r.counts.add(sent, -1)
	}
}

// reset forgets the array (a session that starts or ends).
func (r *restBuf) reset() { *r = restBuf{} }

// contSuffix reports whether mid is the end of cont (the very commands,
// not a copy): the part of the rest of the package that goes on as it is.
func contSuffix(cont, mid []syncml.Command) bool {
	if len(mid) == 0 {
		return true
	}
	return len(mid) <= len(cont) && &mid[0] == &cont[len(cont)-len(mid)]
}

// firstCommand returns the first command of the lists, in order, that is
// not a Status (nil when there is none).
func firstCommand(lists ...[]syncml.Command) syncml.Command {
	for _, l := range lists {
		for _, x := range l {
			if _, ok := x.(*syncml.Status); !ok {
				return x
			}
		}
	}
	return nil
}
