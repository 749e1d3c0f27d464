package provisioning

import (
	"errors"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		doc  *Document
		want string
	}{
		{"empty", &Document{}, `<wap-provisioningdoc/>`},
		{"attributes in their order", &Document{Version: "1.1", Attrs: []Attr{{"b", "2"}, {"a", "1"}}},
			`<wap-provisioningdoc version="1.1" b="2" a="1"/>`},
		{"escapes", &Document{Nodes: []Node{&Parm{Name: "n", Value: "<&>\"'\t\n\r é", Datatype: "string", Attrs: []Attr{{"x", ""}}}}},
			"<wap-provisioningdoc>\n  <parm name=\"n\" value=\"&lt;&amp;&gt;&quot;'&#x9;&#xA;&#xD; é\" datatype=\"string\" x=\"\"/>\n</wap-provisioningdoc>"},
		{"no value", &Document{Nodes: []Node{&Parm{Name: "F", NoValue: true}}},
			"<wap-provisioningdoc>\n  <parm name=\"F\"/>\n</wap-provisioningdoc>"},
		{"nesting and comments", &Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: []Node{
			&Comment{" c "}, &Characteristic{Type: "B"}}}}},
			"<wap-provisioningdoc>\n  <characteristic type=\"A\">\n    <!-- c -->\n    <characteristic type=\"B\"/>\n  </characteristic>\n</wap-provisioningdoc>"},
		{"element content as it is", &Document{Nodes: []Node{&Element{Name: "x:e", Attrs: []Attr{{"xmlns:x", "u"}}, Nodes: []Node{
			&Text{"a\r\n<b>"}, &Element{Name: "parm"}, &Comment{"c"}}}}},
			"<wap-provisioningdoc>\n  <x:e xmlns:x=\"u\">a&#xD;\n&lt;b&gt;<parm/><!--c--></x:e>\n</wap-provisioningdoc>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			app, err := tt.doc.AppendText([]byte("prefix"))
			if err != nil || string(app) != "prefix"+tt.want {
				t.Errorf("AppendText: %q, %v", app, err)
			}
		})
	}
}

func TestMarshalRefuses(t *testing.T) {
	chr := func(n ...Node) *Document { return &Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: n}}} }
	tests := []struct {
		name string
		doc  *Document
		path string // in the message
	}{
		{"bad attribute name", &Document{Attrs: []Attr{{"1a", ""}}}, "/wap-provisioningdoc"},
		{"two colons", &Document{Attrs: []Attr{{"a:b:c", ""}}}, "/wap-provisioningdoc"},
		{"version in Attrs", &Document{Attrs: []Attr{{"version", "1.1"}}}, "/wap-provisioningdoc"},
		{"version twice", &Document{Version: "1", Attrs: []Attr{{"version", ""}}}, "/wap-provisioningdoc"},
		{"duplicate attribute", &Document{Attrs: []Attr{{"a", ""}, {"a", "1"}}}, "/wap-provisioningdoc"},
		{"duplicate among many", &Document{Attrs: []Attr{{"a", ""}, {"b", ""}, {"c", ""}, {"d", ""}, {"e", ""}, {"f", ""}, {"g", ""}, {"h", ""}, {"a", "1"}}}, "/wap-provisioningdoc"},
		{"NUL in a value", &Document{Version: "\x00"}, "/wap-provisioningdoc"},
		{"invalid UTF-8", chr(&Parm{Name: "a", Value: "\xff"}), "/wap-provisioningdoc[0][0]"},
		{"U+FFFE", chr(&Parm{Name: "a", Value: "\uFFFE"}), "/wap-provisioningdoc[0][0]"},
		{"type in Attrs", chr(&Characteristic{Type: "B", Attrs: []Attr{{"type", "C"}}}), "/wap-provisioningdoc[0][0]"},
		{"NoValue with a value", chr(&Parm{Name: "a", NoValue: true, Value: "x"}), "/wap-provisioningdoc[0][0]"},
		{"value in Attrs", chr(&Parm{Name: "a", NoValue: true, Attrs: []Attr{{"value", ""}}}), "/wap-provisioningdoc[0][0]"},
		{"datatype in Attrs with a value", chr(&Parm{Name: "a", Attrs: []Attr{{"datatype", "x"}}}), "/wap-provisioningdoc[0][0]"},
		{"comment with --", chr(&Comment{"a--b"}), "/wap-provisioningdoc[0][0]"},
		{"comment with a CR", chr(&Comment{"a\rb"}), "/wap-provisioningdoc[0][0]"},
		{"comment ending with -", chr(&Comment{"a-"}), "/wap-provisioningdoc[0][0]"},
		{"text in a characteristic", chr(&Text{" "}), "/wap-provisioningdoc[0][0]"},
		{"empty text", chr(&Element{Name: "e", Nodes: []Node{&Text{""}}}), "/wap-provisioningdoc[0][0][0]"},
		{"two texts", chr(&Element{Name: "e", Nodes: []Node{&Text{"a"}, &Text{"b"}}}), "/wap-provisioningdoc[0][0][1]"},
		{"Element named characteristic", chr(&Element{Name: "characteristic"}), "/wap-provisioningdoc[0][0]"},
		{"Element named parm", &Document{Nodes: []Node{&Element{Name: "parm"}}}, "/wap-provisioningdoc[0]"},
		{"characteristic in an Element", chr(&Element{Name: "e", Nodes: []Node{&Characteristic{Type: "x"}}}), "/wap-provisioningdoc[0][0][0]"},
		{"undeclared prefix", chr(&Element{Name: "p:e"}), "/wap-provisioningdoc[0][0]"},
		{"undeclared attribute prefix", chr(&Parm{Name: "a", Attrs: []Attr{{"p:x", ""}}}), "/wap-provisioningdoc[0][0]"},
		{"prefix out of scope", &Document{Nodes: []Node{&Element{Name: "e", Attrs: []Attr{{"xmlns:p", "u"}}}, &Element{Name: "p:e"}}}, "/wap-provisioningdoc[1]"},
		{"prefix bound to empty", &Document{Attrs: []Attr{{"xmlns:p", ""}}}, "/wap-provisioningdoc"},
		{"bad element name", chr(&Element{Name: "a b"}), "/wap-provisioningdoc[0][0]"},
		{"nil node", chr(nil), "/wap-provisioningdoc[0][0]"},
		{"nil characteristic", chr((*Characteristic)(nil)), "/wap-provisioningdoc[0][0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.doc)
			if !errors.Is(err, ErrValue) {
				t.Fatalf("got %q, %v; want ErrValue", b, err)
			}
			if b != nil {
				t.Errorf("wrote %q", b)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path {
				t.Errorf("%v: not a *FieldError for %s", err, tt.path)
			}
			if !strings.Contains(err.Error(), tt.path+":") || !strings.HasPrefix(err.Error(), "provisioning: ") {
				t.Errorf("message %q does not name %s", err, tt.path)
			}
		})
	}
	if _, err := (*Document)(nil).MarshalText(); !errors.Is(err, ErrValue) {
		t.Errorf("nil Document: %v", err)
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "_a": true, "a-b.c1": true, "x:y": true, ":x": true, "é": true, "ab\u00b7": true,
		"": false, "1a": false, "-a": false, "a b": false, "a:b:c": false, "a>": false, "\xff": false,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v", name, got)
		}
	}
}
