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
	if want := "/" + Root + strings.Repeat("[0]", n+1); fe.Path != want {
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
	if !errors.As(err, &fe) || !errors.Is(err, ErrValue) || fe.Path != "/"+Root+"[1][1][0]" {
		t.Errorf("a characteristic in itself: %v, want a *FieldError for ErrValue at /%s[1][1][0]", err, Root)
	}
}

// TestNodePathOneForm: a node of a Document is named in one form by the
// writer (Marshal) and by Enrollment's check of the tree: "/" and the
// root, then the index of each node below it, as the module's other
// error paths start with "/" (DecodeError's and LimitError's open
// elements, such as "/wap-provisioningdoc/characteristic/parm", and the
// writer's LimitError). Before, Enrollment wrote the root without the
// "/", "wap-provisioningdoc[1][1][0]", where Marshal wrote
// "/wap-provisioningdoc[1][1][0]" for the same node.
func TestNodePathOneForm(t *testing.T) {
	self := &Characteristic{Type: "X"}
	self.Nodes = []Node{&Parm{Name: "p"}, &Element{Name: "e", Nodes: []Node{self}}}
	for _, tt := range []struct {
		name string
		doc  *Document
		path string
	}{
		{"holds itself", &Document{Nodes: []Node{&Characteristic{Type: "Y"}, self}}, "/" + Root + "[1][1][0]"},
		{"nil node", &Document{Nodes: []Node{&Characteristic{Type: "Y", Nodes: []Node{&Parm{Name: "p"}, (*Parm)(nil)}}}}, "/" + Root + "[0][1]"},
	} {
		_, werr := Marshal(tt.doc)
		_, eerr := tt.doc.Enrollment()
		var wfe, efe *FieldError
		if !errors.As(werr, &wfe) || !errors.As(eerr, &efe) {
			t.Fatalf("%s: Marshal %v, Enrollment %v; want a *FieldError from each", tt.name, werr, eerr)
		}
		if wfe.Path != tt.path || efe.Path != tt.path {
			t.Errorf("%s: Marshal names %s, Enrollment %s; want both %s", tt.name, wfe.Path, efe.Path, tt.path)
		}
	}
	var nilDoc *Document
	var fe *FieldError
	if _, err := nilDoc.Enrollment(); !errors.As(err, &fe) || fe.Path != "/"+Root {
		t.Errorf("nil Document: %v, want a *FieldError at /%s", err, Root)
	}
}
