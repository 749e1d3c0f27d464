package syncml

// eachCommand calls visit on each command of cmds and of the Atomic and
// Sequence commands in them, in document order (a group before what it
// holds), skipping nil commands and those in seen, which it adds each one
// it visits to: a command met again (shared, or a group that contains
// itself) is skipped with all it holds. visit may change a command but
// not what it nests. The walk keeps its own stack of the lists it is
// inside, so a tree of any depth (a program may build one millions of
// levels deep) takes no goroutine stack, and a chain of groups each
// holding one command takes none of it either.
func eachCommand(cmds []Command, seen map[Command]bool, visit func(Command)) {
	var stack [][]Command // the rest of each list the walk is inside, innermost last
	for {
		for len(cmds) == 0 {
			if len(stack) == 0 {
				return
			}
			cmds, stack = stack[len(stack)-1], stack[:len(stack)-1]
		}
		c := cmds[0]
		cmds = cmds[1:]
		if isNilCommand(c) || seen[c] {
			continue
		}
		seen[c] = true
		visit(c)
		if n := c.Nested(); len(n) > 0 {
			if len(cmds) > 0 {
				stack = append(stack, cmds)
			}
			cmds = n
		}
	}
}
