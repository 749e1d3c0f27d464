package session

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// parseSize reads a MaxMsgSize from header Meta (0 when absent or not a
// positive decimal number).
func parseSize(m *syncml.Meta) int {
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(m.MaxMsgSize))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// emptyBodyLen is the length of a message without header or commands,
// which encodeLen subtracts to measure one command.
var emptyBodyLen = func() int {
	b, _ := syncml.Marshal(&syncml.Message{NoHeader: true})
	return len(b)
}()

// encodedLen is the number of bytes c adds to an encoded body.
func encodedLen(c syncml.Command) (int, error) {
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c}}})
	if err != nil {
		return 0, err
	}
	return len(b) - emptyBodyLen, nil
}

// packWindow is the number of candidates pack looks at first when there
// are more: a message rarely carries more commands, and the window grows
// (doubling) only while the commands in it all fit.
const packWindow = 64

// packOracle, when not nil, is called instead of the work of pack. It is
// set only by the tests' init, before any test runs (WINDC_PACKDIFF, see
// TestPackSameAsBefore), and read only after: no test sets it while
// another packs.
var packOracle func(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command) ([]byte, []syncml.Command, []syncml.Command, error)

// pack fills reply, which holds the Statuses (and alerts) that must go out
// now, with as many of cands, in order, as fit in max bytes (0: no bound),
// and numbers it. It returns the encoding, the commands sent and the rest,
// which go out in the next message of the package; Final is set only when
// nothing is left and final is true. When not even the first command fits,
// it waits for the next message, unless force is set (a continuation, or
// a device's message): the message must then make progress (see forced).
// A message that cannot be kept within max (what reply holds is too large
// already, or a forced message can carry nothing that makes progress) is
// an error matching ErrLimit that names MaxMsgSize: nothing goes over the
// bound. cont, when not nil, is the command of cands that continues an
// object whose first chunks went in the previous message.
//
// buf, when not nil, is where the reply is encoded (see encodeInto): out
// is then *buf, valid until buf is used again.
//
// The work is in proportion to what the message carries, not to the
// length of cands: pack looks at a window of the first cands (packWindow
// of them, then twice as many while all in it fit) and leaves the others,
// which cannot go in this message, as they are (unnumbered too).
func pack(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command) (out []byte, sent, rest []syncml.Command, err error) {
	if packOracle != nil {
		return packOracle(buf, reply, cands, max, force, final, cont)
	}
	return packWindowed(buf, reply, cands, max, force, final, cont, nil)
}

// packWindowed is pack over ever larger windows of cands, from the first
// packWindow, until packIn can tell what the message carries from the
// window alone. work, when not nil (tests), is added how many commands it
// numbered, encoded and measured, counting a command once per time it
// was.
func packWindowed(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command, work *int) (out []byte, sent, rest []syncml.Command, err error) {
	fixed := len(reply.Body.Commands)
	k := len(cands)
	if max > 0 && k > packWindow {
		k = packWindow
	}
	if work == nil {
		work = new(int)
	}
	for {
		var cut []syncml.Command
		var n int
		var grow bool
		out, n, cut, grow, err = packIn(buf, reply, cands[:k:k], cands, max, force, final && k == len(cands), cont, work)
		if grow && k < len(cands) {
			reply.Body.Commands = reply.Body.Commands[:fixed]
			k = min(2*k, len(cands))
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case cut == nil:
			return out, cands[:n:n], cands[n:], nil
		case k == len(cands):
			return out, cut[:n:n], cut[n:], nil
		}
		// the window's rest with the command cut into chunks, then what
		// follows the window
		rest = make([]syncml.Command, 0, len(cut)-n+len(cands)-k)
		return out, cut[:n:n], append(append(rest, cut[n:]...), cands[k:]...), nil
	}
}

