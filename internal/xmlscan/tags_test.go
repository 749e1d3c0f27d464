package xmlscan

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

type testErr struct {
	pos  int
	kind Kind
	msg  string
}

func (e *testErr) Error() string { return fmt.Sprintf("%d: kind %d: %s", e.pos, e.kind, e.msg) }

type testErrs struct{}

func (testErrs) ScanError(pos int, k Kind, msg string) error { return &testErr{pos, k, msg} }
func (testErrs) ScanLimit(name string, max int64, pos int) error {
	return fmt.Errorf("limit %s (%d) at %d", name, max, pos)
}

func newTestScanner(s string) *Scanner {
	sc := new(Scanner)
	sc.Init(s, Limits{MaxDepth: 10, MaxTokens: 1 << 20, MaxTokenBytes: 1 << 20, MaxAttrs: 1 << 10, MaxNamespaces: 1 << 10}, testErrs{})
	return sc
}

// TestDuplicateAttrs checks the duplicate-attribute checks, pairwise for
// few attributes and with a map for many, against a brute-force search:
// a repeated qualified name is reported at its second occurrence, and two
// prefixed names with the same expanded name at the second attribute of
// the first pair (ordered by its first attribute).
func TestDuplicateAttrs(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	prefixes := []string{"a", "b", "c", "xmlns"}
	for iter := 0; iter < 3000; iter++ {
		n := 1 + r.Intn(40)
		type at struct{ name, uri, local string }
		var attrs []at
		var b strings.Builder
		b.WriteString(`<e xmlns:a="urn:1" xmlns:b="urn:2" xmlns:c="urn:1"`)
		decl := 3
		for i := 0; i < n; i++ {
			local := fmt.Sprintf("l%d", r.Intn(2*n))
			name := local
			uri := ""
			if r.Intn(3) > 0 {
				p := prefixes[r.Intn(3)]
				name = p + ":" + local
				uri = map[string]string{"a": "urn:1", "b": "urn:2", "c": "urn:1"}[p]
			}
			attrs = append(attrs, at{name, uri, local})
			fmt.Fprintf(&b, ` %s="v"`, name)
		}
		b.WriteString("/>")
		s := b.String()
		// expected: first repeated qualified name, else first expanded pair
		wantKind, wantAt := -1, -1
	qualified:
		for y := range attrs {
			for x := 0; x < y; x++ {
				if attrs[x].name == attrs[y].name {
					wantKind, wantAt = int(DuplicateAttr), y
					break qualified
				}
			}
		}
		if wantAt < 0 {
		expanded:
			for x := range attrs {
				if attrs[x].uri == "" {
					continue
				}
				for y := x + 1; y < len(attrs); y++ {
					if attrs[y].uri == attrs[x].uri && attrs[y].local == attrs[x].local {
						wantKind, wantAt = int(DuplicateAttr), y
						break expanded
					}
				}
			}
		}
		sc := newTestScanner(s)
		_, _, err := sc.StartTag(0)
		if wantAt < 0 {
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			continue
		}
		te, ok := err.(*testErr)
		if !ok || int(te.kind) != wantKind {
			t.Fatalf("%s: got %v, want duplicate at attribute %d", s, err, wantAt)
		}
		// the offset of attribute wantAt
		off := 0
		for i := 0; i <= decl+wantAt; i++ {
			off += strings.IndexByte(s[off:], ' ') + 1
		}
		if te.pos != off {
			t.Fatalf("%s: got %v, want offset %d", s, err, off)
		}
	}
}

// TestDeclared: Declared counts the declarations in scope and LastDeclared
// returns the innermost, as start tags add them and closing their element
// drops them.
func TestDeclared(t *testing.T) {
	sc := newTestScanner(`<a xmlns="urn:a"><b xmlns:p="urn:p" xmlns="urn:b"/><c/></a>`)
	check := func(when string, n int, last Binding) {
		t.Helper()
		got, ok := sc.LastDeclared()
		if sc.Declared() != n || ok != (n > 0) || got != last {
			t.Errorf("%s: %d declared, last %v %v; want %d, %v", when, sc.Declared(), got, ok, n, last)
		}
	}
	check("before any tag", 0, Binding{})
	_, pos, err := sc.StartTag(0)
	if err != nil {
		t.Fatal(err)
	}
	check("after <a>", 1, Binding{"", "urn:a"})
	if _, pos, err = sc.StartTag(pos); err != nil {
		t.Fatal(err)
	}
	check("after <b>", 3, Binding{"", "urn:b"})
	sc.Pop()
	check("after <b/> closed", 1, Binding{"", "urn:a"})
	if _, _, err = sc.StartTag(pos); err != nil {
		t.Fatal(err)
	}
	check("after <c>", 1, Binding{"", "urn:a"})
}

