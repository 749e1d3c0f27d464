package provisioning

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Document
	}{
		{"empty root", `<wap-provisioningdoc/>`, &Document{}},
		{"version", `<wap-provisioningdoc version="1.1"></wap-provisioningdoc>`, &Document{Version: "1.1"}},
		{"empty version kept as attribute", `<wap-provisioningdoc version=""/>`,
			&Document{Attrs: []Attr{{"version", ""}}}},
		{"prolog, BOM, comments and white space outside the root",
			"\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a -->\n<wap-provisioningdoc version=\"1.1\"/>\n<!-- b -->\n",
			&Document{Version: "1.1"}},
		{"characteristics and parms in order",
			`<wap-provisioningdoc>
			  <characteristic type="A" x="1"><parm name="p" value="v" datatype="string"/>
			    <characteristic type="B"/><parm name="q"/>
			  </characteristic>
			  <characteristic type=""/>
			</wap-provisioningdoc>`,
			&Document{Nodes: []Node{
				&Characteristic{Type: "A", Attrs: []Attr{{"x", "1"}}, Nodes: []Node{
					&Parm{Name: "p", Value: "v", Datatype: "string"},
					&Characteristic{Type: "B"},
					&Parm{Name: "q", NoValue: true},
				}},
				&Characteristic{Type: ""},
			}}},
		{"parm attributes: empty value, empty datatype, others",
			`<wap-provisioningdoc><parm name="" value="" datatype="" z="2"/></wap-provisioningdoc>`,
			&Document{Nodes: []Node{&Parm{Name: "", Value: "", Attrs: []Attr{{"datatype", ""}, {"z", "2"}}}}}},
		{"attribute values: references and normalization",
			"<wap-provisioningdoc><parm name=\"a\" value=\"&lt;&amp;&gt;&quot;&apos;&#x9;&#10;&#13;\t\n\r\n.\"/></wap-provisioningdoc>",
			&Document{Nodes: []Node{&Parm{Name: "a", Value: "<&>\"'\t\n\r   ."}}}},
		{"namespaces declared and in scope",
			`<wap-provisioningdoc xmlns:p="u" xml:lang="en"><p:e p:a="1" xmlns:q="v"><q:f/></p:e><e xmlns:xml="http://www.w3.org/XML/1998/namespace"/></wap-provisioningdoc>`,
			&Document{Attrs: []Attr{{"xmlns:p", "u"}, {"xml:lang", "en"}}, Nodes: []Node{
				&Element{Name: "p:e", Attrs: []Attr{{"p:a", "1"}, {"xmlns:q", "v"}}, Nodes: []Node{&Element{Name: "q:f"}}},
				&Element{Name: "e", Attrs: []Attr{{"xmlns:xml", "http://www.w3.org/XML/1998/namespace"}}},
			}}},
		{"single quotes", `<wap-provisioningdoc><parm name='a"b' value='x'/></wap-provisioningdoc>`,
			&Document{Nodes: []Node{&Parm{Name: `a"b`, Value: "x"}}}},
		{"comments kept inside the root",
			"<wap-provisioningdoc><!-- one --><characteristic type=\"A\"><!--t\r\nw\ro--></characteristic></wap-provisioningdoc>",
			&Document{Nodes: []Node{&Comment{" one "}, &Characteristic{Type: "A", Nodes: []Node{&Comment{"t\nw\no"}}}}}},
		{"other elements with content",
			"<wap-provisioningdoc><nocharacteristic type=\"X\"/><characteristic type=\"A\"><x:e xmlns:x=\"u\">t<![CDATA[<c>]]>\r\n<characteristic/><!--c--> </x:e></characteristic></wap-provisioningdoc>",
			&Document{Nodes: []Node{
				&Element{Name: "nocharacteristic", Attrs: []Attr{{"type", "X"}}},
				&Characteristic{Type: "A", Nodes: []Node{&Element{Name: "x:e", Attrs: []Attr{{"xmlns:x", "u"}}, Nodes: []Node{
					&Text{"t<c>\n"}, &Element{Name: "characteristic"}, &Comment{"c"}, &Text{" "},
				}}}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			if err := Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, &d); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	const root = "<wap-provisioningdoc>"
	tests := []struct {
		name       string
		in         string
		lim        Limits
		want       error
		line, col  int
		path       string
		limitField string
	}{
		{"empty input", ``, Limits{}, ErrSyntax, 1, 1, "", ""},
		{"unclosed root", root, Limits{}, ErrSyntax, 1, 22, "/wap-provisioningdoc", ""},
		{"wrong root", `<wap/>`, Limits{}, ErrStructure, 1, 1, "/wap", ""},
		{"mismatched end tag", root + "\n<characteristic type=\"a\"></parm>", Limits{}, ErrSyntax, 2, 26, "/wap-provisioningdoc/characteristic", ""},
		{"second root", `<wap-provisioningdoc/><wap-provisioningdoc/>`, Limits{}, ErrSyntax, 1, 23, "", ""},
		{"text outside root", `<wap-provisioningdoc/>x`, Limits{}, ErrSyntax, 1, 23, "", ""},
		{"CDATA outside root", `<![CDATA[]]><wap-provisioningdoc/>`, Limits{}, ErrSyntax, 1, 1, "", ""},
		{"text in root", root + `x</wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 22, "/wap-provisioningdoc", ""},
		{"text in characteristic", root + "<characteristic type=\"a\">\r\n x</characteristic></wap-provisioningdoc>", Limits{}, ErrStructure, 1, 47, "/wap-provisioningdoc/characteristic", ""},
		{"characteristic without type", root + `<characteristic/></wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 22, "/wap-provisioningdoc/characteristic", ""},
		{"parm without name", root + `<parm value="1"/></wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 22, "/wap-provisioningdoc/parm", ""},
		{"element in parm", root + `<parm name="a"><x/></parm></wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 37, "/wap-provisioningdoc/parm/x", ""},
		{"comment in parm", root + `<parm name="a"><!--x--></parm></wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 37, "/wap-provisioningdoc/parm", ""},
		{"processing instruction", root + `<?pi x?></wap-provisioningdoc>`, Limits{}, ErrStructure, 1, 22, "/wap-provisioningdoc", ""},
		{"DOCTYPE", `<!DOCTYPE wap-provisioningdoc><wap-provisioningdoc/>`, Limits{}, ErrDOCTYPE, 1, 1, "", ""},
		{"duplicate attribute", root + `<parm name="a" name="b"/></wap-provisioningdoc>`, Limits{}, ErrDuplicateAttr, 1, 37, "/wap-provisioningdoc/parm", ""},
		{"undeclared element prefix", root + `<p:e/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/p:e", ""},
		{"undeclared attribute prefix", root + `<e p:a="1"/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/e", ""},
		{"prefix out of scope", root + `<e xmlns:p="u"/><p:e/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 38, "/wap-provisioningdoc/p:e", ""},
		{"prefix bound to empty", root + `<e xmlns:p=""/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/e", ""},
		{"xmlns declared", root + `<e xmlns:xmlns="u"/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/e", ""},
		{"xml bound elsewhere", root + `<e xmlns:xml="u"/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/e", ""},
		{"not a qualified name", root + `<e a:="1"/></wap-provisioningdoc>`, Limits{}, ErrNamespace, 1, 22, "/wap-provisioningdoc/e", ""},
		{"same expanded attribute", root + `<e xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"/></wap-provisioningdoc>`, Limits{}, ErrDuplicateAttr, 1, 22, "/wap-provisioningdoc/e", ""},
		{"undefined entity", root + `<parm name="&nbsp;"/></wap-provisioningdoc>`, Limits{}, ErrEntity, 0, 0, "/wap-provisioningdoc/parm", ""},
		{"NUL reference", root + `<parm name="&#0;"/></wap-provisioningdoc>`, Limits{}, ErrInvalidChar, 0, 0, "/wap-provisioningdoc/parm", ""},
		{"invalid UTF-8", root + "<parm name=\"\xff\"/></wap-provisioningdoc>", Limits{}, ErrEncoding, 0, 0, "/wap-provisioningdoc/parm", ""},
		{"invalid UTF-8 in comment", root + "<!--\xff--></wap-provisioningdoc>", Limits{}, ErrEncoding, 1, 26, "/wap-provisioningdoc", ""},
		{"control character in comment", root + "<!--\x01--></wap-provisioningdoc>", Limits{}, ErrInvalidChar, 1, 26, "/wap-provisioningdoc", ""},
		{"declared unknown encoding", `<?xml version="1.0" encoding="x-no-such-encoding"?><wap-provisioningdoc/>`, Limits{}, ErrEncoding, 1, 1, "", ""},
		{"byte not in windows-1252", "<?xml version=\"1.0\" encoding=\"windows-1252\"?><wap-provisioningdoc a=\"\x81\"/>", Limits{}, ErrEncoding, 1, 70, "", ""}, // the byte itself, no longer the start of its piece
		{"high byte in US-ASCII", "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><wap-provisioningdoc a=\"\xe9\"/>", Limits{}, ErrEncoding, 1, 66, "", ""},
		{"UTF-16 of odd length", "\xff\xfe<\x00a", Limits{}, ErrEncoding, 1, 5, "", ""},
		{"unpaired surrogate", "\xfe\xff\x00<\xd8\x00\x00>", Limits{}, ErrEncoding, 1, 5, "", ""},
		{"attributes without white space", root + `<parm name="a"value="b"/></wap-provisioningdoc>`, Limits{}, ErrSyntax, 1, 36, "/wap-provisioningdoc/parm", ""},
		{"malformed XML declaration", `<?xml version="1.0"encoding="utf-8"?><wap-provisioningdoc/>`, Limits{}, ErrSyntax, 1, 1, "", ""},
		{"XML declaration not first", ` <?xml version="1.0"?><wap-provisioningdoc/>`, Limits{}, ErrSyntax, 1, 2, "", ""},
		{"]]> in text", root + `<e>a]]>b</e></wap-provisioningdoc>`, Limits{}, ErrSyntax, 0, 0, "/wap-provisioningdoc/e", ""},
		{"unquoted attribute", root + `<parm name=a/></wap-provisioningdoc>`, Limits{}, ErrSyntax, 0, 0, "/wap-provisioningdoc/parm", ""},
		{"MaxBytes", `<wap-provisioningdoc/>`, Limits{MaxBytes: 21}, ErrLimit, 0, 0, "", "MaxBytes"},
		{"MaxDepth", root + `<characteristic type="a"><characteristic type="b"/></characteristic></wap-provisioningdoc>`, Limits{MaxDepth: 2}, ErrLimit, 0, 0, "/wap-provisioningdoc/characteristic", "MaxDepth"},
		{"MaxAttrs", root + `<parm name="a" value="b" c="d"/></wap-provisioningdoc>`, Limits{MaxAttrs: 2}, ErrLimit, 0, 0, "/wap-provisioningdoc/parm", "MaxAttrs"},
		{"duplicate among many attributes", `<wap-provisioningdoc a="" b="" c="" d="" e="" f="" g="" h="" i="" a=""/>`, Limits{}, ErrDuplicateAttr, 1, 67, "/wap-provisioningdoc", ""},
		{"same expanded attribute among many", `<wap-provisioningdoc xmlns:p="u" xmlns:q="u" p:a="" p:b="" p:c="" p:d="" p:e="" p:f="" p:g="" p:h="" q:h=""/>`, Limits{}, ErrDuplicateAttr, 1, 1, "/wap-provisioningdoc", ""},
		{"MaxElements", root + `<parm name="a"/><parm name="b"/></wap-provisioningdoc>`, Limits{MaxElements: 2}, ErrLimit, 0, 0, "/wap-provisioningdoc", "MaxElements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Document{Version: "unchanged"}
			err := UnmarshalLimits([]byte(tt.in), &d, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if d.Version != "unchanged" {
				t.Errorf("the Document was changed")
			}
			if !strings.HasPrefix(err.Error(), "provisioning: ") || strings.Count(err.Error(), "provisioning: ") != 1 {
				t.Errorf("message %q: want the prefix once", err)
			}
			if tt.limitField != "" {
				var le *LimitError
				if !errors.As(err, &le) || le.Limit != tt.limitField || le.Path != tt.path {
					t.Fatalf("%v: want a LimitError on %s at %s", err, tt.limitField, tt.path)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%v (%T): not a DecodeError", err, err)
			}
			if errors.Is(err, ErrLimit) {
				t.Errorf("%v matches ErrLimit", err)
			}
			if de.Path != tt.path {
				t.Errorf("path %q, want %q", de.Path, tt.path)
			}
			if tt.line != 0 && (de.Line != tt.line || de.Column != tt.col) {
				t.Errorf("at %d:%d, want %d:%d (%v)", de.Line, de.Column, tt.line, tt.col, err)
			}
			if de.Line < 1 || de.Column < 1 || de.Offset < 0 || de.Offset > int64(len(tt.in)) {
				t.Errorf("position %d:%d offset %d out of range", de.Line, de.Column, de.Offset)
			}
		})
	}
}

// TestEncodings: the same document in each encoding the reader takes.
func TestEncodings(t *testing.T) {
	want := &Document{Version: "1.1", Nodes: []Node{&Parm{Name: "n", Value: "é😀"}}}
	utf16 := func(s string, le bool) string {
		var b []byte
		for _, r := range s {
			if r > 0xFFFF {
				r -= 0x10000
				for _, u := range []rune{0xD800 + r>>10, 0xDC00 + r&0x3FF} {
					if le {
						b = append(b, byte(u), byte(u>>8))
					} else {
						b = append(b, byte(u>>8), byte(u))
					}
				}
				continue
			}
			if le {
				b = append(b, byte(r), byte(r>>8))
			} else {
				b = append(b, byte(r>>8), byte(r))
			}
		}
		return string(b)
	}
	const doc = `<wap-provisioningdoc version="1.1"><parm name="n" value="é😀"/></wap-provisioningdoc>`
	for name, in := range map[string]string{
		"UTF-8":                    doc,
		"UTF-8 with BOM":           "\uFEFF" + doc,
		"UTF-8 labelled utf-16":    `<?xml version="1.0" encoding="utf-16"?>` + doc,
		"UTF-16LE with BOM":        "\xff\xfe" + utf16(`<?xml version="1.0" encoding="UTF-16"?>`+doc, true),
		"UTF-16BE with BOM":        "\xfe\xff" + utf16(doc, false),
		"UTF-16LE without BOM":     utf16(doc, true),
		"ISO-8859-1":               "<?xml version='1.0' encoding='ISO-8859-1'?><wap-provisioningdoc version=\"1.1\"><parm name=\"n\" value=\"\xe9&#x1F600;\"/></wap-provisioningdoc>",
		"windows-1252":             "<?xml version='1.0' encoding='windows-1252'?><wap-provisioningdoc version=\"1.1\"><parm name=\"n\" value=\"\xe9&#x1F600;\"/></wap-provisioningdoc>",
		"US-ASCII with references": `<?xml version="1.0" encoding="us-ascii"?><wap-provisioningdoc version="1.1"><parm name="n" value="&#xE9;&#x1F600;"/></wap-provisioningdoc>`,
	} {
		t.Run(name, func(t *testing.T) {
			var d Document
			if err := Unmarshal([]byte(in), &d); err != nil {
				t.Fatal(err)
			}
			if s := cmp.Diff(want, &d); s != "" {
				t.Errorf("(-want +got)\n%s", s)
			}
		})
	}
}

func TestUnmarshalNil(t *testing.T) {
	if err := Unmarshal([]byte(`<wap-provisioningdoc/>`), nil); !errors.Is(err, ErrValue) {
		t.Errorf("got %v, want ErrValue", err)
	}
}

func TestPosition(t *testing.T) {
	in := []byte("a\r\nb\rc\nd")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 3, 1}, {7, 4, 1}, {8, 4, 2}, {100, 4, 2}} {
		if l, c := position(in, tt.off); l != tt.line || c != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

// TestDefaultLimits: a zero Limits takes the documented defaults.
func TestDefaultLimits(t *testing.T) {
	if got := DefaultLimits(); got != (Limits{MaxBytes: DefaultMaxBytes, MaxDepth: DefaultMaxDepth, MaxElements: DefaultMaxElements, MaxAttrs: DefaultMaxAttrs}) {
		t.Fatalf("DefaultLimits() = %+v", got)
	}
	nest := func(depth int) []byte {
		return []byte("<wap-provisioningdoc>" + strings.Repeat(`<characteristic type="a">`, depth-1) +
			strings.Repeat("</characteristic>", depth-1) + "</wap-provisioningdoc>")
	}
	var d Document
	if err := Unmarshal(nest(DefaultMaxDepth), &d); err != nil {
		t.Errorf("depth %d: %v", DefaultMaxDepth, err)
	}
	var le *LimitError
	if err := Unmarshal(nest(DefaultMaxDepth+1), &d); !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != DefaultMaxDepth {
		t.Errorf("depth %d: %v", DefaultMaxDepth+1, err)
	}
	many := []byte("<wap-provisioningdoc>" + strings.Repeat(`<parm name="a"/>`, DefaultMaxElements) + "</wap-provisioningdoc>")
	if err := Unmarshal(many, &d); !errors.As(err, &le) || le.Limit != "MaxElements" {
		t.Errorf("%d elements: %v", DefaultMaxElements+1, err)
	}
	attrs := "<wap-provisioningdoc"
	for i := range DefaultMaxAttrs + 1 {
		attrs += fmt.Sprintf(` a%d=""`, i)
	}
	if err := Unmarshal([]byte(attrs+"/>"), &d); !errors.As(err, &le) || le.Limit != "MaxAttrs" || le.Max != DefaultMaxAttrs {
		t.Errorf("%d attributes: %v", DefaultMaxAttrs+1, err)
	}
	big := make([]byte, DefaultMaxBytes+1)
	if err := Unmarshal(big, &d); !errors.As(err, &le) || le.Limit != "MaxBytes" {
		t.Errorf("%d bytes: %v", len(big), err)
	}
}

// TestEmptyCDATA: an empty CDATA section in an element adds no Text (an
// empty Text could not be written back).
func TestEmptyCDATA(t *testing.T) {
	for _, in := range []string{
		`<wap-provisioningdoc><x:e xmlns:x="0"><![CDATA[]]></x:e></wap-provisioningdoc>`,
		`<wap-provisioningdoc><e>a<![CDATA[]]>b</e></wap-provisioningdoc>`,
	} {
		var d Document
		if err := d.UnmarshalText([]byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := d.MarshalText()
		if err != nil {
			t.Fatalf("%s: written back: %v", in, err)
		}
		var back Document
		if err := back.UnmarshalText(out); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
	}
}
