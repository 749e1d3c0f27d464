package session

// The packing before stop 43, kept to compare with: it numbered and
// encoded every candidate for every message.

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// oldPack is pack as it was (see pack_window_test.go).
func oldPack(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command) (out []byte, sent, rest []syncml.Command, err error) {
	fixed := len(reply.Body.Commands)
	least := 0 // what a forced message carries even when the measure was off
	reply.Body.Commands = append(reply.Body.Commands, cands...)
	number(reply.Body.Commands, new(int))
	n := len(cands)
	for i, c := range cands {
		if isChunk(c) {
			n = i + 1 // one chunk per message, last in it
			break
		}
	}
	if max > 0 && n > 0 {
		// Most replies fit whole: encode once and measure only when not.
		reply.Body.Commands = reply.Body.Commands[:fixed+n]
		reply.Body.Final = final && n == len(cands)
		out, err = encodeInto(buf, reply)
		if err != nil {
			return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if len(out) <= max {
			return out, cands[:n:n], cands[n:], nil
		}
		base := syncml.Message{XMLNS: reply.XMLNS, Header: reply.Header, Body: syncml.Body{Commands: reply.Body.Commands[:fixed], Final: true}}
		b, err := encodeInto(buf, &base) // out is encoded again below
		if err != nil {
			return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		total := len(b)
		n = 0
		for _, c := range cands {
			l, err := encodedLen(c)
			if err != nil {
				return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
			}
			if total+l > max {
				break
			}
			total += l
			n++
			if isChunk(c) {
				break // nothing follows a chunk in its message
			}
		}
		if force {
			var cut []syncml.Command
			n, cut, err = oldForced(reply, cands, n, max, total, cont)
			if c := unfit(err); c != nil {
				// The measure counts a Final the message may not carry:
				// before giving c up, encode the message that carries it.
				if k := slices.Index(cands, c) + 1; k > 0 {
					reply.Body.Commands = reply.Body.Commands[:fixed+k]
					reply.Body.Final = final && k == len(cands)
					if out, e := encodeInto(buf, reply); e == nil && len(out) <= max {
						n, err = k, nil
					}
					reply.Body.Commands = reply.Body.Commands[:fixed+len(cands)]
				}
			}
			if err != nil {
				return nil, nil, nil, err
			}
			if cut != nil {
				cands = cut
				reply.Body.Commands = append(reply.Body.Commands[:fixed], cands...)
				number(reply.Body.Commands, new(int))
			}
			least = n
		}
	}
	for {
		reply.Body.Commands = reply.Body.Commands[:fixed+n]
		reply.Body.Final = final && n == len(cands)
		out, err = encodeInto(buf, reply)
		if err != nil {
			return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if max <= 0 || len(out) <= max {
			break
		}
		if n <= least {
			return nil, nil, nil, errorf("message %s of %d bytes: %w", reply.Header.MsgID, len(out), pkg.Limit("MaxMsgSize", int64(max), int64(len(out)), ""))
		}
		n-- // the measure was off: drop one more
	}
	return out, cands[:n:n], cands[n:], nil
}

// oldForced is forced as it was (but for what forced's deferral and
// small first chunks changed: a command that can wait for no other
// message cut to the room left, one after a lone Status of another
// command than an Alert left for the next message).
func oldForced(reply *syncml.Message, cands []syncml.Command, n, max, total int, cont syncml.Command) (int, []syncml.Command, error) {
	lead := 0
	for _, c := range cands {
		if _, ok := c.(*syncml.Status); !ok {
			break
		}
		lead++
	}
	switch {
	case n > lead || n == len(cands):
		return n, nil, nil // the first command goes, or everything
	case n < lead && n >= min(2, lead):
		return n, nil, nil // Statuses only, more of them than come back
	case n < lead:
		return 0, nil, errorf("message %s: %d Statuses do not fit: %w", reply.Header.MsgID, lead, pkg.Limit("MaxMsgSize", int64(max), int64(total), ""))
	}
	// All leading Statuses fit, the command after them does not.
	c := cands[lead]
	later := lead >= 2 || (lead == 1 && !answersAlert(cands[0]))
	for _, least := range []int{minChunk, minChunk / 4} {
		if !splittable(c) || (later && least < minChunk) {
			break
		}
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
	if later {
		return lead, nil, nil // the command goes in the next message, after one Status
	}
	l, _ := encodedLen(c)
	return 0, nil, &unfitError{cmd: c, err: errorf("message %s: %s %s of %d bytes does not fit: %w", reply.Header.MsgID, c.ElementName(), c.ID(), l, pkg.Limit("MaxMsgSize", int64(max), int64(total+l), ""))}
}
