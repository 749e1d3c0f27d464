package xmlscan

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestDefaultDecl checks StartTag's fast path for a start tag whose one
// attribute declares the default namespace (defaultDecl): for each value
// and limit, StartTag on <name xmlns="value"> gives what the general path
// gives for the same tag with two spaces before xmlns (which the fast path
// does not take): the same tag, attributes, declarations and path, or the
// same error, one byte earlier.
func TestDefaultDecl(t *testing.T) {
	lim := Limits{MaxDepth: 10, MaxTokens: 100, MaxTokenBytes: 100, MaxAttrs: 4, MaxNamespaces: 4}
	type variant struct {
		name  string
		value string
		lim   func(*Limits)
		tail  string
		fast  bool
	}
	var cases []variant
	for _, name := range []string{"SyncML", "Meta", "a", "Abcdefg", "Abcdefgh", "LongerName", "a1", "x-y"} {
		for _, v := range []variant{
			{value: "SYNCML:SYNCML1.2", fast: true},
			{value: "syncml:metinf", fast: true},
			{value: "", fast: true},
			{value: "a'b c", fast: true},
			{value: NamespaceXML},
			{value: NamespaceXMLNS},
			{value: "a&amp;b"},
			{value: "a&lt;b"},
			{value: "a\tb"},
			{value: "a\r\nb"},
			{value: "caf\u00e9"},
			{value: "a<b"},
			{value: "a\x01b"},
			{value: strings.Repeat("u", 100), fast: true},
			{value: strings.Repeat("u", 101)},
			{value: "u", lim: func(l *Limits) { l.MaxAttrs = 0 }},
			{value: "u", lim: func(l *Limits) { l.MaxNamespaces = 0 }},
			{value: "u", tail: "/>"},
			{value: "u", tail: " >"},
			{value: "u", tail: ` a="b">`},
			{value: "u", tail: ` xmlns="v">`},
			{value: "u", tail: ""},
			{value: "u", tail: `'>`},
		} {
			v.name = name
			if v.tail == "" && v.value == "u" {
				v.tail = "\x00" // cut: no closing quote
			} else if v.tail == "" {
				v.tail = `">`
			}
			if v.tail != `">` {
				v.fast = false
			}
			cases = append(cases, v)
		}
	}
	posRE := regexp.MustCompile(`\d+`)
	for _, c := range cases {
		l := lim
		if c.lim != nil {
			c.lim(&l)
		}
		tail := c.tail
		if tail == "\x00" {
			tail = ""
		}
		fastIn := "<" + c.name + ` xmlns="` + c.value + tail + "<x/>"
		slowIn := "<" + c.name + `  xmlns="` + c.value + tail + "<x/>"
		run := func(in string) (string, int, error) {
			var sc Scanner
			sc.Init(in, l, testErrs{})
			tag, end, err := sc.StartTag(0)
			return fmt.Sprintf("%+v attrs %+v ns %+v depth %d", tag, sc.Attrs(), sc.ns, sc.Depth()), end, err
		}
		fs, fe, ferr := run(fastIn)
		ss, se, serr := run(slowIn)
		// the slow input is one byte longer from the attribute on
		ss = strings.Replace(ss, fmt.Sprintf("Pos:%d", len(c.name)+3), fmt.Sprintf("Pos:%d", len(c.name)+2), 1)
		if (ferr == nil) != (serr == nil) {
			t.Errorf("%q: error %v, general path %v", fastIn, ferr, serr)
			continue
		}
		if ferr != nil {
			// same error, at a position one byte earlier or the same
			if posRE.ReplaceAllString(ferr.Error(), "N") != posRE.ReplaceAllString(serr.Error(), "N") {
				t.Errorf("%q: error %v, general path %v", fastIn, ferr, serr)
			}
			continue
		}
		if fs != ss || fe != se-1 {
			t.Errorf("%q:\n fast    %s end %d\n general %s end %d", fastIn, fs, fe, ss, se)
		}
		// whether the fast path takes it
		var sc Scanner
		sc.Init(fastIn, l, testErrs{})
		n := len(c.name)
		if _, ok := sc.defaultDecl(c.name, nameWord(fastIn, 1, n), 1+n); ok != c.fast {
			t.Errorf("%q: defaultDecl takes it: %v, want %v", fastIn, ok, c.fast)
		}
	}
}
