package declaredconfig

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// refItem is what the two-pass path gives for one Item: syncml.Unmarshal,
// then each matching Item's Data value read again as a document.
type refItem struct {
	index int
	uri   string
	doc   *Document
	err   error
}

// twoPass reads msg the way the module did before ReadMessage: the message
// first, then each document from its Data's value.
func twoPass(msg []byte, o ReadOptions) (*syncml.Message, []refItem, error) {
	var m syncml.Message
	if err := syncml.UnmarshalLimits(msg, &m, o.Message); err != nil {
		return nil, nil, err
	}
	match := o.Match
	if match == nil {
		match = isDocumentNode
	}
	var out []refItem
	var walk func(cmds []syncml.Command)
	walk = func(cmds []syncml.Command) {
		for _, c := range cmds {
			switch c := c.(type) {
			case *syncml.Atomic:
				walk(c.Commands)
				continue
			case *syncml.Sequence:
				walk(c.Commands)
				continue
			}
			for i, it := range c.ItemList() {
				uri := ""
				if it.Target != nil {
					uri = it.Target.LocURI
				} else if it.Source != nil {
					uri = it.Source.LocURI
				}
				if it.Data == nil || !match(uri) {
					continue
				}
				d := new(Document)
				err := d.unmarshal(it.Data.Value, o.Document.withDefaults(), dataScope(it.Data)...)
				if err != nil {
					d = nil
				}
				out = append(out, refItem{index: i, uri: uri, doc: d, err: err})
			}
		}
	}
	walk(m.Body.Commands)
	return &m, out, nil
}

