package session

import (
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// notInAtomic refuses, for op (the method queueing them), a command of
// cmds that is or holds an Atomic with a Get or another Atomic inside it,
// at any depth through Sequences: not legal (OMA DM 1.2.1, 4.1.6.3), a
// peer answers it 500 and the Atomic 507, and so does the responder. Only
// Atomics and Sequences are walked; nil commands and groups that contain
// themselves are left to the encoder, which refuses them.
func notInAtomic(op string, cmds []syncml.Command) error {
	for i, c := range cmds {
		switch c.(type) {
		case *syncml.Atomic, *syncml.Sequence:
			if path, name := illegalInAtomic(c, i, false, nil); path != "" {
				return atomicError(op, path, name)
			}
		}
	}
	return nil
}

// atomicError is notInAtomic's error for the command name at path.
func atomicError(op, path, name string) error {
	return errorf("%s: %s: a %s inside an Atomic is not legal (OMA DM 1.2.1, 4.1.6.3: "+
		"the peer answers it 500 and the Atomic 507): %w", op, path, name, syncml.ErrInvalid)
}

// illegalInAtomic returns the path (as "Atomic[2]/Sequence[1]/Get[1]",
// each [n] a position among siblings, c's being i+1) and the element name
// of the first Get or Atomic in c that stands inside an Atomic (inAtomic:
// c does), or "" when there is none. open holds the groups being walked.
func illegalInAtomic(c syncml.Command, i int, inAtomic bool, open []syncml.Command) (path, name string) {
	switch c := c.(type) {
	case *syncml.Get:
		if !inAtomic || c == nil {
			return "", ""
		}
	case *syncml.Atomic:
		if c == nil {
			return "", ""
		}
		if !inAtomic {
			return group(c, i, true, open)
		}
	case *syncml.Sequence:
		if c == nil {
			return "", ""
		}
		return group(c, i, inAtomic, open)
	default:
		return "", ""
	}
	return step(c, i), c.ElementName()
}

// group is illegalInAtomic for the commands of the Atomic or Sequence c.
func group(c syncml.Command, i int, inAtomic bool, open []syncml.Command) (path, name string) {
	if slices.Contains(open, c) {
		return "", "" // it contains itself: the encoder refuses it
	}
	open = append(open, c)
	for j, n := range c.Nested() {
		if p, name := illegalInAtomic(n, j, inAtomic, open); p != "" {
			return step(c, i) + "/" + p, name
		}
	}
	return "", ""
}

// step is c's part of a path: its element name and i+1.
func step(c syncml.Command, i int) string {
	return c.ElementName() + "[" + strconv.Itoa(i+1) + "]"
}
