package syncml

import (
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"testing"
)

// A MaxDepth above 65536 is taken as 65536: the decoder recurses once per
// nested group, and a message of 300,000 nested Sequences read with
// MaxDepth 1<<30 must end in a *LimitError, not in a stack overflow (a
// fatal error that no recover catches).
func TestMaxDepthCapped(t *testing.T) {
	if got := (Limits{MaxDepth: 1 << 30}).withDefaults().MaxDepth; got != maxSetDepth {
		t.Errorf("MaxDepth 1<<30 is taken as %d, want %d", got, maxSetDepth)
	}
	if got := (Limits{MaxDepth: maxSetDepth - 1}).withDefaults().MaxDepth; got != maxSetDepth-1 {
		t.Errorf("MaxDepth %d is taken as %d", maxSetDepth-1, got)
	}
	// without the cap this needs some 250 MB of stack: fail fast, with
	// room for the 65536 levels the cap allows
	defer debug.SetMaxStack(debug.SetMaxStack(128 << 20))
	const n = 300_000
	var b strings.Builder
	b.WriteString(`<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>`)
	b.WriteString(strings.Repeat("<Sequence><CmdID>1</CmdID>", n))
	b.WriteString(strings.Repeat("</Sequence>", n))
	b.WriteString(`</SyncBody></SyncML>`)
	var m Message
	err := UnmarshalLimits([]byte(b.String()), &m, Limits{MaxDepth: 1 << 30, MaxBytes: 1 << 30, MaxTokens: 1 << 30})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxDepth" {
		t.Fatalf("%d nested Sequences: %v, want a *LimitError for MaxDepth", n, err)
	}
}

// TestNegativeLimits: a negative field is its default, as a zero one is,
// for the decoders and the Encoder alike: 33 attributes on an Unknown
// are refused under MaxAttrs -1.
func TestNegativeLimits(t *testing.T) {
	neg := Limits{MaxBytes: -1, MaxDepth: -1, MaxTokens: -1, MaxTokenBytes: -1, MaxAttrs: -1, MaxDataDepth: -1, MaxNamespaces: -1}
	if got := neg.withDefaults(); got != DefaultLimits() {
		t.Errorf("negative limits are taken as %+v, want the defaults %+v", got, DefaultLimits())
	}
	var attrs strings.Builder
	for i := range DefaultMaxAttrs + 1 {
		attrs.WriteString(" a" + strings.Repeat("x", i) + `="1"`)
	}
	in := body(`<Foo` + attrs.String() + `/>`)
	_, err := decodeBoth(t, []byte(in), neg)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxAttrs" {
		t.Errorf("%d attributes under MaxAttrs -1: %v, want a *LimitError for MaxAttrs", DefaultMaxAttrs+1, err)
	}
	e := NewEncoder(io.Discard)
	e.SetLimits(neg)
	if err := e.EncodeHeader("", &testHeader); err != nil {
		t.Fatal(err)
	}
	if err := e.EncodeCommand(&Unknown{Name: "Foo", Raw: `<Foo` + attrs.String() + `/>`}); !errors.As(err, &le) || le.Limit != "MaxAttrs" {
		t.Errorf("Encoder under MaxAttrs -1: %v, want a *LimitError for MaxAttrs", err)
	}
}
