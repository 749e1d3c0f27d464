package fuzz

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/internal/xmlscan"
)

// The lexer's own differential target: a document read with nothing but
// internal/xmlscan (as syncml and declaredconfig read theirs) against a
// strict encoding/xml token loop, under the one table of known
// differences (knownDifferences).

const scanPkg = xmlerr.Pkg("xmlscan")

// scanErrs makes the lexer's errors as the module's packages do.
type scanErrs struct{ sc *xmlscan.Scanner }

func (e scanErrs) ScanError(pos int, k xmlscan.Kind, msg string) error {
	line, col := xmlscan.LineCol(e.sc.Input(), pos)
	return scanPkg.Decode(int64(pos), line, col, e.sc.PathString(), xmlscan.Cause(k, msg))
}

func (e scanErrs) ScanLimit(name string, max int64, pos int) error {
	return scanPkg.Limit(name, max, int64(pos), e.sc.PathString())
}

// An xmlEvent is a start tag (namespace, local name, attributes as
// namespace|local=value, encoding/xml's way), an end tag, or the text
// between two tags.
type xmlEvent struct {
	kind        byte
	space, name string
	attrs       []string
}

var scanLimits = xmlscan.Limits{MaxDepth: 256, MaxTokens: 1 << 20, MaxTokenBytes: 1 << 20, MaxAttrs: 1 << 10, MaxNamespaces: 1 << 10}

// scanEvents reads in as one document with the lexer's Next. With
// partial, in is the start of a longer input.
func scanEvents(in string, partial bool) ([]xmlEvent, error) {
	sc := new(xmlscan.Scanner)
	sc.Init("", scanLimits, scanErrs{sc})
	sc.SetInput(in, partial)
	var evs []xmlEvent
	for tok, err := range sc.All() {
		if err != nil {
			return nil, err
		}
		switch tok.Kind {
		case xmlscan.StartToken:
			ev := xmlEvent{kind: 's', space: spaced(tok.Space), name: xmlscan.LocalName(tok.Name)}
			for _, a := range sc.Attrs() {
				as := ""
				switch p := xmlscan.PrefixOf(a.Name); {
				case a.Name == "xmlns":
				case p == "xmlns":
					as = "xmlns"
				case p != "":
					as = spaced(a.URI)
				}
				ev.attrs = append(ev.attrs, as+"|"+xmlscan.LocalName(a.Name)+"="+spaced(a.Value))
			}
			evs = append(evs, ev)
		case xmlscan.EndToken:
			evs = append(evs, xmlEvent{kind: 'e', name: xmlscan.LocalName(tok.Name)})
		case xmlscan.TextToken:
			if tok.Text != "" {
				evs = append(evs, xmlEvent{kind: 't', name: tok.Text})
			}
		}
	}
	return evs, nil
}

// spaced writes TAB and LF as spaces: encoding/xml does not normalise
// attribute values (XML 1.0 §3.3.3 does), so values are compared so, and
// namespace names too, which are attribute values (xmlns="\n").
func spaced(v string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(v) }

// stdEvents reads in with encoding/xml as comparable events; the declared
// encoding is taken as is (transcoding is the callers' business).
func stdEvents(in []byte) ([]xmlEvent, error) {
	d := xml.NewDecoder(bytes.NewReader(in))
	d.Strict = true
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var evs []xmlEvent
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
			ev := xmlEvent{kind: 's', space: spaced(t.Name.Space), name: t.Name.Local}
			for _, a := range t.Attr {
				ev.attrs = append(ev.attrs, spaced(a.Name.Space)+"|"+a.Name.Local+"="+spaced(a.Value))
			}
			evs = append(evs, ev)
		case xml.EndElement:
			depth--
			evs = append(evs, xmlEvent{kind: 'e', name: t.Name.Local})
		case xml.CharData:
			if depth == 0 || len(t) == 0 {
				continue // white space around the root, an empty CDATA section
			}
			if n := len(evs); n > 0 && evs[n-1].kind == 't' {
				evs[n-1].name += string(t)
			} else {
				evs = append(evs, xmlEvent{kind: 't', name: string(t)})
			}
		}
	}
}

// FuzzXMLScan is the lexer's differential target. What encoding/xml
// rejects the lexer rejects, and what the lexer rejects as ill-formed
// while encoding/xml accepts is a known difference; on what both accept
// they read the same elements, attributes and text. A partial scan of
// every prefix asks for more input or fails as the whole input does.
func FuzzXMLScan(f *testing.F) {
	addSyncMLSeeds(f, false)
	for _, s := range []string{
		`<a/>`,
		`<?xml version="1.0" encoding="UTF-8"?><a x="1">t&amp;u<![CDATA[<c>]]><!-- c --><?p d?></a>`,
		`<p:a xmlns:p="urn:p" p:x="1" xml:lang="en"><b xmlns="urn:d" y='2'/>text</p:a>`,
		"<a x=\"a\tb\nc\">\r\nline\rend&#x9;&#65;</a>",
		"<\u00e9l\u00e9ment attr\u00b7='v'>\u4e2d</\u00e9l\u00e9ment>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ours, err := scanEvents(string(in), false)
		var le *xmlerr.LimitError
		if errors.As(err, &le) {
			return
		}
		theirs := stdlibWellFormed(in)
		switch {
		case err == nil && theirs != nil:
			if explained(stdlibIsStricter, in, nil, theirs) == "" {
				t.Fatalf("encoding/xml rejects (%v), the lexer accepts", theirs)
			}
			return
		case err != nil && theirs == nil:
			if !wellFormednessError(err) || explained(weAreStricter, in, err, nil) == "" {
				t.Fatalf("the lexer rejects (%v), encoding/xml accepts", err)
			}
			return
		case err != nil:
			return
		}
		std, serr := stdEvents(in)
		if serr != nil {
			t.Fatalf("encoding/xml with its declared encoding taken as is: %v", serr)
		}
		for i := range max(len(ours), len(std)) {
			var a, b string
			if i < len(ours) {
				a = fmt.Sprintf("%q", ours[i])
			}
			if i < len(std) {
				b = fmt.Sprintf("%q", std[i])
			}
			if a != b {
				t.Fatalf("lexer and encoding/xml read different documents; event %d:\n lexer        %s\n encoding/xml %s", i, a, b)
			}
		}
		for n := 0; n < len(in); n++ {
			if _, err := scanEvents(string(in[:n]), true); err != nil && err != xmlscan.ErrNeedMore {
				t.Fatalf("prefix %d: %v, want ErrNeedMore", n, err)
			}
		}
	})
}
