package syncml

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/internal/xmlscan"
)

// Helpers that build small messages around a fragment.

const testHdr = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr>`

var testHeader = Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1"}

// body wraps body content in a SyncML 1.2 message.
func body(content string) string {
	return `<SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody>` + content + `</SyncBody></SyncML>`
}

// hdrMsg wraps header content in a SyncML 1.2 message with an empty body.
func hdrMsg(content string) string {
	return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr>` + content + `</SyncHdr><SyncBody/></SyncML>`
}

// item wraps item content in a Replace in a message.
func item(content string) string {
	return body(`<Replace><CmdID>1</CmdID><Item>` + content + `</Item></Replace>`)
}

// decodeBoth decodes in with Unmarshal and with a Decoder (also one byte at
// a time) and checks that the three agree, on the value or on the error.
func decodeBoth(t *testing.T, in []byte, lim Limits) (*Message, error) {
	t.Helper()
	var m Message
	err := UnmarshalLimits(in, &m, lim)
	for _, one := range []bool{false, true} {
		var r io.Reader = bytes.NewReader(in)
		if one {
			r = iotest.OneByteReader(r)
		}
		d := NewDecoder(r)
		d.SetLimits(lim)
		got := new(Message)
		derr := d.Decode(got)
		switch {
		case err == nil && derr != nil:
			t.Errorf("Unmarshal succeeded, Decoder (one byte: %v) failed: %v", one, derr)
		case err != nil && derr == nil:
			t.Errorf("Unmarshal failed (%v), Decoder (one byte: %v) succeeded", err, one)
		case err != nil:
			if !sameCause(err, derr) {
				t.Errorf("Unmarshal error %v, Decoder (one byte: %v) error %v", err, one, derr)
			}
		default:
			if diff := cmp.Diff(&m, got); diff != "" {
				t.Errorf("Decoder (one byte: %v) differs from Unmarshal (-Unmarshal +Decoder):\n%s", one, diff)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

var sentinels = []error{ErrSyntax, ErrDOCTYPE, ErrEntity, ErrNamespace, ErrDuplicateAttr, ErrStructure, ErrEncoding, ErrInvalidChar, ErrState}

// sameCause reports whether two decode errors have the same sentinel, or
// are limit errors on the same limit.
func sameCause(a, b error) bool {
	var la, lb *LimitError
	if errors.As(a, &la) || errors.As(b, &lb) {
		return errors.As(a, &la) && errors.As(b, &lb) && la.Limit == lb.Limit
	}
	for _, s := range sentinels {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

// ---- well-formedness ----

func TestWellFormedness(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"no root", ``, ErrSyntax},
		{"only space", " \n\t", ErrSyntax},
		{"only comment", `<!-- x -->`, ErrSyntax},
		{"two roots", body(``) + `<SyncML/>`, ErrSyntax},
		{"text before root", `x` + body(``), ErrSyntax},
		{"text after root", body(``) + `x`, ErrSyntax},
		{"reference after root", body(``) + `&amp;`, ErrSyntax},
		{"CDATA after root", body(``) + `<![CDATA[x]]>`, ErrSyntax},
		{"name starts with digit", body(`<1x/>`), ErrSyntax},
		{"name starts with dash", item(`<Data><-a/></Data>`), ErrSyntax},
		{"name with two colons", item(`<Data><a:b:c xmlns:a="u"/></Data>`), ErrNamespace},
		{"name ends with colon", item(`<Data><a: /></Data>`), ErrNamespace},
		{"name starts with colon", item(`<Data><:a/></Data>`), ErrNamespace},
		{"mismatched end tag", item(`<Data><a></b></Data>`), ErrSyntax},
		{"end tag without start", item(`<Data></a></Data>`), ErrSyntax},
		{"char ref NUL", hdrMsg(`<VerDTD>&#0;</VerDTD>`), ErrInvalidChar},
		{"char ref control", hdrMsg(`<VerDTD>&#x1;</VerDTD>`), ErrInvalidChar},
		{"char ref surrogate", hdrMsg(`<VerDTD>&#xD800;</VerDTD>`), ErrInvalidChar},
		{"char ref FFFE", hdrMsg(`<VerDTD>&#xFFFE;</VerDTD>`), ErrInvalidChar},
		{"char ref above 10FFFF", hdrMsg(`<VerDTD>&#x110000;</VerDTD>`), ErrInvalidChar},
		{"char ref huge decimal", hdrMsg(`<VerDTD>&#99999999;</VerDTD>`), ErrInvalidChar},
		{"char ref in attribute", item(`<Data><a b="&#x0;"/></Data>`), ErrInvalidChar},
		{"char ref bad digit", hdrMsg(`<VerDTD>&#x1G;</VerDTD>`), ErrSyntax},
		{"char ref empty hex", hdrMsg(`<VerDTD>&#x;</VerDTD>`), ErrSyntax},
		{"bare ampersand", hdrMsg(`<VerDTD>a & b and more text here</VerDTD>`), ErrSyntax},
		{"entity nbsp", hdrMsg(`<VerDTD>&nbsp;</VerDTD>`), ErrEntity},
		{"entity in attribute", item(`<Data><a b="&copy;"/></Data>`), ErrEntity},
		{"entity case", hdrMsg(`<VerDTD>&AMP;</VerDTD>`), ErrEntity},
		{"DOCTYPE before root", `<!DOCTYPE SyncML>` + body(``), ErrDOCTYPE},
		{"DOCTYPE after decl", `<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY e "x">]>` + body(``), ErrDOCTYPE},
		{"DOCTYPE in Data", item(`<Data><!DOCTYPE x></Data>`), ErrDOCTYPE},
		{"markup declaration", item(`<Data><!ELEMENT x ANY></Data>`), ErrSyntax},
		{"duplicate attribute", item(`<Data><a b="1" b="2"/></Data>`), ErrDuplicateAttr},
		{"duplicate xmlns", `<SyncML xmlns="a" xmlns="b">` + testHdr + `<SyncBody/></SyncML>`, ErrDuplicateAttr},
		{"duplicate prefixed attribute", item(`<Data><a xmlns:p="u" p:b="1" p:b="2"/></Data>`), ErrDuplicateAttr},
		{"same expanded name via two prefixes", item(`<Data><a xmlns:p="u" xmlns:q="u" p:b="1" q:b="2"/></Data>`), ErrDuplicateAttr},
		{"same expanded name via outer prefix", `<SyncML xmlns:p="u">` + testHdr + `<SyncBody><Map xmlns:q="u" p:b="1" q:b="2"/></SyncBody></SyncML>`, ErrDuplicateAttr},
		{"undeclared element prefix", item(`<Data><p:a/></Data>`), ErrNamespace},
		{"undeclared attribute prefix", item(`<Data><a p:b="1"/></Data>`), ErrNamespace},
		{"undeclared prefix on command", body(`<p:Map/>`), ErrNamespace},
		{"prefix out of scope", item(`<Data><a xmlns:p="u"/><p:b/></Data>`), ErrNamespace},
		{"empty prefix binding", item(`<Data><a xmlns:p=""/></Data>`), ErrNamespace},
		{"xmlns prefix declared", item(`<Data><a xmlns:xmlns="u"/></Data>`), ErrNamespace},
		{"xml prefix rebound", item(`<Data><a xmlns:xml="u"/></Data>`), ErrNamespace},
		{"xml namespace bound to other prefix", item(`<Data><a xmlns:x="http://www.w3.org/XML/1998/namespace"/></Data>`), ErrNamespace},
		{"xml namespace as default", item(`<Data><a xmlns="http://www.w3.org/XML/1998/namespace"/></Data>`), ErrNamespace},
		{"PI target with colon", item(`<Data><?a:b x?><a/></Data>`), ErrNamespace},
		{"]]> in leaf text", hdrMsg(`<VerDTD>a]]>b</VerDTD>`), ErrSyntax},
		{"]]> in Data text", item(`<Data>a]]>b</Data>`), ErrSyntax},
		{"]]> in Data markup", item(`<Data><a>]]></a></Data>`), ErrSyntax},
		{"-- in comment", item(`<Data><!-- a -- b --><a/></Data>`), ErrSyntax},
		{"comment ends with --->", item(`<Data><!-- a ---><a/></Data>`), ErrSyntax},
		{"-- in comment between elements", body(`<!-- a -- b -->`), ErrSyntax},
		{"XML declaration after space", ` <?xml version="1.0"?>` + body(``), ErrSyntax},
		{"XML declaration after comment", `<!--c--><?xml version="1.0"?>` + body(``), ErrSyntax},
		{"XML declaration in body", body(`<?xml version="1.0"?>`), ErrSyntax},
		{"XML declaration in Data", item(`<Data><?xml version="1.0"?><a/></Data>`), ErrSyntax},
		{"XML declaration upper case", body(`<?XML version="1.0"?>`), ErrSyntax},
		{"XML declaration without version", `<?xml encoding="UTF-8"?>` + body(``), ErrSyntax},
		{"XML declaration bad version", `<?xml version="2.0"?>` + body(``), ErrSyntax},
		{"XML declaration bad standalone", `<?xml version="1.0" standalone="maybe"?>` + body(``), ErrSyntax},
		{"XML declaration wrong order", `<?xml encoding="UTF-8" version="1.0"?>` + body(``), ErrSyntax},
		{"unclosed root", strings.TrimSuffix(body(``), `</SyncML>`), ErrSyntax},
		{"unclosed body", `<SyncML>` + testHdr + `<SyncBody><Replace>`, ErrSyntax},
		{"unclosed start tag", `<SyncML>` + testHdr + `<SyncBody><Replace`, ErrSyntax},
		{"unclosed Data markup", item(`<Data><a><b></a></Data>`), ErrSyntax},
		{"unclosed comment", body(`<!-- x`), ErrSyntax},
		{"unclosed CDATA", item(`<Data><![CDATA[x</Data></Item></Replace></SyncBody></SyncML>`), ErrSyntax},
		{"unclosed attribute value", item(`<Data><a b="x/></Data>`), ErrSyntax},
		{"truncated", body(``)[:20], ErrSyntax},
		{"< in attribute value", item(`<Data><a b="<"/></Data>`), ErrSyntax},
		{"unquoted attribute value", item(`<Data><a b=1/></Data>`), ErrSyntax},
		{"attribute without value", item(`<Data><a b/></Data>`), ErrSyntax},
		{"attributes without space", item(`<Data><a b="1"c="2"/></Data>`), ErrSyntax},
		{"slash not before >", item(`<Data><a / ></Data>`), ErrSyntax},
		{"space before name", item(`<Data>< a/></Data>`), ErrSyntax},
		{"control char in text", hdrMsg("<VerDTD>a\x01b</VerDTD>"), ErrInvalidChar},
		{"control char in attribute", item("<Data><a b=\"\x1f\"/></Data>"), ErrInvalidChar},
		{"control char in comment", body("<!-- \x0b -->"), ErrInvalidChar},
		{"FFFE in text", hdrMsg("<VerDTD>\uFFFE</VerDTD>"), ErrInvalidChar},
		{"invalid UTF-8 in text", hdrMsg("<VerDTD>\xff</VerDTD>"), ErrEncoding},
		{"invalid UTF-8 in name", item("<Data><a\xc3/></Data>"), ErrEncoding},
		{"truncated UTF-8 in CDATA", item("<Data><![CDATA[\xe2\x82]]></Data>"), ErrEncoding},
		{"PI target not followed by space", item(`<Data><?pi"x"?><a/></Data>`), ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, []byte(tt.in), Limits{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if !strings.HasPrefix(err.Error(), "syncml: ") {
				t.Errorf("error %q does not start with \"syncml: \"", err)
			}
		})
	}
}

// TestWellFormedAccepted holds inputs on the edge of the rules that must
// be accepted.
func TestWellFormedAccepted(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"XML declaration", `<?xml version="1.0"?>` + body(``)},
		{"XML declaration full", `<?xml version='1.0' encoding='UTF-8' standalone='yes'?>` + body(``)},
		{"XML 1.1 version number", `<?xml version="1.1"?>` + body(``)},
		{"comments and PIs around root", `<?xml version="1.0"?><!--a--><?pi x?>` + "\n" + body(``) + "\n<!--b--><?pi?>\n"},
		{"char refs at the range edges", hdrMsg(`<VerDTD>&#9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</VerDTD>`)},
		{"five entities", hdrMsg(`<VerDTD>&lt;&gt;&amp;&apos;&quot;</VerDTD>`)},
		{"]] and > apart", hdrMsg(`<VerDTD>]] > ]&gt; ]]&gt;</VerDTD>`)},
		{"]]> in attribute", item(`<Data><a b="]]>"/></Data>`)},
		{"> in attribute", item(`<Data><a b='>'/></Data>`)},
		{"xml prefix", item(`<Data><a xml:lang="en"/></Data>`)},
		{"xml prefix bound correctly", item(`<Data><a xmlns:xml="http://www.w3.org/XML/1998/namespace"/></Data>`)},
		{"same local name, different namespaces", item(`<Data><a xmlns:p="u" xmlns:q="v" p:b="1" q:b="2" b="3"/></Data>`)},
		{"prefix redeclared inside", item(`<Data><a xmlns:p="u"><p:b xmlns:p="v"/></a></Data>`)},
		{"default namespace undeclared inside", item(`<Data><a xmlns=""/></Data>`)},
		{"space in end tag", item(`<Data><a></a  ></Data>`)},
		{"space around =", item(`<Data><a b = "1"/></Data>`)},
		{"non-ASCII names", item(`<Data><é ü="1"><中文/></é></Data>`)},
		{"comment with single dashes", body(`<!-- a - b -->`)},
		{"empty comment", body(`<!---->`)},
		{"CDATA with ]] inside", item(`<Data><![CDATA[]]]]></Data>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeBoth(t, []byte(tt.in), Limits{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestErrorPosition pins the offset, line, column and element path of a
// few errors.
func TestErrorPosition(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		at     string // the error is at the first occurrence of this
		line   int
		column int
		path   string
		want   error
	}{
		{
			name: "entity in header leaf",
			in:   "<SyncML>\n<SyncHdr>\n  <VerDTD>&bogus;</VerDTD></SyncHdr><SyncBody/></SyncML>",
			at:   "&bogus;", line: 3, column: 11, path: "/SyncML/SyncHdr/VerDTD", want: ErrEntity,
		},
		{
			name: "undeclared prefix in Data",
			in:   "<SyncML>" + testHdr + "<SyncBody>\r\n<Replace><CmdID>1</CmdID><Item><Data>\n\t<p:a/></Data></Item></Replace></SyncBody></SyncML>",
			at:   "p:a", line: 3, column: 3, path: "/SyncML/SyncBody/Replace/Item/Data/p:a", want: ErrNamespace,
		},
		{
			name: "repeated CmdID",
			in:   body("<Status><CmdID>1</CmdID>\n<CmdID>2</CmdID></Status>"),
			at:   "<CmdID>2", line: 2, column: 1, path: "/SyncML/SyncBody/Status/CmdID", want: ErrStructure,
		},
		{
			name: "text after root",
			in:   body("") + "\n\n  junk",
			at:   "junk", line: 3, column: 3, path: "", want: ErrSyntax,
		},
		{
			name: "duplicate attribute",
			in:   "<SyncML>" + testHdr + "<SyncBody><Map a='1'\n   a='2'/></SyncBody></SyncML>",
			at:   "a='2'", line: 2, column: 4, path: "/SyncML/SyncBody/Map", want: ErrDuplicateAttr,
		},
		// an error in a start tag's attributes names the element whose
		// tag holds them, as one in its content does
		{
			name: "unquoted attribute on the root",
			in:   "<SyncML a=1>" + testHdr + "<SyncBody/></SyncML>",
			at:   "1>", line: 1, path: "/SyncML", want: ErrSyntax,
		},
		{
			name: "reserved namespace on a header element",
			in:   "<SyncML>\n<SyncHdr xmlns='" + namespaceXMLNSURI + "'>",
			at:   "xmlns=", line: 2, column: 10, path: "/SyncML/SyncHdr", want: ErrNamespace,
		},
		{
			name: "undefined entity in an attribute of a command",
			in:   body("<Get a='&x;'><CmdID>1</CmdID></Get>"),
			at:   "&x;", line: 1, path: "/SyncML/SyncBody/Get", want: ErrEntity,
		},
		{
			name: "control character in an attribute in Data",
			in:   body("<Replace><CmdID>1</CmdID><Item><Data><a><b c='\x01'/></a></Data></Item></Replace>"),
			at:   "\x01", line: 1, path: "/SyncML/SyncBody/Replace/Item/Data/a/b", want: ErrInvalidChar,
		},
		{
			name: "empty namespace for a prefix on a Meta child",
			in:   body("<Get><CmdID>1</CmdID><Meta><Type xmlns:p=''>t</Type></Meta></Get>"),
			at:   "xmlns:p", line: 1, path: "/SyncML/SyncBody/Get/Meta/Type", want: ErrNamespace,
		},
		{
			name: "command after Final",
			in:   body("<Final/><Get><CmdID>1</CmdID></Get>"),
			at:   "<Get>", line: 1, path: "/SyncML/SyncBody/Get", want: ErrStructure,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, []byte(tt.in), Limits{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			off := strings.Index(tt.in, tt.at)
			col := tt.column
			if col == 0 {
				col = off + 1
			}
			type pos struct {
				Offset       int64
				Line, Column int
				Path         string
			}
			got, want := pos{de.Offset, de.Line, de.Column, de.Path}, pos{int64(off), tt.line, col, tt.path}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			wantMsg := fmt.Sprintf("syncml: line %d, column %d (offset %d)", tt.line, col, off)
			if !strings.HasPrefix(de.Error(), wantMsg) {
				t.Errorf("Error() = %q, want prefix %q", de.Error(), wantMsg)
			}
		})
	}
}

// ---- tolerance ----

func TestNamespaceKept(t *testing.T) {
	for _, ns := range []string{NamespaceSyncML12, NamespaceSyncML11, "", "urn:other"} {
		attr := ""
		if ns != "" {
			attr = ` xmlns="` + ns + `"`
		}
		in := `<SyncML` + attr + `>` + testHdr + `<SyncBody><Final/></SyncBody></SyncML>`
		m, err := decodeBoth(t, []byte(in), Limits{})
		if err != nil {
			t.Fatalf("%q: %v", ns, err)
		}
		want := &Message{XMLNS: ns, Header: testHeader, Body: Body{Final: true}}
		if d := cmp.Diff(want, m); d != "" {
			t.Errorf("%q: (-want +got)\n%s", ns, d)
		}
		out, err := Marshal(m)
		if err != nil || string(out) != in {
			t.Errorf("%q: Marshal = %q, %v; want the input back", ns, out, err)
		}
	}
}

func TestMetInfTolerance(t *testing.T) {
	want := &Meta{Format: "chr", Type: "text/plain", EMI: []string{"e"}, Anchor: &Anchor{Next: "n"}, Mem: &Mem{SharedMem: true}}
	canon := `<Meta><Format xmlns="syncml:metinf">chr</Format><Type xmlns="syncml:metinf">text/plain</Type>` +
		`<Anchor xmlns="syncml:metinf"><Next xmlns="syncml:metinf">n</Next></Anchor><EMI xmlns="syncml:metinf">e</EMI>` +
		`<Mem xmlns="syncml:metinf"><SharedMem xmlns="syncml:metinf"/></Mem></Meta>`
	tests := []struct {
		name, root, meta string
	}{
		{"on Meta", "", `<Meta xmlns="syncml:metinf"><Format>chr</Format><Type>text/plain</Type><Anchor><Next>n</Next></Anchor><EMI>e</EMI><Mem><SharedMem/></Mem></Meta>`},
		{"on each child", "", `<Meta><Format xmlns="syncml:metinf">chr</Format><Type xmlns='syncml:metinf'>text/plain</Type><Anchor xmlns="syncml:metinf"><Next>n</Next></Anchor><EMI xmlns="syncml:metinf">e</EMI><Mem xmlns="syncml:metinf"><SharedMem/></Mem></Meta>`},
		{"prefixed via root", ` xmlns:A="syncml:metinf"`, `<Meta><A:Format>chr</A:Format><A:Type>text/plain</A:Type><A:Anchor><A:Next>n</A:Next></A:Anchor><A:EMI>e</A:EMI><A:Mem><A:SharedMem/></A:Mem></Meta>`},
		{"prefixed on Meta", "", `<Meta xmlns:m="syncml:metinf"><m:Format>chr</m:Format><m:Type>text/plain</m:Type><m:Anchor><m:Next>n</m:Next></m:Anchor><m:EMI>e</m:EMI><m:Mem><m:SharedMem/></m:Mem></Meta>`},
		{"missing", "", `<Meta><Format>chr</Format><Type>text/plain</Type><Anchor><Next>n</Next></Anchor><EMI>e</EMI><Mem><SharedMem/></Mem></Meta>`},
		{"white space between children", "", "<Meta>\n  <Format>chr</Format>\r\n\t<Type>text/plain</Type> <Anchor> <Next>n</Next> </Anchor><EMI>e</EMI><Mem>\n<SharedMem/>\n</Mem>\n</Meta>"},
		{"canonical", "", canon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `<SyncML xmlns="SYNCML:SYNCML1.2"` + tt.root + `>` + testHdr + `<SyncBody><Get><CmdID>2</CmdID>` + tt.meta + `</Get></SyncBody></SyncML>`
			m, err := decodeBoth(t, []byte(in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Body.Commands) != 1 {
				t.Fatalf("commands: %#v", m.Body.Commands)
			}
			g, ok := m.Body.Commands[0].(*Get)
			if !ok {
				t.Fatalf("command %T, want *Get", m.Body.Commands[0])
			}
			if d := cmp.Diff(want, g.Meta); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			out, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if wantOut := body(`<Get><CmdID>2</CmdID>` + canon + `</Get>`); string(out) != wantOut {
				t.Errorf("Marshal:\n got %s\nwant %s", out, wantOut)
			}
		})
	}
}

// utf16Bytes encodes s as UTF-16 with a byte-order mark.
func utf16Bytes(s string, order binary.AppendByteOrder) []byte {
	var b []byte
	b = order.AppendUint16(b, 0xFEFF)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestEncodings(t *testing.T) {
	plain := `<SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody><Alert><CmdID>1</CmdID><Data>é中😀</Data></Alert><Final/></SyncBody></SyncML>`
	want := &Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{
		Commands: []Command{&Alert{CmdID: "1", Data: Text("é中😀")}}, Final: true}}
	latin1 := &Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{
		Commands: []Command{&Alert{CmdID: "1", Data: Text("café")}}}}
	tests := []struct {
		name string
		in   []byte
		want *Message
	}{
		{"UTF-8", []byte(plain), want},
		{"UTF-8 declared", []byte(`<?xml version="1.0" encoding="UTF-8"?>` + plain), want},
		{"UTF-8 BOM", append([]byte("\xEF\xBB\xBF"), plain...), want},
		{"UTF-8 BOM and declaration", []byte("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" + plain), want},
		{"UTF-16LE BOM", utf16Bytes(`<?xml version="1.0" encoding="UTF-16"?>`+plain, binary.LittleEndian), want},
		{"UTF-16BE BOM", utf16Bytes(`<?xml version="1.0" encoding="UTF-16"?>`+plain, binary.BigEndian), want},
		{"UTF-16LE BOM no declaration", utf16Bytes(plain, binary.LittleEndian), want},
		{"UTF-8 labelled utf-16", []byte(`<?xml version="1.0" encoding="utf-16"?>` + plain), want},
		{"UTF-8 labelled UTF-16", []byte(`<?xml version="1.0" encoding="UTF-16"?>` + "\n" + plain), want},
		{"ISO-8859-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr +
			"<SyncBody><Alert><CmdID>1</CmdID><Data>caf\xe9</Data></Alert></SyncBody></SyncML>"), latin1},
		{"windows-1252", []byte(`<?xml version="1.0" encoding="windows-1252"?><SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr +
			"<SyncBody><Alert><CmdID>1</CmdID><Data>caf\xe9</Data></Alert></SyncBody></SyncML>"), latin1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeBoth(t, tt.in, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, m); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}

	bad := []struct {
		name string
		in   []byte
		want error
	}{
		{"unsupported encoding", []byte(`<?xml version="1.0" encoding="x-no-such-charset"?>` + plain), ErrEncoding},
		{"EBCDIC label", []byte(`<?xml version="1.0" encoding="EBCDIC-bogus"?>` + plain), ErrEncoding},
		{"ASCII declared, UTF-8 bytes", []byte(`<?xml version="1.0" encoding="us-ascii"?>` + strings.Replace(plain, "é中😀", "\xe9", 1)), ErrEncoding},
		{"invalid UTF-8", []byte(strings.Replace(plain, "é中😀", "\xc3\x28", 1)), ErrEncoding},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, tt.in, Limits{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// ---- Data kinds ----

func TestDataKinds(t *testing.T) {
	tests := []struct {
		name string
		in   string // the Data element
		want *Data
		out  string // canonical Data element; "" means the input
	}{
		{"empty", `<Data></Data>`, &Data{}, ""},
		{"self-closing", `<Data/>`, &Data{}, `<Data></Data>`},
		{"text", `<Data>200</Data>`, Text("200"), ""},
		{"text with entities", `<Data>a&amp;b&lt;c&gt;d&quot;e&apos;f&#65;&#x1F600;</Data>`, Text(`a&b<c>d"e'fA😀`), `<Data>a&amp;b&lt;c&gt;d"e'fA😀</Data>`},
		{"text white space kept", "<Data>  a \t\n b  </Data>", Text("  a \t\n b  "), ""},
		{"text CRLF normalised", "<Data>a\r\nb\rc</Data>", Text("a\nb\nc"), "<Data>a\nb\nc</Data>"},
		{"text CR reference kept", "<Data>a&#xD;&#10;b</Data>", Text("a\r\nb"), "<Data>a&#xD;\nb</Data>"},
		{"text with comment and PI", "<Data>a<!-- c -->b<?pi x?>c</Data>", Text("abc"), "<Data>abc</Data>"},
		{"CDATA", `<Data><![CDATA[<x>&amp;</x>]]></Data>`, CDATA("<x>&amp;</x>"), ""},
		{"CDATA empty", `<Data><![CDATA[]]></Data>`, CDATA(""), ""},
		{"CDATA split by ]]>", `<Data><![CDATA[a]]]]><![CDATA[>b]]></Data>`, CDATA("a]]>b"), ""},
		{"CDATA with CR", "<Data><![CDATA[a\r\nb]]></Data>", CDATA("a\nb"), "<Data><![CDATA[a\nb]]></Data>"},
		{"CDATA CR written as reference", "<Data><![CDATA[a]]>&#xD;<![CDATA[b]]></Data>", CDATA("a\rb"), ""},
		{"mixed text and CDATA", `<Data> a&amp;<![CDATA[<b>]]>c </Data>`, CDATA(" a&<b>c "), `<Data><![CDATA[ a&<b>c ]]></Data>`},
		{"white space around CDATA", "<Data>\n  <![CDATA[x]]>\n</Data>", CDATA("\n  x\n"), "<Data><![CDATA[\n  x\n]]></Data>"},
		{"element", `<Data><a/></Data>`, XML("<a/>"), ""},
		{"element content raw", "<Data>\r\n  <!-- c --><a x='1' y=\"&amp;\">t&amp;<![CDATA[<]]></a>\r\n<?pi?>tail &lt;</Data>",
			XML("\r\n  <!-- c --><a x='1' y=\"&amp;\">t&amp;<![CDATA[<]]></a>\r\n<?pi?>tail &lt;"), ""},
		{"element with own prefix", `<Data><p:a xmlns:p="urn:p"><p:b/></p:a></Data>`, XML(`<p:a xmlns:p="urn:p"><p:b/></p:a>`), ""},
		{"element with own default namespace", `<Data><a xmlns="urn:a"/></Data>`, XML(`<a xmlns="urn:a"/>`), ""},
		{"text before element", `<Data>x<a/></Data>`, XML(`x<a/>`), ""},
		{"CDATA before element", `<Data><![CDATA[x]]><a/></Data>`, XML(`<![CDATA[x]]><a/>`), ""},
		{"two elements", `<Data><a/><b></b></Data>`, XML(`<a/><b></b>`), ""},
		{"originalerror", `<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="0x86000002">404</Data>`,
			&Data{Value: "404", OriginalError: "0x86000002"}, ""},
		{"originalerror other prefix", `<Data xmlns:e="http://schemas.microsoft.com/MobileDevice/MDM" e:originalerror="x&#xA;&#9;&quot;&lt;&amp;">1</Data>`,
			&Data{Value: "1", OriginalError: "x\n\t\"<&"}, `<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="x&#xA;&#x9;&quot;&lt;&amp;">1</Data>`},
		{"originalerror normalised", "<Data xmlns:msft=\"http://schemas.microsoft.com/MobileDevice/MDM\" msft:originalerror=\"a\tb\nc\">1</Data>",
			&Data{Value: "1", OriginalError: "a b c"}, `<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="a b c">1</Data>`},
		{"originalerror on CDATA", `<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="e"><![CDATA[x]]></Data>`,
			&Data{Kind: DataCDATA, Value: "x", OriginalError: "e"}, ""},
		{"originalerror on markup", `<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="e"><a/></Data>`,
			&Data{Kind: DataXML, Value: "<a/>", OriginalError: "e"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := item(tt.in)
			m, err := decodeBoth(t, []byte(in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := m.Body.Commands[0].(*Replace).Items[0].Data
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			out, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			wantOut := tt.out
			if wantOut == "" {
				wantOut = tt.in
			}
			if want := item(wantOut); string(out) != want {
				t.Errorf("Marshal:\n got %q\nwant %q", out, want)
			}
			// the canonical form decodes to the same value
			var again Message
			if err := Unmarshal(out, &again); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(m, &again); d != "" {
				t.Errorf("canonical form decodes differently (-first +second)\n%s", d)
			}
		})
	}
}

func TestDataOriginalErrorNamespaceOnBody(t *testing.T) {
	in := `<SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data msft:originalerror="0x86000002">404</Data></Status>` +
		`<Final/></SyncBody></SyncML>`
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	st := m.Body.Commands[0].(*Status)
	want := &Data{Value: "404", OriginalError: "0x86000002"}
	if d := cmp.Diff(want, st.Data); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	code, err := st.Code()
	if err != nil || code != 404 {
		t.Errorf("Code() = %v, %v", code, err)
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := body(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd>` +
		`<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="0x86000002">404</Data></Status><Final/>`)
	if string(out) != wantOut {
		t.Errorf("Marshal:\n got %s\nwant %s", out, wantOut)
	}

	// a prefixed originalerror in another namespace is not the msft one
	bad := strings.Replace(in, `xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM"`, `xmlns:msft="urn:other"`, 1)
	if _, err := decodeBoth(t, []byte(bad), Limits{}); !errors.Is(err, ErrStructure) {
		t.Errorf("originalerror in another namespace: %v, want ErrStructure", err)
	}
	if _, err := decodeBoth(t, []byte(item(`<Data originalerror="1">x</Data>`)), Limits{}); !errors.Is(err, ErrStructure) {
		t.Errorf("unprefixed originalerror: %v, want ErrStructure", err)
	}
	// an empty one, which Data.OriginalError could not keep
	empty := strings.Replace(in, `msft:originalerror="0x86000002"`, `msft:originalerror=""`, 1)
	if _, err := decodeBoth(t, []byte(empty), Limits{}); !errors.Is(err, ErrStructure) {
		t.Errorf("empty originalerror: %v, want ErrStructure", err)
	}
}

// TestDataNamespaceFromRoot: a prefix declared on the root and used inside
// Data markup is recorded in Data.Namespaces and written on <Data>.
func TestDataNamespaceFromRoot(t *testing.T) {
	in := `<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:dc="urn:dc" xmlns:unused="urn:unused">` + testHdr +
		`<SyncBody><Replace><CmdID>1</CmdID><Item><Data><dc:Doc dc:id="1"><dc:x/></dc:Doc></Data></Item></Replace></SyncBody></SyncML>`
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Body.Commands[0].(*Replace).Items[0].Data
	want := &Data{Kind: DataXML, Value: `<dc:Doc dc:id="1"><dc:x/></dc:Doc>`, Namespaces: []Namespace{{Prefix: "dc", URI: "urn:dc"}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	el, err := got.Element()
	if err != nil {
		t.Fatal(err)
	}
	if el.Tag != "Doc" || el.Space != "dc" || len(el.ChildElements()) != 1 {
		t.Errorf("Element() = %s:%s with %d children", el.Space, el.Tag, len(el.ChildElements()))
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := item(`<Data xmlns:dc="urn:dc"><dc:Doc dc:id="1"><dc:x/></dc:Doc></Data>`)
	if string(out) != wantOut {
		t.Errorf("Marshal:\n got %s\nwant %s", out, wantOut)
	}
}

// ---- Unknown ----

func TestUnknownKept(t *testing.T) {
	tests := []struct {
		name    string
		root    string // extra attributes of the root
		body    string // SyncBody content
		want    []Command
		wantOut string // canonical body content; "" means the input
	}{
		{
			name: "Map",
			body: "<Map a='1' >\r\n  <!-- keep --><CmdID>3</CmdID><MapItem><Target><LocURI>x&amp;y</LocURI></Target></MapItem><?pi x?><![CDATA[<]]></Map >",
			want: []Command{&Unknown{Name: "Map", Raw: "<Map a='1' >\r\n  <!-- keep --><CmdID>3</CmdID><MapItem><Target><LocURI>x&amp;y</LocURI></Target></MapItem><?pi x?><![CDATA[<]]></Map >"}},
		},
		{
			name: "empty",
			body: `<Put/><Get><CmdID>2</CmdID></Get><Sync />`,
			want: []Command{&Unknown{Name: "Put", Raw: "<Put/>"}, &Get{CmdID: "2"}, &Unknown{Name: "Sync", Raw: "<Sync />"}},
		},
		{
			name: "own prefix",
			body: `<x:Ext xmlns:x="urn:x"><x:v>1</x:v></x:Ext>`,
			want: []Command{&Unknown{Name: "x:Ext", Raw: `<x:Ext xmlns:x="urn:x"><x:v>1</x:v></x:Ext>`}},
		},
		{
			name: "prefix from root",
			root: ` xmlns:x="urn:x" xmlns:y="urn:y"`,
			body: `<x:Ext y:a="1"><x:v/></x:Ext>`,
			// the declarations it relies on are added to its start tag
			want:    []Command{&Unknown{Name: "x:Ext", Raw: `<x:Ext xmlns:x="urn:x" xmlns:y="urn:y" y:a="1"><x:v/></x:Ext>`}},
			wantOut: `<x:Ext xmlns:x="urn:x" xmlns:y="urn:y" y:a="1"><x:v/></x:Ext>`,
		},
		{
			name: "inside Atomic and Sequence",
			body: `<Atomic><CmdID>1</CmdID><Map/><Sequence><CmdID>2</CmdID><Put>p</Put></Sequence></Atomic>`,
			want: []Command{&Atomic{CmdID: "1", Commands: []Command{
				&Unknown{Name: "Map", Raw: "<Map/>"},
				&Sequence{CmdID: "2", Commands: []Command{&Unknown{Name: "Put", Raw: "<Put>p</Put>"}}},
			}}},
		},
		{
			name:    "prefixed command name is a command",
			root:    ` xmlns:s="SYNCML:SYNCML1.2"`,
			body:    `<s:Get><s:CmdID>4</s:CmdID></s:Get>`,
			want:    []Command{&Get{CmdID: "4"}},
			wantOut: `<Get><CmdID>4</CmdID></Get>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `<SyncML xmlns="SYNCML:SYNCML1.2"` + tt.root + `>` + testHdr + `<SyncBody>` + tt.body + `</SyncBody></SyncML>`
			m, err := decodeBoth(t, []byte(in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, m.Body.Commands); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			for _, c := range m.Body.Commands {
				if u, ok := c.(*Unknown); ok && (u.ID() != "" || u.ElementName() != xmlscan.LocalName(u.Name)) {
					t.Errorf("%s: ID %q ElementName %q", u.Name, u.ID(), u.ElementName())
				}
			}
			out, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			wantOut := tt.wantOut
			if wantOut == "" {
				wantOut = tt.body
			}
			if want := body(wantOut); string(out) != want {
				t.Errorf("Marshal:\n got %q\nwant %q", out, want)
			}
		})
	}
}

func TestUnknownDefaultNamespace(t *testing.T) {
	// an unprefixed unknown element in a default namespace other than the
	// message's, declared on a prefixed root, keeps it (SyncBody itself
	// may not be in another namespace: TestForeignNamespaceChild)
	in := `<s:SyncML xmlns:s="SYNCML:SYNCML1.2" xmlns="urn:other"><s:SyncHdr/><s:SyncBody><Map><a/></Map></s:SyncBody></s:SyncML>`
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Command{&Unknown{Name: "Map", Raw: `<Map xmlns="urn:other"><a/></Map>`}}
	if d := cmp.Diff(want, m.Body.Commands); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr></SyncHdr><SyncBody><Map xmlns="urn:other"><a/></Map></SyncBody></SyncML>`; string(out) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", out, want)
	}
}

// ---- structure ----

func TestStructureErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"root not SyncML", `<Foo>` + testHdr + `<SyncBody/></Foo>`},
		{"empty root", `<SyncML/>`},
		{"attribute on root", `<SyncML version="1">` + testHdr + `<SyncBody/></SyncML>`},
		{"SyncBody before SyncHdr", `<SyncML><SyncBody/>` + testHdr + `</SyncML>`},
		{"missing SyncBody", `<SyncML>` + testHdr + `</SyncML>`},
		{"two SyncBody", `<SyncML>` + testHdr + `<SyncBody/><SyncBody/></SyncML>`},
		{"element after SyncBody", `<SyncML>` + testHdr + `<SyncBody/><Foo/></SyncML>`},
		{"text in root", `<SyncML>x` + testHdr + `<SyncBody/></SyncML>`},
		{"text in SyncHdr", hdrMsg(`x<VerDTD>1.2</VerDTD>`)},
		{"text in SyncBody", body(`x`)},
		{"reference in SyncBody", body(`&amp;`)},
		{"CDATA in SyncBody", body(`<![CDATA[x]]>`)},
		{"text in command", body(`<Replace>text</Replace>`)},
		{"text in Item", item(`text`)},
		{"text in Meta", item(`<Meta>x</Meta>`)},
		{"text in Location", item(`<Target>x<LocURI>a</LocURI></Target>`)},
		{"unexpected header child", hdrMsg(`<Bogus/>`)},
		{"unexpected command child", body(`<Replace><Bogus/></Replace>`)},
		{"unexpected item child", item(`<Foo/>`)},
		{"unexpected Meta child", item(`<Meta><Foo/></Meta>`)},
		{"unexpected Location child", item(`<Target><Foo/></Target>`)},
		{"unexpected Anchor child", item(`<Meta><Anchor><Foo/></Anchor></Meta>`)},
		{"unexpected Mem child", item(`<Meta><Mem><Foo/></Mem></Meta>`)},
		{"unexpected Cred child", body(`<Get><Cred><Foo/></Cred></Get>`)},
		{"unexpected Chal child", body(`<Status><Chal><Data>1</Data></Chal></Status>`)},
		{"unexpected Status child", body(`<Status><Meta/></Status>`)},
		{"unexpected Results child", body(`<Results><Cred/></Results>`)},
		{"unexpected Alert child", body(`<Alert><Meta/></Alert>`)},
		{"Archive on Replace", body(`<Replace><Archive/></Replace>`)},
		{"SftDel on Add", body(`<Add><SftDel/></Add>`)},
		{"Lang on Replace", body(`<Replace><Lang>en</Lang></Replace>`)},
		{"Correlator on Get", body(`<Get><Correlator>1</Correlator></Get>`)},
		{"Data directly in Replace", body(`<Replace><Data>1</Data></Replace>`)},
		{"repeated VerDTD", hdrMsg(`<VerDTD>1.2</VerDTD><VerDTD>1.2</VerDTD>`)},
		{"repeated header Target", hdrMsg(`<Target/><Target/>`)},
		{"repeated CmdID", body(`<Replace><CmdID>1</CmdID><CmdID>2</CmdID></Replace>`)},
		{"repeated NoResp", body(`<Add><NoResp/><NoResp/></Add>`)},
		{"repeated Item Data", item(`<Data>1</Data><Data>2</Data>`)},
		{"repeated Item Target", item(`<Target/><Target/>`)},
		{"repeated MoreData", item(`<MoreData/><MoreData/>`)},
		{"repeated Meta Format", item(`<Meta><Format>a</Format><Format>b</Format></Meta>`)},
		{"repeated Status Data", body(`<Status><Data>1</Data><Data>2</Data></Status>`)},
		{"repeated Results CmdRef", body(`<Results><CmdRef>1</CmdRef><CmdRef>2</CmdRef></Results>`)},
		{"repeated Atomic Meta", body(`<Atomic><Meta/><Meta/></Atomic>`)},
		{"repeated Final", body(`<Final/><Final/>`)},
		{"command after Final", body(`<Final/><Replace><CmdID>1</CmdID></Replace>`)},
		{"unknown after Final", body(`<Final/><Map/>`)},
		{"element in leaf", hdrMsg(`<VerDTD><a/></VerDTD>`)},
		{"element in CmdID", body(`<Get><CmdID>1<b/></CmdID></Get>`)},
		{"text in Final", body(`<Final>x</Final>`)},
		{"text in NoResp", body(`<Get><NoResp>yes</NoResp></Get>`)},
		{"attribute on command", body(`<Replace a="1"/>`)},
		{"attribute on leaf", body(`<Get><CmdID a="1">1</CmdID></Get>`)},
		{"attribute on Data", item(`<Data a="1">x</Data>`)},
		{"attribute on Item", body(`<Get><Item b="2"/></Get>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, []byte(tt.in), Limits{})
			if !errors.Is(err, ErrStructure) {
				t.Fatalf("error %v, want ErrStructure", err)
			}
		})
	}
}

// TestStructureAccepted: structural variations the decoder takes.
func TestStructureAccepted(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Message
	}{
		{"empty header and body", `<SyncML><SyncHdr/><SyncBody/></SyncML>`, &Message{}},
		{"missing SyncHdr", `<SyncML><SyncBody><Final/></SyncBody></SyncML>`, &Message{NoHeader: true, Body: Body{Final: true}}},
		{"empty header and body, open tags", "<SyncML>\n <SyncHdr></SyncHdr>\n <SyncBody>\n </SyncBody>\n</SyncML>\n", &Message{}},
		{"whitespace references between elements", `<SyncML><SyncHdr/>&#x20;&#9;<SyncBody>&#xA;<Final/></SyncBody></SyncML>`, &Message{Body: Body{Final: true}}},
		{"comments between elements", `<SyncML><!--a--><SyncHdr><!--b--></SyncHdr><?pi?><SyncBody><!--c--><Final/><!--d--></SyncBody></SyncML>`, &Message{Body: Body{Final: true}}},
		{"empty commands", body(`<Add/><Alert/><Atomic/><Copy/><Delete/><Exec/><Get/><Replace/><Results/><Sequence/><Status/>`),
			&Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{
				&Add{}, &Alert{}, &Atomic{}, &Copy{}, &Delete{}, &Exec{}, &Get{}, &Replace{}, &Results{}, &Sequence{}, &Status{}}}}},
		{"empty leaves are absent", body(`<Get><CmdID/><Item><Target><LocURI></LocURI></Target></Item></Get>`),
			&Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{
				&Get{Items: []Item{{Target: &Location{}}}}}}}},
		{"repeated refs", body(`<Status><TargetRef>a</TargetRef><TargetRef/><SourceRef></SourceRef><SourceRef>b</SourceRef></Status>`),
			&Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{
				&Status{TargetRef: []string{"a", ""}, SourceRef: []string{"", "b"}}}}}},
		{"flags with white space", body(`<Get><NoResp> </NoResp></Get><Final>
</Final>`),
			&Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{&Get{NoResp: true}}, Final: true}}},
		{"children in any order", body(`<Status><Data>200</Data><Cmd>Get</Cmd><CmdRef>2</CmdRef><CmdID>1</CmdID><MsgRef>1</MsgRef></Status>`),
			&Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{
				&Status{CmdID: "1", MsgRef: "1", CmdRef: "2", Cmd: "Get", Data: Text("200")}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeBoth(t, []byte(tt.in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, m); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// ---- limits ----

func TestLimits(t *testing.T) {
	type limitCase struct {
		name  string
		field string
		set   func(l *Limits, n int)
		n     int    // the limit
		at    string // input exactly at the limit
		over  string // input one over the limit
	}
	aN := func(n int) string { return strings.Repeat("a", n) }
	nest := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	attrs := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, ` a%d="%d"`, i, i)
		}
		return b.String()
	}
	small := `<SyncML><SyncHdr/><SyncBody/></SyncML>`
	// tokens: SyncML, SyncHdr, VerDTD, "1", comment, SyncBody, PI = 7
	tokens := `<SyncML><SyncHdr><VerDTD>1</VerDTD><!--c--></SyncHdr><SyncBody><?pi?></SyncBody></SyncML>`
	cases := []limitCase{
		{"bytes", "MaxBytes", func(l *Limits, n int) { l.MaxBytes = int64(n) }, len(small), small, small + " "},
		// SyncML(1) SyncBody(2) Replace(3) Item(4) Target(5) LocURI(6)
		{"depth", "MaxDepth", func(l *Limits, n int) { l.MaxDepth = n }, 6,
			body(`<Replace><Item><Target><LocURI>x</LocURI></Target></Item></Replace>`),
			body(`<Replace><Item><Target><LocURI>x</LocURI></Target><Meta><Anchor><Last>1</Last></Anchor></Meta></Item></Replace>`)},
		{"depth does not count Data content", "MaxDepth", func(l *Limits, n int) { l.MaxDepth = n }, 5,
			item(`<Data><a><b><c/></b></a></Data>`), body(`<Atomic><CmdID>1</CmdID><Replace><CmdID>2</CmdID><Item><Data/></Item></Replace></Atomic>`)},
		{"tokens", "MaxTokens", func(l *Limits, n int) { l.MaxTokens = n }, 7, tokens,
			strings.Replace(tokens, `<?pi?>`, `<?pi?><!---->`, 1)},
		{"tokens count text and CDATA", "MaxTokens", func(l *Limits, n int) { l.MaxTokens = n }, 5,
			`<SyncML><SyncHdr><VerDTD>1</VerDTD></SyncHdr><SyncBody/></SyncML>`,
			`<SyncML><SyncHdr><VerDTD>1<![CDATA[2]]></VerDTD></SyncHdr><SyncBody/></SyncML>`},
		{"token bytes in text", "MaxTokenBytes", func(l *Limits, n int) { l.MaxTokenBytes = n }, 20,
			hdrMsg(`<VerDTD>` + aN(20) + `</VerDTD>`), hdrMsg(`<VerDTD>` + aN(21) + `</VerDTD>`)},
		{"token bytes in attribute", "MaxTokenBytes", func(l *Limits, n int) { l.MaxTokenBytes = n }, 20,
			item(`<Data><a b="` + aN(20) + `"/></Data>`), item(`<Data><a b="` + aN(21) + `"/></Data>`)},
		{"token bytes in name", "MaxTokenBytes", func(l *Limits, n int) { l.MaxTokenBytes = n }, 20,
			item(`<Data><` + aN(20) + `/></Data>`), item(`<Data><` + aN(21) + `/></Data>`)},
		{"token bytes in comment", "MaxTokenBytes", func(l *Limits, n int) { l.MaxTokenBytes = n }, 20,
			body(`<!--` + aN(13) + `-->`), body(`<!--` + aN(14) + `-->`)},
		{"attributes", "MaxAttrs", func(l *Limits, n int) { l.MaxAttrs = n }, 3,
			item(`<Data><a` + attrs(3) + `/></Data>`), item(`<Data><a` + attrs(4) + `/></Data>`)},
		{"attributes count declarations", "MaxAttrs", func(l *Limits, n int) { l.MaxAttrs = n }, 2,
			item(`<Data><a xmlns="u" xmlns:p="v"/></Data>`), item(`<Data><a xmlns="u" xmlns:p="v" p:b="1"/></Data>`)},
		{"Data depth", "MaxDataDepth", func(l *Limits, n int) { l.MaxDataDepth = n }, 3,
			item(`<Data>` + nest(3) + `</Data>`), item(`<Data>` + nest(4) + `</Data>`)},
		{"Unknown depth", "MaxDataDepth", func(l *Limits, n int) { l.MaxDataDepth = n }, 3,
			body(`<Map>` + nest(3) + `</Map>`), body(`<Map>` + nest(4) + `</Map>`)},
		{"namespaces in scope", "MaxNamespaces", func(l *Limits, n int) { l.MaxNamespaces = n }, 3,
			body(`<Replace xmlns:p="u"><CmdID>1</CmdID><Item xmlns:q="v"/></Replace>`),
			body(`<Replace xmlns:p="u"><CmdID>1</CmdID><Item xmlns:q="v" xmlns:r="w"/></Replace>`)},
		{"namespaces in Data content, counted from Data", "MaxNamespaces", func(l *Limits, n int) { l.MaxNamespaces = n }, 3,
			body(`<Replace xmlns:p="u"><CmdID>1</CmdID><Item xmlns:q="v"><Data><a xmlns:p="u"><b xmlns:q="v" xmlns:r="w"/></a></Data></Item></Replace>`),
			body(`<Replace xmlns:p="u"><CmdID>1</CmdID><Item xmlns:q="v"><Data><a xmlns:p="u"><b xmlns:q="v" xmlns:r="w" xmlns:s="x"/></a></Data></Item></Replace>`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lim Limits
			tc.set(&lim, tc.n)
			if _, err := decodeBoth(t, []byte(tc.at), lim); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			_, err := decodeBoth(t, []byte(tc.over), lim)
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("over the limit: %v (%T), want *LimitError", err, err)
			}
			if le.Limit != tc.field || le.Max != int64(tc.n) {
				t.Errorf("LimitError{Limit: %q, Max: %d}, want {%q, %d}", le.Limit, le.Max, tc.field, tc.n)
			}
			if !strings.HasPrefix(le.Error(), "syncml: limit "+tc.field+" (") {
				t.Errorf("Error() = %q", le.Error())
			}
			// the default limits accept it
			if _, err := decodeBoth(t, []byte(tc.over), Limits{}); err != nil {
				t.Errorf("default limits: %v", err)
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxBytes: DefaultMaxBytes, MaxDepth: DefaultMaxDepth, MaxTokens: DefaultMaxTokens,
		MaxTokenBytes: DefaultMaxTokenBytes, MaxAttrs: DefaultMaxAttrs, MaxDataDepth: DefaultMaxDataDepth,
		MaxNamespaces: DefaultMaxNamespaces}
	if got := DefaultLimits(); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxDepth: -1, MaxAttrs: 5}).withDefaults(); got.MaxDepth != DefaultMaxDepth || got.MaxAttrs != 5 {
		t.Errorf("withDefaults = %+v", got)
	}
	// default MaxDataDepth: 24 nested elements in Data are fine, 25 are not
	nest := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	if _, err := decodeBoth(t, []byte(item(`<Data>`+nest(24)+`</Data>`)), Limits{}); err != nil {
		t.Errorf("24 levels: %v", err)
	}
	_, err := decodeBoth(t, []byte(item(`<Data>`+nest(25)+`</Data>`)), Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxDataDepth" {
		t.Errorf("25 levels: %v, want MaxDataDepth", err)
	}
	// default MaxDepth 32: SyncML, SyncBody, Atomic and 29 Sequences
	// (not compared with cmp, whose cost grows exponentially with nesting)
	deep := func(n int) []byte {
		return []byte(`<SyncML><SyncBody><Atomic>` + strings.Repeat(`<Sequence>`, n) + strings.Repeat(`</Sequence>`, n) + `</Atomic></SyncBody></SyncML>`)
	}
	var m Message
	if err := Unmarshal(deep(29), &m); err != nil {
		t.Errorf("depth 32: %v", err)
	}
	err = Unmarshal(deep(30), &m)
	if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != DefaultMaxDepth ||
		le.Path != "/SyncML/SyncBody/Atomic"+strings.Repeat("/Sequence", 29) {
		t.Errorf("depth 33: %v, want MaxDepth with the path to the 32nd element", err)
	}
	if _, err := NewDecoder(bytes.NewReader(deep(30))).Next(); !errors.As(err, &le) || le.Limit != "MaxDepth" {
		t.Errorf("Decoder, depth 33: %v, want MaxDepth", err)
	}
}

// ---- decoder ----

func TestDecoderStickyError(t *testing.T) {
	in := body(`<Get><CmdID>1</CmdID></Get><Replace><Bogus/></Replace><Get><CmdID>3</CmdID></Get>`)
	d := NewDecoder(strings.NewReader(in))
	if _, err := d.Next(); err != nil { // Next calls Header
		t.Fatal(err)
	}
	h, err := d.Header()
	if err != nil || *h != testHeader {
		t.Fatalf("Header after Next = %+v, %v", h, err)
	}
	_, err1 := d.Next()
	if !errors.Is(err1, ErrStructure) {
		t.Fatalf("second Next: %v, want ErrStructure", err1)
	}
	for i := 0; i < 3; i++ {
		c, err := d.Next()
		if err != err1 || c != nil {
			t.Fatalf("Next after error = %v, %v; want nil, the same error", c, err)
		}
	}

	// an error in the header is sticky for Header and Next
	d = NewDecoder(strings.NewReader(`<SyncML><SyncHdr><VerDTD>&x;</VerDTD></SyncHdr><SyncBody/></SyncML>`))
	_, err1 = d.Header()
	if !errors.Is(err1, ErrEntity) {
		t.Fatalf("Header: %v", err1)
	}
	if _, err := d.Header(); err != err1 {
		t.Errorf("second Header: %v", err)
	}
	if _, err := d.Next(); err != err1 {
		t.Errorf("Next after Header error: %v", err)
	}

	// a reader error is reported, wrapped, and sticky
	boom := errors.New("boom")
	d = NewDecoder(io.MultiReader(strings.NewReader(body(``)[:60]), iotest.ErrReader(boom)))
	if _, err1 = d.Header(); !errors.Is(err1, boom) {
		t.Fatalf("Header over failing reader: %v", err1)
	}
	if _, err := d.Next(); !errors.Is(err, boom) {
		t.Errorf("Next after reader error: %v", err)
	}
}

func TestDecoderEOF(t *testing.T) {
	for _, in := range []string{
		`<SyncML><SyncHdr/><SyncBody/></SyncML>`,
		`<SyncML><SyncHdr/><SyncBody></SyncBody></SyncML>`,
		`<SyncML><SyncHdr/><SyncBody><Final/></SyncBody></SyncML>`,
	} {
		d := NewDecoder(strings.NewReader(in))
		for i := 0; i < 3; i++ {
			if c, err := d.Next(); err != io.EOF || c != nil {
				t.Errorf("%s: Next #%d = %v, %v; want io.EOF", in, i, c, err)
			}
		}
		if got, want := d.Final(), strings.Contains(in, "Final"); got != want {
			t.Errorf("%s: Final() = %v", in, got)
		}
		if d.Namespace() != "" {
			t.Errorf("Namespace() = %q", d.Namespace())
		}
	}
	// truncated input: the error, not EOF
	d := NewDecoder(strings.NewReader(`<SyncML><SyncHdr/><SyncBody><Get/>`))
	if _, err := d.Next(); err != nil {
		t.Fatalf("first Next: %v", err)
	}
	if _, err := d.Next(); !errors.Is(err, ErrSyntax) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Next at truncation: %v, want ErrSyntax wrapping io.ErrUnexpectedEOF", err)
	}
	// trailing garbage is found after the last command
	d = NewDecoder(strings.NewReader(body(`<Get/>`) + "junk"))
	if _, err := d.Next(); err != nil {
		t.Fatalf("first Next: %v", err)
	}
	if _, err := d.Next(); !errors.Is(err, ErrSyntax) {
		t.Errorf("Next before trailing text: %v, want ErrSyntax", err)
	}
}

func TestDecoderLimitsStream(t *testing.T) {
	// MaxBytes bounds the whole stream
	in := body(strings.Repeat(`<Get><CmdID>1</CmdID></Get>`, 100))
	d := NewDecoder(iotest.HalfReader(strings.NewReader(in)))
	d.SetLimits(Limits{MaxBytes: int64(len(in) - 1)})
	var err error
	for err == nil {
		_, err = d.Next()
	}
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != int64(len(in)-1) {
		t.Errorf("got %v, want MaxBytes limit", err)
	}
	d = NewDecoder(strings.NewReader(in))
	d.SetLimits(Limits{MaxBytes: int64(len(in))})
	n := 0
	for {
		_, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 100 {
		t.Errorf("%d commands, want 100", n)
	}
}

func TestInputSpan(t *testing.T) {
	cmds := []string{
		`<Get><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`,
		"<Replace>\r\n  <CmdID>2</CmdID>\n  <Item><Data>é&amp;<![CDATA[x]]></Data></Item>\n</Replace>",
		`<Map a="1"/>`,
		`<Atomic><CmdID>4</CmdID><Add><CmdID>5</CmdID></Add><Put/></Atomic>`,
		`<Status/>`,
	}
	hdr := "<SyncHdr>\n  <VerDTD>1.2</VerDTD>\n</SyncHdr>"
	in := "<?xml version=\"1.0\"?>\n<SyncML xmlns=\"SYNCML:SYNCML1.2\">\n" + hdr + "\n<SyncBody>\n" +
		cmds[0] + "\n  <!-- between -->\n" + cmds[1] + cmds[2] + " " + cmds[3] + "<?pi?>" + cmds[4] + "\n<Final/>\n</SyncBody>\n</SyncML>\n"
	for _, name := range []string{"plain", "onebyte", "half"} {
		t.Run(name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(in)
			switch name {
			case "onebyte":
				r = iotest.OneByteReader(r)
			case "half":
				r = iotest.HalfReader(r)
			}
			d := NewDecoder(r)
			if _, err := d.Header(); err != nil {
				t.Fatal(err)
			}
			start, end := d.InputSpan()
			if got := in[start:end]; got != hdr {
				t.Errorf("header span %q, want %q", got, hdr)
			}
			for i, want := range cmds {
				c, err := d.Next()
				if err != nil {
					t.Fatalf("command %d: %v", i, err)
				}
				start, end := d.InputSpan()
				if got := in[start:end]; got != want {
					t.Errorf("command %d (%s) span [%d,%d) = %q, want %q", i, c.ElementName(), start, end, got, want)
				}
			}
			if _, err := d.Next(); err != io.EOF {
				t.Fatalf("after the last command: %v", err)
			}
			if !d.Final() {
				t.Error("Final() = false")
			}
		})
	}
	// offsets are in the transcoded input
	latin := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><SyncML><SyncHdr/><SyncBody><Get><CmdID>\xe9</CmdID></Get></SyncBody></SyncML>")
	d := NewDecoder(bytes.NewReader(latin))
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	utf8in := strings.ReplaceAll(string(latin), "\xe9", "é")
	start, end := d.InputSpan()
	if got := utf8in[start:end]; got != "<Get><CmdID>é</CmdID></Get>" {
		t.Errorf("span in transcoded input = %q", got)
	}
}

// ---- encoder ----

func TestEncoderState(t *testing.T) {
	m := &Message{XMLNS: NamespaceSyncML12, Header: testHeader, Body: Body{Commands: []Command{&Get{CmdID: "1"}}, Final: true}}
	var buf bytes.Buffer

	e := NewEncoder(&buf)
	if err := e.EncodeCommand(&Get{}); !errors.Is(err, ErrState) {
		t.Errorf("EncodeCommand before EncodeHeader: %v, want ErrState", err)
	}
	if err := e.EncodeEnd(true); !errors.Is(err, ErrState) {
		t.Errorf("EncodeEnd before EncodeHeader: %v, want ErrState", err)
	}
	if err := e.EncodeHeader(m.XMLNS, &m.Header); err != nil {
		t.Fatal(err)
	}
	if err := e.EncodeHeader(m.XMLNS, &m.Header); !errors.Is(err, ErrState) {
		t.Errorf("second EncodeHeader: %v, want ErrState", err)
	}
	// a command that cannot be written leaves nothing behind
	for _, bad := range []Command{nil, &Get{CmdID: "\x00"}, &Replace{Items: []Item{{Data: XML("<a>")}}}, &Unknown{Name: "Map", Raw: "<Put/>"}} {
		if err := e.EncodeCommand(bad); err == nil {
			t.Errorf("EncodeCommand(%#v) succeeded", bad)
		}
	}
	if err := e.EncodeCommand(m.Body.Commands[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.EncodeEnd(true); err != nil {
		t.Fatal(err)
	}
	want, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Encoder wrote\n%s\nwant\n%s", buf.Bytes(), want)
	}
	if err := e.EncodeCommand(&Get{}); !errors.Is(err, ErrState) {
		t.Errorf("EncodeCommand after EncodeEnd: %v, want ErrState", err)
	}
	if err := e.EncodeEnd(true); !errors.Is(err, ErrState) {
		t.Errorf("second EncodeEnd: %v, want ErrState", err)
	}
	if err := e.EncodeHeader("", &Header{}); !errors.Is(err, ErrState) {
		t.Errorf("EncodeHeader after EncodeEnd: %v, want ErrState", err)
	}

	// a header that cannot be written leaves the encoder at the start
	buf.Reset()
	e = NewEncoder(&buf)
	if err := e.EncodeHeader("", &Header{VerDTD: "\x01"}); !errors.Is(err, ErrInvalidChar) {
		t.Errorf("bad header: %v, want ErrInvalidChar", err)
	}
	if err := e.Encode(m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("after a failed header, Encoder wrote\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestEncoderWriteErrorSticky(t *testing.T) {
	w := &failWriter{}
	e := NewEncoder(w)
	if err := e.EncodeHeader("", &Header{}); err != nil {
		t.Fatal(err) // buffered
	}
	big := &Replace{Items: []Item{{Data: Text(strings.Repeat("x", 40<<10))}}}
	err1 := e.EncodeCommand(big)
	if err1 == nil || !strings.Contains(err1.Error(), "disk full") {
		t.Fatalf("EncodeCommand over a failing writer: %v", err1)
	}
	if err := e.EncodeCommand(&Get{}); err != err1 {
		t.Errorf("EncodeCommand after write error: %v", err)
	}
	if err := e.EncodeEnd(false); err != err1 {
		t.Errorf("EncodeEnd after write error: %v", err)
	}
	if w.n != 1 {
		t.Errorf("%d writes, want 1", w.n)
	}
}

// ---- marshal ----

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		m    *Message
		want error // nil: any error
	}{
		{"control char in leaf", &Message{Header: Header{SessionID: "a\x00"}}, ErrInvalidChar},
		{"FFFE in leaf", &Message{Header: Header{MsgID: "\uFFFE"}}, ErrInvalidChar},
		{"invalid UTF-8", &Message{Header: Header{MsgID: "\xff"}}, ErrInvalidChar},
		{"control char in xmlns", &Message{XMLNS: "\x01"}, ErrInvalidChar},
		{"control char in Data", &Message{Body: Body{Commands: []Command{&Alert{Data: Text("\x02")}}}}, ErrInvalidChar},
		{"control char in CDATA", &Message{Body: Body{Commands: []Command{&Alert{Data: CDATA("\x02")}}}}, ErrInvalidChar},
		{"control char in originalerror", &Message{Body: Body{Commands: []Command{&Alert{Data: &Data{OriginalError: "\x02"}}}}}, ErrInvalidChar},
		{"control char in ref", &Message{Body: Body{Commands: []Command{&Status{TargetRef: []string{"\x03"}}}}}, ErrInvalidChar},
		{"control char in EMI", &Message{Header: Header{Meta: &Meta{EMI: []string{"\x03"}}}}, ErrInvalidChar},
		{"XML without element", &Message{Body: Body{Commands: []Command{&Alert{Data: XML("text")}}}}, ErrStructure},
		{"XML not well-formed", &Message{Body: Body{Commands: []Command{&Alert{Data: XML("<a>")}}}}, ErrSyntax},
		{"XML end tag only", &Message{Body: Body{Commands: []Command{&Alert{Data: XML("<a/></b>")}}}}, ErrSyntax},
		{"XML undeclared prefix", &Message{Body: Body{Commands: []Command{&Alert{Data: XML("<p:a/>")}}}}, ErrNamespace},
		{"XML DOCTYPE", &Message{Body: Body{Commands: []Command{&Alert{Data: XML("<!DOCTYPE a><a/>")}}}}, ErrDOCTYPE},
		{"bad DataKind", &Message{Body: Body{Commands: []Command{&Alert{Data: &Data{Kind: 7}}}}}, nil},
		{"nil command", &Message{Body: Body{Commands: []Command{nil}}}, nil},
		{"nil command in Atomic", &Message{Body: Body{Commands: []Command{&Atomic{Commands: []Command{nil}}}}}, nil},
		{"Unknown name mismatch", &Message{Body: Body{Commands: []Command{&Unknown{Name: "Map", Raw: "<Put/>"}}}}, ErrStructure},
		{"Unknown name prefix of longer name", &Message{Body: Body{Commands: []Command{&Unknown{Name: "Map", Raw: "<MapItem/>"}}}}, ErrStructure},
		{"Unknown two elements", &Message{Body: Body{Commands: []Command{&Unknown{Name: "Map", Raw: "<Map/><Map/>"}}}}, ErrStructure},
		{"Unknown trailing text", &Message{Body: Body{Commands: []Command{&Unknown{Name: "Map", Raw: "<Map/>x"}}}}, ErrStructure},
		{"Unknown unclosed", &Message{Body: Body{Commands: []Command{&Unknown{Name: "Map", Raw: "<Map>"}}}}, ErrSyntax},
		{"Unknown empty", &Message{Body: Body{Commands: []Command{&Unknown{}}}}, ErrStructure},
		{"Unknown undeclared prefix", &Message{Body: Body{Commands: []Command{&Unknown{Name: "x:Map", Raw: "<x:Map/>"}}}}, ErrNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.m)
			if err == nil {
				t.Fatalf("Marshal succeeded: %s", out)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "syncml: ") {
				t.Errorf("error %q does not start with \"syncml: \"", err)
			}
			if _, err := MarshalIndent(tt.m, "", " "); err == nil {
				t.Error("MarshalIndent succeeded")
			}
			dst := []byte("keep")
			got, err := AppendMessage(dst, tt.m)
			if err == nil || string(got) != "keep" {
				t.Errorf("AppendMessage = %q, %v; want dst unchanged and an error", got, err)
			}
		})
	}
}

func TestMarshalCanonical(t *testing.T) {
	m := &Message{
		XMLNS: NamespaceSyncML11,
		Header: Header{VerDTD: "1.1", VerProto: "DM/1.1", SessionID: "1", MsgID: "2",
			Target: Location{LocURI: "https://mdm.example/"}, Source: Location{LocURI: "dev", LocName: "n"},
			RespURI: "r", NoResp: true, Cred: &Cred{Meta: &Meta{Format: "b64", Type: "syncml:auth-md5"}, Data: Text("c")},
			Meta: &Meta{MaxMsgSize: "65536"}},
		Body: Body{Commands: []Command{
			&Delete{CmdID: "1", NoResp: true, Archive: true, SftDel: true, Items: []Item{{Target: &Location{LocURI: "./a"}}}},
			&Exec{CmdID: "2", Correlator: "c", Items: []Item{{Target: &Location{LocURI: "./b"}, MoreData: true}}},
			&Get{CmdID: "3", Lang: "en"},
			&Results{CmdID: "4", MsgRef: "1", CmdRef: "3", Cmd: "Get", Meta: &Meta{}, TargetRef: []string{"t"}, SourceRef: []string{""},
				Items: []Item{{Source: &Location{LocURI: "./a"}, Meta: &Meta{Format: "int"}, Data: Text("1")}}},
			&Status{CmdID: "5", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Chal: &Chal{Meta: &Meta{NextNonce: "bm9uY2U="}}, Data: Text("407")},
		}, Final: true},
	}
	want := `<SyncML xmlns="SYNCML:SYNCML1.1"><SyncHdr><VerDTD>1.1</VerDTD><VerProto>DM/1.1</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>` +
		`<Target><LocURI>https://mdm.example/</LocURI></Target><Source><LocURI>dev</LocURI><LocName>n</LocName></Source><RespURI>r</RespURI><NoResp/>` +
		`<Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>c</Data></Cred>` +
		`<Meta><MaxMsgSize xmlns="syncml:metinf">65536</MaxMsgSize></Meta></SyncHdr><SyncBody>` +
		`<Delete><CmdID>1</CmdID><NoResp/><Archive/><SftDel/><Item><Target><LocURI>./a</LocURI></Target></Item></Delete>` +
		`<Exec><CmdID>2</CmdID><Correlator>c</Correlator><Item><Target><LocURI>./b</LocURI></Target><MoreData/></Item></Exec>` +
		`<Get><CmdID>3</CmdID><Lang>en</Lang></Get>` +
		`<Results><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Meta></Meta><TargetRef>t</TargetRef><SourceRef></SourceRef>` +
		`<Item><Source><LocURI>./a</LocURI></Source><Meta><Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item></Results>` +
		`<Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Chal><Meta><NextNonce xmlns="syncml:metinf">bm9uY2U=</NextNonce></Meta></Chal><Data>407</Data></Status>` +
		`<Final/></SyncBody></SyncML>`
	out, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", out, want)
	}
	var back Message
	if err := Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, &back); d != "" {
		t.Errorf("round trip (-want +got)\n%s", d)
	}
	ind, err := MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(ind), "<SyncML xmlns=\"SYNCML:SYNCML1.1\">\n  <SyncHdr>\n    <VerDTD>1.1</VerDTD>\n") ||
		!strings.HasSuffix(string(ind), "\n    <Final/>\n  </SyncBody>\n</SyncML>") {
		t.Errorf("MarshalIndent:\n%s", ind)
	}
}

// TestUnmarshalLeavesMessageOnError: on error the destination is unchanged.
func TestUnmarshalLeavesMessageOnError(t *testing.T) {
	m := Message{XMLNS: "keep", Header: Header{MsgID: "7"}}
	if err := Unmarshal([]byte(body(`<Replace><Bogus/></Replace>`)), &m); err == nil {
		t.Fatal("no error")
	}
	if m.XMLNS != "keep" || m.Header.MsgID != "7" || m.Body.Commands != nil {
		t.Errorf("message changed: %+v", m)
	}
	var le *LimitError
	if err := UnmarshalLimits([]byte(body(``)), &m, Limits{MaxBytes: 10}); !errors.As(err, &le) || le.Limit != "MaxBytes" {
		t.Errorf("MaxBytes: %v", err)
	}
	if m.XMLNS != "keep" {
		t.Errorf("message changed: %+v", m)
	}
}
