package fuzz

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// readMessageDoc is the document Item of FuzzDeclaredReadMessage's seeds.
const readMessageDoc = `<DeclaredConfiguration schema="1.0" context="Device" id="27FEA311-68B9-4320-9FC4-296F6FDFAFE2" checksum="1" osdefinedscenario="MSFTWifi">` +
	`<CSP name="./Vendor/MSFT/WiFi"><URI path="a" type="chr">x &amp; y</URI><URI path="b" type="xml"><p>1</p></URI><Other/></CSP>` +
	`<DSC namespace="n" className="c"><Key name="k">v</Key></DSC></DeclaredConfiguration>`

// readMessageWire puts data in the Data of an Item that names a Document
// node, in a message shaped by shape: the Item's LocURI in a Target or a
// Source, the command in an Atomic, a namespace declared on SyncBody,
// line ends written as CRLF, and a second Item that names another node.
func readMessageWire(data string, shape uint8) []byte {
	loc := `<Target><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document</LocURI></Target>`
	if shape&1 != 0 {
		loc = strings.ReplaceAll(loc, "Target>", "Source>")
	}
	cmd := `<Replace><CmdID>2</CmdID><Item>` + loc + `<Data>` + data + `</Data></Item>`
	if shape&16 != 0 {
		cmd += `<Item><Target><LocURI>./Vendor/MSFT/Policy/Config/A</LocURI></Target><Data>` + data + `</Data></Item>`
	}
	cmd += `</Replace>`
	if shape&2 != 0 {
		cmd = `<Atomic><CmdID>3</CmdID>` + cmd + `</Atomic>`
	}
	body := `<SyncBody>`
	if shape&4 != 0 {
		body = `<SyncBody xmlns:o="urn:o">`
	}
	msg := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
		`<MsgID>1</MsgID><Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr>` + body + cmd + `<Final/></SyncBody></SyncML>`
	if shape&8 != 0 {
		msg = strings.ReplaceAll(msg, "\n", "\r\n")
	}
	return []byte(msg)
}

// FuzzDeclaredReadMessage is differential: declaredconfig.ReadMessage,
// which builds each markup document from the tokens syncml reads, against
// the two-pass path (syncml.Unmarshal, then each matching Data's value
// read by Document.UnmarshalText). Both must accept the same messages and
// give the same message, the same documents and errors of the same kind;
// ReadMessage's errors are typed and placed in the message. Items whose
// markup relies on a prefix declared outside the Data are compared only
// by acceptance (UnmarshalText alone cannot see the declaration).
func FuzzDeclaredReadMessage(f *testing.F) {
	for _, s := range []struct {
		data  string
		shape uint8
	}{
		{readMessageDoc, 0},
		{readMessageDoc, 1 | 2 | 16},
		{"\n <!-- c -->" + strings.ReplaceAll(readMessageDoc, "><", ">\n<") + "\n", 8},
		{strings.Replace(readMessageDoc, "<DeclaredConfiguration", `<DeclaredConfiguration o:a="1"`, 1), 4},
		{"<![CDATA[" + readMessageDoc + "]]>", 0},
		{strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(readMessageDoc), 2},
		{"\uFEFF" + readMessageDoc, 0},
		{`<?xml version="1.0"?>` + readMessageDoc, 0},
		{`<Other/>`, 0},
		{readMessageDoc + readMessageDoc, 0},
		{`<DeclaredConfiguration>t</DeclaredConfiguration>`, 0},
		{`<DeclaredConfiguration><CSP><p:x xmlns:p="urn:p"/></CSP></DeclaredConfiguration>`, 16},
	} {
		f.Add([]byte(s.data), s.shape)
	}
	f.Fuzz(func(t *testing.T, data []byte, shape uint8) {
		msg := readMessageWire(string(data), shape)
		m, items, err := declaredconfig.ReadMessage(msg, declaredconfig.ReadOptions{})
		var ref syncml.Message
		rerr := syncml.Unmarshal(msg, &ref)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("ReadMessage error %v, syncml.Unmarshal %v", err, rerr)
		}
		if err != nil {
			if err.Error() != rerr.Error() || m != nil || items != nil {
				t.Fatalf("ReadMessage = %v, %v, %v; syncml.Unmarshal %v", m, items, err, rerr)
			}
			return
		}
		if d := diff(&ref, m); d != "" {
			t.Fatalf("message differs (-Unmarshal +ReadMessage):\n%s", d)
		}
		k := 0
		for _, c := range flatten(ref.Body.Commands) {
			for i, it := range c.ItemList() {
				uri := ""
				if it.Target != nil {
					uri = it.Target.LocURI
				} else if it.Source != nil {
					uri = it.Source.LocURI
				}
				u, uerr := declaredconfig.ParseURI(uri)
				if it.Data == nil || uerr != nil || u.Node != declaredconfig.NodeDocument {
					continue
				}
				if k >= len(items) {
					t.Fatalf("ReadMessage gave %d document items, two passes more", len(items))
				}
				got := items[k]
				k++
				if got.Index != i || got.URI != uri {
					t.Fatalf("item %d is %d %q, two passes %d %q", k, got.Index, got.URI, i, uri)
				}
				checkReadMessageErr(t, got.Err, len(msg))
				if scoped(it.Data) {
					continue
				}
				var doc declaredconfig.Document
				derr := doc.UnmarshalText([]byte(it.Data.Value))
				if (derr == nil) != (got.Err == nil) {
					t.Fatalf("item %d: error %v, two passes %v", k, got.Err, derr)
				}
				if derr != nil {
					if a, b := cause(got.Err), cause(derr); a != b {
						t.Fatalf("item %d: cause %q, two passes %q", k, a, b)
					}
					continue
				}
				if d := diff(&doc, got.Document); d != "" {
					t.Fatalf("item %d: document differs (-two passes +ReadMessage):\n%s", k, d)
				}
			}
		}
		if k != len(items) {
			t.Fatalf("ReadMessage gave %d document items, two passes %d", len(items), k)
		}
	})
}

