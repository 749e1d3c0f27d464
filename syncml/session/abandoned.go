package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// AbandonedGets returns a new Get, ready to queue, for each Get among
// outcomes that a restart or an abort of the session gave up before the
// device answered it: Abandoned, with neither Status nor Results (a Get
// whose Results came without its Status was answered). A Get changes
// nothing on the device, so asking it again is always safe, unlike an
// Exec, Add or Replace, which the device may have run before the session
// broke: AbandonedGets returns no other command, nor a Get nested in an
// Atomic or Sequence among outcomes (it goes with its parent). The copies
// are in the order of outcomes, without CmdID, and share no Get, Item,
// Location, Meta, Cred or Data with them; nil when there are none.
//
// In Config.BeforeReply,
//
//	_ = s.Queue(session.AbandonedGets(x.Outcomes)...)
//
// asks them again in the reply to the message that restarted the session
// (Alert 1201 or 1200, or a new SessionID), or, after an abort (Alert
// 1223, whose reply carries no command), in the device's next session.
// Each Get is given up once: the copy, once sent, is reported (and
// returned) again only if its session breaks too. A Server that retries a
// message after a Store conflict runs BeforeReply on the state it
// reloads, without what the failed try queued.
func AbandonedGets(outcomes []Outcome) []syncml.Command {
	var nested nestedSet // the commands nested in those of outcomes
	n, k := 0, 0         // the Gets given up, nested ones included, and their Items
	for i := range outcomes {
		o := &outcomes[i]
		if o.Command == nil {
			continue
		}
		if c := o.Command.Nested(); len(c) > 0 {
			markNested(o.MsgID, c, &nested)
			continue
		}
		if g := abandonedGet(o); g != nil {
			n++
			k += len(g.Items)
		}
	}
	if n == 0 {
		return nil
	}
	// A nested command follows its parent in outcomes: the Gets are
	// known to be nested once all the outcomes are seen. The copies are
	// made in one block each of Gets, Items and Locations, not one
	// allocation per part: a device's restart gives up a whole session's
	// Gets at once.
	out := make([]syncml.Command, 0, n)
	gets := make([]syncml.Get, n)
	items := make([]syncml.Item, k)
	locs := make([]syncml.Location, 2*k)
	for i := range outcomes {
		o := &outcomes[i]
		g := abandonedGet(o)
		if g == nil || nested.has(o.MsgID, o.Command) {
			continue
		}
		c := &gets[0]
		gets = gets[1:]
		copyGet(c, g, &items, &locs)
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil // all nested
	}
	return out
}

// abandonedGet returns o's command if it is a Get that a restart or an
// abort gave up unanswered, else nil.
func abandonedGet(o *Outcome) *syncml.Get {
	if g, ok := o.Command.(*syncml.Get); ok && g != nil && o.Abandoned && o.Status == nil && len(o.Results) == 0 && o.Err == nil {
		return g
	}
	return nil
}

// markNested adds cmds, of message msgID, and the commands nested in them
// to set (by pointer and by MsgID and CmdID: the Outcomes of a Server's
// session, decoded from its Store, hold a nested command apart from its
// group's copy); a group already in it (one that contains itself) is not
// walked again. It keeps
// the lists still to walk on a stack of its own, not the goroutine's:
// Outcomes may hold a nesting deeper than any message carries (built by
// the caller), which a recursion that deep would not survive.
func markNested(msgID string, cmds []syncml.Command, set *nestedSet) {
	todo := [][]syncml.Command{cmds}
	for len(todo) > 0 {
		list := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, c := range list {
			if c != nil && set.put(msgID, c) {
				if n := c.Nested(); len(n) > 0 {
					todo = append(todo, n)
				}
			}
		}
	}
}

// copyGet makes c a copy of g without its CmdID, sharing with it none of
// its Items, nor their Locations, Meta and Data, nor its Meta and Cred.
// The copy's Items and Locations are taken from the fronts of *items and
// *locs, which hold enough for g (len(g.Items) and twice that); c.Items
// has no room beyond its length, so that an append to it does not write
// over the next copy's.
func copyGet(c, g *syncml.Get, items *[]syncml.Item, locs *[]syncml.Location) {
	*c = syncml.Get{NoResp: g.NoResp, Lang: g.Lang, Meta: copyMeta(g.Meta)}
	if g.Cred != nil {
		c.Cred = &syncml.Cred{Meta: copyMeta(g.Cred.Meta), Data: copyData(g.Cred.Data)}
	}
	if g.Items == nil {
		return
	}
	n := len(g.Items)
	c.Items = (*items)[:n:n]
	*items = (*items)[n:]
	for i, it := range g.Items {
		c.Items[i] = syncml.Item{Target: copyLoc(it.Target, locs), Source: copyLoc(it.Source, locs),
			Meta: copyMeta(it.Meta), Data: copyData(it.Data), MoreData: it.MoreData}
	}
}

// copyLoc returns a copy of l in the front of *locs, which it takes; nil
// when l is nil.
func copyLoc(l *syncml.Location, locs *[]syncml.Location) *syncml.Location {
	if l == nil {
		return nil
	}
	c := &(*locs)[0]
	*locs = (*locs)[1:]
	*c = *l
	return c
}

// copyMeta returns a copy of m sharing with it neither its Anchor, Mem
// nor EMI; nil when m is nil.
func copyMeta(m *syncml.Meta) *syncml.Meta {
	c := copyPtr(m)
	if c != nil {
		c.Anchor, c.Mem, c.EMI = copyPtr(m.Anchor), copyPtr(m.Mem), slices.Clone(m.EMI)
	}
	return c
}

// copyData returns a copy of d sharing with it none of its Namespaces;
// nil when d is nil.
func copyData(d *syncml.Data) *syncml.Data {
	c := copyPtr(d)
	if c != nil {
		c.Namespaces = slices.Clone(d.Namespaces)
	}
	return c
}

// copyPtr returns a pointer to a copy of *p, nil when p is nil.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
