package declaredconfig

import (
	"encoding"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// specDir is the shared reference folder, read in place.
const specDir = "../../shared/spec/ms-docs/client-management"

var specPages = []string{
	"declared-configuration.md",
	"declared-configuration-resource-access.md",
	"declared-configuration-extensibility.md",
	"mdm/declaredconfiguration-csp.md",
}

type codeBlock struct {
	page string
	line int
	text string
}

var fenceRE = regexp.MustCompile("(?m)^([ \t]*)```xml[ \t]*\n")

// xmlBlocks returns the ```xml code blocks of the pages, with the block's
// indentation removed.
func xmlBlocks(t *testing.T) []codeBlock {
	t.Helper()
	var out []codeBlock
	for _, p := range specPages {
		b, err := os.ReadFile(filepath.Join(specDir, p))
		if err != nil {
			t.Skipf("reference documents not available: %v", err)
		}
		s := string(b)
		for _, m := range fenceRE.FindAllStringSubmatchIndex(s, -1) {
			indent := s[m[2]:m[3]]
			start := m[1]
			end := strings.Index(s[start:], "\n"+indent+"```")
			if end < 0 {
				t.Fatalf("%s: unterminated code block", p)
			}
			var lines []string
			for _, l := range strings.Split(s[start:start+end], "\n") {
				lines = append(lines, strings.TrimPrefix(l, indent))
			}
			out = append(out, codeBlock{page: p, line: strings.Count(s[:start], "\n") + 1, text: strings.Join(lines, "\n")})
		}
	}
	return out
}

// specPayload is one document found in the docs.
type specPayload struct {
	where string
	root  string // root element name
	text  string // the document as the device or server would read it
}

// specPayloads extracts every DeclaredConfiguration, DeclaredConfigurationResult,
// DeclaredConfigurations and InstanceBlob of the docs: whole code blocks, and
// the Data of every SyncML Item (text, CDATA or markup).
func specPayloads(t *testing.T) (payloads []specPayload, broken []codeBlock) {
	for _, blk := range xmlBlocks(t) {
		doc := etree.NewDocument()
		body := strings.TrimSpace(blk.text)
		if strings.HasPrefix(body, "<?xml") {
			body = body[strings.Index(body, "?>")+2:]
		}
		if err := doc.ReadFromString("<fragment>" + body + "</fragment>"); err != nil {
			broken = append(broken, blk)
			continue
		}
		where := blk.page + ":" + itoa(blk.line)
		for _, e := range doc.Root().ChildElements() {
			if isPayloadRoot(e.Tag) {
				payloads = append(payloads, specPayload{where: where, root: e.Tag, text: body})
			}
		}
		for _, d := range doc.Root().FindElements("//Data") {
			if kids := d.ChildElements(); len(kids) > 0 {
				if isPayloadRoot(kids[0].Tag) {
					sub := etree.NewDocument()
					sub.SetRoot(kids[0].Copy())
					s, _ := sub.WriteToString()
					payloads = append(payloads, specPayload{where: where + " (markup Data)", root: kids[0].Tag, text: s})
				}
				continue
			}
			text := d.Text()
			r, err := etreeRoot(text)
			if err == nil && isPayloadRoot(r.Tag) {
				payloads = append(payloads, specPayload{where: where + " (text Data)", root: r.Tag, text: text})
			}
		}
	}
	return payloads, broken
}

func isPayloadRoot(name string) bool {
	switch name {
	case "DeclaredConfiguration", "DeclaredConfigurationResult", "DeclaredConfigurations", "InstanceBlob":
		return true
	}
	return false
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

type textCodec interface {
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}

func newCodec(root string) textCodec {
	switch root {
	case "DeclaredConfiguration":
		return &Document{}
	case "DeclaredConfigurationResult":
		return &Result{}
	case "DeclaredConfigurations":
		return &Summary{}
	case "InstanceBlob":
		return &InstanceBlob{}
	}
	return nil
}

// checkExact applies the exactness rules to one accepted input: values
// survive a second round, the canonical form is a fixpoint, and the
// canonical form says what the input said.
func checkExact(t *testing.T, where, root, input string) {
	t.Helper()
	v1 := newCodec(root)
	if err := v1.UnmarshalText([]byte(input)); err != nil {
		t.Errorf("%s: decode: %v", where, err)
		return
	}
	c1, err := v1.MarshalText()
	if err != nil {
		t.Errorf("%s: encode: %v", where, err)
		return
	}
	v2 := newCodec(root)
	if err := v2.UnmarshalText(c1); err != nil {
		t.Errorf("%s: decode canonical: %v\n%s", where, err, c1)
		return
	}
	if diff := cmp.Diff(v1, v2); diff != "" {
		t.Errorf("%s: value changed by a round trip (-first +second):\n%s", where, diff)
	}
	c2, err := v2.MarshalText()
	if err != nil || string(c2) != string(c1) {
		t.Errorf("%s: canonical form is not a fixpoint (err %v):\n%s\n%s", where, err, c1, c2)
	}
	if err := sameTree(input, string(c1)); err != nil {
		t.Errorf("%s: canonical form lost content: %v\ninput: %s\noutput: %s", where, err, input, c1)
	}
}

// TestSpecDocuments walks every document, result, summary and instance blob
// of the documentation in place and checks it decodes and round-trips
// exactly. The one placeholder document ("... {Configuration Data} ...")
// must be refused as a structure error.
func TestSpecDocuments(t *testing.T) {
	payloads, broken := specPayloads(t)
	counts := map[string]int{}
	for _, p := range payloads {
		if strings.Contains(p.text, "{Configuration Data}") {
			var d Document
			if err := d.UnmarshalText([]byte(p.text)); err == nil {
				t.Errorf("%s: placeholder document accepted", p.where)
			}
			continue
		}
		counts[p.root]++
		checkExact(t, p.where, p.root, p.text)
	}
	t.Logf("checked %v; %d code blocks are not well-formed fragments (partial examples)", counts, len(broken))
	for _, b := range broken {
		// The only unparseable blocks are the two partial one-line examples
		// that open DeclaredConfiguration and CSP without closing them.
		if !strings.Contains(b.text, "<CSP name=") || strings.Contains(b.text, "</CSP>") {
			t.Errorf("%s:%d: unexpected unparseable block:\n%s", b.page, b.line, b.text)
		}
	}
	want := map[string]int{"DeclaredConfiguration": 7, "DeclaredConfigurationResult": 3, "DeclaredConfigurations": 1, "InstanceBlob": 1}
	for k, n := range want {
		if counts[k] < n {
			t.Errorf("found %d %s payloads in the docs, want at least %d", counts[k], k, n)
		}
	}
}

// unmarshalSpec decodes a SyncML example of the docs with syncml.Unmarshal.
// The docs' examples often omit SyncHdr, which the codec requires; an empty
// one is inserted after the root start tag when that is the only problem.
func unmarshalSpec(t *testing.T, text string) *syncml.Message {
	t.Helper()
	var m syncml.Message
	err := syncml.Unmarshal([]byte(text), &m)
	if err == nil {
		return &m
	}
	if strings.Contains(text, "<SyncHdr") {
		t.Fatalf("syncml.Unmarshal: %v\n%s", err, text)
	}
	i := strings.Index(text, "<SyncBody>")
	if i < 0 {
		t.Fatalf("syncml.Unmarshal: %v", err)
	}
	patched := text[:i] + "<SyncHdr/>" + text[i:]
	m = syncml.Message{}
	if err2 := syncml.Unmarshal([]byte(patched), &m); err2 != nil {
		t.Fatalf("syncml.Unmarshal: %v (with an empty SyncHdr: %v)", err, err2)
	}
	return &m
}

// TestSpecMessagesThroughSyncML decodes every whole SyncML example with
// syncml.Unmarshal and reads each document Data and Results item through
// this package, as a server would.
func TestSpecMessagesThroughSyncML(t *testing.T) {
	n := 0
	for _, blk := range xmlBlocks(t) {
		text := strings.TrimSpace(blk.text)
		if !strings.Contains(text, "</SyncML>") {
			continue
		}
		m := unmarshalSpec(t, text)
		reply, err := ReadReply(m)
		if err != nil {
			t.Errorf("%s:%d: ReadReply: %v", blk.page, blk.line, err)
		}
		for _, ri := range reply.Results {
			it := ri.Item()
			if it.Source == nil || it.Data == nil {
				continue
			}
			if u, err := ParseURI(it.Source.LocURI); err != nil || u.Node != NodeResults {
				continue
			}
			n++
			var res Result
			if err := res.UnmarshalText([]byte(it.Data.Value)); err != nil {
				t.Errorf("%s:%d: result %s: %v", blk.page, blk.line, it.Source.LocURI, err)
			}
		}
		for _, c := range m.Body.Commands {
			var items []syncml.Item
			switch c := c.(type) {
			case *syncml.Replace:
				items = c.Items
			case *syncml.Add:
				items = c.Items
			}
			for _, it := range items {
				if it.Target == nil || it.Data == nil {
					continue
				}
				u, err := ParseURI(it.Target.LocURI)
				if err != nil {
					t.Errorf("%s:%d: %v", blk.page, blk.line, err)
					continue
				}
				switch u.Node {
				case NodeDocument:
					n++
					var d Document
					if err := d.UnmarshalText([]byte(it.Data.Value)); err != nil {
						t.Errorf("%s:%d: document: %v", blk.page, blk.line, err)
						continue
					}
					if err := d.Validate(u); err != nil {
						t.Errorf("%s:%d: documented example does not validate: %v", blk.page, blk.line, err)
					}
				case NodeBulkVariables:
					n++
					var b InstanceBlob
					if err := b.UnmarshalText([]byte(it.Data.Value)); err != nil {
						t.Errorf("%s:%d: instance blob: %v", blk.page, blk.line, err)
					}
				}
			}
		}
	}
	if n < 8 {
		t.Errorf("read %d documents and results through syncml, want at least 8", n)
	}
}
