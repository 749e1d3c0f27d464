package syncml_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// limitsMsg is a message whose XML Data holds markup.
func limitsMsg(data string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>` +
		`<Replace><CmdID>1</CmdID><Item><Target><LocURI>./A</LocURI></Target><Data>` + data + `</Data></Item></Replace><Final/></SyncBody></SyncML>`)
}

// A message decoded under raised markup limits is written again by an
// Encoder given the same limits (Marshal keeps to the defaults and
// refuses it), and reads back the same; an Encoder given lower limits
// refuses what Marshal writes.
func TestEncoderSetLimits(t *testing.T) {
	attrs := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, ` a%d="v"`, i)
		}
		return b.String()
	}
	decls := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, ` xmlns:p%d="urn:p%d"`, i, i)
		}
		return b.String()
	}
	raised := syncml.Limits{MaxDataDepth: 40, MaxAttrs: 80, MaxNamespaces: 160}
	cases := []struct {
		name, data, limit string
	}{
		{"depth", strings.Repeat("<a>", 30) + strings.Repeat("</a>", 30), "MaxDataDepth"},
		{"attributes", "<a" + attrs(40) + "/>", "MaxAttrs"},
		{"namespaces", "<a" + decls(0, 24) + "><b" + decls(24, 24) + "><c" + decls(48, 24) + "/></b></a>", "MaxNamespaces"},
	}
	for _, c := range cases {
		in := limitsMsg(c.data)
		if err := syncml.Unmarshal(in, new(syncml.Message)); !errors.Is(err, syncml.ErrLimit) {
			t.Fatalf("%s: Unmarshal under the defaults: %v, want ErrLimit", c.name, err)
		}
		var m syncml.Message
		if err := syncml.UnmarshalLimits(in, &m, raised); err != nil {
			t.Fatalf("%s: UnmarshalLimits: %v", c.name, err)
		}
		var le *syncml.LimitError
		if _, err := syncml.Marshal(&m); !errors.As(err, &le) || le.Limit != c.limit {
			t.Errorf("%s: Marshal: %v, want a *LimitError of %s", c.name, err, c.limit)
		}
		var buf bytes.Buffer
		enc := syncml.NewEncoder(&buf)
		enc.SetLimits(raised)
		if err := enc.Encode(&m); err != nil {
			t.Fatalf("%s: Encoder with the raised limits: %v", c.name, err)
		}
		var back syncml.Message
		if err := syncml.UnmarshalLimits(buf.Bytes(), &back, raised); err != nil {
			t.Fatalf("%s: read back: %v", c.name, err)
		}
		if diff := cmp.Diff(&m, &back); diff != "" {
			t.Errorf("%s: read back differs (-first +again):\n%s", c.name, diff)
		}
	}
	// lowered: what Marshal writes, an Encoder for a stricter peer refuses
	var m syncml.Message
	if err := syncml.Unmarshal(limitsMsg("<a><b><c/></b></a>"), &m); err != nil {
		t.Fatal(err)
	}
	if _, err := syncml.Marshal(&m); err != nil {
		t.Fatal(err)
	}
	enc := syncml.NewEncoder(new(bytes.Buffer))
	enc.SetLimits(syncml.Limits{MaxDataDepth: 2})
	var le *syncml.LimitError
	if err := enc.Encode(&m); !errors.As(err, &le) || le.Limit != "MaxDataDepth" {
		t.Errorf("Encoder with MaxDataDepth 2: %v, want a *LimitError of MaxDataDepth", err)
	}
}
