package ddf

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

// A MaxDepth above 65536 is taken as 65536: the parser recurses once per
// nested Node, and a DDF of 400,000 nested Nodes read with MaxDepth 1<<30
// must end in a *LimitError, not in a stack overflow (a fatal error that
// no recover catches). The innermost Node holds an element a Node cannot
// hold, so that the parse ends there, before the tree is finished.
func TestMaxDepthCapped(t *testing.T) {
	if got := (Limits{MaxDepth: 1 << 30}).withDefaults().MaxDepth; got != maxSetDepth {
		t.Errorf("MaxDepth 1<<30 is taken as %d, want %d", got, maxSetDepth)
	}
	if got := (Limits{MaxDepth: maxSetDepth - 1}).withDefaults().MaxDepth; got != maxSetDepth-1 {
		t.Errorf("MaxDepth %d is taken as %d", maxSetDepth-1, got)
	}
	// without the cap this needs over 100 MB of stack: fail fast, with
	// room for the 65536 levels the cap allows (some 30 MB)
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	const n = 400_000
	var b strings.Builder
	b.WriteString(`<MgmtTree><VerDTD>1.2</VerDTD>`)
	b.WriteString(strings.Repeat("<Node><NodeName>a</NodeName>", n))
	b.WriteString("<Bad/>")
	b.WriteString(strings.Repeat("<DFProperties/></Node>", n))
	b.WriteString(`</MgmtTree>`)
	_, err := ParseLimits([]byte(b.String()), Limits{MaxDepth: 1 << 30, MaxBytes: 1 << 30, MaxNodes: 1 << 30})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxDepth" {
		msg := fmt.Sprint(err)
		if len(msg) > 200 {
			msg = msg[:100] + " ... " + msg[len(msg)-100:]
		}
		t.Fatalf("%d nested Nodes: %s, want a *LimitError for MaxDepth", n, msg)
	}
}

// TestNegativeLimits: a negative field is its default, as a zero one is.
func TestNegativeLimits(t *testing.T) {
	neg := Limits{MaxBytes: -1, MaxDepth: -1, MaxNodes: -1, MaxRegExCost: -1}
	if got := neg.withDefaults(); got != DefaultLimits() {
		t.Errorf("negative limits are taken as %+v, want the defaults %+v", got, DefaultLimits())
	}
	in := `<MgmtTree>` + strings.Repeat("<Node>", DefaultMaxDepth) + `</MgmtTree>`
	_, err := ParseLimits([]byte(in), neg)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != DefaultMaxDepth {
		t.Errorf("%d nested elements under MaxDepth -1: %v, want a *LimitError for MaxDepth %d", DefaultMaxDepth+1, err, DefaultMaxDepth)
	}
}
