package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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

// TestRunHostileValues: a value with a line end or a control character
// is quoted, so it cannot forge lines of the tree, and a long Data is cut
// at a character's start.
func TestRunHostileValues(t *testing.T) {
	in := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1&#xA;  Final: true</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>./a&#x9B;2J</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr><SyncBody>` +
		`<Get><CmdID>2&#xD;  [bytes 0-0]</CmdID><Item><Target><LocURI>./b&#xA;  Final: true</LocURI></Target><Data>` + strings.Repeat("a", 71) + `é</Data></Item></Get>` +
		`</SyncBody></SyncML>`
	f := filepath.Join(t.TempDir(), "m.xml")
	if err := os.WriteFile(f, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	var tree bytes.Buffer
	if err := run(f, false, &tree); err != nil {
		t.Fatal(err)
	}
	out := tree.String()
	if n := strings.Count(out, "\n  Final:"); n != 1 {
		t.Errorf("%d lines say Final:\n%s", n, out)
	}
	if n := strings.Count(out, "\n  [bytes"); n != 1 {
		t.Errorf("%d lines say [bytes:\n%s", n, out)
	}
	if strings.Contains(out, "\u009b") || !utf8.ValidString(out) || strings.Contains(out, `\xc3`) {
		t.Errorf("raw control character or cut character in the tree: %q", out)
	}
	for _, want := range []string{`session "1\n  Final: true"`, `to   "./a\u009b2J"`, `Target "./b\n  Final: true"`} {
		if !strings.Contains(out, want) {
			t.Errorf("tree lacks %s:\n%s", want, out)
		}
	}
}

// TestRunCanonicalMalformed: a message that is malformed after more than
// the Encoder buffers (32 KiB) writes no canonical XML at all, not a
// start of it that looks complete up to a point.
func TestRunCanonicalMalformed(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody>`)
	for i := range 1000 {
		fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID><Item><Target><LocURI>./Vendor/MSFT/Node%d</LocURI></Target></Item></Get>`, i+1, i)
	}
	b.WriteString(`<Get><CmdID>1001</CmdID><Bad/></Get></SyncBody></SyncML>`)
	f := filepath.Join(t.TempDir(), "m.xml")
	if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(f, true, &out); err == nil {
		t.Fatal("run succeeded")
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes of canonical XML written for a malformed message", out.Len())
	}
}

// TestCLIArguments: a second file is refused (exit 2, nothing on
// stdout), not left out without a word; an empty header value shows as
// "" instead of a gap.
func TestCLIArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := cli([]string{"sample.xml", "sample.xml"}, &out, &errOut); code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "2 files given") {
		t.Errorf("two files: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := cli([]string{"-canonical", "sample.xml"}, &out, &errOut); code != 0 || out.Len() == 0 {
		t.Errorf("one file: exit %d, stderr %q", code, errOut.String())
	}
	f := filepath.Join(t.TempDir(), "m.xml")
	in := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto></VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`
	if err := os.WriteFile(f, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := cli([]string{f}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{`(VerDTD 1.2, "")`, `from ""`, `to   ""`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tree lacks %s:\n%s", want, out.String())
		}
	}
}
