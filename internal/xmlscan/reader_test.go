package xmlscan

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// An event is what readDoc reports of a document: a start tag (name, its
// namespace, attributes as name=value with the namespace of prefixed
// ones), an end tag, or the text between two tags.
type event struct {
	kind  byte // 's' start, 'e' end, 't' text
	name  string
	space string
	attrs []string
}

func (e event) String() string {
	switch e.kind {
	case 's':
		return fmt.Sprintf("<%s {%s} %v>", e.name, e.space, e.attrs)
	case 'e':
		return "</" + e.name + ">"
	}
	return fmt.Sprintf("%q", e.name)
}

// testLimits are generous limits for the tests.
var testLimits = Limits{MaxDepth: 64, MaxTokens: 1 << 20, MaxTokenBytes: 1 << 20, MaxAttrs: 1 << 10, MaxNamespaces: 1 << 10}

// readDoc reads src as one XML document with the Scanner's methods, the
// way the module's readers do, and returns its events.
func readDoc(src string, lim Limits) ([]event, error) {
	sc := new(Scanner)
	sc.Init(src, lim, testErrs{})
	return sc.readDoc()
}

func (sc *Scanner) readDoc() ([]event, error) {
	var evs []event
	for tok, err := range sc.All() {
		if err != nil {
			return nil, err
		}
		if got := sc.Input()[tok.Start:tok.End]; tok.End < tok.Start || tok.Kind == StartToken && !strings.HasPrefix(got, "<"+tok.Name) {
			return nil, fmt.Errorf("token %+v spans %q", tok, got)
		}
		if ev, ok := sc.eventOf(tok); ok {
			evs = append(evs, ev)
		}
	}
	return evs, nil
}

// eventOf returns the event of tok, just read by sc, and whether it is
// one (empty text is none).
func (sc *Scanner) eventOf(tok Token) (event, bool) {
	switch tok.Kind {
	case StartToken:
		ev := event{kind: 's', name: tok.Name, space: tok.Space}
		for _, a := range sc.Attrs() {
			ev.attrs = append(ev.attrs, a.Name+"{"+a.URI+"}="+a.Value)
		}
		return ev, true
	case EndToken:
		return event{kind: 'e', name: tok.Name}, true
	}
	return event{kind: 't', name: tok.Text}, tok.Text != ""
}

// kindOf returns the kind of a testErr, or 255.
func kindOf(err error) Kind {
	var te *testErr
	if errors.As(err, &te) {
		return te.kind
	}
	return 255
}

func TestReadWellFormed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{`<a/>`, `<a {} []> </a>`},
		{`<?xml version="1.0"?><a></a>`, `<a {} []> </a>`},
		{`<?xml version='1.0' encoding='UTF-8' standalone='yes'?>` + "\n<!-- c --><?pi x?>\n<a/>\n<!-- after -->", `<a {} []> </a>`},
		{`<a x="1" y='&lt;&#65;&#x42;'>t&amp;u</a>`, `<a {} [x{}=1 y{}=<AB]> "t&u" </a>`},
		{"<a x=\"a\tb\nc\r\nd\">\r\nline\rend</a>", "<a {} [x{}=a b c d]> \"\\nline\\nend\" </a>"},
		{`<a><![CDATA[<x>&amp;]]]]><![CDATA[>]]></a>`, `<a {} []> "<x>&amp;]]>" </a>`},
		{`<a>x<!-- c -->y<?p z?>z</a>`, `<a {} []> "xyz" </a>`},
		{`<p:a xmlns:p="urn:p" p:x="1" xml:lang="en"><b xmlns="urn:d"/></p:a>`,
			`<p:a {urn:p} [xmlns:p{}=urn:p p:x{urn:p}=1 xml:lang{http://www.w3.org/XML/1998/namespace}=en]> <b {urn:d} [xmlns{}=urn:d]> </b> </p:a>`},
		{"<\u00e9l\u00e9ment attr\u00b7='v'>\u4e2d</\u00e9l\u00e9ment>", "<\u00e9l\u00e9ment {} [attr\u00b7{}=v]> \"\u4e2d\" </\u00e9l\u00e9ment>"},
		{`<a>&#x1F600;</a >`, "<a {} []> \"\U0001F600\" </a>"},
		{`<a b="x'y" c='x"y'/>`, `<a {} [b{}=x'y c{}=x"y]> </a>`},
		{`<a  b = "1"  ></a>`, `<a {} [b{}=1]> </a>`},
		{`<a>]x]]</a>`, `<a {} []> "]x]]" </a>`},
	} {
		evs, err := readDoc(tc.in, testLimits)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.String())
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, g, tc.want)
		}
	}
}

