package xmlscan

import (
	"fmt"
	"strings"
	"testing"
)

// contentOf reads, in src, the root's first child element c, then that
// element's content with Content, and returns what Content read.
func contentOf(src string, o Nested) (Content, *Scanner, error) {
	sc := new(Scanner)
	sc.Init(src, testLimits, testErrs{})
	_, pos, err := sc.StartTag(0)
	if err != nil {
		return Content{}, sc, err
	}
	t, pos, err := sc.StartTag(pos)
	if err != nil {
		return Content{}, sc, err
	}
	c, err := sc.Content(t, pos, o)
	return c, sc, err
}

func TestContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		o    Nested
		uses string // Uses, as printed
		n    int    // elements inside
		body string // input[start tag end : EndTag]
	}{
		{"text only", `<r><c>text</c></r>`, Nested{MaxDepth: 4}, "[]", 0, "text"},
		{"self-closing", `<r><c/></r>`, Nested{MaxDepth: 4}, "[]", 0, ""},
		{"elements", `<r><c>a<x><y/></x>b<z>t</z></c></r>`, Nested{MaxDepth: 4}, "[]", 3, "a<x><y/></x>b<z>t</z>"},
		{"outer prefix used", `<r xmlns:p="u" xmlns:q="w"><c><p:x q:a="1"/></c></r>`, Nested{MaxDepth: 4}, "[{p u} {q w}]", 1, "<p:x q:a=\"1\"/>"},
		{"prefix declared inside", `<r xmlns:p="u"><c><p:x xmlns:p="v"/></c></r>`, Nested{MaxDepth: 4}, "[]", 1, `<p:x xmlns:p="v"/>`},
		{"own declaration outside", `<r><c xmlns:p="u"><p:x/></c></r>`, Nested{MaxDepth: 4}, "[{p u}]", 1, "<p:x/>"},
		{"own declaration inside with Own", `<r><c xmlns:p="u"><p:x/></c></r>`, Nested{MaxDepth: 4, Own: true}, "[]", 1, "<p:x/>"},
		{"own prefix with Own", `<r xmlns:p="u"><p:c/></r>`, Nested{MaxDepth: 4, Own: true}, "[{p u}]", 0, ""},
		{"own attribute with Own", `<r xmlns:p="u"><c p:a="1"></c></r>`, Nested{MaxDepth: 4, Own: true}, "[{p u}]", 0, ""},
		{"outer default differs", `<r xmlns="u"><c><x/></c></r>`, Nested{MaxDepth: 4}, "[{ u}]", 1, "<x/>"},
		{"outer default as expected", `<r xmlns="u"><c><x/></c></r>`, Nested{MaxDepth: 4, DefaultNS: "u"}, "[]", 1, "<x/>"},
		{"no default, one expected", `<r><c><x/></c></r>`, Nested{MaxDepth: 4, DefaultNS: "u"}, "[{ }]", 1, "<x/>"},
		{"own default with Own", `<r xmlns="u"><c/></r>`, Nested{MaxDepth: 4, Own: true}, "[{ u}]", 0, ""},
		{"one use per prefix", `<r xmlns:p="u"><c><p:x/><p:y/></c></r>`, Nested{MaxDepth: 4}, "[{p u}]", 2, "<p:x/><p:y/>"},
	} {
		c, sc, err := contentOf(tc.in, tc.o)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := fmt.Sprint(c.Uses); got != tc.uses {
			t.Errorf("%s: Uses %s, want %s", tc.name, got, tc.uses)
		}
		if c.Elements != tc.n {
			t.Errorf("%s: Elements %d, want %d", tc.name, c.Elements, tc.n)
		}
		in := sc.Input()
		if !strings.HasPrefix(in[c.EndTag:], "</c>") && !strings.HasSuffix(in[:c.End], "/>") {
			t.Errorf("%s: EndTag %d, End %d", tc.name, c.EndTag, c.End)
		}
		if tc.body != "" {
			start := strings.Index(in, "<c")
			start += strings.IndexByte(in[start:], '>') + 1
			if got := in[start:c.EndTag]; got != tc.body {
				t.Errorf("%s: body %q, want %q", tc.name, got, tc.body)
			}
		}
		if sc.Depth() != 1 {
			t.Errorf("%s: depth %d after Content, want 1", tc.name, sc.Depth())
		}
	}
}

func TestContentErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		o    Nested
		want string
	}{
		{"depth", `<r><c><x><y/></x></c></r>`, Nested{MaxDepth: 1}, "limit MaxDataDepth (1)"},
		{"undeclared", `<r><c><p:x/></c></r>`, Nested{MaxDepth: 4}, "kind 4"},
		{"own undeclared attribute", `<r><c p:a="1"/></r>`, Nested{MaxDepth: 4, Own: true}, "kind 4"},
		{"unclosed", `<r><c><x></c></r>`, Nested{MaxDepth: 4}, "kind 0"},
		{"cut", `<r><c><x>`, Nested{MaxDepth: 4}, "kind 1"},
		{"bad text", "<r><c>\x01</c></r>", Nested{MaxDepth: 4}, "kind 6"},
	} {
		if _, _, err := contentOf(tc.in, tc.o); !errHas(err, tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestContentLimitsRestored: inside Content, MaxDepth does not apply and
// the declarations around the content are not counted against
// MaxNamespaces; after it, both apply again as before.
func TestContentLimitsRestored(t *testing.T) {
	sc := new(Scanner)
	lim := testLimits
	lim.MaxDepth, lim.MaxNamespaces = 2, 1
	sc.Init(`<r xmlns:p="u"><c><x><y xmlns:q="v"/></x></c><d><e/></d></r>`, lim, testErrs{})
	_, pos, _ := sc.StartTag(0)
	t1, pos, err := sc.StartTag(pos)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sc.Content(t1, pos, Nested{MaxDepth: 4})
	if err != nil {
		t.Fatalf("inside: %v", err)
	}
	pos = c.End
	_, pos, err = sc.StartTag(pos)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sc.StartTag(pos); err == nil || !strings.HasPrefix(err.Error(), "limit MaxDepth") {
		t.Errorf("after Content: %v, want MaxDepth", err)
	}
}

// TestFragment reads element content that is the whole input, as a
// writer checks the markup of a Data: Enter, SetFragment, Declare.
func TestFragment(t *testing.T) {
	for _, tc := range []struct {
		in   string
		uses string
		n    int
		err  string
	}{
		{`text<p:x/>more`, "[{p u}]", 1, ""},
		{`<x/><y>t</y>`, "[]", 2, ""},
		{`plain`, "[]", 0, ""},
		{`a]`, "[]", 0, ""},
		{`a]]`, "[]", 0, ""},
		{"a\r", "[]", 0, ""},
		{"a&amp;", "[]", 0, ""},
		{`</x>`, "", 0, "end tag without a start tag"},
		{`<x>`, "", 0, "kind 1"},
	} {
		sc := new(Scanner)
		sc.Init(tc.in, testLimits, testErrs{})
		sc.SetFragment(true)
		sc.Declare(Binding{"p", "u"})
		sc.Enter("Data")
		c, err := sc.Content(Tag{Name: "Data"}, 0, Nested{MaxDepth: 4})
		if tc.err != "" {
			if !errHas(err, tc.err) {
				t.Errorf("%q: %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if c.End != len(tc.in) || fmt.Sprint(c.Uses) != tc.uses || c.Elements != tc.n {
			t.Errorf("%q: End %d Uses %v Elements %d, want %d %s %d", tc.in, c.End, c.Uses, c.Elements, len(tc.in), tc.uses, tc.n)
		}
	}
}

// errHas reports whether err is an error whose message holds want.
func errHas(err error, want string) bool { return err != nil && strings.Contains(err.Error(), want) }

// recSink records the tokens Content gives a Sink.
type recSink struct {
	src string
	out []string
}

func (r *recSink) StartElement(t Tag, attrs []Attr, end int) {
	s := "start " + t.Name
	for _, a := range attrs {
		s += " " + a.Name + "=" + a.Value
	}
	if r.src[t.Start:end] == "" || r.src[t.Start] != '<' || r.src[end-1] != '>' {
		s += " BAD SPAN"
	}
	r.out = append(r.out, s)
}

func (r *recSink) CharData(text string, cdata bool, start, end int) {
	r.out = append(r.out, fmt.Sprintf("text %q cdata=%v raw=%q", text, cdata, r.src[start:end]))
}

func (r *recSink) EndElement(start, end int) {
	r.out = append(r.out, fmt.Sprintf("end %q", r.src[start:end]))
}

// TestContentSink checks that a Sink is given each token of the content,
// in order, with spans into the input, and nothing of the element itself.
func TestContentSink(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"elements and text", `<r><c>a&amp;<x k="&lt;">b</x><![CDATA[<]]><y/><!--n--> </c></r>`, []string{
			`text "a&" cdata=false raw="a&amp;"`,
			`start x k=<`,
			`text "b" cdata=false raw="b"`,
			`end "</x>"`,
			`text "<" cdata=true raw="<![CDATA[<]]>"`,
			`start y`,
			`end ""`,
			`text " " cdata=false raw="<!--n--> "`,
		}},
		{"empty", `<r><c/></r>`, nil},
		{"text only", `<r><c>t</c></r>`, []string{`text "t" cdata=false raw="t"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recSink{src: tc.in}
			if _, _, err := contentOf(tc.in, Nested{MaxDepth: 4, Sink: r}); err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.out, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("sink got\n%s\nwant\n%s", strings.Join(r.out, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
