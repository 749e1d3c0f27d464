package fuzz

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// renumberCmdIDs lets a mutated message reach past the CmdID check every
// side of a session makes first (syncml.Message.ValidateCmdIDs): when m
// breaks it, the commands of m, nested ones included, get the CmdIDs 1,
// 2, … in document order, and ValidateCmdIDs must then pass. One input
// in eight (those whose bytes, XORed together, end in three zero bits) is
// left as it is, so that the refusal stays fuzzed too. It reports whether
// it renumbered; a message that passes is never changed.
func renumberCmdIDs(t *testing.T, m *syncml.Message, data []byte) bool {
	t.Helper()
	if m.ValidateCmdIDs() == nil || keepCmdIDs(data) {
		return false
	}
	clearCmdIDs(m.Body.Commands)
	syncml.NumberCommands(m.Body.Commands, 1)
	if err := m.ValidateCmdIDs(); err != nil {
		t.Fatalf("renumbered by NumberCommands, still refused: %v", err)
	}
	return true
}

// keepCmdIDs reports whether data is one of the inputs renumberCmdIDs
// leaves alone.
func keepCmdIDs(data []byte) bool {
	var x byte
	for _, b := range data {
		x ^= b
	}
	return x&7 == 0
}

// clearCmdIDs takes the CmdID of every command in cmds and of those they
// nest, walking with a stack of its own (a decoded message may nest
// deeply) and visiting each command once.
func clearCmdIDs(cmds []syncml.Command) {
	seen := map[syncml.Command]bool{}
	stack := [][]syncml.Command{cmds}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range top {
			if c == nil || seen[c] {
				continue
			}
			seen[c] = true
			c.SetID("")
			if n := c.Nested(); len(n) > 0 {
				stack = append(stack, n)
			}
		}
	}
}

// renumberedRaw is data, or, when it decodes to a message renumberCmdIDs
// renumbers and that encodes, the encoding of the renumbered message: for
// targets that hand a session the bytes.
func renumberedRaw(t *testing.T, data []byte) []byte {
	t.Helper()
	var m syncml.Message
	if syncml.Unmarshal(data, &m) != nil || !renumberCmdIDs(t, &m, data) {
		return data
	}
	b, err := syncml.Marshal(&m)
	if err != nil {
		return data
	}
	return b
}

// TestRenumberCmdIDs checks the helper the session targets share: a
// message with missing, zero and repeated CmdIDs (nested ones too) passes
// ValidateCmdIDs once renumbered, one the session accepts is left alone,
// and an input chosen to keep its CmdIDs keeps them.
func TestRenumberCmdIDs(t *testing.T) {
	bad := func() *syncml.Message {
		return &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{
			&syncml.Alert{CmdID: "0"},
			&syncml.Atomic{CmdID: "2", Commands: []syncml.Command{&syncml.Add{CmdID: "2"}, &syncml.Sequence{Commands: []syncml.Command{&syncml.Get{}}}}},
			&syncml.Get{CmdID: " 7 "},
		}}}
	}
	renumber := []byte("a") // 0x61: not kept
	keep := []byte("h")     // 0x68: kept
	m := bad()
	if !renumberCmdIDs(t, m, renumber) {
		t.Fatal("a message with bad CmdIDs is not renumbered")
	}
	var ids []string
	var walk func([]syncml.Command)
	walk = func(cs []syncml.Command) {
		for _, c := range cs {
			ids = append(ids, c.ID())
			walk(c.Nested())
		}
	}
	walk(m.Body.Commands)
	if got, want := strings.Join(ids, " "), "1 2 3 4 5 6"; got != want {
		t.Fatalf("renumbered %q, want %q", got, want)
	}
	m = bad()
	if renumberCmdIDs(t, m, keep) || m.Body.Commands[0].ID() != "0" {
		t.Fatal("an input chosen to keep its CmdIDs is renumbered")
	}
	good := &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{&syncml.Get{CmdID: "9"}, &syncml.Alert{CmdID: "4"}}}}
	if renumberCmdIDs(t, good, renumber) || good.Body.Commands[0].ID() != "9" {
		t.Fatal("a message the session accepts is renumbered")
	}
}
