package syncml

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fastFuzzHead and fastFuzzTail wrap hand-made bodies into messages of the
// shape the fast reader takes.
const (
	fastFuzzHead = `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>https://127.0.0.1/x</LocURI></Target><Source><LocURI>DEV</LocURI></Source></SyncHdr><SyncBody>`
	fastFuzzTail = `<Final/></SyncBody></SyncML>`
)

// fastFuzzSeeds are hand-made edge cases around the shapes fastdecode.go
// takes and those it must leave to the general reader.
func fastFuzzSeeds() []string {
	item := func(s string) string {
		return fastFuzzHead + `<Replace><CmdID>2</CmdID><Item>` + s + `</Item></Replace>` + fastFuzzTail
	}
	cmd := func(s string) string { return fastFuzzHead + s + fastFuzzTail }
	plain := cmd(`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item></Replace>`)
	seeds := []string{
		plain,
		strings.ReplaceAll(plain, "><", ">\r\n\t<"),
		strings.ReplaceAll(plain, "><", "> <"),
		"\xef\xbb\xbf" + plain,
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + plain + "\n",
		plain + "<!-- c -->",
		plain + "\x00",
		item(`<Data>a&amp;b</Data>`),
		item(`<Data>&#65;</Data>`),
		item(`<Data><![CDATA[x<y]]></Data>`),
		item(`<Data>a]b</Data>`),
		item(`<Data>a]]>b</Data>`),
		item(`<Data>a>b</Data>`),
		item(`<Data>a"'b</Data>`),
		item("<Data>a\x7fb</Data>"),
		item("<Data>a\x01b</Data>"),
		item("<Data>a\tb</Data>"),
		item("<Data>a\r\nb</Data>"),
		item("<Data>caf\xc3\xa9</Data>"),
		item("<Data>\xff</Data>"),
		item(`<Data>   </Data>`),
		item(`<Data/>`),
		item(`<Data></Data>`),
		item(`<Data ></Data>`),
		item(`<Data a="b">x</Data>`),
		item(`<Data xmlns="syncml:metinf">x</Data>`),
		item(`<Data><x/></Data>`),
		item(`<Data>1</Data><Data>2</Data>`),
		item(`<Data>1</Data ><Target><LocURI>a</LocURI></Target>`),
		item(`<Data>1</Data><Target><LocURI>a</LocURI></Target>`),
		item(`<Target><LocURI>a</LocURI><LocName>n</LocName></Target>`),
		item(`<Target><LocName>n</LocName><LocURI>a</LocURI></Target>`),
		item(`<Target><LocURI>a</LocURI><LocURI>b</LocURI></Target>`),
		item(`<Target></Target>`),
		item(`<Target/>`),
		item(`<Target><LocURI/></Target>`),
		item(`<Target><LocURI>a<!-- c --></LocURI></Target>`),
		item(`<Target><LocURI>a<?pi x?></LocURI></Target>`),
		item(`<Target><!-- c --><LocURI>a</LocURI></Target>`),
		item(`<Target><?pi?><LocURI>a</LocURI></Target>`),
		item(`<Target><locuri>a</locuri></Target>`),
		item(`<target><LocURI>a</LocURI></target>`),
		item(`<Target><LocURI>a</LocURI></Source>`),
		item(`<Source><LocURI>a</LocURI></Target>`),
		item(`<Source><LocURI>a</LocURI></Source><Target><LocURI>b</LocURI></Target>`),
		item(`<Meta><Format>chr</Format><Type>text/plain</Type></Meta><Data>x</Data>`),
		item(`<Meta xmlns="syncml:metinf"><Format>chr</Format></Meta><Data>x</Data>`),
		item(`<Meta xmlns="syncml:metinf"><Format xmlns="syncml:metinf">chr</Format></Meta>`),
		item(`<Meta><Format xmlns="syncml:metinf">chr</Format><Type xmlns="syncml:metinf">t</Type></Meta>`),
		item(`<Meta><Format xmlns="SYNCML:SYNCML1.2">chr</Format></Meta>`),
		item(`<Meta><Format xmlns="other">chr</Format></Meta>`),
		item(`<Meta xmlns="other"><Format>chr</Format></Meta>`),
		item(`<Meta  xmlns="syncml:metinf"><Format>chr</Format></Meta>`),
		item(`<Meta xmlns='syncml:metinf'><Format>chr</Format></Meta>`),
		item(`<Meta xmlns="syncml:metinf" ><Format>chr</Format></Meta>`),
		item(`<Meta xmlns:m="syncml:metinf"><m:Format>chr</m:Format></Meta>`),
		item(`<m:Meta xmlns:m="syncml:metinf"><m:Format>chr</m:Format></m:Meta>`),
		item(`<Meta><Format/><Type></Type><Mark>m</Mark><Size>1</Size><Version>v</Version><NextNonce>n</NextNonce><MaxMsgSize>1</MaxMsgSize><MaxObjSize>2</MaxObjSize></Meta>`),
		item(`<Meta><Format>a</Format><Format>b</Format></Meta>`),
		item(`<Meta><EMI>a</EMI></Meta>`),
		item(`<Meta><Anchor><Last>1</Last></Anchor></Meta>`),
		item(`<Meta><FieldLevel/></Meta>`),
		item(`<Meta></Meta>`),
		item(`<Meta/>`),
		item(`<MoreData/>`),
		item(`<MoreData> </MoreData>`),
		item(`<MoreData>x</MoreData>`),
		item(`<Data>1</Data><MoreData/><MoreData/>`),
		item(``),
		item(` `),
		cmd(`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`),
		cmd(`<Alert><Data>1201</Data><CmdID>1</CmdID></Alert>`),
		cmd(`<Alert><CmdID>1</CmdID><CmdID>2</CmdID></Alert>`),
		cmd(`<Alert><CmdID>1</CmdID><Meta><Type>t</Type></Meta></Alert>`),
		cmd(`<Alert></Alert>`),
		cmd(`<Alert/>`),
		cmd(`<Alert><CmdID>1</CmdID><Data>1</Data><Correlator>c</Correlator><Item><Data>x</Data></Item><Item><Data>y</Data></Item></Alert>`),
		cmd(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>a</TargetRef><SourceRef>b</SourceRef><SourceRef/><Data>200</Data></Status>`),
		cmd(`<Status><CmdID>1</CmdID><Meta><Type>t</Type></Meta></Status>`),
		cmd(`<Status><CmdID>1</CmdID><Chal><Meta><Type>t</Type></Meta></Chal></Status>`),
		cmd(`<Results><CmdID>1</CmdID><Meta xmlns="syncml:metinf"><Format>int</Format></Meta><TargetRef>t</TargetRef><Item><Source><LocURI>a</LocURI></Source><Data>1</Data></Item></Results>`),
		cmd(`<Results><CmdID>1</CmdID><Data>1</Data></Results>`),
		cmd(`<Get><CmdID>1</CmdID><Lang>en</Lang><Lang>de</Lang></Get>`),
		cmd(`<Get><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`),
		cmd(`<Exec><CmdID>1</CmdID><NoResp/><Correlator>c</Correlator><Item><Target><LocURI>./a</LocURI></Target></Item></Exec>`),
		cmd(`<Delete><CmdID>1</CmdID><Archive/><SftDel/><Archive/></Delete>`),
		cmd(`<Delete><CmdID>1</CmdID><NoResp>x</NoResp></Delete>`),
		cmd(`<Add><CmdID>1</CmdID><Cred><Data>x</Data></Cred></Add>`),
		cmd(`<Add><CmdID>1</CmdID><Correlator>c</Correlator></Add>`),
		cmd(`<Copy><CmdID>1</CmdID></Copy>`),
		cmd(`<Atomic><CmdID>1</CmdID><Add><CmdID>2</CmdID></Add></Atomic>`),
		cmd(`<Sequence><CmdID>1</CmdID></Sequence>`),
		cmd(`<Unknown><CmdID>1</CmdID></Unknown>`),
		cmd(`<x:Add xmlns:x="SYNCML:SYNCML1.2"><CmdID>1</CmdID></x:Add>`),
		cmd(`<Add xmlns="other"><CmdID>1</CmdID></Add>`),
		cmd(`<add><CmdID>1</CmdID></add>`),
		cmd(`<ADD><CmdID>1</CmdID></ADD>`),
		cmd(`<Add id="1"><CmdID>1</CmdID></Add>`),
		cmd(`<Add><CmdID>1</CmdID></Replace>`),
		cmd(`<Replace><CmdID>1</CmdID></Replac>`),
		cmd(`<Replace><CmdID>1</CmdID></ReplaceX>`),
		cmd(`<Status><CmdID>1</CmdID><TargetRefX>a</TargetRefX></Status>`),
		cmd(`<Status><CmdID>1</CmdID><TargetRef>a</TargetRefX></Status>`),
		cmd(`<` + strings.Repeat("A", 300) + `>x</` + strings.Repeat("A", 300) + `>`),
		cmd(`<Replace><` + strings.Repeat("CmdID", 40) + `>1</` + strings.Repeat("CmdID", 40) + `></Replace>`),
		cmd(`<Replace><CmdID>1</CmdID><Item><Target><LocURI>` + strings.Repeat("a", 5000) + `</LocURI></Target></Item></Replace>`),
		cmd(`<Final></Final>`),
		cmd(`<Final> </Final>`),
		cmd(`<Final>x</Final>`),
		cmd(`<Final/><Final/>`),
		cmd(`<Alert><CmdID>1</CmdID></Alert><Final/><Alert><CmdID>2</CmdID></Alert>`),
		cmd(`<!-- c --><Alert><CmdID>1</CmdID></Alert>`),
		cmd(`<?pi x?><Alert><CmdID>1</CmdID></Alert>`),
		cmd(`x<Alert><CmdID>1</CmdID></Alert>`),
		cmd(`&#32;<Alert><CmdID>1</CmdID></Alert>`),
		cmd(`<Alert><CmdID>&#49;</CmdID></Alert>`),
		cmd(`<Alert><CmdID><![CDATA[1]]></CmdID></Alert>`),
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr></SyncHdr><SyncBody></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/><SyncBody/></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.1"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="syncml:metinf"><SyncHdr><MsgID>1</MsgID><Meta><Type>t</Type></Meta></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="syncml:metinf"><SyncHdr><MsgID>1</MsgID><Meta xmlns="syncml:metinf"><Type xmlns="syncml:metinf">t</Type></Meta></SyncHdr><SyncBody/></SyncML>`,
		`<s:SyncML xmlns:s="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></s:SyncML>`,
		`<s:SyncML xmlns:s="SYNCML:SYNCML1.2"><s:SyncHdr><s:MsgID>1</s:MsgID></s:SyncHdr><s:SyncBody><s:Final/></s:SyncBody></s:SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:m="syncml:metinf"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2" xmlns=""><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr xmlns=""><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID><MsgID>2</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID><Target></Target><Source/></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID><Target><LocURI></LocURI></Target></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID><NoResp/><RespURI>http://127.0.0.1/</RespURI><Meta xmlns="syncml:metinf"><MaxMsgSize>1</MaxMsgSize></Meta></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID><Cred><Data>x</Data></Cred></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML><x/>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>x`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML >`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody><SyncBody/></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody/><SyncHdr><MsgID>1</MsgID></SyncHdr></SyncML>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody>`,
		`<!DOCTYPE SyncML><SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/><SyncBody/></SyncML>`,
	}
	// truncations of the plain message
	for _, n := range []int{10, 40, len(plain) / 2, len(plain) - 20, len(plain) - 1} {
		seeds = append(seeds, plain[:n])
	}
	return seeds
}

// utf16LE transcodes ASCII s into UTF-16LE with a byte-order mark.
func utf16LE(s string) []byte {
	b := []byte{0xff, 0xfe}
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// FuzzFastDecode checks that Unmarshal with the fast reader of
// fastdecode.go gives exactly what the general reader gives (the same
// Message, or the same error), with the default limits, under UnmarshalOwned,
// and under small limits derived from the input and from k.
func FuzzFastDecode(f *testing.F) {
	// The hand-made seeds (fastFuzzSeeds, each with a limit, and a UTF-16
	// message) are in testdata/fuzz/FuzzFastDecode; the conformance
	// corpus is read in place when it is there.
	dir := filepath.Join("..", "..", "shared", "conformance", "syncml")
	if entries, err := os.ReadDir(dir); err == nil {
		for i, e := range entries {
			if !strings.HasSuffix(e.Name(), ".xml") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil {
				f.Add(b, uint16(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint16) {
		defer SetFastDecode(SetFastDecode(true))
		checkFastDecode(t, data, Limits{}, false)
		checkFastDecode(t, data, Limits{}, true)
		n := 1 + int(k>>3)
		var lim Limits
		switch k & 7 {
		case 0:
			lim.MaxDepth = 1 + n%12
		case 1:
			lim.MaxTokens = n
		case 2:
			lim.MaxNamespaces = 1 + n%6
		case 3:
			lim.MaxAttrs = 1 + n%3
		case 4:
			lim.MaxTokenBytes = n
		case 5:
			lim.MaxBytes = int64(n)
		case 6:
			lim.MaxTokenBytes = len(data) - n%8
		default:
			lim.MaxDataDepth = 1 + n%4
		}
		checkFastDecode(t, data, lim, k&8 != 0)
		// limits from the input: about as many tokens as the message
		// has (its start tags and the texts after them), its
		// declarations, its nesting
		starts := bytes.Count(data, []byte("<")) - bytes.Count(data, []byte("</"))
		texts := 0
		for i := 0; i+1 < len(data); i++ {
			if data[i] == '>' && data[i+1] != '<' {
				texts++
			}
		}
		for _, d := range []int{-2, -1, 0, 1} {
			if starts+texts+d > 0 {
				checkFastDecode(t, data, Limits{MaxTokens: starts + texts + d}, false)
			}
		}
		if ns := bytes.Count(data, []byte("xmlns")); ns > 0 {
			checkFastDecode(t, data, Limits{MaxNamespaces: ns}, false)
		}
		for d := 3; d <= 7; d++ {
			checkFastDecode(t, data, Limits{MaxDepth: d}, false)
		}
		// the same choices as a message of nearly the fast shape, under
		// the default limits and a MaxTokens from k
		shaped := fastShape(data)
		checkFastDecode(t, shaped, Limits{}, false)
		checkFastDecode(t, shaped, Limits{MaxTokens: 1 + int(k%256)}, false)
		checkFastDecode(t, shaped, Limits{MaxDepth: 4 + int(k%3), MaxNamespaces: 1 + int(k%3)}, true)
	})
}

// checkFastDecode decodes data with the fast reader off and on and fails t
// unless both give the same message or the same error.
func checkFastDecode(t *testing.T, data []byte, lim Limits, owned bool) {
	t.Helper()
	decode := func(fast bool) (Message, error) {
		SetFastDecode(fast)
		in := bytes.Clone(data)
		var m Message
		var err error
		if owned {
			err = UnmarshalOwned(in, &m, lim)
		} else {
			err = UnmarshalLimits(in, &m, lim)
		}
		return m, err
	}
	gm, gerr := decode(false)
	fm, ferr := decode(true)
	if fmt.Sprintf("%T %v", gerr, gerr) != fmt.Sprintf("%T %v", ferr, ferr) || !reflect.DeepEqual(gerr, ferr) {
		t.Fatalf("limits %+v owned %v: fast reader's error %#v (%v), general %#v (%v)\ninput %q", lim, owned, ferr, ferr, gerr, gerr, data)
	}
	if gerr != nil {
		return
	}
	if !reflect.DeepEqual(gm, fm) {
		t.Fatalf("limits %+v owned %v: messages differ (-general +fast):\n%s\ninput %q", lim, owned, cmp.Diff(gm, fm), data)
	}
}

// TestFastDecodeLimitSweep runs checkFastDecode on the seeds of
// FuzzFastDecode, the cases of TestFastDecodeCases (and the conformance
// messages of up to 16 KB, when they are there) under every MaxTokens
// from 1 to past what the message needs, every MaxDepth and MaxNamespaces
// from 1 to 12, and MaxTokenBytes around the length of the message, where
// the fast reader starts to run.
func TestFastDecodeLimitSweep(t *testing.T) {
	defer SetFastDecode(SetFastDecode(true))
	inputs := append(fastFuzzSeeds(), string(utf16LE(fastFuzzHead+`<Alert><CmdID>1</CmdID></Alert>`+fastFuzzTail)))
	for _, c := range fastCases() {
		inputs = append(inputs, c.in)
	}
	dir := filepath.Join("..", "..", "shared", "conformance", "syncml")
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && strings.HasSuffix(e.Name(), ".xml") && len(b) <= 16<<10 {
				inputs = append(inputs, string(b))
			}
		}
	}
	swept := 0
	for _, s := range inputs {
		data := []byte(s)
		var m Message
		SetFastDecode(false)
		if UnmarshalLimits(data, &m, Limits{}) != nil {
			continue // the sweep is for messages that decode
		}
		swept++
		for n := 1; ; n++ {
			checkFastDecode(t, data, Limits{MaxTokens: n}, n%2 == 0)
			SetFastDecode(false)
			if UnmarshalLimits(data, &m, Limits{MaxTokens: n}) == nil {
				checkFastDecode(t, data, Limits{MaxTokens: n + 1}, false)
				break
			}
		}
		for n := 1; n <= 12; n++ {
			checkFastDecode(t, data, Limits{MaxDepth: n}, false)
			checkFastDecode(t, data, Limits{MaxNamespaces: n}, false)
			checkFastDecode(t, data, Limits{MaxNamespaces: n, MaxDepth: n}, true)
		}
		for _, d := range []int{-3, -2, -1, 0, 1, 2} {
			if len(data)+d > 0 {
				checkFastDecode(t, data, Limits{MaxTokenBytes: len(data) + d}, false)
				checkFastDecode(t, data, Limits{MaxBytes: int64(len(data) + d)}, false)
			}
		}
		for n := 1; n <= 3; n++ {
			checkFastDecode(t, data, Limits{MaxAttrs: n}, false)
		}
	}
	t.Logf("%d of %d messages swept", swept, len(inputs))
	if swept < 40 {
		t.Errorf("only %d of the seeds decode", swept)
	}
}

// fastShape builds, from the choices in b, a message close to the shape
// the fast reader takes: the model's elements in the contexts where they
// may stand or nearly, in any order and number, with white space, empty
// forms, metinf declarations and small texts, so that the fuzzer explores
// combinations of elements rather than bytes.
func fastShape(b []byte) []byte {
	i := 0
	next := func(n int) int {
		if i >= len(b) {
			return 0
		}
		i++
		return int(b[i-1]) % n
	}
	var out strings.Builder
	ws := func() {
		out.WriteString([]string{"", "", "", " ", "\n", "\r\n\t"}[next(6)])
	}
	texts := []string{"", "1", " ", "./a/b", "a&amp;b", "x]y", "caf\u00e9", "<!-- c -->", "a\tb", "200", "&lt;x a=&quot;1&quot;/&gt;", "&#233;&#x41;", "&#0;", "&bad;"}
	leaf := func(name string) {
		ws()
		switch next(10) {
		case 0:
			out.WriteString("<" + name + "/>")
		case 1:
			out.WriteString("<" + name + ` xmlns="syncml:metinf">` + texts[next(len(texts))] + "</" + name + ">")
		case 2:
			out.WriteString("<" + name + ` msft:originalerror="0x8600000` + texts[next(len(texts))] + `">` + texts[next(len(texts))] + "</" + name + ">")
		case 3:
			out.WriteString("<" + name + " />")
		default:
			out.WriteString("<" + name + ">" + texts[next(len(texts))] + "</" + name + ">")
		}
	}
	metaNames := []string{"Format", "Type", "Mark", "Size", "Version", "NextNonce", "MaxMsgSize", "MaxObjSize", "EMI", "Format"}
	meta := func() {
		ws()
		if next(3) == 0 {
			out.WriteString(`<Meta xmlns="syncml:metinf">`)
		} else {
			out.WriteString("<Meta>")
		}
		for n := next(4); n > 0; n-- {
			leaf(metaNames[next(len(metaNames))])
		}
		ws()
		out.WriteString("</Meta>")
	}
	location := func(name string) {
		ws()
		if next(6) == 0 {
			out.WriteString("<" + name + "/>")
			return
		}
		out.WriteString("<" + name + ">")
		for n := next(3); n >= 0 && n < 3; n-- {
			leaf([]string{"LocURI", "LocURI", "LocName"}[next(3)])
			if next(2) == 0 {
				break
			}
		}
		ws()
		out.WriteString("</" + name + ">")
	}
	item := func() {
		ws()
		out.WriteString("<Item>")
		for n := next(5); n > 0; n-- {
			switch next(6) {
			case 0:
				location("Target")
			case 1:
				location("Source")
			case 2:
				meta()
			case 3, 4:
				leaf("Data")
			default:
				leaf("MoreData")
			}
		}
		ws()
		out.WriteString("</Item>")
	}
	cmdNames := []string{"Add", "Alert", "Delete", "Exec", "Get", "Replace", "Results", "Status", "Copy"}
	children := []string{"CmdID", "NoResp", "Data", "Correlator", "Archive", "SftDel", "Lang", "MsgRef", "CmdRef", "Cmd", "TargetRef", "SourceRef"}
	out.WriteString(`<SyncML xmlns="SYNCML:SYNCML1.2">`)
	ws()
	out.WriteString("<SyncHdr>")
	hdr := []string{"VerDTD", "VerProto", "SessionID", "MsgID", "RespURI", "NoResp"}
	for n := next(8); n > 0; n-- {
		switch k := next(10); k {
		case 6:
			location("Target")
		case 7:
			location("Source")
		case 8:
			meta()
		case 9:
			ws()
			out.WriteString("<Cred>")
			for m := next(3); m > 0; m-- {
				if next(2) == 0 {
					meta()
				} else {
					leaf("Data")
				}
			}
			ws()
			out.WriteString("</Cred>")
		default:
			leaf(hdr[k])
		}
	}
	ws()
	out.WriteString("</SyncHdr>")
	ws()
	out.WriteString([]string{"<SyncBody>", "<SyncBody>", `<SyncBody xmlns:msft="` + NamespaceMSFT + `">`, `<SyncBody xmlns:msft="urn:x">`}[next(4)])
	for n := next(4); n > 0; n-- {
		name := cmdNames[next(len(cmdNames))]
		ws()
		out.WriteString("<" + name + ">")
		for m := next(6); m > 0; m-- {
			switch next(4) {
			case 0:
				item()
			case 1:
				meta()
			default:
				leaf(children[next(len(children))])
			}
		}
		ws()
		out.WriteString("</" + name + ">")
	}
	if next(3) > 0 {
		leaf("Final")
	}
	ws()
	out.WriteString("</SyncBody></SyncML>")
	ws()
	return []byte(out.String())
}
