package main

import (
	"context"
	"slices"
	"sync"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device's session may break before the device answers what it was
// sent: it starts a new one (Alert 1201, another SessionID) or aborts
// (Alert 1223). Its Outcomes then say the commands were abandoned. The
// Gets among them (firstSessionGets, on the device's first session) are
// asked again: a Get changes nothing on the device. The linked
// enrollment's are not: relink starts it again on a later session that
// reads EnrollStatus 1, as it does for a device that lost it.

// reask returns the Gets of outcomes that a restart or abort gave up
// unanswered, as new commands, but for the linked enrollment's.
func reask(outcomes []session.Outcome) []syncml.Command {
	return slices.DeleteFunc(session.AbandonedGets(outcomes), func(c syncml.Command) bool { return !askedAgain(c) })
}

// askedAgain reports whether cmd, abandoned unanswered, is asked again: a
// Get of a node that is not the linked enrollment's.
func askedAgain(cmd syncml.Command) bool {
	if _, ok := cmd.(*syncml.Get); !ok {
		return false
	}
	t, ok := firstTarget(cmd)
	if !ok {
		return false
	}
	_, linked := linkedNode(t)
	return !linked
}

// beforeReply is the session's BeforeReply: it queues again the Gets a
// restart or an abort of the session gave up (they go out in this reply,
// or in the device's next session after an abort), and starts the linked
// enrollment again when the device reads 1 (relink). What became of the
// Gets (queued, or refused by Queue: MaxQueue) goes to notes, for the
// exchange's record.
func beforeReply(ctx context.Context, notes *reaskNotes, marks *linkMarks, s *session.Session, m *syncml.Message, x *session.Exchange) {
	var linked string
	if relink(ctx, marks, s, m, x) {
		linked = m.Header.SessionID
	}
	again := reask(x.Outcomes)
	if len(again) == 0 {
		notes.put(ctx, &reaskNote{x: x, linked: linked}) // a try before this one may have left one
		return
	}
	notes.put(ctx, &reaskNote{x: x, targets: targetsOf(again), err: s.Queue(again...), linked: linked})
}

// A reaskNote says what beforeReply did with the Gets it asked again for
// the Exchange x: their targets, and why Queue refused them (nil: they
// were queued); and the SessionID of the session the exchange linked
// (relink), "" when it did not.
type reaskNote struct {
	x       *session.Exchange
	targets []string
	err     error
	linked  string
}

// reaskNotes carries reaskNotes from beforeReply to the exchange's record
// (newServer's OnExchange). The Server may run BeforeReply more than once
// for a message (again after a Store conflict) and calls OnExchange once,
// with the Exchange of the try it kept: a note is kept per HTTP request
// (the last try's replaces the one before), until the request ends, and
// taken only with its own Exchange. Outside HTTP (no request in the
// context) it is kept per Exchange until taken.
type reaskNotes struct {
	m sync.Map // *http.Request, or *session.Exchange → *reaskNote
}

// put keeps n for the request of ctx. A note that says nothing (no Gets
// asked again, no session linked) is not kept: take returns nil for its
// exchange, as for an exchange beforeReply did not see, and newServer's
// OnExchange tells the two apart by x.Refused. Only a note of an earlier
// try of the same request is dropped then. Most check-ins note nothing:
// they cost no entry, and no function run when their request ends.
func (ns *reaskNotes) put(ctx context.Context, n *reaskNote) {
	r := session.HTTPRequest(ctx)
	if n.linked == "" && len(n.targets) == 0 && n.err == nil {
		if r != nil {
			ns.m.Delete(r) // an earlier try's, if any
		}
		return
	}
	if r == nil {
		ns.m.Store(n.x, n)
		return
	}
	if _, loaded := ns.m.Swap(r, n); !loaded {
		context.AfterFunc(r.Context(), func() { ns.m.Delete(r) })
	}
}

// take returns the note beforeReply left for x, nil when there is none.
func (ns *reaskNotes) take(ctx context.Context, x *session.Exchange) *reaskNote {
	var key any = x
	if r := session.HTTPRequest(ctx); r != nil {
		key = r
	}
	v, ok := ns.m.LoadAndDelete(key)
	if !ok {
		return nil
	}
	if n := v.(*reaskNote); n.x == x {
		return n
	}
	return nil
}

// targetsOf returns the first target of each of cmds.
func targetsOf(cmds []syncml.Command) []string {
	t := make([]string, 0, len(cmds))
	for _, c := range cmds {
		if ts, ok := firstTarget(c); ok {
			t = append(t, ts)
		}
	}
	return t
}
