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
// Atomics and Sequences are walked, and no deeper than the encoder writes
// (syncml.DefaultMaxDepth): a command nested deeper is refused with an
// error matching syncml.ErrLimit. Nil commands and groups that contain
// themselves are left to the encoder, which refuses them.
func notInAtomic(op string, cmds []syncml.Command) error {
	for i, c := range cmds {
		switch c.(type) {
		case *syncml.Atomic, *syncml.Sequence:
			if path, name := illegalInAtomic(c, i, false, nil, nil); path != "" {
				return atomicError(op, path, name)
			}
		}
	}
	return nil
}

// atomicError is notInAtomic's error for the command name at path, or,
// when name is "", for the command at path nested too deep.
func atomicError(op, path, name string) error {
	if name == "" {
		return errorf("%s: %s: nested deeper than a message carries (an element deeper than "+
			"syncml.DefaultMaxDepth, %d, which the encoder does not write): %w", op, path, syncml.DefaultMaxDepth, syncml.ErrLimit)
	}
	return errorf("%s: %s: a %s inside an Atomic is not legal (OMA DM 1.2.1, 4.1.6.3: "+
		"the peer answers it 500 and the Atomic 507): %w", op, path, name, syncml.ErrInvalid)
}

// bodyDepth is the element depth of a command of the body: SyncML,
// SyncBody, the command.
const bodyDepth = 3

// illegalInAtomic returns the path (as "Atomic[2]/Sequence[1]/Get[1]",
// each [n] a position among siblings, c's being i+1) and the element name
// of the first Get or Atomic in c that stands inside an Atomic (inAtomic:
// c does), or "" when there is none; or the path and "" for the first
// command nested deeper than any message carries (see atomicError). open
// holds the groups being walked, c's parent last (none: c is a body
// command). The walk stops there, so that its work is linear in the
// commands walked. When why is not nil, the same walk notes in it why the
// first command nested in c that names no node of the peer cannot (see
// unaddressed), unless it holds a reason already: it is complete when
// the path returned is "".
func illegalInAtomic(c syncml.Command, i int, inAtomic bool, open []syncml.Command, why *string) (path, name string) {
	if why != nil && *why == "" && len(open) > 0 {
		*why = unaddressed(c, " in it")
	}
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
			return group(c, i, true, open, why)
		}
	case *syncml.Sequence:
		if c == nil {
			return "", ""
		}
		return group(c, i, inAtomic, open, why)
	default:
		return "", ""
	}
	return step(c, i), c.ElementName()
}

// group is illegalInAtomic for the commands of the Atomic or Sequence c.
func group(c syncml.Command, i int, inAtomic bool, open []syncml.Command, why *string) (path, name string) {
	// open holds 29 groups at most (the bound below): the scan costs a
	// bounded amount per group, and ends a walk around a group that
	// contains itself at once, also one that holds itself twice, which
	// the bound alone would end only after 2^29 steps
	if slices.Contains(open, c) {
		return "", "" // it contains itself: the encoder refuses it
	}
	nested := c.Nested()
	if len(nested) > 0 && bodyDepth+len(open)+1 > syncml.DefaultMaxDepth {
		// c's commands would stand deeper than the encoder writes
		return step(c, i) + "/" + step(nested[0], 0), ""
	}
	open = append(open, c)
	for j, n := range nested {
		if p, name := illegalInAtomic(n, j, inAtomic, open, why); p != "" {
			return step(c, i) + "/" + p, name
		}
	}
	return "", ""
}

// step is c's part of a path: its element name and i+1 (a nil command's:
// "command").
func step(c syncml.Command, i int) string {
	name := "command"
	if c != nil {
		name = c.ElementName()
	}
	return name + "[" + strconv.Itoa(i+1) + "]"
}
