package session_test

import (
	"runtime/debug"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestAbandonedGetsDeep: AbandonedGets walks a nesting of a million
// Sequences (a caller's Outcomes may hold one) on a stack of its own: with
// the goroutine stack bounded to 16 MiB, the recursion it made before
// died of a fatal stack overflow, which no recover catches. The Get
// nested at the bottom is not returned, the other is.
func TestAbandonedGetsDeep(t *testing.T) {
	nested, other := sentGet("2", "./A"), sentGet("3", "./B")
	var c syncml.Command = nested
	for range 1_000_000 {
		c = &syncml.Sequence{Commands: []syncml.Command{c}}
	}
	outcomes := []session.Outcome{
		{MsgID: "1", Command: c, Abandoned: true},
		{MsgID: "1", Command: nested, Abandoned: true},
		{MsgID: "1", Command: other, Abandoned: true},
	}
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	got := session.AbandonedGets(outcomes)
	if len(got) != 1 || syncml.Targets(got[0])[0] != "./B" {
		t.Errorf("AbandonedGets: %v, want the Get of ./B alone", got)
	}
}