// sameAsTwoPass checks that ReadMessage gives what the two-pass path
// gives: the same message, error, documents, and errors of the same kind.
func sameAsTwoPass(msg []byte, o ReadOptions) error {
	m, items, err := ReadMessage(msg, o)
	rm, ref, rerr := twoPass(msg, o)
	if (err == nil) != (rerr == nil) || err != nil && err.Error() != rerr.Error() {
		return fmt.Errorf("message error %v, two passes %v", err, rerr)
	}
	if err != nil {
		return nil
	}
	if diff := deepDiff(rm, m); diff != "" {
		return fmt.Errorf("message differs (-two passes +ReadMessage):\n%s", diff)
	}
	if len(items) != len(ref) {
		return fmt.Errorf("%d document items, two passes %d", len(items), len(ref))
	}
	for i, it := range items {
		r := ref[i]
		if it.Index != r.index || it.URI != r.uri {
			return fmt.Errorf("item %d is %d %q, two passes %d %q", i, it.Index, it.URI, r.index, r.uri)
		}
		if diff := deepDiff(r.doc, it.Document); diff != "" {
			return fmt.Errorf("item %d: document differs (-two passes +ReadMessage):\n%s", i, diff)
		}
		if (it.Err == nil) != (r.err == nil) {
			return fmt.Errorf("item %d: error %v, two passes %v", i, it.Err, r.err)
		}
		if it.Err != nil {
			if err := sameCause(it.Err, r.err); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}

// sameCause checks that a and b report the same problem, wherever.
func sameCause(a, b error) error {
	var ad, bd *DecodeError
	var al, bl *LimitError
	switch {
	case errors.As(a, &ad) && errors.As(b, &bd):
		if ad.Err.Error() != bd.Err.Error() {
			return fmt.Errorf("cause %q, two passes %q", ad.Err, bd.Err)
		}
	case errors.As(a, &al) && errors.As(b, &bl):
		if al.Limit != bl.Limit || al.Max != bl.Max {
			return fmt.Errorf("limit %s %d, two passes %s %d", al.Limit, al.Max, bl.Limit, bl.Max)
		}
	default:
		return fmt.Errorf("error %T %v, two passes %T %v", a, a, b, b)
	}
	return nil
}

const (
	docURI   = "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/DCA000B5-397D-40A1-AABF-40B25078A7F9/Document"
	msgStart = `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
		`<MsgID>1</MsgID><Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>`
	msgEnd  = `<Final/></SyncBody></SyncML>`
	smallDC = `<DeclaredConfiguration schema="1.0" context="Device" id="DCA000B5-397D-40A1-AABF-40B25078A7F9" checksum="1" osdefinedscenario="MSFTVPN">` +
		`<CSP name="./Vendor/MSFT/Policy"><URI path="Config/A" type="int">1</URI><URI path="Config/B" type="chr">a &amp; b</URI></CSP></DeclaredConfiguration>`
)

// replace returns a Replace of one Item with the given Target and Data
// content.
func replace(id, target, data string) string {
	return `<Replace><CmdID>` + id + `</CmdID><Item><Target><LocURI>` + target + `</LocURI></Target><Data>` + data + `</Data></Item></Replace>`
}

func TestReadMessage(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		opts    ReadOptions
		items   int  // document items
		onePass int  // of which read in the one pass, without a second lex
		bad     int  // of which carry an error
		msgErr  bool // the message itself is refused
	}{
		{name: "markup", body: replace("2", docURI, smallDC), items: 1, onePass: 1},
		{name: "no documents", body: replace("2", "./Vendor/MSFT/Policy/Config/A", "1"), items: 0},
		{name: "space and comments around", body: replace("2", docURI, "\n  <!-- c -->"+smallDC+"<!--d-->\n"), items: 1, onePass: 1},
		{name: "CRLF", body: replace("2", docURI, "\r\n"+strings.ReplaceAll(smallDC, "><URI", ">\r\n<URI")+"\r\n"), items: 1, onePass: 1},
		{name: "CRLF in markup values", body: replace("2", docURI, `<DeclaredConfiguration><CSP name="c"><URI path="p"><a>`+"\r\n"+`</a></URI><X>`+"\r"+`</X></CSP><Y>`+"\r\n"+`</Y></DeclaredConfiguration>`), items: 1, onePass: 1},
		{name: "escaped text", body: replace("2", docURI, strings.NewReplacer("<", "&lt;", "&", "&amp;").Replace(smallDC)), items: 1},
		{name: "CDATA", body: replace("2", docURI, "<![CDATA["+smallDC+"]]>"), items: 1},
		{name: "PI before the root", body: replace("2", docURI, `<?pi x?>`+smallDC), items: 1},
		{name: "BOM before the root", body: replace("2", docURI, "\uFEFF"+smallDC), items: 1},
		{name: "wrong root", body: replace("2", docURI, `<Other/>`), items: 1, bad: 1},
		{name: "text in CSP", body: replace("2", docURI, `<DeclaredConfiguration><CSP>x<URI/></CSP></DeclaredConfiguration>`), items: 1, bad: 1},
		{name: "text after the root", body: replace("2", docURI, smallDC+`x`), items: 1, bad: 1},
		{name: "two roots", body: replace("2", docURI, smallDC+smallDC), items: 1, bad: 1},
		{name: "CDATA before the root", body: replace("2", docURI, `<![CDATA[ ]]>`+smallDC), items: 1, bad: 1},
		{name: "depth limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxDepth: 2}}, items: 1, bad: 1},
		{name: "depth at the limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxDepth: 3}}, items: 1, onePass: 1},
		{name: "elements limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxElements: 3}}, items: 1, bad: 1},
		{name: "attrs limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxAttrs: 4}}, items: 1, bad: 1},
		{name: "namespaces limit", body: replace("2", docURI, `<DeclaredConfiguration xmlns:a="urn:a" xmlns:b="urn:b"/>`), opts: ReadOptions{Document: Limits{MaxNamespaces: 1}}, items: 1, bad: 1},
		{name: "bytes limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxBytes: 10}}, items: 1, bad: 1},
		{name: "token bytes limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Document: Limits{MaxTokenBytes: 5}}, items: 1, bad: 1},
		{name: "prefix declared around", body: `<Atomic xmlns:x="urn:x"><CmdID>1</CmdID>` + replace("2", docURI, `<DeclaredConfiguration x:a="1"><x:CSP/></DeclaredConfiguration>`) + `</Atomic>`, items: 1, onePass: 1},
		{name: "nested and several", body: `<Sequence><CmdID>1</CmdID>` + replace("2", docURI, smallDC) + `<Atomic><CmdID>3</CmdID>` +
			replace("4", "./Vendor/MSFT/Policy/Config/A", "<a/>") + replace("5", docURI, smallDC) + `</Atomic></Sequence>` + replace("6", docURI, `<Other/>`), items: 3, onePass: 2, bad: 1},
		{name: "Data before Target", body: `<Add><CmdID>2</CmdID><Item><Data>` + smallDC + `</Data><Target><LocURI>` + docURI + `</LocURI></Target></Item></Add>`, items: 1, onePass: 1},
		{name: "Data before Target, refused", body: `<Add><CmdID>2</CmdID><Item><Data><Other/></Data><Target><LocURI>` + docURI + `</LocURI></Target></Item></Add>`, items: 1, bad: 1},
		{name: "Target after Source and Data", body: `<Add><CmdID>2</CmdID><Item><Source><LocURI>./x</LocURI></Source><Data><Other/></Data><Target><LocURI>` + docURI + `</LocURI></Target></Item></Add>`, items: 1, bad: 1},
		{name: "Source only, other node", body: `<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./x</LocURI></Source><Data>` + smallDC + `</Data></Item></Results>`, items: 0},
		{name: "no Target nor Source", body: `<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data>200</Data><Item><Data>` + smallDC + `</Data></Item></Status>`, items: 0},
		{name: "Results by Source", body: `<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>` + docURI + `</LocURI></Source><Data>` + smallDC + `</Data></Item></Results>`, items: 1, onePass: 1},
		{name: "caller's match", body: replace("2", "./Vendor/Mine", smallDC) + replace("3", docURI, smallDC), opts: ReadOptions{Match: func(s string) bool { return s == "./Vendor/Mine" }}, items: 1, onePass: 1},
		{name: "message refused", body: replace("2", docURI, smallDC+`<a>`), msgErr: true},
		{name: "message limit", body: replace("2", docURI, smallDC), opts: ReadOptions{Message: syncml.Limits{MaxDataDepth: 2}}, msgErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := []byte(msgStart + c.body + msgEnd)
			if err := sameAsTwoPass(msg, c.opts); err != nil {
				t.Fatal(err)
			}
			var lexed []string
			onParse = func(text string) { lexed = append(lexed, text) }
			defer func() { onParse = nil }()
			m, items, err := ReadMessage(msg, c.opts)
			if c.msgErr {
				if err == nil || m != nil || items != nil {
					t.Fatalf("ReadMessage = %v, %v, %v; want only an error", m, items, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			for _, it := range items {
				if it.Err != nil {
					bad++
					checkInMessage(t, string(msg), it.Err)
				}
				if got := it.Command.ItemList()[it.Index]; got.Data == nil {
					t.Errorf("item %d of %s has no Data", it.Index, it.Command.ElementName())
				}
			}
			if len(items) != c.items || bad != c.bad {
				t.Errorf("%d items, %d with an error; want %d, %d", len(items), bad, c.items, c.bad)
			}
			// each document not read in the one pass is lexed once more,
			// from its Data's value; the others are not lexed again
			if want := c.items - c.onePass; len(lexed) != want {
				t.Errorf("%d documents lexed again, want %d: %q", len(lexed), want, lexed)
			}
		})
	}
}

// checkInMessage checks that err, reported for a document inside msg,
// has a path in the message and an offset inside it.
func checkInMessage(t *testing.T, msg string, err error) {
	t.Helper()
	var de *DecodeError
	var le *LimitError
	switch {
	case errors.As(err, &de):
		if !strings.HasPrefix(de.Path, "/SyncML/SyncBody/") || !strings.Contains(de.Path, "/Item/Data") {
			t.Errorf("path %q is not in the message", de.Path)
		}
		if de.Offset <= int64(len(msgStart)) || de.Offset > int64(len(msg)) {
			t.Errorf("offset %d is not in the body", de.Offset)
		}
		if de.Line != 1 || de.Column != int(de.Offset)+1 {
			t.Errorf("line %d column %d for offset %d of a one-line message", de.Line, de.Column, de.Offset)
		}
	case errors.As(err, &le):
		if !strings.HasPrefix(le.Path, "/SyncML/SyncBody/") {
			t.Errorf("path %q is not in the message", le.Path)
		}
		if le.Offset <= int64(len(msgStart)) || le.Offset > int64(len(msg)) {
			t.Errorf("offset %d is not in the body", le.Offset)
		}
	default:
		t.Errorf("error %T %v", err, err)
	}
	if !strings.HasPrefix(err.Error(), "declaredconfig: ") || strings.Count(err.Error(), "declaredconfig: ") != 1 {
		t.Errorf("message %q", err)
	}
}

// TestReadMessageErrorPosition checks one error's position exactly: the
// offset, line and column of the same fault read from the document alone,
// moved to where the document stands in the message.
func TestReadMessageErrorPosition(t *testing.T) {
	doc := "<DeclaredConfiguration>\r\n<CSP>\r\nx<URI/></CSP></DeclaredConfiguration>"
	msg := msgStart + "\n" + replace("2", docURI, doc) + msgEnd
	_, items, err := ReadMessage([]byte(msg), ReadOptions{})
	if err != nil || len(items) != 1 || items[0].Err == nil {
		t.Fatalf("ReadMessage: %v, %+v", err, items)
	}
	var de *DecodeError
	if !errors.As(items[0].Err, &de) {
		t.Fatalf("error %T %v", items[0].Err, items[0].Err)
	}
	at := strings.Index(msg, "<CSP>")
	want := "declaredconfig: line 3, column " + fmt.Sprint(at-strings.LastIndex(msg[:at], "\n")) + " (offset " + fmt.Sprint(at) +
		") in /SyncML/SyncBody/Replace/Item/Data/DeclaredConfiguration/CSP: unexpected structure: text inside <CSP>, which holds only elements"
	if de.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", de, want)
	}
	if !errors.Is(de, ErrStructure) {
		t.Errorf("%v is not ErrStructure", de)
	}
}

// TestReadMessageErrorInCDATA checks the position of a fault in a
// document sent in a CDATA section: in the message, inside the section.
func TestReadMessageErrorInCDATA(t *testing.T) {
	msg := msgStart + replace("2", docURI, `<![CDATA[<DeclaredConfiguration><CSP>x</CSP></DeclaredConfiguration>]]>`) + msgEnd
	_, items, err := ReadMessage([]byte(msg), ReadOptions{})
	if err != nil || len(items) != 1 {
		t.Fatalf("ReadMessage: %v, %+v", err, items)
	}
	var de *DecodeError
	if !errors.As(items[0].Err, &de) {
		t.Fatalf("error %T %v", items[0].Err, items[0].Err)
	}
	if at := strings.Index(msg, "<CSP>"); de.Offset != int64(at) || de.Column != at+1 ||
		de.Path != "/SyncML/SyncBody/Replace/Item/Data/DeclaredConfiguration/CSP" {
		t.Errorf("error %v, want it at offset %d", de, at)
	}
}
