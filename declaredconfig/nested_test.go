package declaredconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// nsDecls returns n namespace declarations with prefixes from tag.
func nsDecls(tag string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ` xmlns:%s%d="urn:%s:%d"`, tag, i, tag, i)
	}
	return b.String()
}

// inMessage puts doc as XML Data into a Replace, nested in wraps Atomic and
// Sequence elements, in a message whose SyncBody and Item declare envNS
// namespaces.
func inMessage(doc string, wraps, envNS int) []byte {
	var open, closing string
	for i := range wraps {
		if i%2 == 0 {
			open += fmt.Sprintf(`<Atomic><CmdID>a%d</CmdID>`, i)
			closing = `</Atomic>` + closing
		} else {
			open += fmt.Sprintf(`<Sequence><CmdID>s%d</CmdID>`, i)
			closing = `</Sequence>` + closing
		}
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr>` +
		`<SyncBody` + nsDecls("e", min(envNS, 31)) + `>` + open +
		`<Replace><CmdID>2</CmdID><Item` + nsDecls("f", envNS-min(envNS, 31)) + `><Target><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/x/Document</LocURI></Target>` +
		`<Data>` + doc + `</Data></Item></Replace>` + closing + `<Final/></SyncBody></SyncML>`)
}

// decodeMessage reads msg whole and streamed; both must agree. It returns
// the Data value of the Replace on success.
func decodeMessage(t *testing.T, msg []byte) (string, error) {
	t.Helper()
	var m syncml.Message
	whole := syncml.Unmarshal(msg, &m)
	d := syncml.NewDecoder(bytes.NewReader(msg))
	var streamed error
	if _, streamed = d.Header(); streamed == nil {
		for {
			if _, streamed = d.Next(); streamed != nil {
				break
			}
		}
		if streamed == io.EOF {
			streamed = nil
		}
	}
	if (whole == nil) != (streamed == nil) {
		t.Fatalf("Unmarshal: %v; Decoder: %v", whole, streamed)
	}
	if whole != nil {
		return "", whole
	}
	var find func(cs []syncml.Command) string
	find = func(cs []syncml.Command) string {
		for _, c := range cs {
			switch c := c.(type) {
			case *syncml.Replace:
				return c.Items[0].Data.Value
			case *syncml.Atomic:
				return find(c.Commands)
			case *syncml.Sequence:
				return find(c.Commands)
			}
		}
		return ""
	}
	return find(m.Body.Commands), nil
}

// TestNestedLimitsAgree (issue 9, item 6): a document that UnmarshalText
// accepts with the default Limits is accepted as XML Data inside a message
// that is otherwise within syncml's default limits, whole and streamed,
// and reads back the same; a document one past a default is refused by
// both, on a limit. Namespace declarations and nesting inside the Data are
// counted from the Data element, as they are counted from the root of the
// document alone, whatever the message around declares or nests.
func TestNestedLimitsAgree(t *testing.T) {
	nsDoc := func(counts ...int) string {
		names := []string{"DeclaredConfiguration", "CSP", "URI"}
		var b strings.Builder
		for i, name := range names {
			n := 0
			if i < len(counts) {
				n = counts[i]
			}
			b.WriteString("<" + name + nsDecls(fmt.Sprint("p", i, "x"), n) + ">")
		}
		b.WriteString("v")
		for i := len(names) - 1; i >= 0; i-- {
			b.WriteString("</" + names[i] + ">")
		}
		return b.String()
	}
	deepDoc := func(depth int) string { // root, CSP, URI and markup
		n := depth - 3
		return `<DeclaredConfiguration><CSP name="x"><URI path="y">` + strings.Repeat("<m>", n) + strings.Repeat("</m>", n) +
			`</URI></CSP></DeclaredConfiguration>`
	}
	half := DefaultMaxNamespaces / 2
	cases := []struct {
		name        string
		doc         string
		wraps, env  int    // Atomic/Sequence around the Replace; declarations on SyncBody
		limit       string // "" when the document is within the defaults
		syncmlLimit string
	}{
		{"namespaces at the default", nsDoc(half, DefaultMaxNamespaces-half), 0, 0, "", ""},
		{"namespaces at the default, envelope declares", nsDoc(half, DefaultMaxNamespaces-half), 0, syncml.DefaultMaxNamespaces - 2, "", ""},
		{"namespaces over the default", nsDoc(half, DefaultMaxNamespaces-half, 1), 0, 0, "MaxNamespaces", "MaxNamespaces"},
		{"namespaces of the issue (27+31+30)", nsDoc(27, 31, 30), 0, 0, "MaxNamespaces", "MaxNamespaces"},
		{"depth at the default", deepDoc(DefaultMaxDepth), 0, 0, "", ""},
		{"depth at the default, deep envelope", deepDoc(DefaultMaxDepth), 10, 0, "", ""},
		{"depth over the default", deepDoc(DefaultMaxDepth + 1), 0, 0, "MaxDepth", "MaxDataDepth"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d Document
			derr := d.UnmarshalText([]byte(tc.doc))
			got, serr := decodeMessage(t, inMessage(tc.doc, tc.wraps, tc.env))
			if tc.limit == "" {
				if derr != nil {
					t.Fatalf("declaredconfig refuses: %v", derr)
				}
				if serr != nil {
					t.Fatalf("declaredconfig accepts, syncml refuses: %v", serr)
				}
				var back Document
				if err := back.UnmarshalText([]byte(got)); err != nil || got != tc.doc {
					t.Errorf("Data read back: %v\n%q\n%q", err, got, tc.doc)
				}
				return
			}
			var le *LimitError
			if !errors.As(derr, &le) || le.Limit != tc.limit {
				t.Errorf("declaredconfig: %v, want a LimitError on %s", derr, tc.limit)
			}
			var se *syncml.LimitError
			if !errors.As(serr, &se) || se.Limit != tc.syncmlLimit {
				t.Errorf("syncml: %v, want a LimitError on %s", serr, tc.syncmlLimit)
			}
		})
	}
	// the two packages' defaults are the same numbers
	if DefaultMaxNamespaces != syncml.DefaultMaxNamespaces || DefaultMaxDepth != syncml.DefaultMaxDataDepth ||
		DefaultMaxAttrs != syncml.DefaultMaxAttrs {
		t.Errorf("defaults differ")
	}
}