// packIn is pack over cands, the first of all (the whole list): it
// returns how many of cands the message carries, and cands with a
// command cut into chunks (forced) when one was. grow reports that the
// message may carry more than cands when cands is not all: nothing else
// it returns is then of use, and reply holds more than before.
//
// What the message carries never depends on the commands past the first
// that does not fit (nor on their CmdIDs), so the window gives the same
// message as all when the window holds more than fit.
func packIn(buf *[]byte, reply *syncml.Message, cands, all []syncml.Command, max int, force, final bool, cont syncml.Command, work *int) (out []byte, n int, cutList []syncml.Command, grow bool, err error) {
	short := len(cands) < len(all) // the window is not all
	fixed := len(reply.Body.Commands)
	least := 0 // what a forced message carries even when the measure was off
	reply.Body.Commands = append(reply.Body.Commands, cands...)
	number(reply.Body.Commands, new(int))
	*work += len(reply.Body.Commands)
	n = len(cands)
	chunked := false
	for i, c := range cands {
		if isChunk(c) {
			n = i + 1 // one chunk per message, last in it
			chunked = true
			break
		}
	}
	if max > 0 && n > 0 {
		// Most replies fit whole: encode once and measure only when not.
		reply.Body.Commands = reply.Body.Commands[:fixed+n]
		reply.Body.Final = final && n == len(cands)
		out, err = encodeInto(buf, reply)
		*work += fixed + n
		if err != nil {
			return nil, 0, nil, false, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if len(out) <= max {
			if short && !chunked {
				return nil, 0, nil, true, nil // all of the window fits: more may
			}
			return out, n, nil, false, nil
		}
		base := syncml.Message{XMLNS: reply.XMLNS, Header: reply.Header, Body: syncml.Body{Commands: reply.Body.Commands[:fixed], Final: true}}
		b, err := encodeInto(buf, &base) // out is encoded again below
		*work += fixed
		if err != nil {
			return nil, 0, nil, false, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		total := len(b)
		n = 0
		stopped := false
		for _, c := range cands {
			l, err := encodedLen(c)
			*work++
			if err != nil {
				return nil, 0, nil, false, errorf("encode reply %s: %w", reply.Header.MsgID, err)
			}
			if total+l > max {
				stopped = true
				break
			}
			total += l
			n++
			if isChunk(c) {
				stopped = true
				break // nothing follows a chunk in its message
			}
		}
		if short && !stopped {
			return nil, 0, nil, true, nil // the measure goes past the window
		}
		if force {
			var cut []syncml.Command
			n, cut, err = forced(reply, cands, all, n, max, total, cont)
			if c := unfit(err); c != nil {
				// The measure counts a Final the message may not carry:
				// before giving c up, encode the message that carries it.
				if k := slices.Index(cands, c) + 1; k > 0 {
					reply.Body.Commands = reply.Body.Commands[:fixed+k]
					reply.Body.Final = final && k == len(cands)
					out, e := encodeInto(buf, reply)
					*work += fixed + k
					if e == nil && len(out) <= max {
						n, err = k, nil
					}
					reply.Body.Commands = reply.Body.Commands[:fixed+len(cands)]
				}
			}
			if err != nil {
				return nil, 0, nil, false, err
			}
			if cut != nil {
				cands, cutList = cut, cut
				reply.Body.Commands = append(reply.Body.Commands[:fixed], cands...)
				number(reply.Body.Commands, new(int))
				*work += len(reply.Body.Commands)
			}
			least = n
		}
	}
	for {
		reply.Body.Commands = reply.Body.Commands[:fixed+n]
		reply.Body.Final = final && n == len(cands)
		out, err = encodeInto(buf, reply)
		*work += fixed + n
		if err != nil {
			return nil, 0, nil, false, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if max <= 0 || len(out) <= max {
			break
		}
		if n <= least {
			return nil, 0, nil, false, errorf("message %s of %d bytes: %w", reply.Header.MsgID, len(out), pkg.Limit("MaxMsgSize", int64(max), int64(len(out)), ""))
		}
		n-- // the measure was off: drop one more
	}
	return out, n, cutList, false, nil
}

// encodeInto returns the encoding of m: from syncml.Marshal when buf is
// nil, else appended to (*buf)[:0], which then holds it (grown when
// needed), so that the caller reuses one buffer for every reply.
func encodeInto(buf *[]byte, m *syncml.Message) ([]byte, error) {
	if buf == nil {
		return syncml.Marshal(m)
	}
	b, err := syncml.AppendMessage((*buf)[:0], m)
	if err != nil {
		return nil, err
	}
	*buf = b
	return b, nil
}

// forced returns how many of cands a forced message carries, n of them
// fitting whole after what reply holds (total bytes so far), so that the
// package makes progress: the leading Statuses of cands, at least two of
// them (a continuation adds one, for the Alert 1222), and when all fit
// the first command after them, cut (see split) to the room left when it
// does not fit whole; cands with that command replaced by its chunks is
// then returned too. When no such message fits in max, the error names
// the limit. Changed: a command that does not fit after a lone Status
// (but that of an Alert, the 1222 every next message carries) goes in
// the next message too, and one that can wait for no other message has
// its first chunk cut to the room left, down to minChunk/4 bytes of
// data; only a command none of which fits in that room is an error.
// cands is the start of all, the rest of the package, which the error
// counts the leading Statuses of.
func forced(reply *syncml.Message, cands, all []syncml.Command, n, max, total int, cont syncml.Command) (int, []syncml.Command, error) {
	lead := leadingStatuses(cands)
	switch {
	case n > lead || n == len(cands):
		return n, nil, nil // the first command goes, or everything
	case n < lead && n >= min(2, lead):
		return n, nil, nil // Statuses only, more of them than come back
	case n < lead:
		return 0, nil, errorf("message %s: %d Statuses do not fit: %w", reply.Header.MsgID, leadingStatuses(all), pkg.Limit("MaxMsgSize", int64(max), int64(total), ""))
	}
	// All leading Statuses fit, the command after them does not. It goes
	// in the next message, after one Status (that of the Alert 1222
	// asking for it, when the peer asks for it alone), unless this
	// message's lone Status is such a one already: the next would carry
	// as much.
	c := cands[lead]
	later := lead >= 2 || (lead == 1 && !answersAlert(cands[0]))
	if splittable(c) {
		// A first chunk of at least minChunk bytes of data; of less
		// (down to minChunk/4) when the command can wait for no other
		// message: the room left is all any message has for it.
		floors := []int{minChunk, minChunk / 4}
		if later {
			floors = floors[:1]
		}
		for _, least := range floors {
			// Cut a copy, so that c stays whole when the first chunk does not fit.
			cp := withItems(c, c.ItemList())
			chunks, err := splitLeast(cp, max-total, max-overhead(&reply.Header), c == cont, least)
			if err != nil {
				return 0, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
			}
			if l, err := encodedLen(chunks[0]); err == nil && len(chunks) > 1 && total+l <= max {
				setItems(c, cp.ItemList())
				chunks[len(chunks)-1] = c // the command itself carries the last chunk
				out := make([]syncml.Command, 0, len(cands)+len(chunks)-1)
				out = append(append(append(out, cands[:lead]...), chunks...), cands[lead+1:]...)
				return lead + 1, out, nil
			}
		}
	}
	if later {
		return lead, nil, nil
	}
	l, _ := encodedLen(c)
	return 0, nil, &unfitError{cmd: c, err: errorf("message %s: %s %s of %d bytes does not fit: %w", reply.Header.MsgID, c.ElementName(), c.ID(), l, pkg.Limit("MaxMsgSize", int64(max), int64(total+l), ""))}
}

// answersAlert reports whether c is a Status answering an Alert (the
// peer's Alert 1222 asking for the next message, most often).
func answersAlert(c syncml.Command) bool {
	st, ok := c.(*syncml.Status)
	return ok && st.Cmd == "Alert"
}

// leadingStatuses is the number of Statuses cands starts with.
func leadingStatuses(cands []syncml.Command) int {
	for i, c := range cands {
		if _, ok := c.(*syncml.Status); !ok {
			return i
		}
	}
	return len(cands)
}

// An uncut is a command cut into chunks in place, by a forced message
// (see forced) or by chunkCommands, with the Items it had before: the
// command itself becomes its last chunk, so a message that fails after
// the cut puts them back (the Server's reply and the Client's finish), and
// the command goes out again whole, not as the part after the cut.
type uncut struct {
	cmd   syncml.Command
	items []syncml.Item
}

// note records the command forced would cut in a message of cands (the
// first that is not a Status, when split can cut it) and its Items, once
// the command noted before has its own back.
func (u *uncut) note(cands []syncml.Command) {
	u.undo()
	*u = uncut{}
	for _, c := range cands {
		if _, ok := c.(*syncml.Status); ok {
			continue
		}
		if splittable(c) {
			*u = uncut{cmd: c, items: c.ItemList()}
		}
		return
	}
}

// undo puts back the Items of the command noted, if any.
func (u *uncut) undo() {
	if u.cmd != nil {
		setItems(u.cmd, u.items)
	}
}

// undoCuts puts back the commands of cut (see chunkCommands) as they
// were before they were cut, last cut first.
func undoCuts(cut []uncut) {
	for i := len(cut) - 1; i >= 0; i-- {
		cut[i].undo()
	}
}

// An unfitError is the error of forced for a command that does not fit
// after nothing but the Statuses a message must carry (the SyncHdr's and
// at most one more), not even cut: no message within the bound carries
// it.
type unfitError struct {
	cmd syncml.Command
	err error
}

func (e *unfitError) Error() string { return e.err.Error() }
func (e *unfitError) Unwrap() error { return e.err }

// unfit returns the command that err (from pack) says no message can
// carry, nil for any other error.
func unfit(err error) syncml.Command {
	if err == nil {
		return nil // no allocation for u on the way of every reply
	}
	var u *unfitError
	if errors.As(err, &u) {
		return u.cmd
	}
	return nil
}

// itoa is strconv.Itoa, the numbers of CmdIDs and MsgIDs (under
// len(smallTexts)) from a table.
func itoa(n int) string {
	if uint(n) < uint(len(smallTexts)) {
		return smallTexts[n]
	}
	return strconv.Itoa(n)
}

// smallTexts are the decimal texts of 0 to 127.
var smallTexts = func() (t [128]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// fitAbort keeps the reply to m, a device's abort, within max bytes: the
// last message of the session, its Statuses cannot go on in another one.
// The first Status (the SyncHdr's) and the abort Alert's stay, and of the
// others the first ones, in order, as many as fit. Each is measured once
// (the device decides how many there are). When even the two do not fit,
// reply is left as it is (pack then reports the limit).
func fitAbort(reply *syncml.Message, max int, m *syncml.Message) {
	number(reply.Body.Commands, new(int))
	b, err := syncml.Marshal(reply)
	if err != nil || len(b) <= max {
		return
	}
	ref := ""
	for _, c := range m.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && code == syncml.AlertSessionAbort {
				ref = a.CmdID
			}
		}
	}
	all := reply.Body.Commands
	// The abort's Status is the last answering an Alert of its CmdID: one
	// only, even when other Alerts carry that CmdID too (which would
	// otherwise all have to stay, over the bound).
	abortAt := -1
	for i, c := range all {
		if st, ok := c.(*syncml.Status); ok && i > 0 && st.Cmd == "Alert" && st.CmdRef == ref {
			abortAt = i
		}
	}
	must := func(i int) bool { return i == 0 || i == abortAt }
	var kept []syncml.Command
	for i, c := range all {
		if must(i) {
			kept = append(kept, c)
		}
	}
	base := *reply
	base.Body.Commands = kept
	number(kept, new(int))
	if b, err = syncml.Marshal(&base); err != nil || len(b) > max {
		number(all, new(int))
		return
	}
	// the others measured with the CmdIDs they had among all: no shorter
	// than those they get among fewer
	number(all, new(int))
	total, others := len(b), 0
	for i, c := range all {
		if must(i) {
			continue
		}
		l, err := encodedLen(c)
		if err != nil || total+l > max {
			break
		}
		total += l
		others++
	}
	for {
		kept = kept[:0]
		n := 0
		for i, c := range all {
			switch {
			case must(i):
			case n < others:
				n++
			default:
				continue
			}
			kept = append(kept, c)
		}
		reply.Body.Commands = kept
		number(kept, new(int))
		if b, err = syncml.Marshal(reply); err != nil || len(b) <= max || others == 0 {
			return
		}
		others-- // the measure was off: one fewer
	}
}

// nextMessageResponse reports whether m is a "Next Message" response: no
// Final, an Alert 1222, and nothing else but Statuses. Its sender waits
// for the rest of the other side's package and opens none of its own.
func nextMessageResponse(m *syncml.Message) bool {
	if m.Body.Final {
		return false
	}
	alert := false
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status:
		case *syncml.Alert:
			if code, err := c.Code(); err != nil || code != syncml.AlertNextMessage {
				return false
			}
			alert = true
		default:
			return false
		}
	}
	return alert
}
