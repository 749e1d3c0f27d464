package provisioning

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestGolden pins the canonical output: a document Build writes with every
// field of the typed view set, and a Document with every kind of node and
// every escape.
func TestGolden(t *testing.T) {
	d, err := Build(fullEnrollment())
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "enrollment", b)

	kinds := &Document{Version: Version11, Attrs: []Attr{{"xmlns:p", "urn:x"}, {"p:a", "tab\tlf\ncr\r"}}, Nodes: []Node{
		&Comment{" a comment "},
		&Characteristic{Type: "A & <B>", Attrs: []Attr{{"x", `"quoted"`}}, Nodes: []Node{
			&Parm{Name: "flag", NoValue: true},
			&Parm{Name: "empty", Value: "", Attrs: []Attr{{"datatype", ""}}},
			&Parm{Name: "unicode", Value: "é中\U0001F600\uF000", Datatype: "string"},
			&Characteristic{Type: ""},
		}},
		&Element{Name: "nocharacteristic", Attrs: []Attr{{"type", "Old"}}},
		&Element{Name: "p:ext", Nodes: []Node{&Text{" text ]]> & <\r\n"}, &Element{Name: "characteristic"}, &Comment{"c"}}},
	}}
	b, err = kinds.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "kinds", b)
}
