package syncml

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An element is read as part of the model only in the message's SyncML
// namespace or in none; in another namespace it is an Unknown where a
// command may stand, written back as it came, and an unexpected element
// elsewhere. Meta and its descendants may also be in the metinf namespace
// (TestMetInfTolerance).
func TestForeignNamespaceIsUnknown(t *testing.T) {
	tests := []struct {
		name string
		root string // extra attributes of the root
		body string // SyncBody content, written back as it is
		want []Command
	}{
		{"prefixed Add", "", `<p:Add xmlns:p="urn:other"><p:CmdID>1</p:CmdID></p:Add>`,
			[]Command{&Unknown{Name: "p:Add", Raw: `<p:Add xmlns:p="urn:other"><p:CmdID>1</p:CmdID></p:Add>`}}},
		{"prefixed Add with SyncML children", "", `<p:Add xmlns:p="urn:other"><CmdID>1</CmdID><Item><Data>x</Data></Item></p:Add>`,
			[]Command{&Unknown{Name: "p:Add", Raw: `<p:Add xmlns:p="urn:other"><CmdID>1</CmdID><Item><Data>x</Data></Item></p:Add>`}}},
		{"default namespace on Get", "", `<Get xmlns="urn:other"><CmdID>2</CmdID></Get>`,
			[]Command{&Unknown{Name: "Get", Raw: `<Get xmlns="urn:other"><CmdID>2</CmdID></Get>`}}},
		{"other SyncML version", "", `<Status xmlns="SYNCML:SYNCML1.1"><CmdID>3</CmdID></Status>`,
			[]Command{&Unknown{Name: "Status", Raw: `<Status xmlns="SYNCML:SYNCML1.1"><CmdID>3</CmdID></Status>`}}},
		{"prefix from the root", ` xmlns:p="urn:other"`, `<p:Replace xmlns:p="urn:other"/>`,
			[]Command{&Unknown{Name: "p:Replace", Raw: `<p:Replace xmlns:p="urn:other"/>`}}},
		{"Final", "", `<Get><CmdID>1</CmdID></Get><p:Final xmlns:p="urn:other"/>`,
			[]Command{&Get{CmdID: "1"}, &Unknown{Name: "p:Final", Raw: `<p:Final xmlns:p="urn:other"/>`}}},
		{"in Atomic", "", `<Atomic><CmdID>1</CmdID><p:Delete xmlns:p="urn:other"/><p:CmdID xmlns:p="urn:other">9</p:CmdID></Atomic>`,
			[]Command{&Atomic{CmdID: "1", Commands: []Command{
				&Unknown{Name: "p:Delete", Raw: `<p:Delete xmlns:p="urn:other"/>`},
				&Unknown{Name: "p:CmdID", Raw: `<p:CmdID xmlns:p="urn:other">9</p:CmdID>`},
			}}}},
		{"in Sequence", "", `<Sequence><p:Meta xmlns:p="urn:other"/><Exec xmlns="urn:other"/></Sequence>`,
			[]Command{&Sequence{Commands: []Command{
				&Unknown{Name: "p:Meta", Raw: `<p:Meta xmlns:p="urn:other"/>`},
				&Unknown{Name: "Exec", Raw: `<Exec xmlns="urn:other"/>`},
			}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `<SyncML xmlns="SYNCML:SYNCML1.2"` + tt.root + `>` + testHdr + `<SyncBody>` + tt.body + `</SyncBody></SyncML>`
			m, err := decodeBoth(t, []byte(in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, m.Body.Commands); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			out, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if want := body(tt.body); string(out) != want {
				t.Errorf("Marshal:\n got %s\nwant %s", out, want)
			}
			checkWritable(t, in)
		})
	}
}

// TestNoNamespaceIsSyncML: an element in no namespace, as devices send it,
// is read as the SyncML element, and so are prefixes bound to the
// message's namespace.
func TestNoNamespaceIsSyncML(t *testing.T) {
	in := `<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:s="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody>` +
		`<Add xmlns=""><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Add>` +
		`<s:Get><CmdID xmlns="">2</CmdID><s:Item><Meta xmlns="syncml:metinf"><Format>chr</Format></Meta></s:Item></s:Get>` +
		`<Final xmlns=""/></SyncBody></SyncML>`
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Body{Final: true, Commands: []Command{
		&Add{CmdID: "1", Items: []Item{{Target: &Location{LocURI: "./a"}}}},
		&Get{CmdID: "2", Items: []Item{{Meta: &Meta{Format: "chr"}}}},
	}}
	if d := cmp.Diff(want, m.Body); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestForeignNamespaceChild: where no Unknown may stand (SyncHdr and
// SyncBody themselves, the children of the header, of commands, of Item,
// Location, Cred, Chal, and of Meta outside the metinf namespace), an
// element in another namespace is unexpected.
func TestForeignNamespaceChild(t *testing.T) {
	tests := []struct{ name, in string }{
		{"SyncHdr", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr xmlns="urn:other"/><SyncBody/></SyncML>`},
		{"prefixed SyncHdr", `<SyncML xmlns="SYNCML:SYNCML1.2"><p:SyncHdr xmlns:p="urn:other"/><SyncBody/></SyncML>`},
		{"SyncHdr, root in none", `<SyncML><SyncHdr xmlns="SYNCML:SYNCML1.2"/><SyncBody/></SyncML>`},
		{"SyncBody", `<SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody xmlns="urn:other"><Final/></SyncBody></SyncML>`},
		{"empty SyncBody", `<SyncML xmlns="SYNCML:SYNCML1.2">` + testHdr + `<SyncBody xmlns="urn:other"/></SyncML>`},
		{"SyncBody without header", `<SyncML xmlns="SYNCML:SYNCML1.2"><p:SyncBody xmlns:p="urn:other"/></SyncML>`},
		{"header child", hdrMsg(`<p:MsgID xmlns:p="urn:other">1</p:MsgID>`)},
		{"command child", body(`<Add><p:CmdID xmlns:p="urn:other">1</p:CmdID></Add>`)},
		{"Item", body(`<Add><CmdID>1</CmdID><Item xmlns="urn:other"/></Add>`)},
		{"Item child", item(`<p:Data xmlns:p="urn:other">x</p:Data>`)},
		{"Location child", item(`<Target><LocURI xmlns="urn:other">./a</LocURI></Target>`)},
		{"Status child", body(`<Status><CmdID>1</CmdID><CmdRef xmlns="SYNCML:SYNCML1.1">0</CmdRef></Status>`)},
		{"Chal child", body(`<Status><CmdID>1</CmdID><Chal><Meta xmlns="urn:other"/></Chal></Status>`)},
		{"Meta", item(`<p:Meta xmlns:p="urn:other"><Format>chr</Format></p:Meta>`)},
		{"Meta child", item(`<Meta><p:Format xmlns:p="urn:other">chr</p:Format></Meta>`)},
		{"Anchor child", item(`<Meta><Anchor><Next xmlns="urn:other">n</Next></Anchor></Meta>`)},
		{"Mem child", item(`<Meta xmlns="syncml:metinf"><Mem><p:FreeMem xmlns:p="urn:other">1</p:FreeMem></Mem></Meta>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, []byte(tt.in), Limits{})
			if !errors.Is(err, ErrStructure) {
				t.Fatalf("error %v, want ErrStructure", err)
			}
		})
	}
}

// TestDataOwnDefaultNamespace: a default namespace other than the
// message's declared on Data belongs to its element content, which must
// use it; a Data whose content is text, CDATA, nothing, or elements in
// other namespaces would be read, and written back, in the message's
// namespace, so it is refused.
func TestDataOwnDefaultNamespace(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"text", item(`<Data xmlns="urn:x">text</Data>`)},
		{"CDATA", item(`<Data xmlns="urn:x"><![CDATA[x]]></Data>`)},
		{"empty", item(`<Data xmlns="urn:x"></Data>`)},
		{"self-closing", item(`<Data xmlns="urn:x"/>`)},
		{"comment", item(`<Data xmlns="urn:x"><!--c--></Data>`)},
		{"prefixed content", item(`<Data xmlns="urn:x"><p:a xmlns:p="urn:p"/></Data>`)},
		{"content redeclares", item(`<Data xmlns="urn:x"><a xmlns="urn:y"/></Data>`)},
		{"Status", body(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd><Data xmlns="urn:x">200</Data></Status>`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, []byte(tt.in), Limits{})
			if !errors.Is(err, ErrStructure) {
				t.Fatalf("error %v, want ErrStructure", err)
			}
			// the error names Data's own path, not its parent's
			if de := (*DecodeError)(nil); !errors.As(err, &de) || !strings.HasSuffix(de.Path, "/Data") {
				t.Errorf("error %v, want one in the path of Data", err)
			}
		})
	}
	// content in it keeps it, on Data
	in := item(`<Data xmlns="urn:x"><a/><p:b xmlns:p="urn:p"/></Data>`)
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `<Data xmlns="urn:x"><a/><p:b xmlns:p="urn:p"/></Data>`) {
		t.Errorf("Marshal: %s", out)
	}
	// the message's namespace, or none, is no other namespace
	for _, ok := range []string{item(`<Data xmlns="SYNCML:SYNCML1.2">text</Data>`), item(`<Data xmlns="">text</Data>`)} {
		if _, err := decodeBoth(t, []byte(ok), Limits{}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
