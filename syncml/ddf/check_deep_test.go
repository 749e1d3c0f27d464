package ddf

import (
	"errors"
	"runtime/debug"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestCheckDeep: a million groups one inside the other (Sequences and
// Atomics in turn), which only a program builds, are checked in document
// order without running out of stack (it is limited to 16 MiB here, so
// that a recursive walk fails at once).
func TestCheckDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	tr, err := Parse([]byte(testTree))
	if err != nil {
		t.Fatal(err)
	}
	const n = 1_000_000
	bad := func(id string) *syncml.Get {
		return &syncml.Get{CmdID: id, Items: []syncml.Item{item("./Device/Vendor/MSFT/Root/Fixed/Nope"+id, nil)}}
	}
	var c syncml.Command = bad("2") // the innermost
	for i := range n - 1 {
		if i%2 == 0 {
			c = &syncml.Sequence{Commands: []syncml.Command{c}}
		} else {
			c = &syncml.Atomic{Commands: []syncml.Command{c}}
		}
	}
	top := &syncml.Sequence{Commands: []syncml.Command{c, bad("3")}}
	var ce *CheckError
	if err := tr.Check(top); !errors.As(err, &ce) {
		t.Fatalf("Check: %v, want a *CheckError", err)
	}
	if len(ce.Violations) != 2 || ce.Violations[0].CmdID != "2" || ce.Violations[1].CmdID != "3" {
		t.Errorf("violations %v, want Get 2 then Get 3", ce)
	}
}

// TestCheckShared: 40 Sequences each holding the next twice (2^40 paths
// to the Get in the innermost, held twice there) are checked quickly, each
// group once: the Get is reported twice, for the innermost group's two
// places.
func TestCheckShared(t *testing.T) {
	tr, err := Parse([]byte(testTree))
	if err != nil {
		t.Fatal(err)
	}
	var c syncml.Command = &syncml.Get{CmdID: "2", Items: []syncml.Item{item("./Device/Vendor/MSFT/Root/Fixed/Nope", nil)}}
	for range 40 {
		c = &syncml.Sequence{Commands: []syncml.Command{c, c}}
	}
	err = tr.Check(c)
	var ce *CheckError
	if !errors.As(err, &ce) || len(ce.Violations) != 2 {
		t.Errorf("Check: %v, want 2 violations", err)
	}
}