// flatten returns the commands of cmds with those of Atomic and Sequence
// in their place, in document order.
func flatten(cmds []syncml.Command) []syncml.Command {
	var out []syncml.Command
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Atomic:
			out = append(out, flatten(c.Commands)...)
		case *syncml.Sequence:
			out = append(out, flatten(c.Commands)...)
		default:
			out = append(out, c)
		}
	}
	return out
}

// scoped reports whether the markup of d relies on a prefix declared
// outside it.
func scoped(d *syncml.Data) bool {
	for _, n := range d.Namespaces {
		if n.Prefix != "" {
			return true
		}
	}
	return false
}

// cause returns what an error of the package reports, wherever it is: the
// cause of a DecodeError, the limit of a LimitError.
func cause(err error) string {
	var de *declaredconfig.DecodeError
	var le *declaredconfig.LimitError
	switch {
	case errors.As(err, &de):
		return de.Err.Error()
	case errors.As(err, &le):
		return le.Limit
	}
	return "untyped: " + err.Error()
}

// checkReadMessageErr checks that err, a document's error from
// ReadMessage, is typed and placed in a message of n bytes.
func checkReadMessageErr(t *testing.T, err error, n int) {
	if err == nil {
		return
	}
	if !strings.HasPrefix(err.Error(), "declaredconfig: ") {
		t.Fatalf("error without package prefix: %v", err)
	}
	var de *declaredconfig.DecodeError
	var le *declaredconfig.LimitError
	switch {
	case errors.As(err, &de):
		if de.Offset < 0 || de.Offset > int64(n) || de.Line < 1 || de.Column < 1 || !strings.HasPrefix(de.Path, "/SyncML/SyncBody/") {
			t.Fatalf("error not placed in the message: %+v", de)
		}
	case errors.As(err, &le):
		if le.Offset < 0 || le.Offset > int64(n) || !strings.HasPrefix(le.Path, "/SyncML/SyncBody/") {
			t.Fatalf("error not placed in the message: %+v", le)
		}
	default:
		t.Fatalf("untyped error: %v", err)
	}
}
