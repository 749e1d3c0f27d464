package xmlscan

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// knownDifferences are the documents this lexer accepts and encoding/xml
// rejects, each by a rule of XML 1.0 (fifth edition) that encoding/xml
// does not follow. For everything else, what the lexer accepts
// encoding/xml accepts too, with the same elements, attributes and text.
// (The other way round the lexer is stricter by design: Namespaces in XML,
// one root element, no DOCTYPE, "]]>" and "--", characters in comments and
// processing instructions, the XML declaration's syntax.)
var knownDifferences = []struct {
	rule  string
	holds func(src, xmlErr string) bool
}{
	{"XML versions 1.x: a 1.0 processor reads a document labelled 1.1 or later 1.x as 1.0 (XML 1.0 §2.8); encoding/xml wants \"1.0\"",
		func(src, e string) bool { return strings.Contains(e, "unsupported version") }},
	{"name characters: the fifth edition's NameStartChar and NameChar classes are wider than encoding/xml's tables",
		func(src, e string) bool {
			return !isASCII(src) && (strings.Contains(e, "name") || strings.Contains(e, "expected attribute"))
		}},
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stdEvents reads src with encoding/xml (strict, no entities beyond the
// five, the declared encoding taken as is: transcoding is the callers'
// business) as events comparable to readDoc's.
func stdEvents(src string) ([]event, error) {
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var evs []event
	var stack []string
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			ev := event{kind: 's', name: t.Name.Local, space: t.Name.Space}
			for _, a := range t.Attr {
				ev.attrs = append(ev.attrs, a.Name.Space+"|"+a.Name.Local+"="+a.Value)
			}
			evs = append(evs, ev)
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			depth--
			evs = append(evs, event{kind: 'e', name: stack[len(stack)-1]})
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if depth == 0 {
				continue // white space around the root
			}
			if n := len(evs); n > 0 && evs[n-1].kind == 't' {
				evs[n-1].name += string(t)
			} else {
				evs = append(evs, event{kind: 't', name: string(t)})
			}
		}
	}
}

func normAttr(v string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(v) }

// stdAttrs rewrites readDoc's attributes (name{uri}=value) as stdEvents
// writes them (space|local=value).
func stdAttrs(evs []event) []event {
	out := make([]event, len(evs))
	for i, e := range evs {
		out[i] = e
		if e.kind != 't' {
			out[i].name = LocalName(e.name)
		}
		out[i].attrs = nil
		for _, a := range e.attrs {
			nameURI, value, _ := strings.Cut(a, "=")
			name, uri, _ := strings.Cut(nameURI, "{")
			uri = strings.TrimSuffix(uri, "}")
			space := ""
			switch p := PrefixOf(name); {
			case name == "xmlns":
			case p == "xmlns":
				space = "xmlns"
			case p != "":
				space = uri
			}
			out[i].attrs = append(out[i].attrs, space+"|"+LocalName(name)+"="+normAttr(value))
		}
	}
	return out
}

// FuzzScan is differential against encoding/xml: every document the
// lexer accepts, encoding/xml accepts (but for knownDifferences) with the
// same elements (namespace and local name), attributes and text. It also
// checks that the lexer never panics and that a partial scanner over any
// prefix of the input asks for more or fails as the whole input does.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		`<a/>`,
		`<?xml version="1.0" encoding="UTF-8"?><a x="1">t&amp;u<![CDATA[<c>]]><!-- c --><?p d?></a>`,
		`<p:a xmlns:p="urn:p" p:x="1" xml:lang="en"><b xmlns="urn:d" y='2'/>text</p:a>`,
		"<a x=\"a\tb\nc\">\r\nline\rend&#x9;&#65;</a>",
		"<\u00e9l\u00e9ment attr\u00b7='v'>\u4e2d</\u00e9l\u00e9ment>",
		`<?xml version="1.1"?><a/>`,
		`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Replace><CmdID>2</CmdID><Item><Data><DeclaredConfiguration context="Device"/></Data></Item></Replace><Final/></SyncBody></SyncML>`,
		`<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>`,
		`<a>]]></a>`,
		`<!DOCTYPE a><a/>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ours, err := readDoc(src, testLimits)
		if err != nil {
			return
		}
		std, serr := stdEvents(src)
		if serr != nil {
			for _, d := range knownDifferences {
				if d.holds(src, serr.Error()) {
					return
				}
			}
			t.Fatalf("accepted, but encoding/xml says %v:\n%q", serr, src)
		}
		for i := range std {
			for j := range std[i].attrs {
				std[i].attrs[j] = normAttr(std[i].attrs[j])
			}
		}
		if a, b := fmt.Sprint(stdAttrs(ours)), fmt.Sprint(std); a != b {
			t.Fatalf("%q:\n lexer        %s\n encoding/xml %s", src, a, b)
		}
		// every prefix, read as the buffered part of a stream
		for n := 0; n < len(src); n++ {
			sc := new(Scanner)
			sc.Init("", testLimits, testErrs{})
			sc.SetInput(src[:n], true)
			if _, err := sc.readDoc(); err != nil && err != ErrNeedMore {
				t.Fatalf("prefix %d of %q: %v, want ErrNeedMore", n, src, err)
			}
		}
	})
}
