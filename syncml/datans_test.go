package syncml_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
)

// The namespace rule of Data, one for all its forms: Data itself is read
// as every element of the model, in the message's namespace or in none
// (the two are the same, and the writer puts it in the message's); any
// other default namespace declared on Data belongs to its element
// content, which must use it, and is written back on Data (which the
// writer writes unprefixed, so Data is then in it too: the one namespace
// other than those two that Data is read in). So xmlns="" on Data holding
// text says nothing the output loses, and on Data holding elements in no
// namespace it is kept.

const nsHdr = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr>`

// nsMsg wraps an Item's content in a Replace of a message whose root
// declares rootNS (none when "").
func nsMsg(rootNS, item string) string {
	decl := ""
	if rootNS != "" {
		decl = ` xmlns="` + rootNS + `"`
	}
	return `<SyncML` + decl + `>` + nsHdr + `<SyncBody><Replace><CmdID>1</CmdID><Item>` + item + `</Item></Replace></SyncBody></SyncML>`
}

func TestDataNamespaceRule(t *testing.T) {
	const v12 = syncml.NamespaceSyncML12
	accepted := []struct {
		name, in string
		want     syncml.Data
		out      string // the Data as Marshal writes it
	}{
		{"text in no namespace", nsMsg(v12, `<Data xmlns="">text</Data>`),
			syncml.Data{Value: "text"}, `<Data>text</Data>`},
		{"text in no namespace by Item", strings.Replace(nsMsg(v12, `<Data>text</Data>`), `<Item>`, `<Item xmlns="">`, 1),
			syncml.Data{Value: "text"}, `<Data>text</Data>`},
		{"CDATA in no namespace", nsMsg(v12, `<Data xmlns=""><![CDATA[<x>]]></Data>`),
			syncml.Data{Kind: syncml.DataCDATA, Value: "<x>"}, `<Data><![CDATA[<x>]]></Data>`},
		{"empty in no namespace", nsMsg(v12, `<Data xmlns=""/>`),
			syncml.Data{}, `<Data></Data>`},
		{"text in the message's namespace", nsMsg(v12, `<Data xmlns="SYNCML:SYNCML1.2">text</Data>`),
			syncml.Data{Value: "text"}, `<Data>text</Data>`},
		{"elements in no namespace", nsMsg(v12, `<Data xmlns=""><a/></Data>`),
			syncml.Data{Kind: syncml.DataXML, Value: `<a/>`, Namespaces: []syncml.Namespace{{}}}, `<Data xmlns=""><a/></Data>`},
		{"elements in the message's namespace", nsMsg(v12, `<Data xmlns="SYNCML:SYNCML1.2"><a/></Data>`),
			syncml.Data{Kind: syncml.DataXML, Value: `<a/>`}, `<Data><a/></Data>`},
		{"elements in their own namespace", nsMsg(v12, `<Data xmlns="urn:x"><a/></Data>`),
			syncml.Data{Kind: syncml.DataXML, Value: `<a/>`, Namespaces: []syncml.Namespace{{URI: "urn:x"}}}, `<Data xmlns="urn:x"><a/></Data>`},
		{"prefixed, elements in their own namespace", nsMsg(v12, `<s:Data xmlns:s="SYNCML:SYNCML1.2" xmlns="urn:x"><a/></s:Data>`),
			syncml.Data{Kind: syncml.DataXML, Value: `<a/>`, Namespaces: []syncml.Namespace{{URI: "urn:x"}}}, `<Data xmlns="urn:x"><a/></Data>`},
		{"prefixed, text under an unused namespace", nsMsg(v12, `<s:Data xmlns:s="SYNCML:SYNCML1.2" xmlns="urn:x">text</s:Data>`),
			syncml.Data{Value: "text"}, `<Data>text</Data>`},
		{"no-namespace message, text", nsMsg("", `<Data xmlns="">text</Data>`),
			syncml.Data{Value: "text"}, `<Data>text</Data>`},
		{"no-namespace message, elements in SyncML's", nsMsg("", `<Data xmlns="SYNCML:SYNCML1.2"><a/></Data>`),
			syncml.Data{Kind: syncml.DataXML, Value: `<a/>`, Namespaces: []syncml.Namespace{{URI: v12}}}, `<Data xmlns="SYNCML:SYNCML1.2"><a/></Data>`},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			var m syncml.Message
			if err := syncml.Unmarshal([]byte(tt.in), &m); err != nil {
				t.Fatal(err)
			}
			got := m.Body.Commands[0].(*syncml.Replace).Items[0].Data
			if got == nil {
				t.Fatal("no Data")
			}
			if d := cmp.Diff(tt.want, *got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			c := checkAccepted(t, tt.name, []byte(tt.in))
			if !strings.Contains(string(c), `<Item>`+tt.out+`</Item>`) {
				t.Errorf("Marshal wrote\n%s\nwant it to hold %s", c, tt.out)
			}
		})
	}
	// another namespace, on Data or in scope there, that no element of
	// the content uses
	refused := []struct{ name, in string }{
		{"text in another namespace", nsMsg(v12, `<Data xmlns="urn:x">text</Data>`)},
		{"text in the other SyncML namespace", nsMsg(v12, `<Data xmlns="SYNCML:SYNCML1.1">text</Data>`)},
		{"no-namespace message, text in SyncML's", nsMsg("", `<Data xmlns="SYNCML:SYNCML1.2">text</Data>`)},
		{"elements in no namespace under another", nsMsg(v12, `<Data xmlns="urn:x"><a xmlns=""/></Data>`)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var m syncml.Message
			err := syncml.Unmarshal([]byte(tt.in), &m)
			var de *syncml.DecodeError
			if !errors.Is(err, syncml.ErrStructure) || !errors.As(err, &de) || !strings.HasSuffix(de.Path, "/Item/Data") {
				t.Fatalf("error %v, want ErrStructure in the path of Data", err)
			}
		})
	}
}
