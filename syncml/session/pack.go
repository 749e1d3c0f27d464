package session

import (
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

// pack fills reply, which holds the Statuses (and alerts) that must go out
// now, with as many of cands, in order, as fit in max bytes (0: no bound),
// and numbers it. It returns the encoding, the commands sent and the rest,
// which go out in the next message of the package; Final is set only when
// nothing is left and final is true. When not even the first command fits,
// it waits for the next message, unless force is set (a continuation, or
// a device's message): then the leading Statuses and the first command
// after them go, over the bound if need be, as nothing smaller can carry
// them and the package must make progress.
func pack(reply *syncml.Message, cands []syncml.Command, max int, force, final bool) (out []byte, sent, rest []syncml.Command, err error) {
	fixed := len(reply.Body.Commands)
	least := 0 // what goes even over max: progress
	if force {
		least = progress(cands)
	}
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
		out, err = syncml.Marshal(reply)
		if err != nil {
			return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if len(out) <= max {
			return out, cands[:n:n], cands[n:], nil
		}
		base := syncml.Message{XMLNS: reply.XMLNS, Header: reply.Header, Body: syncml.Body{Commands: reply.Body.Commands[:fixed], Final: true}}
		b, err := syncml.Marshal(&base)
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
		if n < least {
			n = least
		}
	}
	for {
		reply.Body.Commands = reply.Body.Commands[:fixed+n]
		reply.Body.Final = final && n == len(cands)
		out, err = syncml.Marshal(reply)
		if err != nil {
			return nil, nil, nil, errorf("encode reply %s: %w", reply.Header.MsgID, err)
		}
		if max <= 0 || len(out) <= max || n <= least {
			break
		}
		n-- // the measure was off: drop one more
	}
	return out, cands[:n:n], cands[n:], nil
}

// progress is how many of cands a forced message carries at least: the
// Statuses in front and the first command after them. Statuses alone are
// no progress: a continuation answered by new Statuses would otherwise
// never carry the rest of the package.
func progress(cands []syncml.Command) int {
	for i, c := range cands {
		if _, ok := c.(*syncml.Status); !ok {
			return i + 1
		}
	}
	return len(cands)
}

func itoa(n int) string { return strconv.Itoa(n) }

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