func TestReadMalformed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
	}{
		{``, Syntax},
		{`   `, Syntax},
		{`text`, Syntax},
		{`<a>`, EOF},
		{`<a`, EOF},
		{`<a x`, EOF},
		{`<a x=`, EOF},
		{`<a x="1`, EOF},
		{`<a></b>`, Syntax},
		{`<a></a`, EOF},
		{`<a></a x>`, Syntax},
		{`<a/><b/>`, Syntax},
		{`<a/>text`, Syntax},
		{`</a>`, Syntax},
		{`<1a/>`, Syntax},
		{`<a 1x="1"/>`, Syntax},
		{`<a x="1"y="2"/>`, Syntax},
		{`<a x/>`, Syntax},
		{`<a x=1/>`, Syntax},
		{`<a / >`, Syntax},
		{`<a x="<"/>`, Syntax},
		{`<a x="1" x="2"/>`, DuplicateAttr},
		{`<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>`, DuplicateAttr},
		{`<p:a/>`, UndeclaredPrefix},
		{`<a p:x="1"/>`, UndeclaredPrefix},
		{`<a:b:c xmlns:a="u"/>`, BadQName},
		{`<:a/>`, BadQName},
		{`<a: xmlns:a="u"/>`, BadQName},
		{`<a xmlns:p=""/>`, Prefix},
		{`<a xmlns:xmlns="u"/>`, Prefix},
		{`<a xmlns:xml="u"/>`, Prefix},
		{`<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>`, Prefix},
		{`<a xmlns="http://www.w3.org/2000/xmlns/"/>`, Prefix},
		{`<a>&foo;</a>`, Entity},
		{`<a>&</a>`, EOF},
		{`<a>&amp b;</a>`, Syntax},
		{`<a>&#;</a>`, Syntax},
		{`<a>&#x;</a>`, Syntax},
		{`<a>&#xZ;</a>`, Syntax},
		{`<a>&#12a;</a>`, Syntax},
		{`<a>&1;</a>`, Syntax},
		{`<a>&#0;</a>`, InvalidChar},
		{`<a>&#x110000;</a>`, InvalidChar},
		{`<a>&#xD800;</a>`, InvalidChar},
		{"<a>\x01</a>", InvalidChar},
		{"<a>\uFFFE</a>", InvalidChar},
		{"<a x='\x01'/>", InvalidChar},
		{"<a>\xff</a>", Encoding},
		{"<a>\xe4\xb8</a>", Encoding},
		{"<\xe4\xb8/>", Encoding},
		{"<a\xe4\xb8/>", Encoding},
		{"<a>]]></a>", Syntax},
		{"<a><!-- a -- b --></a>", Syntax},
		{"<a><!-- \x01 --></a>", InvalidChar},
		{"<a><!-- x", Unclosed},
		{"<a><![CDATA[x", Unclosed},
		{"<a><![CDATA[\x01]]></a>", InvalidChar},
		{"<a><?xml version='1.0'?></a>", Syntax},
		{"<a><?p:q x?></a>", Prefix},
		{"<a><?pq", Unclosed},
		{"<a><?pq \x01?></a>", InvalidChar},
		{"<a><?pq\x01?></a>", Syntax},
		{"<a><?p?x?></a>", Syntax},
		{"<a><!ENTITY x></a>", Syntax},
		// a short declaration near the end is not the end of the input
		{"<a><!x></a>", Syntax},
		{"<a><!></a>", Syntax},
		{"<a><!-x></a>", Syntax},
		{"<a><![CDAT></a>", Syntax},
		{"<a/><!x>", Syntax},
		{"<a/><!>", Syntax},
		{"<!x><a/>", Syntax},
		{"<a><!", EOF},
		{"<a><!-", EOF},
		{"<a><![CDA", EOF},
		{"<a><!DOCTYP", EOF},
		{"<a/><!-", EOF},
		{"<!DOC", EOF},
		{"<a><!DOCTYPE a></a>", DOCTYPE},
		{`<!DOCTYPE a><a/>`, DOCTYPE},
		{`<a/><!DOCTYPE a>`, DOCTYPE},
		{`<a/><!DOCTYPE`, DOCTYPE},
		{`<?xml?><a/>`, Syntax},
		{`<?xml version="2.0"?><a/>`, Syntax},
		{`<?xml version="1.0" encoding="8bit"?><a/>`, Syntax},
		{`<?xml version="1.0" standalone="maybe"?><a/>`, Syntax},
		{`<?xml encoding="UTF-8"?><a/>`, Syntax},
		{`<?xml version="1.0" version="1.0"?><a/>`, Syntax},
		{`<?xml version="1.0"encoding="UTF-8"?><a/>`, Syntax},
		{`<?xml version=1.0?><a/>`, Syntax},
		{`<?xml version="1.0?><a/>`, Syntax},
		{`<?xml version?><a/>`, Syntax},
		{`<?xml version="1.0"`, Unclosed},
		{`<a/><?xml version="1.0"?>`, Syntax},
		{"<a>\r", EOF},
		{"<a x='\r", EOF},
		{"<a>]", EOF},
	} {
		_, err := readDoc(tc.in, testLimits)
		if err == nil {
			t.Errorf("%q: accepted", tc.in)
			continue
		}
		if k := kindOf(err); k != tc.kind {
			t.Errorf("%q: %v, want kind %d", tc.in, err, tc.kind)
		}
	}
}

