package session

import (
	"strconv"

	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/syncml"
)

// unaddressed returns why c cannot reach a node of the peer, "" when it
// can or names none: an Add, Copy, Delete, Get or Replace needs an Item,
// an Exec exactly one, and each Item names its node by Target (Delete,
// Exec, Get), Target or Source (Add, Replace) or both (Copy), as
// syncml.Validate's "items" and "locuri" rules say. in is "" for a
// command queued itself, " in it" for one nested in it.
func unaddressed(c syncml.Command, in string) string {
	if isNil(c) {
		return ""
	}
	var items []syncml.Item
	var target, source bool // what each Item must name; neither: either
	switch c := c.(type) {
	case *syncml.Get:
		items, target = c.Items, true
	case *syncml.Delete:
		items, target = c.Items, true
	case *syncml.Exec:
		if len(c.Items) != 1 {
			return "an Exec" + in + " needs exactly one Item"
		}
		items, target = c.Items, true
	case *syncml.Add:
		items = c.Items
	case *syncml.Replace:
		items = c.Items
	case *syncml.Copy:
		items, target, source = c.Items, true, true
	default:
		return ""
	}
	if len(items) == 0 {
		return article(c.ElementName()) + in + " needs at least one Item"
	}
	for i := range items {
		hasT := items[i].Target != nil && items[i].Target.LocURI != ""
		hasS := items[i].Source != nil && items[i].Source.LocURI != ""
		var lacks string
		switch {
		case target && source && (!hasT || !hasS):
			lacks = "Target and Source"
		case target && !source && !hasT:
			lacks = "Target"
		case !target && !hasT && !hasS:
			lacks = "Target or Source"
		default:
			continue
		}
		return "its Item " + strconv.Itoa(i+1) + " has no " + lacks + " LocURI"
	}
	return ""
}

// addressed returns the error of op for the first of cmds that names no
// node of the peer (see unaddressed, unaddressedIn), nil when all do.
func addressed(op string, cmds []syncml.Command) error {
	for i, c := range cmds {
		why := unaddressed(c, "")
		if why == "" {
			why = unaddressedIn(c)
		}
		if why != "" {
			return unaddressedError(op, c, i, why)
		}
	}
	return nil
}

// unaddressedError is op's error for the command c, the i-th given,
// that names no node for the reason why.
func unaddressedError(op string, c syncml.Command, i int, why string) error {
	return errorf("%s: %s: %s: %w", op, step(c, i), why, syncml.ErrInvalid)
}

// article returns name after "a" or "an".
func article(name string) string {
	switch name[0] {
	case 'A', 'E', 'I', 'O', 'U':
		return "an " + name
	}
	return "a " + name
}

// unaddressedIn returns why a command nested in the Atomic or Sequence g
// cannot reach a node of the peer (see unaddressed), "" when all can;
// each command shared by several groups is looked at once.
func unaddressedIn(g syncml.Command) string {
	seen := map[syncml.Command]bool{}
	var why string
	cmdwalk.Each(nestedOf(g), func(c syncml.Command) []syncml.Command {
		if why != "" || isNil(c) || seen[c] {
			return nil
		}
		seen[c] = true
		if why = unaddressed(c, " in it"); why != "" {
			return nil
		}
		return nestedOf(c)
	})
	return why
}

// nestedOf returns the commands c nests: an Atomic's or a Sequence's.
func nestedOf(c syncml.Command) []syncml.Command {
	switch c := c.(type) {
	case *syncml.Atomic:
		if c != nil {
			return c.Commands
		}
	case *syncml.Sequence:
		if c != nil {
			return c.Commands
		}
	}
	return nil
}