// TestLeafText checks that LeafText, where it succeeds, reads what
// CharData and EndTag read, and that it declines every other content
// without reading anything.
func TestLeafText(t *testing.T) {
	for _, tc := range []struct {
		doc string
		ok  bool
	}{
		{"<CmdID>1</CmdID>   ", true},
		{"<LocURI>./DevInfo/DevId</LocURI>     ", true},
		{"<Data></Data>          ", true},
		{"<Abcdefgh>x</Abcdefgh>    ", true},
		{"<Abcdefghi>x</Abcdefghi>    ", false}, // name of nine bytes
		{"<a>x</b>         ", false},
		{"<a>x</a >         ", false},
		{"<a>x&amp;y</a>         ", false},
		{"<a>x<![CDATA[y]]></a>         ", false},
		{"<a>x<!--c--></a>         ", false},
		{"<a>x<b/></a>         ", false},
		{"<a>\u00e9</a>         ", false},
		{"<a>x\ty</a>         ", false},
		{"<a>x]]>y</a>         ", false},
		{"<a>x</a>", false}, // too close to the end for a word
	} {
		sc := newTestScanner(tc.doc)
		_, pos, err := sc.StartTag(0)
		if err != nil {
			t.Fatalf("%q: %v", tc.doc, err)
		}
		tokens := sc.tokens
		txt, end, ok := sc.LeafText(pos)
		if ok != tc.ok {
			t.Fatalf("%q: ok %v", tc.doc, ok)
		}
		if !ok {
			if end != pos || sc.Depth() != 1 || sc.tokens != tokens {
				t.Fatalf("%q: declined but read (end %d, depth %d)", tc.doc, end, sc.Depth())
			}
			continue
		}
		ref := newTestScanner(tc.doc)
		_, pos, _ = ref.StartTag(0)
		want, _, next, err := ref.CharData(pos)
		if err != nil {
			t.Fatalf("%q: CharData: %v", tc.doc, err)
		}
		wantEnd, err := ref.EndTag(next)
		if err != nil {
			t.Fatalf("%q: EndTag: %v", tc.doc, err)
		}
		if txt != want || end != wantEnd || sc.Depth() != 0 || sc.tokens != ref.tokens {
			t.Fatalf("%q: LeafText %q %d (tokens %d), general %q %d (tokens %d)", tc.doc, txt, end, sc.tokens, want, wantEnd, ref.tokens)
		}
	}
}

// pathErrs records, with each error, the path the scanner reports at
// that moment (what a package's Errors puts in its DecodeError).
type pathErrs struct{ sc *Scanner }

// pathErr is an error pathErrs made: "PATH: POS: MSG", where MSG is
// "limit NAME" for a limit.
type pathErr struct {
	path string
	pos  int
	msg  string
}

func (e *pathErr) Error() string { return fmt.Sprintf("%s: %d: %s", e.path, e.pos, e.msg) }

func (e pathErrs) ScanError(pos int, k Kind, msg string) error {
	return &pathErr{e.sc.PathString(), pos, msg}
}

func (e pathErrs) ScanLimit(name string, max int64, pos int) error {
	return &pathErr{e.sc.PathString(), pos, "limit " + name}
}

// TestStartTagErrorPath: an error in the attributes of a start tag (its
// syntax, its values, its namespace declarations, its limits) is
// reported with the path of the element whose tag holds them, as an
// error in the element's name or content is, not its parent's. An error
// before the element's name is read, and MaxDepth, which refuses to
// open it, name the parent.
func TestStartTagErrorPath(t *testing.T) {
	long := strings.Repeat("v", 40)
	for _, tc := range []struct {
		tag  string // after "<r>"
		want string // the path, the offset in tag and the start of the message
	}{
		{`<e a="1" a="2"/>`, "/r/e: 9: a"},
		{`<e a=1/>`, "/r/e: 5: attribute value not quoted"},
		{`<e a="<"/>`, "/r/e: 6: '<' in attribute value"},
		{`<e a="&x;"/>`, "/r/e: 6: &x;"},
		{"<e a=\"\x01\"/>", "/r/e: 6: U+0001"},
		{"<e a=\"\xff\"/>", "/r/e: 6: "},
		{`<e a="1"b="2"/>`, "/r/e: 8: expected white space before attribute"},
		{`<e a "1"/>`, "/r/e: 5: expected '=' after attribute a"},
		{`<e a="1"/ >`, "/r/e: 8: expected '>' after '/'"},
		{`<e xmlns="` + NamespaceXMLNS + `"/>`, "/r/e: 3: reserved namespace bound as default"},
		{`<e xmlns:p=""/>`, "/r/e: 3: empty namespace for prefix p"},
		{`<e xmlns:xmlns="u"/>`, "/r/e: 3: prefix xmlns declared"},
		{`<e p:a="1"/>`, "/r/e: 3: p"},
		{`<p:e/>`, "/r/p:e: 1: p"},
		{`<e xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/>`, "/r/e: 35: p:a and q:a name the same attribute"},
		{`<e a="1" b="2" c="3" d="4" f="5"/>`, "/r/e: 27: limit MaxAttrs"},
		{`<e xmlns:a="1" xmlns:b="2" xmlns:c="3"/>`, "/r/e: 27: limit MaxNamespaces"},
		{`<e a="` + long + `"/>`, "/r/e: 6: limit MaxTokenBytes"},
		{`<e a="1"`, "/r/e: 8: "},
		{`<1e/>`, "/r: 1: "},
		{`<e><f><g/></f></e>`, "/r/e/f: 6: limit MaxDepth"},
	} {
		in := "<r>" + tc.tag
		sc := new(Scanner)
		sc.Init(in, Limits{MaxDepth: 3, MaxTokens: 100, MaxTokenBytes: 32, MaxAttrs: 4, MaxNamespaces: 2}, pathErrs{sc})
		var err error
		for pos := 0; err == nil && pos+1 < len(in) && in[pos+1] != '/'; {
			_, pos, err = sc.StartTag(pos)
		}
		var pe *pathErr
		if !errors.As(err, &pe) {
			t.Errorf("%q: %v, want an error", tc.tag, err)
			continue
		}
		// offsets in the table count from the tag, after "<r>"
		pe.pos -= 3
		if got := pe.Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q: %s\nwant prefix %s", tc.tag, got, tc.want)
		}
	}
}
