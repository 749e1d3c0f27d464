package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerated fails when the committed output is not what command.go
// gives now: run `go generate ./syncml`.
func TestGenerated(t *testing.T) {
	root := filepath.Join("..", "..")
	src, err := os.ReadFile(filepath.Join(root, "command.go"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files generated, want 3", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go generate ./syncml", name)
		}
	}
}

// TestOneField: a child element added to a command is one field; the
// reader, the writer, the random builder and the names of the tree
// comparison all follow.
func TestOneField(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "command.go"))
	if err != nil {
		t.Fatal(err)
	}
	withField := strings.Replace(string(src), "type Get struct {\n\tCmdID  string\n", "type Get struct {\n\tCmdID  string\n\tHint string\n\tFlags []string\n", 1)
	if withField == string(src) {
		t.Fatal("the Get struct is not where the test expects it")
	}
	files, err := generate([]byte(withField))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"commands_gen.go": {
			`elHint  ` /* aligned by gofmt */, `case "Hint":` + "\n\t\t\treturn sc.leafOnce(&seen, 1, ch, pos, &c.Hint)",
			`case "Flags":` + "\n\t\t\treturn sc.leafAppend(ch, pos, &c.Flags)",
			"w.leaf(elHint, c.Hint)", "w.refs(elFlags, c.Flags, false)",
		},
		"commands_gen_test.go":                         {`"Hint"`, `"Flags"`},
		filepath.Join("syncmltest", "commands_gen.go"): {"Hint: b.leaf(), Flags: b.refs()"},
	} {
		for _, w := range want {
			if !strings.Contains(string(files[name]), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	// a field of a type that is no element kind is refused
	if _, err := generate([]byte(strings.Replace(string(src), "type Get struct {\n\tCmdID  string\n", "type Get struct {\n\tCmdID  string\n\tN int\n", 1))); err == nil {
		t.Error("an int field was accepted")
	}
}
