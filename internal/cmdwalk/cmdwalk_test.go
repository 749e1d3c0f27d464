package cmdwalk

import (
	"runtime/debug"
	"slices"
	"testing"
)

// node is a command of the tests: a name and what it nests.
type node struct {
	name string
	kids []*node
}

// names walks cmds, entering every node, and returns the names in the
// order Next gave them.
func names(cmds []*node) []string {
	var out []string
	w := New(cmds)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		out = append(out, c.name)
		w.Enter(c.kids)
	}
	return out
}

// TestWalkOrder: a group comes before what it holds, which comes before
// the rest of the list the group is in, at every level.
func TestWalkOrder(t *testing.T) {
	n := func(name string, kids ...*node) *node { return &node{name, kids} }
	cmds := []*node{
		n("a"),
		n("b", n("b1"), n("b2", n("b21")), n("b3")),
		n("c", n("c1", n("c11", n("c111")))),
		n("d"),
	}
	want := []string{"a", "b", "b1", "b2", "b21", "b3", "c", "c1", "c11", "c111", "d"}
	if got := names(cmds); !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if got := names(nil); got != nil {
		t.Errorf("empty walk gave %v", got)
	}
	var w Walk[*node]
	if _, ok := w.Next(); ok {
		t.Error("zero Walk gave a command")
	}
}

// TestWalkDeep: a million nodes one inside the other, the goroutine stack
// limited to 16 MiB, are walked in order; a chain keeps no stack.
func TestWalkDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	const depth = 1_000_000
	leaf := &node{name: "leaf"}
	c := leaf
	for range depth {
		c = &node{name: "g", kids: []*node{c}}
	}
	w := New([]*node{c, {name: "after"}})
	var got []string
	maxStack := 0
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		if c.name != "g" {
			got = append(got, c.name)
		}
		w.Enter(c.kids)
		maxStack = max(maxStack, len(w.stack))
	}
	if !slices.Equal(got, []string{"leaf", "after"}) || maxStack != 1 {
		t.Errorf("got %v, stack up to %d; want [leaf after], 1", got, maxStack)
	}
}

// TestEach: Each visits in Walk's order and enters only what visit
// returns: a group whose visit returns nil is passed over with all it
// holds.
func TestEach(t *testing.T) {
	n := func(name string, kids ...*node) *node { return &node{name, kids} }
	cmds := []*node{n("a", n("a1")), n("skip", n("s1", n("s11"))), n("b", n("b1", n("b11")), n("b2"))}
	var got []string
	Each(cmds, func(c *node) []*node {
		got = append(got, c.name)
		if c.name == "skip" {
			return nil
		}
		return c.kids
	})
	if want := []string{"a", "a1", "skip", "b", "b1", "b11", "b2"}; !slices.Equal(got, want) {
		t.Errorf("Each visited %v, want %v", got, want)
	}
}
