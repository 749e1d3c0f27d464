package session

import (
	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/syncml"
)

// maxQueuedObject is the largest data of an Item that Queue accepts:
// Config.MaxObjectSize, or DefaultMaxObjectSize when that is larger (a
// server that takes smaller objects from its devices may still send
// objects of the default size).
func (c *Config) maxQueuedObject() int {
	return max(c.maxObj(), DefaultMaxObjectSize)
}

// objectsFit returns the error of op for the first of cmds, or of the
// commands their Atomics and Sequences hold, that has an Item of more
// than max bytes of data (Config.maxQueuedObject), nil when none has: a
// Client takes no larger object by default, a device announcing no
// MaxObjSize gets it whole, and the state would keep it until the device
// answers. The error is a *LimitError of MaxObjectSize, with the command
// and the Item in its message.
func objectsFit(op string, cmds []syncml.Command, max int) error {
	for i, c := range cmds {
		in, k, n := overAny(c, max)
		if in == nil {
			continue
		}
		where := step(c, i)
		if in != c {
			where += ": its " + in.ElementName()
		}
		return objectError(op, where, k, n, max)
	}
	return nil
}

// overAny returns the first of c and the commands it holds, at any depth,
// with an Item of more than max bytes of data, with that Item's number
// (from 1) and size; nil when none has. A command held twice (or holding
// itself) is looked at once.
func overAny(c syncml.Command, max int) (in syncml.Command, item, size int) {
	if isNil(c) {
		return nil, 0, 0
	}
	if k, n := overObject(c, max); k > 0 {
		return c, k, n
	}
	if nestedOf(c) == nil {
		return nil, 0, 0
	}
	seen := map[syncml.Command]bool{}
	cmdwalk.Each(nestedOf(c), func(x syncml.Command) []syncml.Command {
		if in != nil || isNil(x) || seen[x] {
			return nil
		}
		seen[x] = true
		if k, n := overObject(x, max); k > 0 {
			in, item, size = x, k, n
			return nil
		}
		return nestedOf(x)
	})
	return in, item, size
}

// overObject returns the number (from 1) of the first Item of c with more
// than max bytes of data, and their number; 0 when none has.
func overObject(c syncml.Command, max int) (item, size int) {
	items := c.ItemList()
	for k := range items {
		if d := items[k].Data; d != nil && len(d.Value) > max {
			return k + 1, len(d.Value)
		}
	}
	return 0, 0
}

// objectError is objectsFit's error of op for the Item k of n bytes of
// the command where names.
func objectError(op, where string, k, n, max int) error {
	return errorf("%s: %s: its Item %d has %d bytes of data, over Config.MaxObjectSize (or DefaultMaxObjectSize "+
		"when larger): %w", op, where, k, n, pkg.LimitCount("MaxObjectSize", int64(max), int64(n), ""))
}
