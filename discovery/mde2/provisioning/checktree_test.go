package provisioning

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"
)

// TestCheckTreeDeep: Enrollment checks a hand-made Document of 100,000
// characteristics one inside the other, a nil node in the innermost,
// without running out of stack (limited to 1 MiB here, so that a
// recursive check fails at once) and names the nil node by its path.
// Before, checkTree recursed once a level, with the path of each level
// built as it went down.
func TestCheckTreeDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	const n = 100_000
	var inner Node = (*Parm)(nil)
	for range n {
		inner = &Characteristic{Type: "X", Nodes: []Node{inner}}
	}
	d := &Document{Nodes: []Node{inner}}
	_, err := d.Enrollment()
	var fe *FieldError
	if !errors.As(err, &fe) || !errors.Is(err, ErrValue) {
		t.Fatalf("Enrollment: %.200v, want a *FieldError for ErrValue", err)
	}
	if want := Root + strings.Repeat("[0]", n+1); fe.Path != want {
		t.Errorf("path of %d bytes, want %d", len(fe.Path), len(want))
	}
}

// TestCheckTreeShared: a hand-made Document of 40 characteristics each
// holding the next twice (2^40 places of the innermost) is checked
// quickly, each characteristic once; one that holds itself is refused
// with ErrValue, not walked for ever.
func TestCheckTreeShared(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	var c Node = &Parm{Name: "p"}
	for range 40 {
		c = &Characteristic{Type: "X", Nodes: []Node{c, c}}
	}
	if _, err := (&Document{Nodes: []Node{c}}).Enrollment(); err != nil {
		t.Errorf("Enrollment: %v", err)
	}
	self := &Characteristic{Type: "X"}
	self.Nodes = []Node{&Parm{Name: "p"}, &Element{Name: "e", Nodes: []Node{self}}}
	_, err := (&Document{Nodes: []Node{&Characteristic{Type: "Y"}, self}}).Enrollment()
	var fe *FieldError
	if !errors.As(err, &fe) || !errors.Is(err, ErrValue) || fe.Path != Root+"[1][1][0]" {
		t.Errorf("a characteristic in itself: %v, want a *FieldError for ErrValue at %s[1][1][0]", err, Root)
	}
}
