package declaredconfig

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestWellFormedness lists input encoding/xml lets through (or that needs
// an XML 1.0 rule it does not check) and that the reader refuses, with the
// cause, the byte offset and the element path of the error.
func TestWellFormedness(t *testing.T) {
	const root = "<DeclaredConfiguration>"
	tests := []struct {
		name string
		in   string
		want error
		off  int64  // -1: not checked
		path string // "-": not checked
	}{
		// Namespaces in XML
		{"undeclared element prefix", root + "<p:x/></DeclaredConfiguration>", ErrNamespace, 24, "/DeclaredConfiguration/p:x"},
		{"undeclared attribute prefix", `<DeclaredConfiguration p:a="1"/>`, ErrNamespace, 23, "/DeclaredConfiguration"},
		{"prefix used outside its scope", root + `<a xmlns:p="urn:p"/><p:b/></DeclaredConfiguration>`, ErrNamespace, 44, "/DeclaredConfiguration/p:b"},
		{"prefix bound to the empty name", `<DeclaredConfiguration xmlns:p=""/>`, ErrNamespace, 23, "/DeclaredConfiguration"},
		{"xmlns prefix declared", `<DeclaredConfiguration xmlns:xmlns="urn:x"/>`, ErrNamespace, 23, "/DeclaredConfiguration"},
		{"xml prefix bound elsewhere", `<DeclaredConfiguration xmlns:xml="urn:x"/>`, ErrNamespace, 23, "-"},
		{"xml namespace bound to another prefix", `<DeclaredConfiguration xmlns:x="http://www.w3.org/XML/1998/namespace"/>`, ErrNamespace, -1, "-"},
		{"xmlns namespace bound", `<DeclaredConfiguration xmlns:x="http://www.w3.org/2000/xmlns/"/>`, ErrNamespace, -1, "-"},
		{"xml namespace as default", `<DeclaredConfiguration xmlns="http://www.w3.org/XML/1998/namespace"/>`, ErrNamespace, -1, "-"},
		{"element prefixed xmlns", root + `<xmlns:a/></DeclaredConfiguration>`, ErrNamespace, 24, "-"},
		{"empty local name", `<DeclaredConfiguration x:="1"/>`, ErrNamespace, 23, "-"},
		{"empty prefix", `<DeclaredConfiguration :x="1"/>`, ErrNamespace, 23, "-"},
		{"two colons", root + `<a:b:c xmlns:a="u"/></DeclaredConfiguration>`, ErrNamespace, 24, "-"},
		{"colon in PI target", root + `<?a:b c?></DeclaredConfiguration>`, ErrNamespace, 23, "-"},
		// duplicate attributes
		{"same name twice", `<DeclaredConfiguration a="1" a="2"/>`, ErrDuplicateAttr, 29, "/DeclaredConfiguration"},
		{"same expanded name", `<DeclaredConfiguration xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>`, ErrDuplicateAttr, 63, "/DeclaredConfiguration"},
		{"declaration twice", `<DeclaredConfiguration xmlns:p="urn:x" xmlns:p="urn:x"/>`, ErrDuplicateAttr, 39, "/DeclaredConfiguration"},
		{"duplicate in kept markup", root + `<CSP><URI><v a="1" a="2"/></URI></CSP></DeclaredConfiguration>`, ErrDuplicateAttr, 42, "/DeclaredConfiguration/CSP/URI/v"},
		// characters
		{"surrogate reference", root + "<CSP><URI>&#xD800;</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, 33, "/DeclaredConfiguration/CSP/URI"},
		{"reference to NUL", root + "<CSP><URI>&#0;</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, 33, "-"},
		{"reference to U+FFFE", root + "<CSP><URI>&#xFFFE;</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, -1, "-"},
		{"reference out of range", root + "<CSP><URI>&#x110000;</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, -1, "-"},
		{"control character in text", root + "<CSP><URI>a\x01</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, 34, "-"},
		{"control character in comment", root + "<!-- \x02 --></DeclaredConfiguration>", ErrInvalidChar, 28, "-"},
		{"control character in PI", root + "<?pi \x02?></DeclaredConfiguration>", ErrInvalidChar, -1, "-"},
		{"control character in CDATA", root + "<CSP><URI><![CDATA[\x03]]></URI></CSP></DeclaredConfiguration>", ErrInvalidChar, -1, "-"},
		{"control character in attribute", "<DeclaredConfiguration a=\"\x04\"/>", ErrInvalidChar, 26, "/DeclaredConfiguration"},
		{"invalid UTF-8", root + "<CSP><URI>\xff</URI></CSP></DeclaredConfiguration>", ErrEncoding, 33, "-"},
		{"U+FFFF as UTF-8", root + "<CSP><URI>\uffff</URI></CSP></DeclaredConfiguration>", ErrInvalidChar, -1, "-"},
		// XML 1.0 rules
		{"no space between attributes", `<DeclaredConfiguration a="1"b="2"/>`, ErrSyntax, 28, "/DeclaredConfiguration"},
		{"unquoted attribute", `<DeclaredConfiguration a=1/>`, ErrSyntax, 25, "/DeclaredConfiguration"},
		{"< in attribute", `<DeclaredConfiguration a="<"/>`, ErrSyntax, 26, "/DeclaredConfiguration"},
		{"undefined entity in attribute of kept markup", root + `<CSP><URI><v a="&x;"/></URI></CSP></DeclaredConfiguration>`, ErrEntity, 39, "/DeclaredConfiguration/CSP/URI/v"},
		{"unquoted attribute of kept markup", root + `<CSP><URI><v a=’1’/></URI></CSP></DeclaredConfiguration>`, ErrSyntax, 38, "/DeclaredConfiguration/CSP/URI/v"},
		{"undefined entity", root + "&nbsp;</DeclaredConfiguration>", ErrSyntax, 23, "-"},
		{"bare ampersand", root + "<CSP><URI>a & b</URI></CSP></DeclaredConfiguration>", ErrSyntax, -1, "-"},
		{"]]> in text", root + "<CSP><URI>]]></URI></CSP></DeclaredConfiguration>", ErrSyntax, 33, "-"},
		{"-- in comment", root + "<!-- a -- b --></DeclaredConfiguration>", ErrSyntax, -1, "-"},
		{"comment ending --->", root + "<!-- a ---></DeclaredConfiguration>", ErrSyntax, -1, "-"},
		{"PI target xml inside", root + `<?xml version="1.0"?></DeclaredConfiguration>`, ErrSyntax, -1, "-"},
		{"PI target XmL", `<?XmL version="1.0"?><DeclaredConfiguration/>`, ErrSyntax, -1, "-"},
		{"PI target glued to data", root + `<?pi"x"?></DeclaredConfiguration>`, ErrSyntax, -1, "-"},
		{"declaration without version", `<?xml encoding="UTF-8"?><DeclaredConfiguration/>`, ErrSyntax, -1, "-"},
		{"declaration out of order", `<?xml version="1.0" standalone="yes" encoding="UTF-8"?><DeclaredConfiguration/>`, ErrSyntax, -1, "-"},
		{"declaration bad standalone", `<?xml version="1.0" standalone="maybe"?><DeclaredConfiguration/>`, ErrSyntax, -1, "-"},
		{"declaration version 2", `<?xml version="2.0"?><DeclaredConfiguration/>`, ErrSyntax, -1, "-"},
		{"DOCTYPE", "<!DOCTYPE x><DeclaredConfiguration/>", ErrSyntax, 0, ""},
		{"DOCTYPE inside", root + "<!DOCTYPE x></DeclaredConfiguration>", ErrSyntax, 23, "/DeclaredConfiguration"},
		{"other declaration", root + "<!ELEMENT x ANY></DeclaredConfiguration>", ErrSyntax, -1, "-"},
		{"CDATA outside the root", "<![CDATA[x]]><DeclaredConfiguration/>", ErrSyntax, -1, "-"},
		{"reference outside the root", "<DeclaredConfiguration/>&#32;", ErrSyntax, 24, ""},
		{"end tag with other name", root + "<CSP></URI></DeclaredConfiguration>", ErrSyntax, 28, "/DeclaredConfiguration/CSP"},
		{"truncated", root + "<CSP", ErrSyntax, -1, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			err := d.UnmarshalText([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("UnmarshalText(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("%v does not match ErrSyntax", err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%v is not a *DecodeError", err)
			}
			if tt.off >= 0 && de.Offset != tt.off {
				t.Errorf("offset %d, want %d (%v)", de.Offset, tt.off, err)
			}
			if tt.path != "-" && de.Path != tt.path {
				t.Errorf("path %q, want %q (%v)", de.Path, tt.path, err)
			}
			if !strings.HasPrefix(err.Error(), "declaredconfig: ") {
				t.Errorf("error without package prefix: %v", err)
			}
		})
	}
}

// TestNamespacesAccepted lists namespace-well-formed input that must be
// read, and checks that it round-trips and can travel in a SyncML Data.
func TestNamespacesAccepted(t *testing.T) {
	tests := []string{
		`<DeclaredConfiguration xmlns="" schema="1.0"/>`,
		`<DeclaredConfiguration xml:lang="en"/>`,
		`<DeclaredConfiguration xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:space="preserve"/>`,
		`<DeclaredConfiguration xmlns:p="urn:p" p:a="1" a="2"/>`,
		`<DeclaredConfiguration xmlns:p="urn:p" xmlns:q="urn:q" p:a="1" q:a="2"/>`,
		`<DeclaredConfiguration xmlns:p="urn:p"><p:x p:a="1"/></DeclaredConfiguration>`,
		`<DeclaredConfiguration xmlns:p="urn:p"><CSP name="c"><URI path="x"><p:v/></URI></CSP></DeclaredConfiguration>`,
		`<DeclaredConfiguration><x xmlns:p="urn:p"><p:y/></x><x xmlns:p="urn:other"><p:y/></x></DeclaredConfiguration>`,
		`<DeclaredConfiguration><x xmlns=""/></DeclaredConfiguration>`,
		`<DeclaredConfiguration><CSP name="c"><URI path="x">&#x10FFFF;&#xE000;&#9;&#x0000041;</URI></CSP></DeclaredConfiguration>`,
		"<?xml version=\"1.1\" encoding='UTF-8' standalone=\"no\" ?>\n<DeclaredConfiguration/>",
		"<DeclaredConfiguration><!-- a - b --><?pi?><?pi data?></DeclaredConfiguration>",
		`<DeclaredConfiguration><CSP name="c"><URI path="x">a]b]]c</URI></CSP></DeclaredConfiguration>`,
		"<DeclaredConfiguration \u00e9\u0300=\"1\" \u4e2d:x=\"2\" xmlns:\u4e2d=\"urn:z\"/>",
	}
	for _, in := range tests {
		var d Document
		if err := d.UnmarshalText([]byte(in)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", in, err)
			continue
		}
		checkInSyncML(t, &d)
	}
}

// checkInSyncML writes v, sends it as markup in a SyncML Data through
// syncml.Marshal and syncml.Unmarshal, and checks it comes back unchanged.
func checkInSyncML(t *testing.T, v textCodec) {
	t.Helper()
	c, err := v.MarshalText()
	if err != nil {
		t.Errorf("MarshalText: %v", err)
		return
	}
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1"},
		Body: syncml.Body{Commands: []syncml.Command{&syncml.Replace{CmdID: "2", Items: []syncml.Item{{
			Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/x/Document"},
			Data:   syncml.XML(string(c))}}}}, Final: true}}
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Errorf("syncml.Marshal with %q as XML Data: %v", c, err)
		return
	}
	var back syncml.Message
	if err := syncml.Unmarshal(b, &back); err != nil {
		t.Errorf("syncml.Unmarshal: %v\n%s", err, b)
		return
	}
	if got := back.Body.Commands[0].(*syncml.Replace).Items[0].Data.Value; got != string(c) {
		t.Errorf("Data changed:\n%q\n%q", c, got)
	}
}

// TestAttributeNormalisation: a literal TAB, LF or CR LF in an attribute
// value is a space (XML 1.0 §3.3.3), a character reference is kept.
func TestAttributeNormalisation(t *testing.T) {
	var d Document
	in := "<DeclaredConfiguration id=\"a\tb\nc\r\nd&#9;e&#xA;f&#xD;g\"/>"
	if err := d.UnmarshalText([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if want := "a b c d\te\nf\rg"; d.ID != want {
		t.Errorf("ID = %q, want %q", d.ID, want)
	}
}

// TestSyntaxHints: a "<!" that starts no comment (nor, inside an
// element, a CDATA section) names what was found and what may stand
// there, before and after the root element as inside it, as syncml's
// decoder says it (the same xmlscan code); input that ends where a
// comment, CDATA section or DOCTYPE may still begin is cut short.
func TestSyntaxHints(t *testing.T) {
	const dc = "<DeclaredConfiguration/>"
	for _, tt := range []struct{ in, want string }{
		{"<!-—x—>" + dc, `declaredconfig: line 1, column 1 (offset 0): not well-formed: invalid markup declaration "<!-—x": expected "<!--"`},
		{"<!x>" + dc, `declaredconfig: line 1, column 1 (offset 0): not well-formed: invalid markup declaration "<!x>": expected "<!--"`},
		{dc + "\n<!-—x—>", `declaredconfig: line 2, column 1 (offset 25): not well-formed: invalid markup declaration "<!-—x": expected "<!--"`},
		{dc + "<!x>", `declaredconfig: line 1, column 25 (offset 24): not well-formed: invalid markup declaration "<!x>": expected "<!--"`},
		{dc + "<!ELEMENT x ANY>", `declaredconfig: line 1, column 25 (offset 24): not well-formed: invalid markup declaration "<!ELE": expected "<!--"`},
		{"<DeclaredConfiguration><CSP><!-—x—></CSP></DeclaredConfiguration>",
			`declaredconfig: line 1, column 29 (offset 28) in /DeclaredConfiguration/CSP: not well-formed: invalid markup declaration "<!-—x": expected "<!--" or "<![CDATA["`},
		{dc + "\n<!DOC", `declaredconfig: line 2, column 6 (offset 30): not well-formed: unexpected EOF`},
		{dc + "\n<!-", `declaredconfig: line 2, column 4 (offset 28): not well-formed: unexpected EOF`},
		{dc + "<![CDATA[x]]>", `declaredconfig: line 1, column 25 (offset 24): not well-formed: CDATA section outside the root element`},
	} {
		var d Document
		err := d.UnmarshalText([]byte(tt.in))
		if !errors.Is(err, ErrSyntax) || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestErrorPosition checks line, column and offset, also after CR LF line
// ends (which the reader normalises before scanning) and a BOM.
func TestErrorPosition(t *testing.T) {
	in := "\uFEFF\r\n<DeclaredConfiguration>\r\n  <CSP>\r\n    <p:x/>\r\n  </CSP>\r\n</DeclaredConfiguration>"
	var d Document
	err := d.UnmarshalText([]byte(in))
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DecodeError", err)
	}
	wantOff := int64(strings.Index(in, "p:x"))
	if de.Offset != wantOff || de.Line != 4 || de.Column != 6 || de.Path != "/DeclaredConfiguration/CSP/p:x" {
		t.Errorf("got offset %d line %d column %d path %q; want %d, 4, 6, /DeclaredConfiguration/CSP/p:x (%v)",
			de.Offset, de.Line, de.Column, de.Path, wantOff, err)
	}
	// a structure error carries the element's position too
	err = d.UnmarshalText([]byte("<DeclaredConfiguration>\n<CSP>x</CSP></DeclaredConfiguration>"))
	if !errors.As(err, &de) || !errors.Is(err, ErrStructure) || de.Offset != 24 || de.Line != 2 || de.Path != "/DeclaredConfiguration/CSP" {
		t.Errorf("structure error: %v (%+v)", err, de)
	}
}

// TestWriterNamespaces: the writer refuses values whose output would not
// be namespace-well-formed, and checks kept markup in the scope it is
// written in.
func TestWriterNamespaces(t *testing.T) {
	bad := []*Document{
		{Attrs: []Attr{{Name: "p:a", Value: "1"}}},
		{Attrs: []Attr{{Name: "xmlns:p", Value: ""}}},
		{Attrs: []Attr{{Name: "xmlns:xmlns", Value: "urn:x"}}},
		{Attrs: []Attr{{Name: "xmlns", Value: nsXMLNS}}},
		{Attrs: []Attr{{Name: "xmlns:p", Value: "u"}, {Name: "xmlns:q", Value: "u"}, {Name: "p:a"}, {Name: "q:a"}}},
		{Attrs: []Attr{{Name: "a:"}}},
		{Unknown: []string{"<p:x/>"}},
		{Unknown: []string{`<x xmlns:p=""/>`}},
		{Unknown: []string{`<x a="1" a="2"/>`}},
		{CSPs: []CSP{{Attrs: []Attr{{Name: "xmlns:p", Value: "u"}}}}, Unknown: []string{"<p:x/>"}},
		{CSPs: []CSP{{Settings: []Setting{{Value: "<p:x/>", Markup: true}}}}},
	}
	for _, d := range bad {
		if b, err := d.MarshalText(); err == nil {
			t.Errorf("MarshalText(%+v) = %q, want an error", d, b)
		} else if !errors.Is(err, ErrValue) {
			t.Errorf("MarshalText(%+v): %v, want ErrValue", d, err)
		}
	}
	good := []*Document{
		{Attrs: []Attr{{Name: "xmlns:p", Value: "u"}}, Unknown: []string{"<p:x p:a='1'/>"}},
		{Attrs: []Attr{{Name: "xmlns:p", Value: "u"}, {Name: "p:a", Value: "1"}}, CSPs: []CSP{{Attrs: []Attr{{Name: "p:b"}},
			Settings: []Setting{{Value: "<p:x/>", Markup: true, Attrs: []Attr{{Name: "xmlns:q", Value: "v"}, {Name: "q:c"}}}}}}},
		{Attrs: []Attr{{Name: "xmlns:p", Value: "u"}, {Name: "xmlns:q", Value: "v"}, {Name: "p:a"}, {Name: "q:a"}}},
	}
	for _, d := range good {
		b, err := d.MarshalText()
		if err != nil {
			t.Errorf("MarshalText(%+v): %v", d, err)
			continue
		}
		var back Document
		if err := back.UnmarshalText(b); err != nil {
			t.Errorf("UnmarshalText(%q): %v", b, err)
		}
		checkInSyncML(t, d)
	}
}

// TestLimits checks every limit at its boundary: accepted at the limit,
// refused one past it with a *LimitError naming it, for the defaults and
// for a raised value.
func TestLimits(t *testing.T) {
	nest := func(depth int) string {
		// the root counts as 1; the rest is kept markup
		return "<DeclaredConfiguration>" + strings.Repeat("<a>", depth-1) + strings.Repeat("</a>", depth-1) + "</DeclaredConfiguration>"
	}
	attrs := func(n int) string {
		var b strings.Builder
		b.WriteString("<DeclaredConfiguration")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " a%d=\"\"", i)
		}
		b.WriteString("/>")
		return b.String()
	}
	elements := func(n int) string {
		return "<DeclaredConfiguration><CSP>" + strings.Repeat("<URI/>", n-2) + "</CSP></DeclaredConfiguration>"
	}
	text := func(n int) string {
		return "<DeclaredConfiguration><CSP><URI>" + strings.Repeat("x", n) + "</URI></CSP></DeclaredConfiguration>"
	}
	textRefs := func(n int) string { // a run as written: references, comment and CDATA count
		body := "&amp;<!---->x<![CDATA[y]]>"
		return "<DeclaredConfiguration><CSP><URI>" + body + strings.Repeat("x", n-len(body)) + "</URI></CSP></DeclaredConfiguration>"
	}
	attrValue := func(n int) string { return `<DeclaredConfiguration id="` + strings.Repeat("x", n) + `"/>` }
	name := func(n int) string {
		return "<DeclaredConfiguration><" + strings.Repeat("n", n) + "/></DeclaredConfiguration>"
	}
	comment := func(n int) string {
		return "<DeclaredConfiguration><!--" + strings.Repeat("c", n-7) + "--></DeclaredConfiguration>"
	}
	namespaces := func(n int) string { // in scope, 16 on each nested element
		var b strings.Builder
		b.WriteString("<DeclaredConfiguration><CSP><URI>")
		k := 0
		for i := 0; i < n; k++ {
			b.WriteString("<m")
			for j := 0; j < 16 && i < n; i, j = i+1, j+1 {
				fmt.Fprintf(&b, ` xmlns:p%d="urn:%d"`, i, i)
			}
			b.WriteString(">")
		}
		b.WriteString(strings.Repeat("</m>", k) + "</URI></CSP></DeclaredConfiguration>")
		return b.String()
	}
	totalAttrs := func(n int) string { // 4 on each element
		var b strings.Builder
		b.WriteString("<DeclaredConfiguration><CSP>")
		for i := 0; i < n; i += 4 {
			b.WriteString("<URI")
			for j := i; j < min(i+4, n); j++ {
				fmt.Fprintf(&b, ` a%d=""`, j)
			}
			b.WriteString("/>")
		}
		b.WriteString("</CSP></DeclaredConfiguration>")
		return b.String()
	}
	bytesOf := func(n int) string {
		s := "<DeclaredConfiguration/>"
		return s + strings.Repeat(" ", n-len(s))
	}
	tests := []struct {
		limit string
		def   int
		set   func(*Limits, int)
		input func(int) string
	}{
		{"MaxDepth", DefaultMaxDepth, func(l *Limits, n int) { l.MaxDepth = n }, nest},
		{"MaxAttrs", DefaultMaxAttrs, func(l *Limits, n int) { l.MaxAttrs = n }, attrs},
		{"MaxElements", 100, func(l *Limits, n int) { l.MaxElements = n }, elements},
		{"MaxTokenBytes", 1000, func(l *Limits, n int) { l.MaxTokenBytes = n }, text},
		{"MaxTokenBytes", 1000, func(l *Limits, n int) { l.MaxTokenBytes = n }, textRefs},
		{"MaxTokenBytes", 1000, func(l *Limits, n int) { l.MaxTokenBytes = n }, attrValue},
		{"MaxTokenBytes", 1000, func(l *Limits, n int) { l.MaxTokenBytes = n }, name},
		{"MaxTokenBytes", 1000, func(l *Limits, n int) { l.MaxTokenBytes = n }, comment},
		{"MaxBytes", 1000, func(l *Limits, n int) { l.MaxBytes = int64(n) }, bytesOf},
		{"MaxNamespaces", DefaultMaxNamespaces, func(l *Limits, n int) { l.MaxNamespaces = n }, namespaces},
		{"MaxTotalAttrs", 100, func(l *Limits, n int) { l.MaxTotalAttrs = n }, totalAttrs},
	}
	for _, tt := range tests {
		check := func(lim Limits, n int) {
			t.Helper()
			var d Document
			if err := UnmarshalLimits([]byte(tt.input(n)), &d, lim); err != nil {
				t.Errorf("%s = %d: input at the limit refused: %v", tt.limit, n, err)
			}
			err := UnmarshalLimits([]byte(tt.input(n+1)), &d, lim)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit || le.Max != int64(n) {
				t.Errorf("%s = %d: input past the limit: err = %v, want *LimitError for %s", tt.limit, n, err, tt.limit)
			}
		}
		var lim Limits
		tt.set(&lim, tt.def)
		check(lim, tt.def)
		tt.set(&lim, 2*tt.def)
		check(lim, 2*tt.def)
	}
	// the defaults are what UnmarshalText uses
	var d Document
	if err := d.UnmarshalText([]byte(nest(DefaultMaxDepth + 1))); !isLimit(err, "MaxDepth") {
		t.Errorf("UnmarshalText past the default depth: %v", err)
	}
	if err := d.UnmarshalText([]byte(attrs(DefaultMaxAttrs + 1))); !isLimit(err, "MaxAttrs") {
		t.Errorf("UnmarshalText past the default attributes: %v", err)
	}
	if err := d.UnmarshalText([]byte(bytesOf(DefaultMaxBytes + 1))); !isLimit(err, "MaxBytes") {
		t.Errorf("UnmarshalText past the default size: %v", err)
	}
	if err := d.UnmarshalText([]byte(text(DefaultMaxTokenBytes + 1))); !isLimit(err, "MaxTokenBytes") {
		t.Errorf("UnmarshalText past the default token size: %v", err)
	}
	if err := d.UnmarshalText([]byte(elements(DefaultMaxElements + 1))); !isLimit(err, "MaxElements") {
		t.Errorf("UnmarshalText past the default element count: %v", err)
	}
	// MaxTotalAttrs follows MaxElements when not set
	if got := (Limits{MaxElements: 10}).withDefaults().MaxTotalAttrs; got != 80 {
		t.Errorf("MaxTotalAttrs for MaxElements 10: %d, want 80", got)
	}
	if got := DefaultLimits().MaxTotalAttrs; got != 8*DefaultMaxElements {
		t.Errorf("default MaxTotalAttrs %d, want %d", got, 8*DefaultMaxElements)
	}
	many := func(name string, from int) string { // 27 attributes
		var b strings.Builder
		b.WriteString("<" + name)
		for i := range 27 {
			fmt.Fprintf(&b, ` a%d=""`, from+i)
		}
		return b.String()
	}
	three := many("DeclaredConfiguration", 0) + ">" + many("CSP", 0) + ">" + many("URI", 0) + "/></CSP></DeclaredConfiguration>"
	if err := UnmarshalLimits([]byte(three), &d, Limits{MaxElements: 10}); !isLimit(err, "MaxTotalAttrs") {
		t.Errorf("81 attributes in 3 elements, MaxElements 10: %v", err)
	}
	// the limits apply to every type
	for _, v := range []Decodable{new(Result), new(Summary), new(InstanceBlob)} {
		if err := UnmarshalLimits([]byte("<x><y/></x>"), v, Limits{MaxDepth: 1}); !isLimit(err, "MaxDepth") {
			t.Errorf("%T: %v", v, err)
		}
	}
	if err := UnmarshalLimits(nil, (*Document)(nil), Limits{}); !errors.Is(err, ErrValue) {
		t.Errorf("UnmarshalLimits into a nil *Document: %v", err)
	}
	if err := UnmarshalLimits(nil, nil, Limits{}); !errors.Is(err, ErrValue) {
		t.Errorf("UnmarshalLimits into nil: %v", err)
	}
}

func isLimit(err error, name string) bool {
	var le *LimitError
	return errors.As(err, &le) && le.Limit == name && strings.HasPrefix(err.Error(), "declaredconfig: limit "+name)
}

// TestDefaultLimitsFitSyncML: a document at every default limit at once,
// written out, is accepted by syncml as XML Data (its MaxDataDepth,
// MaxAttrs and MaxTokenBytes), also when every character of its longest
// token needs a longer escape.
func TestDefaultLimitsFitSyncML(t *testing.T) {
	var b strings.Builder
	b.WriteString("<DeclaredConfiguration")
	for i := 0; i < DefaultMaxAttrs-1; i++ {
		fmt.Fprintf(&b, " a%d=\"\"", i)
	}
	// an attribute value whose every character grows sixfold, and a text
	// whose every character grows fourfold, as long as the limits allow
	fmt.Fprintf(&b, " q='%s'>", strings.Repeat("\"", DefaultMaxTokenBytes))
	b.WriteString(strings.Repeat("<a>", DefaultMaxDepth-1))
	b.WriteString(strings.Repeat("</a>", DefaultMaxDepth-1))
	tail := "</URI></CSP></DeclaredConfiguration>"
	b.WriteString("<CSP><URI>")
	b.WriteString(strings.Repeat(">", min(DefaultMaxTokenBytes, DefaultMaxBytes-b.Len()-len(tail))))
	b.WriteString(tail)
	var d Document
	if err := d.UnmarshalText([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	checkInSyncML(t, &d)
}

// TestSummaryScope: a summary sent as XML Data may use a prefix declared
// around the Data; ReadSummary reads it in that scope.
func TestSummaryScope(t *testing.T) {
	msg := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>s</LocURI></Target><Source><LocURI>d</LocURI></Source></SyncHdr><SyncBody xmlns:p="urn:p">` +
		`<Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">` + SummaryType + `</Type></Meta>` +
		`<Data><DeclaredConfigurations schema="1.0"><DeclaredConfiguration id="x" p:a="1"/></DeclaredConfigurations></Data></Item></Alert><Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(msg), &m); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSummary(&m)
	if err != nil {
		t.Fatal(err)
	}
	if e := s.Entry("x"); e == nil || len(e.Attrs) != 1 || e.Attrs[0] != (Attr{Name: "p:a", Value: "1"}) {
		t.Errorf("summary = %+v", s)
	}
	// alone, the same summary uses an undeclared prefix
	var alone Summary
	if err := alone.UnmarshalText([]byte(`<DeclaredConfigurations><DeclaredConfiguration id="x" p:a="1"/></DeclaredConfigurations>`)); !errors.Is(err, ErrNamespace) {
		t.Errorf("alone: %v, want ErrNamespace", err)
	}
}

// TestDocumentNamespace: a document whose root is in a namespace is
// refused alike whether a prefix or a default declaration puts it there
// (ErrStructure at the root), alone or carried as markup in a SyncML
// Data; one whose root declares the empty default namespace, or sits in
// a Data under SyncML's own default namespace, is read. Validate refuses
// a Document whose Attrs declare a default namespace, whose text
// UnmarshalText would refuse.
func TestDocumentNamespace(t *testing.T) {
	const body = ` schema="1.0" context="Device" id="5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305" checksum="C1" osdefinedscenario="MSFTVPN"><CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP>`
	for _, tc := range []struct {
		doc string
		bad bool
	}{
		{`<DeclaredConfiguration xmlns="urn:x"` + body + `</DeclaredConfiguration>`, true},
		{`<x:DeclaredConfiguration xmlns:x="urn:x"` + body + `</x:DeclaredConfiguration>`, true},
		{`<DeclaredConfiguration xmlns="SYNCML:SYNCML1.2"` + body + `</DeclaredConfiguration>`, true},
		{`<DeclaredConfiguration xmlns=""` + body + `</DeclaredConfiguration>`, false},
		{`<DeclaredConfiguration xmlns:x="urn:x"` + body + `</DeclaredConfiguration>`, false},
		{`<DeclaredConfiguration` + body + `</DeclaredConfiguration>`, false},
	} {
		var d Document
		err := d.UnmarshalText([]byte(tc.doc))
		var de *DecodeError
		if tc.bad != (err != nil) || tc.bad && (!errors.As(err, &de) || !errors.Is(err, ErrStructure) || de.Offset != 0 || !strings.Contains(err.Error(), "namespace")) {
			t.Errorf("UnmarshalText(%.60q) = %v, want refused: %v", tc.doc, err, tc.bad)
		}
		msg := []byte(msgStart + replace("2", docURI, tc.doc) + msgEnd)
		_, items, err := ReadMessage(msg, ReadOptions{})
		if err != nil || len(items) != 1 || tc.bad != (items[0].Err != nil) || tc.bad && !errors.Is(items[0].Err, ErrStructure) {
			t.Errorf("ReadMessage of %.60q: %v, items %+v, want refused: %v", tc.doc, err, items, tc.bad)
		}
	}
	id := "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	d := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN, Attrs: []Attr{{Name: "xmlns", Value: "urn:x"}},
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	if err := d.Validate(DocumentURI(Device, Complete, id)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "namespace") {
		t.Errorf("Validate of a Document declaring a default namespace = %v, want ErrInvalid", err)
	}
	d.Attrs = []Attr{{Name: "xmlns", Value: ""}, {Name: "xmlns:x", Value: "urn:x"}}
	if err := d.Validate(DocumentURI(Device, Complete, id)); err != nil {
		t.Errorf("Validate of a Document declaring the empty default namespace and a prefix = %v", err)
	}
}
