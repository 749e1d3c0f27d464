package syncml

import (
	"fmt"
	"strings"
	"testing"
)

// fastReads reports whether the fast reader reads data (UTF-8) whole,
// with the default limits, rather than leaving it to the general reader.
func fastReads(data string) bool {
	sc := getScanner(data, Limits{}.withDefaults())
	defer putScanner(sc)
	pos, err := sc.prolog(0)
	if err != nil {
		return false
	}
	var m Message
	if m.XMLNS, pos, err = sc.root(pos); err != nil {
		return false
	}
	return sc.fastMessage(pos, &m)
}

// fastCase is a message for TestFastDecodeCases: whether the fast reader
// reads it whole, and whether it is an error (for both readers).
type fastCase struct {
	name string
	in   string
	fast bool
	bad  bool
}

// refCases are texts with references in each place the fast reader
// reads text, and malformed or refused references there.
func refCases() []fastCase {
	item := func(s string) string {
		return fastFuzzHead + `<Replace><CmdID>2</CmdID><Item>` + s + `</Item></Replace>` + fastFuzzTail
	}
	var cs []fastCase
	for _, r := range []struct {
		ref  string
		want string // "" when it is an error
	}{
		{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", `"`}, {"&apos;", "'"},
		{"&#65;", "A"}, {"&#x41;", "A"}, {"&#0000065;", "A"}, {"&#xe9;", "\u00e9"}, {"&#x1F600;", "\U0001F600"},
		{"&#9;", "\t"}, {"&#10;", "\n"}, {"&#13;", "\r"}, {"&#32;", " "},
		{"&#0;", ""}, {"&#xD800;", ""}, {"&#xFFFE;", ""}, {"&#x110000;", ""}, {"&#;", ""}, {"&#x;", ""},
		{"&#6a;", ""}, {"&#X41;", ""}, {"&LT;", ""}, {"&nbsp;", ""}, {"&lt", ""}, {"&", ""}, {"& lt;", ""},
	} {
		bad := r.want == ""
		for _, at := range []struct{ name, in string }{
			{"Data", item(`<Data>a` + r.ref + `b</Data>`)},
			{"Data alone", item(`<Data>` + r.ref + `</Data>`)},
			{"Data twice", item(`<Data>` + r.ref + r.ref + `x` + r.ref + `</Data>`)},
			{"plain Item", item(`<Source><LocURI>./a` + r.ref + `</LocURI></Source><Data>` + r.ref + `</Data>`)},
			{"LocURI", item(`<Target><LocURI>` + r.ref + `</LocURI><LocName>n` + r.ref + `</LocName></Target>`)},
			{"CmdID", fastFuzzHead + `<Alert><CmdID>` + r.ref + `</CmdID></Alert>` + fastFuzzTail},
			{"Meta", item(`<Meta><Type xmlns="syncml:metinf">` + r.ref + `</Type></Meta>`)},
			{"header", strings.Replace(fastFuzzHead, "<SessionID>1", "<SessionID>1"+r.ref, 1) + fastFuzzTail},
			{"header LocURI", strings.Replace(fastFuzzHead, "DEV", "DEV"+r.ref, 1) + fastFuzzTail},
		} {
			cs = append(cs, fastCase{r.ref + " in " + at.name, at.in, !bad, bad})
		}
	}
	// where the fast reader still gives up: a reference next to a
	// character it does not read, or as white space between elements
	cs = append(cs,
		fastCase{"ref and CR", item("<Data>&amp;\r</Data>"), false, false},
		fastCase{"ref and non-ASCII", item("<Data>&amp;\u00e9</Data>"), true, false},
		fastCase{"ref and ]", item("<Data>&amp;]</Data>"), true, false},
		fastCase{"ref and invalid UTF-8", item("<Data>&amp;\xff</Data>"), false, true},
		fastCase{"ref and ]]>", item("<Data>&amp;]]></Data>"), false, true},
		fastCase{"ref then markup", item("<Data>&amp;<x/></Data>"), false, false},
		fastCase{"ref at the end", fastFuzzHead + `<Alert><CmdID>&amp;`, false, true},
		fastCase{"ref between elements", item("&#32;<Data>x</Data>"), false, false},
		fastCase{"ref in Final", fastFuzzHead + `<Final>&#32;</Final></SyncBody></SyncML>`, true, false},
		fastCase{"ref x in Final", fastFuzzHead + `<Final>&#65;</Final></SyncBody></SyncML>`, false, true},
	)
	return cs
}

// indentCases are Items and header locations with white space between
// their tags in each position (what plainItem and location's common
// shape read), and the same with text or other markup there instead.
func indentCases() []fastCase {
	item := func(s string) string {
		return fastFuzzHead + `<Replace><CmdID>2</CmdID><Item>` + s + `</Item></Replace>` + fastFuzzTail
	}
	// the gaps of <Item>_<Source>_<LocURI>a</LocURI>_</Source>_<Data>1</Data>_</Item>
	parts := []string{`<Source>`, `<LocURI>a</LocURI>`, `</Source>`, `<Data>1</Data>`}
	gapped := func(gap int, ws string) string {
		var b strings.Builder
		for i, p := range parts {
			if i == gap {
				b.WriteString(ws)
			}
			b.WriteString(p)
		}
		if gap == len(parts) {
			b.WriteString(ws)
		}
		return b.String()
	}
	var cs []fastCase
	for gap := 0; gap <= len(parts); gap++ {
		for _, ws := range []string{" ", "\n    ", "\r\n\t\t", "\n" + strings.Repeat(" ", 21)} {
			cs = append(cs, fastCase{fmt.Sprintf("gap %d %q", gap, ws), item(gapped(gap, ws)), true, false})
		}
		// text, a comment, a reference or an element in the gap:
		cs = append(cs,
			fastCase{fmt.Sprintf("gap %d text", gap), item(gapped(gap, "\n x ")), false, true},
			fastCase{fmt.Sprintf("gap %d comment", gap), item(gapped(gap, "\n<!-- c -->\n")), false, false},
			fastCase{fmt.Sprintf("gap %d space ref", gap), item(gapped(gap, "\n&#32;")), false, false},
			// MoreData, which the fast reader reads (but not in Source)
			fastCase{fmt.Sprintf("gap %d element", gap), item(gapped(gap, "\n<MoreData/>\n")), gap != 1 && gap != 2, gap == 1 || gap == 2},
		)
	}
	all := "\n  <Target>\n    <LocURI>./b</LocURI>\n  </Target>\n  <Data>x y</Data>\n"
	cs = append(cs,
		fastCase{"indented Target", item(all), true, false},
		fastCase{"indented Source alone", item("\n <Source>\n  <LocURI>./b</LocURI>\n </Source>\n"), true, false},
		fastCase{"indented Data alone", item("\n <Data>1</Data>\n"), true, false},
		fastCase{"indented empty LocURI", item("\n <Source>\n  <LocURI></LocURI>\n </Source>\n"), true, false},
		fastCase{"indented empty Data", item("\n <Data></Data>\n"), true, false},
		fastCase{"spaces in LocURI", item("\n <Source>\n  <LocURI> ./b </LocURI>\n </Source>\n"), true, false},
		fastCase{"line break in LocURI", item("\n <Source>\n  <LocURI>\n./b</LocURI>\n </Source>\n"), true, false},
		fastCase{"indented Source, Target", item("\n <Source>\n  <LocURI>a</LocURI>\n </Source>\n <Target>\n  <LocURI>b</LocURI>\n </Target>\n"), true, false},
		fastCase{"indented Source twice", item("\n <Source>\n  <LocURI>a</LocURI>\n </Source>\n <Source>\n  <LocURI>b</LocURI>\n </Source>\n"), false, true},
		fastCase{"indented Data twice", item("\n <Data>1</Data>\n <Data>2</Data>\n"), false, true},
		fastCase{"indented Source, wrong end", item("\n <Source>\n  <LocURI>a</LocURI>\n </Target>\n"), false, true},
		fastCase{"indented Source, end cut", item("\n <Source>\n  <LocURI>a</LocURI>\n </Sourc>\n"), false, true},
		fastCase{"indented Source, LocName", item("\n <Source>\n  <LocURI>a</LocURI>\n  <LocName>n</LocName>\n </Source>\n"), true, false},
		fastCase{"indented Source, no LocURI", item("\n <Source>\n </Source>\n"), true, false},
		fastCase{"indented header", strings.NewReplacer("<Target>", "\n  <Target>\n    ", "</Target>", "\n  </Target>", "<Source>", "\n  <Source>\t", "</Source>", "\t</Source>\n").Replace(fastFuzzHead) + fastFuzzTail, true, false},
		fastCase{"indented header, text", strings.Replace(fastFuzzHead, "<Target>", "<Target> x ", 1) + fastFuzzTail, false, true},
		fastCase{"indented header, text after", strings.Replace(fastFuzzHead, "</LocURI></Target>", "</LocURI> x </Target>", 1) + fastFuzzTail, false, true},
		fastCase{"indented header, wrong end", strings.Replace(fastFuzzHead, "</LocURI></Target>", "</LocURI>\n</Source>", 1) + fastFuzzTail, false, true},
		fastCase{"pretty check-in", strings.ReplaceAll(string(benchCheckIn("D")), "><", ">\n    <"), true, false},
		fastCase{"CRLF check-in", strings.ReplaceAll(string(benchCheckIn("D")), "><", ">\r\n\t<"), true, false},
	)
	return cs
}

// attrCases are the attributes the fast reader takes as Windows writes
// them (the msft prefix declared on SyncBody, msft:originalerror on Data),
// Cred in the header, and white space before the end of a start tag, with
// variants it leaves to the general reader.
func attrCases() []fastCase {
	const decl = ` xmlns:msft="` + NamespaceMSFT + `"`
	body := func(attrs, cmds string) string {
		return strings.Replace(fastFuzzHead, "<SyncBody>", "<SyncBody"+attrs+">", 1) + cmds + fastFuzzTail
	}
	status := func(data string) string {
		return `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd>` + data + `</Status>`
	}
	const orig = `<Data msft:originalerror="0x86000002">404</Data>`
	hdr := func(cred string) string {
		return strings.Replace(fastFuzzHead, "</SyncHdr>", cred+"</SyncHdr>", 1) + fastFuzzTail
	}
	const meta = `<Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta>`
	return []fastCase{
		{"msft declared", body(decl, status(`<Data>200</Data>`)), true, false},
		{"msft declared, indented", strings.ReplaceAll(body(decl, status(orig)), "><", ">\n  <"), true, false},
		{"originalerror in Status", body(decl, status(orig)), true, false},
		{"originalerror in Item", body(decl, `<Results><CmdID>1</CmdID><Item><Source><LocURI>./a</LocURI></Source>`+orig+`</Item></Results>`), true, false},
		{"originalerror in Alert", body(decl, `<Alert><CmdID>1</CmdID>`+orig+`</Alert>`), true, false},
		{"originalerror, empty Data", body(decl, status(`<Data msft:originalerror="0x1"/>`)), true, false},
		{"originalerror, empty value", body(decl, status(`<Data msft:originalerror="">404</Data>`)), false, true},
		{"originalerror, space before >", body(decl, status(`<Data msft:originalerror="0x1"  >404</Data>`)), true, false},
		{"originalerror, space before />", body(decl, status(`<Data msft:originalerror="0x1" />`)), true, false},
		{"originalerror, quote in value", body(decl, status(`<Data msft:originalerror="a'b">404</Data>`)), true, false},
		{"originalerror, reference", body(decl, status(`<Data msft:originalerror="a&amp;b">404</Data>`)), false, false},
		{"originalerror, tab", body(decl, status("<Data msft:originalerror=\"a\tb\">404</Data>")), false, false},
		{"originalerror, single quotes", body(decl, status(`<Data msft:originalerror='0x1'>404</Data>`)), false, false},
		{"originalerror, <", body(decl, status(`<Data msft:originalerror="a<b">404</Data>`)), false, true},
		{"originalerror, cut", body(decl, status(`<Data msft:originalerror="0x1></Data></Status>`)), false, true},
		{"originalerror, no end", body(decl, status(`<Data msft:originalerror="0x1"x>404</Data>`)), false, true},
		{"originalerror twice", body(decl, status(`<Data msft:originalerror="1" msft:originalerror="2">404</Data>`)), false, true},
		{"originalerror undeclared", body("", status(orig)), false, true},
		{"originalerror on CmdID", body(decl, `<Alert><CmdID msft:originalerror="1">1</CmdID></Alert>`), false, true},
		{"originalerror, other prefix", body(` xmlns:m="`+NamespaceMSFT+`"`, status(`<Data m:originalerror="0x1">404</Data>`)), false, false},
		{"msft, other namespace", body(` xmlns:msft="urn:x"`, status(`<Data>200</Data>`)), false, false},
		{"msft, other namespace, originalerror", body(` xmlns:msft="urn:x"`, status(orig)), false, true},
		{"msft declared twice", body(decl+decl, status(`<Data>200</Data>`)), false, true},
		{"msft declared, other attribute", body(decl+` a="b"`, status(`<Data>200</Data>`)), false, true},
		{"msft declared, two spaces", body(" "+decl, status(`<Data>200</Data>`)), false, false},
		{"msft declared on an empty body", strings.Replace(fastFuzzHead, "<SyncBody>", "<SyncBody"+decl+"/>", 1) + `</SyncML>`, false, false},
		{"Cred", hdr(`<Cred>` + meta + `<Data>EVEkoFZcVgPM+ESnu9IC0g==</Data></Cred>`), true, false},
		{"Cred, indented", hdr("\n<Cred>\n  " + meta + "\n  <Data>x</Data>\n</Cred>\n"), true, false},
		{"Cred, Data first", hdr(`<Cred><Data>x</Data>` + meta + `</Cred>`), true, false},
		{"Cred, metinf on Meta", hdr(`<Cred><Meta xmlns="syncml:metinf"><Type>syncml:auth-basic</Type></Meta><Data>x</Data></Cred>`), true, false},
		{"Cred empty", hdr(`<Cred/>`), true, false},
		{"Cred without children", hdr(`<Cred></Cred>`), true, false},
		{"Cred with Data alone", hdr(`<Cred><Data/></Cred>`), true, false},
		{"Cred twice", hdr(`<Cred><Data>x</Data></Cred><Cred/>`), false, true},
		{"Cred, Data twice", hdr(`<Cred><Data>x</Data><Data>y</Data></Cred>`), false, true},
		{"Cred, Meta twice", hdr(`<Cred>` + meta + meta + `</Cred>`), false, true},
		{"Cred, other child", hdr(`<Cred><LocURI>x</LocURI></Cred>`), false, true},
		{"Cred, text", hdr(`<Cred>x<Data>x</Data></Cred>`), false, true},
		{"Cred, wrong end", hdr(`<Cred><Data>x</Data></Meta>`), false, true},
		{"Cred, Data with originalerror", hdr(`<Cred><Data msft:originalerror="1">x</Data></Cred>`), false, true},
		{"Cred, Anchor", hdr(`<Cred><Meta><Anchor><Last>1</Last></Anchor></Meta></Cred>`), false, false},
		{"space before />", fastFuzzHead + `<Final />` + `</SyncBody></SyncML>`, true, false},
		{"space before >", fastFuzzHead + "<Alert\n><CmdID\t>1</CmdID><Data\r\n>1201</Data></Alert><Final/></SyncBody></SyncML>", true, false},
		{"space before > in Item", fastFuzzHead + `<Get ><CmdID>1</CmdID><Item ><Target ><LocURI >./a</LocURI></Target></Item></Get>` + fastFuzzTail, true, false},
		{"space before metinf's >", fastFuzzHead + `<Get><CmdID>1</CmdID><Meta xmlns="syncml:metinf" ><Type>t</Type></Meta></Get>` + fastFuzzTail, false, false},
		{"space, then text", fastFuzzHead + `<Final x/>` + `</SyncBody></SyncML>`, false, true},
		{"space, then /", fastFuzzHead + `<Final / >` + `</SyncBody></SyncML>`, false, true},
		{"space at the end", fastFuzzHead + `<Final `, false, true},
	}
}

// textCases are texts with what the fast reader's byte loop stops at:
// tabs, line feeds, ']' and non-ASCII characters it keeps as they are,
// and carriage returns, control characters, "]]>", invalid UTF-8 and
// characters XML refuses, which it leaves to the general reader.
func textCases() []fastCase {
	item := func(s string) string {
		return fastFuzzHead + `<Replace><CmdID>2</CmdID><Item>` + s + `</Item></Replace>` + fastFuzzTail
	}
	var cs []fastCase
	for _, c := range []struct {
		text      string
		fast, bad bool
	}{
		{"a\tb", true, false}, {"a\nb", true, false}, {"\n\t", true, false}, {"line 1\nline 2\n", true, false},
		{"a]b", true, false}, {"]", true, false}, {"a]]b", true, false}, {"a]>b", true, false}, {"a]]]b", true, false},
		{"caf\u00e9", true, false}, {"\u00e9", true, false}, {"\U0001F600 x", true, false}, {"\u4e2d\u6587", true, false},
		{"\ufffd", true, false}, {"\u00e9&amp;\u00e9\n", true, false}, {strings.Repeat("\u00e9", 20), true, false},
		{"a\rb", false, false}, {"a\r\nb", false, false},
		{"a]]>b", false, true}, {"]]>", false, true},
		{"a\x01b", false, true}, {"a\x7fb", true, false}, {"\x00", false, true},
		{"\xff", false, true}, {"caf\xc3", false, true}, {"\xc3\xa9\xa9", false, true}, {"\xed\xa0\x80", false, true},
		{"\uffff", false, true}, {"\ufffe", false, true}, {"\u0085", true, false},
	} {
		for _, at := range []struct{ name, in string }{
			{"Data", item(`<Data>` + c.text + `</Data>`)},
			{"LocURI", item(`<Source><LocURI>` + c.text + `</LocURI></Source>`)},
			{"CmdID", fastFuzzHead + `<Alert><CmdID>` + c.text + `</CmdID></Alert>` + fastFuzzTail},
			{"header", strings.Replace(fastFuzzHead, "<SessionID>1", "<SessionID>"+c.text, 1) + fastFuzzTail},
		} {
			cs = append(cs, fastCase{fmt.Sprintf("%q in %s", c.text, at.name), at.in, c.fast, c.bad})
		}
	}
	return cs
}

// noHeaderCases are messages without SyncHdr, as a Session keeps the
// commands of its state: the fast reader reads them when their body is
// in its shape.
func noHeaderCases() []fastCase {
	get := `<Get><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get>`
	decl := ` xmlns:msft="` + NamespaceMSFT + `"`
	return []fastCase{
		{"no header", `<SyncML><SyncBody>` + get + `</SyncBody></SyncML>`, true, false},
		{"no header, 1.2", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody>` + get + `<Final/></SyncBody></SyncML>`, true, false},
		{"no header, indented", "<SyncML>\n  <SyncBody>\n    " + get + "\n  </SyncBody>\n</SyncML>\n", true, false},
		{"no header, msft", `<SyncML><SyncBody` + decl + `><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd>` +
			`<Data msft:originalerror="0x1">404</Data></Status></SyncBody></SyncML>`, true, false},
		{"no header, no commands", `<SyncML><SyncBody></SyncBody></SyncML>`, true, false},
		{"no header, empty body", `<SyncML><SyncBody/></SyncML>`, false, false},
		{"no header, no body", `<SyncML></SyncML>`, false, true},
		{"no header, other element", `<SyncML><Get/></SyncML>`, false, true},
		{"no header, header after the body", `<SyncML><SyncBody></SyncBody><SyncHdr/></SyncML>`, false, true},
		{"no header, Atomic", `<SyncML><SyncBody><Atomic><CmdID>1</CmdID>` + get + `</Atomic></SyncBody></SyncML>`, false, false},
		{"no header, comment before the body", `<SyncML><!-- c --><SyncBody>` + get + `</SyncBody></SyncML>`, false, false},
		{"no header, PI before the body", `<SyncML><?pi x?><SyncBody>` + get + `</SyncBody></SyncML>`, false, false},
		{"no header, PI after the body", `<SyncML><SyncBody>` + get + `</SyncBody><?pi x?></SyncML>`, false, false},
		{"no header, PI after the root", `<SyncML><SyncBody>` + get + `</SyncBody></SyncML><?pi x?>`, false, false},
		{"no header, text before the body", `<SyncML>x<SyncBody>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, reference before the body", `<SyncML>&#32;<SyncBody>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, space before the body", "<SyncML> \r\n\t<SyncBody>" + get + `</SyncBody></SyncML>`, true, false},
		{"no header, space in the body tag", `<SyncML><SyncBody >` + get + `</SyncBody></SyncML>`, true, false},
		{"no header, space in the end tags", `<SyncML><SyncBody>` + get + `</SyncBody ></SyncML >`, false, false},
		{"no header, space before the msft body", "<SyncML>\n<SyncBody" + decl + `>` + get + `</SyncBody></SyncML>`, true, false},
		{"no header, msft body without commands", `<SyncML><SyncBody` + decl + `></SyncBody></SyncML>`, true, false},
		{"no header, Final alone", `<SyncML><SyncBody><Final/></SyncBody></SyncML>`, true, false},
		{"no header, command after Final", `<SyncML><SyncBody><Final/>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, full header after the body", `<SyncML><SyncBody>` + get + `</SyncBody><SyncHdr><MsgID>1</MsgID></SyncHdr></SyncML>`, false, true},
		{"no header, two bodies", `<SyncML><SyncBody>` + get + `</SyncBody><SyncBody>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, body after an empty header", `<SyncML><SyncHdr/><SyncBody>` + get + `</SyncBody></SyncML>`, false, false},
		{"no header, body after an empty header pair", `<SyncML><SyncHdr></SyncHdr><SyncBody>` + get + `</SyncBody></SyncML>`, true, false},
		{"no header, header with an attribute", `<SyncML><SyncHdr a="1"><MsgID>1</MsgID></SyncHdr><SyncBody>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, body with an attribute", `<SyncML><SyncBody a="1">` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, body with a metinf declaration", `<SyncML><SyncBody xmlns="` + NamespaceMetInf + `">` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, unclosed body", `<SyncML><SyncBody>` + get + `</SyncML>`, false, true},
		{"no header, unclosed root", `<SyncML><SyncBody>` + get + `</SyncBody>`, false, true},
		{"no header, prefixed", `<s:SyncML xmlns:s="SYNCML:SYNCML1.2"><s:SyncBody>` + get + `</s:SyncBody></s:SyncML>`, false, false},
		{"no header, body of another namespace", `<SyncML><x:SyncBody xmlns:x="urn:x">` + get + `</x:SyncBody></SyncML>`, false, true},
		{"no header, long name before the body", `<SyncML><SyncBodyAndMore>` + get + `</SyncBodyAndMore></SyncML>`, false, true},
		{"no header, SyncHdr-like name", `<SyncML><SyncHdrX></SyncHdrX><SyncBody>` + get + `</SyncBody></SyncML>`, false, true},
		{"no header, body then text", `<SyncML><SyncBody>` + get + `</SyncBody>x</SyncML>`, false, true},
		{"no header, trailing space", `<SyncML><SyncBody>` + get + "</SyncBody></SyncML>\n\n", true, false},
		{"no header, trailing element", `<SyncML><SyncBody>` + get + `</SyncBody></SyncML><x/>`, false, true},
	}
}

// fastCases are all the cases of TestFastDecodeCases.
func fastCases() []fastCase {
	return append(append(append(append(refCases(), indentCases()...), attrCases()...), textCases()...), noHeaderCases()...)
}

// TestFastDecodeCases checks, for each case, that the fast reader reads
// the message whole or leaves it to the general reader as expected, and
// that Unmarshal gives what the general reader alone gives: the same
// message, or the same error (type, offset, line, column, path, cause).
func TestFastDecodeCases(t *testing.T) {
	defer SetFastDecode(SetFastDecode(true))
	for _, c := range fastCases() {
		if got := fastReads(c.in); got != c.fast {
			t.Errorf("%s: the fast reader reads it: %v, want %v\ninput %q", c.name, got, c.fast, c.in)
		}
		var m Message
		SetFastDecode(false)
		if err := Unmarshal([]byte(c.in), &m); (err != nil) != c.bad {
			t.Errorf("%s: error %v, want one: %v", c.name, err, c.bad)
		}
		checkFastDecode(t, []byte(c.in), Limits{}, false)
		checkFastDecode(t, []byte(c.in), Limits{}, true)
	}
}

// TestPlainItemIndented checks that plainItem reads the common Item
// shape whole with white space in any one gap between its tags, and
// counts the tokens that open would (five, and one for the gap).
func TestPlainItemIndented(t *testing.T) {
	parts := []string{`<Source>`, `<LocURI>a</LocURI>`, `</Source>`, `<Data>1</Data>`, `</Item>`}
	for gap := 0; gap < len(parts); gap++ {
		for _, ws := range []string{"", " ", "\n\t", "\r\n" + strings.Repeat(" ", 17)} {
			in := strings.Join(parts[:gap], "") + ws + strings.Join(parts[gap:], "")
			sc := getScanner(in, Limits{}.withDefaults())
			f := fastDec{sc: sc, s: in, depth: 1, maxDepth: 10}
			var it Item
			var seen uint32
			ok := f.plainItem(&it, &seen)
			want := 5
			if ws != "" {
				want++
			}
			if !ok || f.pos != len(in) || f.tokens != want || f.depth != 0 || it.Source == nil || it.Source.LocURI != "a" || it.Data == nil || it.Data.Value != "1" {
				t.Errorf("%q: ok %v, pos %d of %d, tokens %d (want %d), depth %d, item %+v", in, ok, f.pos, len(in), f.tokens, want, f.depth, it)
			}
			putScanner(sc)
		}
	}
}

// TestPlainLeafAgrees checks plainLeaf and plainStart, which read a leaf
// or a start tag the fast reader expects in a place, against open, text
// and close, which read whatever comes: where they read it, they read the
// same (value, offset, tokens, depth); where the element is another or
// has another shape, they read nothing. Around each element: white space
// or none before it, other text after it, and its end at the end of the
// input or not.
func TestPlainLeafAgrees(t *testing.T) {
	names := []string{"CmdID", "Cmd", "Data", "VerProto", "SessionID", "Target"}
	bodies := []string{"2", "", "DM/1.2", "a b", " x ", "&amp;", "\u00e9", "a]b", "]]>", "\r", "\t1", "<x/>", strings.Repeat("y", 40)}
	var ins []string
	for _, n := range names {
		for _, b := range bodies {
			ins = append(ins, "<"+n+">"+b+"</"+n+">")
		}
		ins = append(ins, "<"+n+"/>", "<"+n+" >1</"+n+">", "<"+n+` xmlns="syncml:metinf">1</`+n+">", "<"+n+"x>1</"+n+"x>",
			"<"+n+">1</"+n+"x>", "<"+n+">1</"+n+" >", "<"+n+">1</"+n, "<"+n+">1<", "<"+n, "</"+n+">")
	}
	leaves := map[string]*leafTags{"CmdID": &leafCmdID, "Cmd": &leafCmd, "Data": &leafData, "VerProto": &leafVerProto, "SessionID": &leafSessionID}
	starts := map[string]*tagWords{"Target": &tagTarget, "Source": &tagSource}
	sc := getScanner("", Limits{}.withDefaults()) // for text's references
	defer putScanner(sc)
	read := 0
	for _, in := range ins {
		for _, pre := range []string{"", " ", "\n\t  "} {
			for _, post := range []string{"", "<Next/>", "\n</Up>"} {
				for _, maxDepth := range []int{2, 3} {
					s := pre + in + post
					newDec := func() fastDec { return fastDec{sc: sc, s: s, depth: 2, maxDepth: maxDepth} }
					// what open, text and close read
					o := newDec()
					name, w, kind, decl, ok := o.open(false)
					var v string
					if ok && kind != fEnd {
						v, ok = o.text(name, w, kind, decl)
					}
					for want, l := range leaves {
						p := newDec()
						got, pok := p.plainLeaf(l)
						if !pok {
							if p.pos != 0 || p.tokens != 0 || p.depth != 2 {
								t.Errorf("%q, leaf %s: not read, but pos %d, tokens %d, depth %d", s, want, p.pos, p.tokens, p.depth)
							}
							continue
						}
						read++
						if !ok || name != want || kind != fStart || got != v || p.pos != o.pos || p.tokens != o.tokens || p.depth != o.depth {
							t.Errorf("%q, leaf %s: read %q to %d, %d tokens, depth %d; open and text: %v %q %q to %d, %d tokens, depth %d",
								s, want, got, p.pos, p.tokens, p.depth, ok, name, v, o.pos, o.tokens, o.depth)
						}
					}
					for want, st := range starts {
						o := newDec()
						name, _, kind, _, ok := o.open(false)
						p := newDec()
						if !p.plainStart(st) {
							if p.pos != 0 || p.tokens != 0 || p.depth != 2 {
								t.Errorf("%q, start %s: not read, but pos %d, tokens %d, depth %d", s, want, p.pos, p.tokens, p.depth)
							}
							continue
						}
						read++
						if !ok || name != want || kind != fStart || p.pos != o.pos || p.tokens != o.tokens || p.depth != o.depth {
							t.Errorf("%q, start %s: read to %d, %d tokens, depth %d; open: %v %q to %d, %d tokens, depth %d",
								s, want, p.pos, p.tokens, p.depth, ok, name, o.pos, o.tokens, o.depth)
						}
					}
				}
			}
		}
	}
	if read < 100 {
		t.Errorf("plainLeaf and plainStart read only %d inputs", read)
	}
}
