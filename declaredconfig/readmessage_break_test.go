package declaredconfig

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// TestReadMessageAdversarial holds messages built to make the one pass
// and the two-pass path disagree.
func TestReadMessageAdversarial(t *testing.T) {
	item := func(inner string) string {
		return `<Replace><CmdID>2</CmdID><Item>` + inner + `</Item></Replace>`
	}
	tgt := `<Target><LocURI>` + docURI + `</LocURI></Target>`
	cases := []struct {
		name string
		msg  string
	}{
		{"CRLF in attribute", msgStart + replace("2", docURI, "<DeclaredConfiguration a=\"x\r\ny\" b=\"\r\"><CSP name=\"c\r\n\"/></DeclaredConfiguration>") + msgEnd},
		{"char ref CR and literal CR", msgStart + replace("2", docURI, "<DeclaredConfiguration a=\"x&#13;&#10;y\">\r\n<CSP name=\"c\">&#13;\r\n</CSP></DeclaredConfiguration>") + msgEnd},
		{"two Data", msgStart + item(tgt+`<Data>`+smallDC+`</Data><Data><Other/></Data>`) + msgEnd},
		{"two Data reversed", msgStart + item(tgt+`<Data><Other/></Data><Data>`+smallDC+`</Data>`) + msgEnd},
		{"two Data then another item", msgStart + item(tgt+`<Data>`+smallDC+`</Data><Data><Other/></Data>`) + replace("3", docURI, smallDC) + msgEnd},
		{"two Targets", msgStart + item(`<Target><LocURI>./x</LocURI></Target><Data>`+smallDC+`</Data>`+tgt) + msgEnd},
		{"default ns around", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>d</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody xmlns:p="urn:p">` + replace("2", docURI, `<DeclaredConfiguration p:a="1" xmlns="urn:d"><p:CSP/></DeclaredConfiguration>`) + msgEnd},
		{"default ns in data", msgStart + replace("2", docURI, `<DeclaredConfiguration xmlns="urn:d"><CSP name="x"/></DeclaredConfiguration>`) + msgEnd},
		{"undeclared prefix", msgStart + replace("2", docURI, `<DeclaredConfiguration><q:CSP/></DeclaredConfiguration>`) + msgEnd},
		{"xml prefix", msgStart + replace("2", docURI, `<DeclaredConfiguration xml:lang="en"><CSP xml:space="preserve"> </CSP></DeclaredConfiguration>`) + msgEnd},
		{"xmlns prefix element", msgStart + replace("2", docURI, `<DeclaredConfiguration><xmlns:CSP/></DeclaredConfiguration>`) + msgEnd},
		{"comment inside", msgStart + replace("2", docURI, `<DeclaredConfiguration><!--x--><CSP name="a"><!--y--><URI path="p" type="chr">a<!--z-->b</URI></CSP></DeclaredConfiguration>`) + msgEnd},
		{"PI inside", msgStart + replace("2", docURI, `<DeclaredConfiguration><?p x?><CSP name="a"><URI path="p" type="chr">a<?q?>b</URI></CSP></DeclaredConfiguration>`) + msgEnd},
		{"PI after root", msgStart + replace("2", docURI, smallDC+`<?p x?>`) + msgEnd},
		{"CDATA inside", msgStart + replace("2", docURI, `<DeclaredConfiguration><CSP name="a"><URI path="p" type="chr"><![CDATA[<x>&]]>b</URI></CSP></DeclaredConfiguration>`) + msgEnd},
		{"CDATA with CRLF inside", msgStart + replace("2", docURI, "<DeclaredConfiguration><CSP name=\"a\"><URI path=\"p\" type=\"chr\"><![CDATA[a\r\nb\r]]></URI></CSP></DeclaredConfiguration>") + msgEnd},
		{"entity in attr", msgStart + replace("2", docURI, `<DeclaredConfiguration a="&lt;&#x41;&#9;"><CSP name="a&amp;b"/></DeclaredConfiguration>`) + msgEnd},
		{"tab in attr", msgStart + replace("2", docURI, "<DeclaredConfiguration a=\"\tx\n\"><CSP name=\"a\"/></DeclaredConfiguration>") + msgEnd},
		{"MoreData", msgStart + item(tgt+`<Data>`+smallDC+`</Data><MoreData/>`) + msgEnd},
		{"empty Data", msgStart + replace("2", docURI, ``) + msgEnd},
		{"space Data", msgStart + replace("2", docURI, " \r\n ") + msgEnd},
		{"space then CDATA", msgStart + replace("2", docURI, " <![CDATA["+smallDC+"]]> ") + msgEnd},
		{"CDATA then markup", msgStart + replace("2", docURI, "<![CDATA[]]>"+smallDC) + msgEnd},
		{"markup then CDATA", msgStart + replace("2", docURI, smallDC+"<![CDATA[]]>") + msgEnd},
		{"markup then space CDATA", msgStart + replace("2", docURI, smallDC+"<![CDATA[ ]]>") + msgEnd},
		{"Meta Format xml", msgStart + item(`<Meta><Format xmlns="syncml:metinf">xml</Format></Meta>`+tgt+`<Data>`+smallDC+`</Data>`) + msgEnd},
		{"nested Atomic Sequence", msgStart + `<Atomic><CmdID>1</CmdID><Sequence><CmdID>3</CmdID>` + replace("2", docURI, smallDC) + `</Sequence>` + replace("4", docURI, "<Other/>") + `</Atomic>` + msgEnd},
		{"DOCTYPE in data", msgStart + replace("2", docURI, `<!DOCTYPE x>`+smallDC) + msgEnd},
		{"decl in data mid", msgStart + replace("2", docURI, ` <?xml version="1.0"?>`+smallDC) + msgEnd},
		{"BOM mid", msgStart + replace("2", docURI, smallDC+"\uFEFF") + msgEnd},
		{"latin1 message", `<?xml version="1.0" encoding="ISO-8859-1"?>` + msgStart + replace("2", docURI, "<DeclaredConfiguration a=\"\xe9\"><CSP name=\"\xe9\">\xe9</CSP></DeclaredConfiguration>") + msgEnd},
	}
	deep := strings.Repeat("<a>", 30) + strings.Repeat("</a>", 30)
	cases = append(cases, []struct{ name, msg string }{
		{"UTF-16LE message", utf16Msg(msgStart + replace("2", docURI, smallDC) + replace("3", docURI, "<Other>\u00e9</Other>") + msgEnd)},
		{"deep in document", msgStart + replace("2", docURI, `<DeclaredConfiguration><CSP name="a"><URI path="p" type="xml">`+deep+`</URI></CSP></DeclaredConfiguration>`) + msgEnd},
		{"deep around root", msgStart + replace("2", docURI, deep) + msgEnd},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := sameAsTwoPass([]byte(c.msg), ReadOptions{}); err != nil {
				t.Fatal(err)
			}
			_, items, err := ReadMessage([]byte(c.msg), ReadOptions{})
			t.Logf("err=%v items=%d", err, len(items))
			for _, it := range items {
				if it.Err != nil {
					if !strings.HasPrefix(c.name, "UTF-16") {
						checkInMessage(t, c.msg, it.Err)
					}
					t.Logf("  item err %v", it.Err)
				}
			}
		})
	}
}

// TestReadMessageLimitsSweep compares ReadMessage with the two-pass path
// for every small value of each document limit, around each boundary.
func TestReadMessageLimitsSweep(t *testing.T) {
	docs := []string{
		smallDC,
		"\r\n<!--c-->" + `<DeclaredConfiguration xmlns:a="urn:a" a:x="1" xmlns:b="urn:b"><CSP name="c" xmlns="urn:c"><URI path="p" type="xml"><a:v b:w="&amp;" xmlns:d="urn:d"><d:q/></a:v></URI></CSP></DeclaredConfiguration>` + "\r\n",
	}
	wraps := []func(string) string{
		func(d string) string { return msgStart + replace("2", docURI, d) + msgEnd },
		func(d string) string {
			return msgStart + `<Atomic xmlns:z="urn:z" xmlns:y="urn:y"><CmdID>1</CmdID>` + replace("2", docURI, d) + `</Atomic>` + msgEnd
		},
	}
	for di, d := range docs {
		for wi, w := range wraps {
			msg := []byte(w(d))
			for v := 1; v <= 12; v++ {
				for li, lim := range []Limits{{MaxDepth: v}, {MaxElements: v}, {MaxAttrs: v}, {MaxTotalAttrs: v}, {MaxNamespaces: v}, {MaxTokenBytes: v * 16}, {MaxBytes: int64(v * 40)}, {MaxTokenBytes: len(d) - 6 + v}, {MaxBytes: int64(len(d) - 6 + v)}} {
					if err := sameAsTwoPass(msg, ReadOptions{Document: lim}); err != nil {
						t.Errorf("doc %d wrap %d limit %d=%+v: %v", di, wi, li, lim, err)
					}
				}
			}
		}
	}
}

// utf16Msg returns s in UTF-16LE with a byte order mark.
func utf16Msg(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}
