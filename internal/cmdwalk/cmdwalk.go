package cmdwalk

// A Walk yields the commands of a list, and of the lists given to Enter
// along the way, in document order: after Enter(n), the commands of n
// come next, then the rest of the list the walk was in. C is the command
// type (syncml.Command). The zero Walk yields nothing; its stack holds
// the rest of each list the walk is inside that has commands left, so a
// chain of groups each holding one command keeps none.
type Walk[C any] struct {
	cmds  []C   // the rest of the list being walked
	stack [][]C // the rest of each list the walk is inside, innermost last
}

// New returns a Walk of cmds.
func New[C any](cmds []C) Walk[C] {
	return Walk[C]{cmds: cmds}
}

// Next returns the next command and true, or false when the walk is done.
func (w *Walk[C]) Next() (C, bool) {
	for len(w.cmds) == 0 {
		if len(w.stack) == 0 {
			var zero C
			return zero, false
		}
		w.cmds, w.stack = w.stack[len(w.stack)-1], w.stack[:len(w.stack)-1]
	}
	c := w.cmds[0]
	w.cmds = w.cmds[1:]
	return c, true
}

// Enter makes the commands of nested (those the command Next returned
// last holds) the next ones, before the rest of the list it came from.
func (w *Walk[C]) Enter(nested []C) {
	if len(nested) == 0 {
		return
	}
	if len(w.cmds) > 0 {
		w.stack = append(w.stack, w.cmds)
	}
	w.cmds = nested
}

// Each walks cmds, calling visit on each command in document order and
// entering what visit returns (the commands the command holds, or nil to
// skip them) before the rest of the list the command came from.
func Each[C any](cmds []C, visit func(C) []C) {
	w := New(cmds)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		w.Enter(visit(c))
	}
}
