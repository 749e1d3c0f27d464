package syncml

import (
	"runtime/debug"
	"strconv"
	"testing"
)

// deepSequences returns n Sequences, each the only command of the one
// before, the innermost holding leaf; out[0] is the outermost.
func deepSequences(n int, leaf Command) []*Sequence {
	out := make([]*Sequence, n)
	for i := n - 1; i >= 0; i-- {
		s := &Sequence{}
		if i == n-1 {
			s.Commands = []Command{leaf}
		} else {
			s.Commands = []Command{out[i+1]}
		}
		out[i] = s
	}
	return out
}

// sharedSequences returns the outermost of levels Sequences, each holding
// the one below twice (the same pointer), the innermost holding leaf
// twice: 2^levels paths to leaf, levels+1 distinct commands.
func sharedSequences(levels int, leaf Command) *Sequence {
	c := leaf
	var s *Sequence
	for range levels {
		s = &Sequence{Commands: []Command{c, c}}
		c = s
	}
	return s
}

// TestNumberCommandsDeep: a tree of a million Sequences one inside the
// other, which only a program builds, is numbered in document order
// without running out of stack (it is limited to 16 MiB here, so that a
// recursive walk fails at once).
func TestNumberCommandsDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	const n = 1_000_000
	leaf := &Get{}
	seqs := deepSequences(n, leaf)
	seqs[1].CmdID = "3" // used: skipped by the others
	if next := NumberCommands([]Command{seqs[0]}, 1); next != n+2 {
		t.Errorf("next = %d, want %d", next, n+2)
	}
	want := func(i int) string { // the i-th command of the document, from 0
		switch i {
		case 1:
			return "3"
		case 2:
			return "2"
		}
		return strconv.Itoa(i + 1)
	}
	for _, i := range []int{0, 1, 2, 3, n / 2, n - 1} {
		if got := seqs[i].CmdID; got != want(i) {
			t.Errorf("Sequence %d: CmdID %q, want %q", i, got, want(i))
		}
	}
	if leaf.CmdID != want(n) {
		t.Errorf("Get: CmdID %q, want %q", leaf.CmdID, want(n))
	}
}

// TestNumberCommandsShared: a tree of 40 Sequences each holding the next
// twice has 2^40 paths but 41 commands: each is numbered once, quickly.
func TestNumberCommandsShared(t *testing.T) {
	leaf := &Replace{}
	top := sharedSequences(40, leaf)
	if next := NumberCommands([]Command{top, leaf}, 1); next != 42 {
		t.Errorf("next = %d, want 42", next)
	}
	if top.CmdID != "1" || leaf.CmdID != "41" {
		t.Errorf("CmdIDs: top %q, leaf %q; want 1, 41", top.CmdID, leaf.CmdID)
	}
}
