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
// of the Gets answered in full are dropped here: when a Get is cut, and
// when there are more notes than sent and rest have commands. That bounds
// the list with no limit of its own: there are never more notes than the
// commands of the last message and the rest of the package, which the
// Client holds anyway (and a note, three strings, is smaller than any of
// them); each note left after a drop names a Get with a Status or a
// Results among them. Every Get cut is noted: none is guessed at. The
// answers among those commands are bounded in turn: a server message
// bringing commands while MaxPendingAnswers of them wait is refused (see
// checkPending). With AllowMsgIDReuse the notes of Gets none of whose
// answers waits in the rest of the package are also dropped once a
// server message is taken (see answer), a later Get being able to have
// their MsgID and CmdID.
func (c *Client) noteSplitGet(msgID string, sent, rest []syncml.Command) {
	ref, cut := splitAt(sent, rest)
	if cut && !slices.ContainsFunc(c.splitGets, func(s splitGet) bool { return s.ref == ref }) {
		live := liveSplitGets(c.splitGets, sent, rest)
		c.splitGets = append(live[:len(live):len(live)], splitGet{ref, msgID})
		return
	}
	if len(c.splitGets) > len(sent)+len(rest) {
		c.splitGets = liveSplitGets(c.splitGets, sent, rest)
	}
}

// splitAt returns the Get whose per-item Statuses a message cut, and
// true, when the last command it carries (sent) is a Status of a Get and
// the first it leaves (rest) another Status of that Get.
func splitAt(sent, rest []syncml.Command) (getRef, bool) {
	if len(sent) == 0 || len(rest) == 0 {
		return getRef{}, false
	}
	a, ok := sent[len(sent)-1].(*syncml.Status)
	if !ok || a.Cmd != "Get" {
		return getRef{}, false
	}
	b, ok := rest[0].(*syncml.Status)
	if !ok || b.Cmd != "Get" || b.MsgRef != a.MsgRef || b.CmdRef != a.CmdRef {
		return getRef{}, false
	}
	return getRef{a.MsgRef, a.CmdRef}, true
}

// liveSplitGets returns the notes of list whose Get has a Status or a
// Results in sent or rest: list itself when all have, otherwise those in
// a new array (nil when none).
func liveSplitGets(list []splitGet, sent, rest []syncml.Command) []splitGet {
	if len(list) == 0 {
		return list
	}
	// live[i] is whether list[i] was found; a short list (the usual one,
	// looked at for every message built) is searched in place, a longer
	// one through a map
	var small [8]bool
	var live []bool
	var index map[getRef]int
	if len(list) <= len(small) {
		live = small[:len(list)]
	} else {
		live = make([]bool, len(list))
		index = make(map[getRef]int, len(list))
		for i, s := range list {
			index[s.ref] = i
		}
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
			i, ok := -1, false
			if index != nil {
				i, ok = index[ref]
			} else {
				for k := range list {
					if list[k].ref == ref {
						i, ok = k, true
						break
					}
				}
			}
			if ok && !live[i] {
				live[i] = true
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
	for i, s := range list {
		if live[i] {
			kept = append(kept, s)
		}
	}
	return kept
}

// statusWent returns the Gets of which a message the server took (any
// but refused, the MsgID of a message it refused, "" for none) carried a
// Status while others of its Statuses are still to go: the server has the
// codes of some of their items. It is nil when there are none; a map, so
// that the Client looks each Get up once, however many are noted.
func (c *Client) statusWent(refused string) map[getRef]bool {
	var went map[getRef]bool
	for _, s := range c.splitGets {
		if s.msg == refused {
			continue
		}
		if went == nil {
			went = make(map[getRef]bool, len(c.splitGets))
		}
		went[s.ref] = true
	}
	return went
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
