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
	c.splitGets = append(c.splitGets[:len(c.splitGets):len(c.splitGets)], splitGet{ref, msgID})
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
	return false
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