func TestLimits(t *testing.T) {
	lim := func(f func(*Limits)) Limits {
		l := testLimits
		f(&l)
		return l
	}
	for _, tc := range []struct {
		in   string
		lim  Limits
		want string
	}{
		{`<a><b><c/></b></a>`, lim(func(l *Limits) { l.MaxDepth = 2 }), "MaxDepth"},
		{`<a><b/><c/>text</a>`, lim(func(l *Limits) { l.MaxTokens = 3 }), "MaxTokens"},
		{`<a><b/>text</a>`, lim(func(l *Limits) { l.MaxTokens = 2 }), "MaxTokens"},
		{`<abcdef/>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a x="abcdef"/>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a>abcdef</a>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a>a&amp;bcdef</a>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><!-- abcdef --></a>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><!-- abcdef`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><![CDATA[abcdef]]></a>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><![CDATA[abcdef`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><?p abcdef?></a>`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a><?p abcdef`, lim(func(l *Limits) { l.MaxTokenBytes = 5 }), "MaxTokenBytes"},
		{`<a x="1" y="2"/>`, lim(func(l *Limits) { l.MaxAttrs = 1 }), "MaxAttrs"},
		{`<a xmlns:p="u"><b xmlns:q="v"/></a>`, lim(func(l *Limits) { l.MaxNamespaces = 1 }), "MaxNamespaces"},
		{`<a xmlns="u"><b xmlns="v"/></a>`, lim(func(l *Limits) { l.MaxNamespaces = 1 }), "MaxNamespaces"},
	} {
		_, err := readDoc(tc.in, tc.lim)
		if err == nil || !strings.HasPrefix(err.Error(), "limit "+tc.want+" ") {
			t.Errorf("%q: %v, want limit %s", tc.in, err, tc.want)
		}
	}
}

// TestDeclareNotCounted: declarations put in scope with Declare resolve
// prefixes and do not count against MaxNamespaces.
func TestDeclareNotCounted(t *testing.T) {
	sc := new(Scanner)
	l := testLimits
	l.MaxNamespaces = 1
	sc.Init(`<p:a xmlns:q="v"><q:b/></p:a>`, l, testErrs{})
	sc.Declare(Binding{"p", "u"}, Binding{"r", "w"})
	evs, err := sc.readDoc()
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].space != "u" {
		t.Errorf("p:a in %q, want u", evs[0].space)
	}
	sc.Init(`<a xmlns:q="v"><b xmlns:s="x"/></a>`, l, testErrs{})
	sc.Declare(Binding{"p", "u"})
	if _, err := sc.readDoc(); err == nil || !strings.HasPrefix(err.Error(), "limit MaxNamespaces") {
		t.Errorf("got %v, want MaxNamespaces", err)
	}
}

// TestPartial: over every proper prefix of a document, a partial scanner
// asks for more input or fails as the whole document would; it never
// reports a different error for the cut.
func TestPartial(t *testing.T) {
	doc := "<?xml version=\"1.0\"?>\n<!-- c --><p:a xmlns:p=\"urn:p\" x='1&amp;2'>text &#x41; <![CDATA[c]]><?pi d?>\r\n<b/>\u00e9<c>x</c></p:a>\n"
	whole, err := readDoc(doc, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(doc); n++ {
		sc := new(Scanner)
		sc.Init("", testLimits, testErrs{})
		sc.SetInput(doc[:n], true)
		if !sc.Partial() {
			t.Fatal("Partial() is false after SetInput(_, true)")
		}
		_, err := sc.readDoc()
		if err == nil {
			// the whole root may be in: only white space is missing
			if strings.TrimSpace(doc[n:]) != "" {
				t.Errorf("prefix %d %q accepted", n, doc[:n])
			}
			continue
		}
		if err != ErrNeedMore && !strings.Contains(err.Error(), "content after") {
			t.Errorf("prefix %d %q: %v, want ErrNeedMore", n, doc[:n], err)
		}
	}
	_ = whole
}

// TestCheckpoint: a stream reader that runs out of input rewinds to a
// checkpoint and retries Next over more input, and reads what a
// whole-input scanner reads.
func TestCheckpoint(t *testing.T) {
	doc := `<?xml version="1.0"?><a xmlns:p="u"><p:b x="1">one</p:b><c xmlns="v"><d/></c>two<!-- c --></a> `
	want, err := readDoc(doc, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step < len(doc); step += 2 {
		sc := new(Scanner)
		sc.Init("", testLimits, testErrs{})
		var got []event
		consumed, avail := 0, 0
		for {
			cp := sc.Checkpoint()
			sc.SetInput(doc[consumed:avail], avail < len(doc))
			tok, next, err := sc.Next(0)
			if err == ErrNeedMore {
				sc.Rewind(cp)
				avail = min(avail+step, len(doc))
				continue
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("step %d at %d: %v", step, consumed, err)
			}
			consumed += next
			if ev, ok := sc.eventOf(tok); ok {
				got = append(got, ev)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("step %d:\n got %v\nwant %v", step, got, want)
		}
	}
}

func TestPathString(t *testing.T) {
	sc := new(Scanner)
	sc.Init(`<a><p:b xmlns:p="u"><c>`, testLimits, testErrs{})
	if got := sc.PathString(); got != "" {
		t.Errorf("PathString() = %q before any element", got)
	}
	pos := 0
	for range 3 {
		_, next, err := sc.StartTag(pos)
		if err != nil {
			t.Fatal(err)
		}
		pos = next
	}
	if got := sc.PathString(); got != "/a/p:b/c" {
		t.Errorf("PathString() = %q", got)
	}
	sc.SetLimits(Limits{MaxDepth: 1, MaxTokens: 10, MaxTokenBytes: 10, MaxAttrs: 1, MaxNamespaces: 1})
	sc.SetInput(`<d/>`, false)
	if _, _, err := sc.StartTag(0); err == nil || !strings.HasPrefix(err.Error(), "limit MaxDepth") {
		t.Errorf("after SetLimits: %v, want MaxDepth", err)
	}
}

// TestSyntaxHints: a value not in quotes names the character found (a
// typographic quote, pasted from a word processor, looks like one); "<!"
// that starts no comment, CDATA section or DOCTYPE says which were
// expected and what was found; a CDATA section outside the root element
// is named.
func TestSyntaxHints(t *testing.T) {
	for _, tc := range []struct {
		in  string
		pos int
		msg string
	}{
		{"<a b=’c’/>", 5, "attribute value not quoted: found U+2019 '’'"},
		{"<a b=“c”/>", 5, "attribute value not quoted: found U+201C '“'"},
		{"<a b=c/>", 5, "attribute value not quoted: found U+0063 'c'"},
		{"<a b= \x01/>", 6, "attribute value not quoted: found U+0001 '\\x01'"},
		{"<a b=\xff/>", 5, "attribute value not quoted: found byte 0xff"},
		{"<a><!-—x—></a>", 3, `invalid markup declaration "<!-—x": expected "<!--" or "<![CDATA["`},
		{"<a><!x></a>", 3, `invalid markup declaration "<!x>": expected "<!--" or "<![CDATA["`},
		{"<!-—x—><a/>", 0, `invalid markup declaration "<!-—x": expected "<!--"`},
		{"<a/><!-—x—>", 4, `invalid markup declaration "<!-—x": expected "<!--"`},
		{"<![CDATA[x]]><a/>", 0, "CDATA section outside the root element"},
		{"<a/>\n<![CDATA[x", 5, "CDATA section outside the root element"},
		{"<a/><![CD", 4, `invalid markup declaration "<![CD": expected "<!--"`},
	} {
		_, err := readDoc(tc.in, testLimits)
		var te *testErr
		if !errors.As(err, &te) || te.kind != Syntax || te.pos != tc.pos || te.msg != tc.msg {
			t.Errorf("%q: %v; want at %d: %s", tc.in, err, tc.pos, tc.msg)
		}
	}
}
