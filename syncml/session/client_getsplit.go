package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// A splitGet is a server Get answered with a Status per item whose
// Statuses a message of the device's cut in two: msg, the MsgID of the
// first message that carried some of them, the others left in the rest
// of the package.
type splitGet struct {
	ref getRef
	msg string
}

// noteSplitGet notes, once per Get, the server's Get whose per-item
// Statuses message msgID cut: the last command it carries (sent) is a
// Status of a Get, and the first it leaves (rest) another Status of that
// Get. A Get's Statuses go one after another, so this is the one place
// where a message can cut them. The records go in a new array (a call
// that fails puts back the one before, see clientMark).
//
// The list holds only the Gets some answer of which is still in sent or
// rest: a note is read (statusWent) for the Results of the rest of the
// package, or of the last message sent again, and no other. So the notes
// of the Gets answered in full are dropped here. Those left are bounded
// by MaxQueue (DefaultMaxQueue when zero): a Get cut when the list is
// full is not noted, and from then on until the next Start statusWent
// takes every Get it does not know for one the server has codes of (see
// splitFull).
func (c *Client) noteSplitGet(msgID string, sent, rest []syncml.Command) {
	if len(sent) == 0 || len(rest) == 0 {
		return
	}
	a, ok := sent[len(sent)-1].(*syncml.Status)
	if !ok || a.Cmd != "Get" {
		return
	}
	b, ok := rest[0].(*syncml.Status)
	if !ok || b.Cmd != "Get" || b.MsgRef != a.MsgRef || b.CmdRef != a.CmdRef {
		return
	}
	ref := getRef{a.MsgRef, a.CmdRef}
	if slices.ContainsFunc(c.splitGets, func(s splitGet) bool { return s.ref == ref }) {
		return
	}
	live := liveSplitGets(c.splitGets, sent, rest)
	max := c.cfg.MaxQueue
	if max <= 0 {
		max = DefaultMaxQueue
	}
	if len(live) >= max {
		c.splitGets, c.splitFull = live, true
		return
	}
	c.splitGets = append(live[:len(live):len(live)], splitGet{ref, msgID})
}

// liveSplitGets returns the notes of list whose Get has a Status or a
// Results in sent or rest: list itself when all have, otherwise those in
// a new array (nil when none).
func liveSplitGets(list []splitGet, sent, rest []syncml.Command) []splitGet {
	if len(list) == 0 {
		return list
	}
	live := make(map[getRef]bool, len(list))
	for _, s := range list {
		live[s.ref] = false
	}
	n := 0 // the Gets found live
	for _, cmds := range [2][]syncml.Command{sent, rest} {
		for _, x := range cmds {
			var ref getRef
			switch x := x.(type) {
			case *syncml.Status:
				if x.Cmd != "Get" {
					continue
				}
				ref = getRef{x.MsgRef, x.CmdRef}
			case *syncml.Results:
				ref = getRef{x.MsgRef, x.CmdRef}
			default:
				continue
			}
			if was, ok := live[ref]; ok && !was {
				live[ref] = true
				if n++; n == len(list) {
					return list
				}
			}
		}
	}
	if n == 0 {
		return nil
	}
	kept := make([]splitGet, 0, n)
	for _, s := range list {
		if live[s.ref] {
			kept = append(kept, s)
		}
	}
	return kept
}

// statusWent reports whether a message the server took (any but refused,
// the MsgID of a message it refused, "" for none) carried a Status of the
// Get ref while others of its Statuses are still to go: the server has
// the codes of some of its items.
func (c *Client) statusWent(ref getRef, refused string) bool {
	for _, s := range c.splitGets {
		if s.ref == ref {
			return s.msg != refused
		}
	}
	// a Get cut while the list was full was not noted: it may be any
	return c.splitFull
}

// forgetSplitGets forgets the Gets noted as cut by message msgID, which
// the server refused and ran none of: the message sent again in its place
// notes them again if it cuts them. A new array holds those kept.
func (c *Client) forgetSplitGets(msgID string) {
	if !slices.ContainsFunc(c.splitGets, func(s splitGet) bool { return s.msg == msgID }) {
		return
	}
	c.splitGets = slices.DeleteFunc(slices.Clone(c.splitGets), func(s splitGet) bool { return s.msg == msgID })
	if len(c.splitGets) == 0 {
		c.splitGets = nil
	}
}
