package syncml

import "github.com/windc-go/windc/internal/cmdwalk"

// eachCommand calls visit on each command of cmds and of the Atomic and
// Sequence commands in them, in document order (a group before what it
// holds), skipping nil commands and those in seen, which it adds each one
// it visits to: a command met again (shared, or a group that contains
// itself) is skipped with all it holds. visit may change a command but
// not what it nests. The walk keeps its own stack (cmdwalk), so a tree of
// any depth (a program may build one millions of levels deep) takes no
// goroutine stack.
func eachCommand(cmds []Command, seen map[Command]bool, visit func(Command)) {
	cmdwalk.Each(cmds, func(c Command) []Command {
		if isNilCommand(c) || seen[c] {
			return nil
		}
		seen[c] = true
		visit(c)
		return c.Nested()
	})
}
