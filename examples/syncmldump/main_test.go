package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func TestRunSample(t *testing.T) {
	var tree bytes.Buffer
	if err := run("", false, &tree); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Alert CmdID=2", "1201 Client-initiated", "Source ./DevInfo/Man", `"Contoso & Sons"`, "original error 0x86000002", "Data (xml)", "Final: true"} {
		if !strings.Contains(tree.String(), want) {
			t.Errorf("tree lacks %q:\n%s", want, tree.String())
		}
	}
	var canon bytes.Buffer
	if err := run("sample.xml", true, &canon); err != nil {
		t.Fatal(err)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(canon.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	want, _ := syncml.Marshal(&m)
	if got := bytes.TrimSpace(canon.Bytes()); !bytes.Equal(got, want) {
		t.Errorf("canonical output is not a fixpoint:\n%s\n%s", got, want)
	}
}
