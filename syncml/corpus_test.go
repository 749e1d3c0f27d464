package syncml_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// update rewrites the golden files: go test ./syncml -run Corpus -update.
// Another test file of the package may define the same flag; then that
// definition is read.
var updating = boolFlag("update", "rewrite the golden files of the corpus")

func boolFlag(name, usage string) func() bool {
	if f := flag.Lookup(name); f != nil {
		return func() bool { return f.Value.String() == "true" }
	}
	p := flag.Bool(name, false, usage)
	return func() bool { return *p }
}

const goldenDir = "syncmltest/testdata/golden"

// ---- shared checks ----

// streamDecode decodes a message with a Decoder reading from r.
func streamDecode(r io.Reader) (*syncml.Message, error) {
	m := new(syncml.Message)
	if err := syncml.NewDecoder(r).Decode(m); err != nil {
		return nil, err
	}
	return m, nil
}

// typedError reports whether err is a *DecodeError or a *LimitError.
func typedError(err error) bool {
	var de *syncml.DecodeError
	var le *syncml.LimitError
	return errors.As(err, &de) || errors.As(err, &le)
}

// reporter is the part of testing.T the shared checks use.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// collector records failures instead of reporting them, for inputs with a
// known codec issue.
type collector struct{ msgs []string }

func (c *collector) Helper() {}

func (c *collector) Errorf(format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

// knownIssues lists corpus inputs that show a codec bug reported to the
// lead; their property failures are logged, not failed. When an issue
// stops reproducing, the test fails so that the entry is removed.
var knownIssues = map[string]string{}

// withKnownIssue runs check against t, or, when key has a known issue,
// against a collector whose failures are logged.
func withKnownIssue(t *testing.T, key string, check func(r reporter)) {
	t.Helper()
	issue, ok := knownIssues[key]
	if !ok {
		check(t)
		return
	}
	var c collector
	check(&c)
	if len(c.msgs) == 0 {
		t.Errorf("known issue no longer reproduces for %s: remove it from knownIssues (%s)", key, issue)
		return
	}
	t.Logf("known issue (%s): %d failures, first:\n%s", issue, len(c.msgs), c.msgs[0])
}

// checkAccepted checks the exactness properties of an accepted input b and
// returns its canonical encoding. Failures are reported with t.Errorf.
func checkAccepted(t reporter, name string, b []byte) []byte {
	t.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(b, &m); err != nil {
		t.Errorf("%s: rejected: %v", name, err)
		return nil
	}
	c, err := syncml.Marshal(&m)
	if err != nil {
		t.Errorf("%s: Marshal: %v", name, err)
		return nil
	}
	// values: Unmarshal(Marshal(m)) == m
	var m2 syncml.Message
	if err := syncml.Unmarshal(c, &m2); err != nil {
		t.Errorf("%s: canonical output rejected: %v\n%s", name, err, c)
		return c
	}
	if d := cmp.Diff(&m, &m2); d != "" {
		t.Errorf("%s: Unmarshal(Marshal(m)) != m (-m +m2):\n%s", name, d)
	}
	// bytes: Marshal is a fixpoint
	c2, err := syncml.Marshal(&m2)
	if err != nil {
		t.Errorf("%s: second Marshal: %v", name, err)
	} else if !bytes.Equal(c, c2) {
		t.Errorf("%s: Marshal is not a fixpoint:\n first: %s\nsecond: %s", name, c, c2)
	}
	// nothing lost
	if err := treeDiff(b, c); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	// streaming equals whole
	for _, rd := range []struct {
		name string
		r    io.Reader
	}{
		{"OneByteReader", iotest.OneByteReader(bytes.NewReader(b))},
		{"HalfReader", iotest.HalfReader(bytes.NewReader(b))},
		{"DataErrReader", iotest.DataErrReader(bytes.NewReader(b))},
	} {
		sm, err := streamDecode(rd.r)
		if err != nil {
			t.Errorf("%s: Decoder through %s: %v", name, rd.name, err)
			continue
		}
		if d := cmp.Diff(&m, sm); d != "" {
			t.Errorf("%s: Decoder through %s differs from Unmarshal (-whole +stream):\n%s", name, rd.name, d)
		}
	}
	// every other way of writing it (Encoder by command and whole,
	// AppendMessage, indented) agrees with Marshal
	if d := syncmltest.EncodePaths(&m, c); d != "" {
		t.Errorf("%s: %s", name, d)
	}
	checkSpans(t, name, b, &m)
	return c
}

// checkSpans checks the Decoder's InputSpan for UTF-8 input without a
// byte-order mark: the header span is the SyncHdr element, each command's
// span is that element, and an Unknown's span is exactly its Raw.
func checkSpans(t reporter, name string, b []byte, whole *syncml.Message) {
	t.Helper()
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) ||
		bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.IndexByte(b, 0) >= 0 {
		return
	}
	if l := strings.ToLower(declLabel(b)); l != "" && l != "utf-8" && l != "utf8" && !strings.HasPrefix(l, "utf-16") {
		return
	}
	d := syncml.NewDecoder(bytes.NewReader(b))
	if _, err := d.Header(); err != nil {
		t.Errorf("%s: Header: %v", name, err)
		return
	}
	s, e := d.InputSpan()
	switch {
	case s < 0 || e > int64(len(b)) || s > e:
		t.Errorf("%s: header span [%d,%d) out of range", name, s, e)
		return
	case s == e:
		// no SyncHdr: an empty span where SyncBody starts
		if !bytes.Contains(b[s:min(s+40, int64(len(b)))], []byte("SyncBody")) {
			t.Errorf("%s: empty header span at %d is not at SyncBody", name, s)
		}
	case s < e:
		if span := string(b[s:e]); !strings.HasPrefix(span, "<") || !strings.Contains(span[:min(len(span), 40)], "SyncHdr") || !strings.HasSuffix(span, ">") {
			t.Errorf("%s: header span [%d,%d) is %q", name, s, e, span)
		}
	}
	for i := 0; ; i++ {
		c, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: Next: %v", name, err)
			return
		}
		s, e := d.InputSpan()
		if s < 0 || e > int64(len(b)) || s >= e {
			t.Errorf("%s: command %d span [%d,%d) out of range", name, i, s, e)
			continue
		}
		span := string(b[s:e])
		if u, ok := c.(*syncml.Unknown); ok {
			// Raw is the span, with the declarations it relies on from
			// enclosing elements added after its name
			n := 1 + len(u.Name)
			if len(span) < n || !strings.HasPrefix(u.Raw, span[:n]) || !strings.HasSuffix(u.Raw, span[n:]) ||
				!isAllDecls(u.Raw[n:len(u.Raw)-len(span)+n]) {
				t.Errorf("%s: command %d: span %q != Unknown.Raw %q", name, i, span, u.Raw)
			}
			continue
		}
		head := span[:min(len(span), 64)]
		if !strings.HasPrefix(span, "<") || !strings.HasSuffix(span, ">") || !strings.Contains(head, c.ElementName()) {
			t.Errorf("%s: command %d (%s) span is %q", name, i, c.ElementName(), clipStr(span))
		}
	}
}

func clipStr(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// isPlainUTF8 reports whether b is UTF-8 without a byte-order mark and
// without a declaration naming another encoding.
func isPlainUTF8(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) ||
		bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	l := strings.ToLower(declLabel(b))
	return l == "" || l == "utf-8" || l == "utf8"
}

// padded returns b with a comment before the root element that puts the
// Decoder's first read boundary (32 KiB) at offset k of b's root element.
func padded(b []byte, k int) []byte {
	const window = 32 << 10
	root := bytes.Index(b, []byte("<SyncML"))
	if root < 0 {
		return nil
	}
	p := window - root - k
	if p < 7 {
		return nil
	}
	out := make([]byte, 0, len(b)+p)
	out = append(out, b[:root]...)
	out = append(out, "<!--"...)
	out = append(out, bytes.Repeat([]byte{'x'}, p-7)...)
	out = append(out, "-->"...)
	return append(out, b[root:]...)
}

// checkBoundaries decodes b with the Decoder's read boundary at many
// offsets and compares with Unmarshal.
func checkBoundaries(t reporter, name string, b []byte, want *syncml.Message) {
	t.Helper()
	root := bytes.Index(b, []byte("<SyncML"))
	if root < 0 || !isPlainUTF8(b) {
		return
	}
	n := len(b) - root
	step := max(1, n/40)
	for k := 0; k < n; k += step {
		p := padded(b, k)
		if p == nil {
			continue
		}
		got, err := streamDecode(iotest.OneByteReader(bytes.NewReader(p)))
		if err != nil {
			t.Errorf("%s: boundary at %d: Decoder: %v", name, k, err)
			continue
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: boundary at %d: Decoder differs from Unmarshal:\n%s", name, k, d)
		}
	}
}

// ---- the corpus ----

func TestCorpusMessages(t *testing.T) {
	msgs := syncmltest.Messages()
	if len(msgs) < 30 {
		t.Fatalf("corpus has %d messages, want at least 30", len(msgs))
	}
	names := map[string]bool{}
	for _, f := range msgs {
		names[f.Name] = true
		t.Run(f.Name, func(t *testing.T) {
			var c []byte
			withKnownIssue(t, f.Name, func(r reporter) {
				c = checkAccepted(r, f.Name, f.Data)
				var m syncml.Message
				if err := syncml.Unmarshal(f.Data, &m); err == nil {
					checkBoundaries(r, f.Name, f.Data, &m)
				}
			})
			if c == nil {
				var m syncml.Message
				if err := syncml.Unmarshal(f.Data, &m); err != nil {
					return
				}
				var err error
				if c, err = syncml.Marshal(&m); err != nil {
					return
				}
			}
			path := filepath.Join(goldenDir, f.Name)
			if updating() {
				if err := os.WriteFile(path, c, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			g, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no golden file (run go test ./syncml -run Corpus -update): %v", err)
			}
			if !bytes.Equal(g, c) {
				t.Errorf("canonical encoding differs from %s:\n got: %s\nwant: %s", path, c, g)
			}
			if e, ok := syncmltest.Golden(f.Name); !ok || !bytes.Equal(e, g) {
				t.Errorf("embedded golden %s differs from the file", f.Name)
			}
		})
	}
	if updating() {
		return
	}
	// no stale golden files
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !names[e.Name()] {
			t.Errorf("golden file %s has no message", e.Name())
		}
	}
}

// TestCorpusGolden checks the golden files themselves: canonical
// encodings are accepted, are their own canonical encoding, and satisfy
// every property.
func TestCorpusGolden(t *testing.T) {
	if updating() {
		t.Skip("updating")
	}
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		g, err := os.ReadFile(filepath.Join(goldenDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(e.Name(), func(t *testing.T) {
			withKnownIssue(t, "golden/"+e.Name(), func(r reporter) {
				c := checkAccepted(r, e.Name(), g)
				if c != nil && !bytes.Equal(c, g) {
					r.Errorf("golden is not canonical:\n got: %s\nwant: %s", c, g)
				}
			})
		})
	}
}

// malformedCause maps the kind in a malformed file's name to the sentinel
// its DecodeError must wrap.
var malformedCause = map[string]error{
	"syntax":      syncml.ErrSyntax,
	"doctype":     syncml.ErrDOCTYPE,
	"entity":      syncml.ErrEntity,
	"prefix":      syncml.ErrNamespace,
	"dupattr":     syncml.ErrDuplicateAttr,
	"structure":   syncml.ErrStructure,
	"encoding":    syncml.ErrEncoding,
	"invalidchar": syncml.ErrInvalidChar,
}

// checkRejected checks that err, the error of decoding b, is typed and
// wraps want (or, for "limit.Field", is a LimitError for that field), and
// that the streaming decoder fails the same way.
func checkRejected(t reporter, name string, b []byte, err error, kind string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want %s", name, kind)
		return
	}
	if !typedError(err) {
		t.Errorf("%s: error %T is neither *DecodeError nor *LimitError: %v", name, err, err)
	}
	if !strings.HasPrefix(err.Error(), "syncml: ") {
		t.Errorf("%s: error message %q lacks the package prefix", name, err)
	}
	var de *syncml.DecodeError
	if errors.As(err, &de) {
		if de.Line < 1 || de.Column < 1 || de.Offset < 0 || de.Offset > int64(len(b))*2+2 {
			t.Errorf("%s: implausible position in %+v", name, de)
		}
	}
	if field, ok := strings.CutPrefix(kind, "limit."); ok {
		var le *syncml.LimitError
		if !errors.As(err, &le) || le.Limit != field {
			t.Errorf("%s: error %v, want a LimitError for %s", name, err, field)
		}
	} else if want, ok := malformedCause[kind]; !ok {
		t.Errorf("%s: unknown kind %q", name, kind)
	} else if !errors.Is(err, want) {
		t.Errorf("%s: error %v does not wrap %v", name, err, want)
	}
	for _, rd := range []struct {
		name string
		r    io.Reader
	}{
		{"bytes.Reader", bytes.NewReader(b)},
		{"OneByteReader", iotest.OneByteReader(bytes.NewReader(b))},
	} {
		_, serr := streamDecode(rd.r)
		if serr == nil {
			t.Errorf("%s: Decoder through %s accepts what Unmarshal rejects (%v)", name, rd.name, err)
			continue
		}
		if serr.Error() != err.Error() {
			t.Errorf("%s: Decoder through %s: error %q, Unmarshal: %q", name, rd.name, serr, err)
		}
	}
}

func TestCorpusMalformed(t *testing.T) {
	files := syncmltest.Malformed()
	if len(files) < 15 {
		t.Fatalf("malformed corpus has %d files, want at least 15", len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			kind := syncmltest.MalformedKind(f.Name)
			var m syncml.Message
			err := syncml.Unmarshal(f.Data, &m)
			checkRejected(t, f.Name, f.Data, err, kind)
			t.Logf("%v", err)
		})
	}
}

// TestCorpusSpot checks a few decoded values of the corpus, so that a
// decoder that dropped them consistently would still be caught.
func TestCorpusSpot(t *testing.T) {
	get := func(name string) *syncml.Message {
		t.Helper()
		for _, f := range syncmltest.Messages() {
			if f.Name == name {
				var m syncml.Message
				if err := syncml.Unmarshal(f.Data, &m); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return &m
			}
		}
		t.Fatalf("no corpus message %s", name)
		return nil
	}
	item := func(c syncml.Command, i int) syncml.Item {
		switch c := c.(type) {
		case *syncml.Replace:
			return c.Items[i]
		case *syncml.Add:
			return c.Items[i]
		case *syncml.Alert:
			return c.Items[i]
		case *syncml.Results:
			return c.Items[i]
		}
		t.Fatalf("no items in %T", c)
		return syncml.Item{}
	}
	checks := []struct {
		msg  string
		got  func(m *syncml.Message) any
		want any
	}{
		{"01-client-package1.xml", func(m *syncml.Message) any { return m.Header.Meta.MaxMsgSize }, "524288"},
		{"01-client-package1.xml", func(m *syncml.Message) any { return item(m.Body.Commands[1], 0).Meta.Type }, "com.microsoft/MDM/LoginStatus"},
		{"18-data-text-entities.xml", func(m *syncml.Message) any { return item(m.Body.Commands[0], 1).Data.Value }, "ABC café 😀 ümlaut €5 > >"},
		{"18-data-text-entities.xml", func(m *syncml.Message) any { return item(m.Body.Commands[0], 0).Target.LocURI }, "./Device/Vendor/MSFT/Example/Query?a=1&b=2"},
		{"19-data-cdata.xml", func(m *syncml.Message) any { return *item(m.Body.Commands[0], 1).Data }, syncml.Data{Kind: syncml.DataCDATA, Value: "ends with ]]> inside"}},
		{"19-data-cdata.xml", func(m *syncml.Message) any { return *item(m.Body.Commands[0], 2).Data }, syncml.Data{Kind: syncml.DataCDATA, Value: "text & <cdata/> tail"}},
		{"21-data-xml-root-prefix.xml", func(m *syncml.Message) any { return item(m.Body.Commands[0], 0).Data.Namespaces }, []syncml.Namespace{{Prefix: "dc", URI: "urn:example:windc"}, {Prefix: "inner", URI: "urn:example:inner"}}},
		{"22-msft-originalerror.xml", func(m *syncml.Message) any { return m.Body.Commands[1].(*syncml.Status).Data.OriginalError }, "0x86000002"},
		{"22-msft-originalerror.xml", func(m *syncml.Message) any { return m.Body.Commands[2].(*syncml.Status).Data.OriginalError }, "0x80070005"},
		{"31-dialect-no-namespace.xml", func(m *syncml.Message) any { return m.XMLNS }, ""},
		{"30-dialect-syncml11.xml", func(m *syncml.Message) any { return m.XMLNS }, syncml.NamespaceSyncML11},
		{"32-dialect-metinf-prefix-root.xml", func(m *syncml.Message) any { return m.Header.Meta.MaxObjSize }, "4194304"},
		{"34-dialect-metinf-on-meta.xml", func(m *syncml.Message) any { return item(m.Body.Commands[0], 0).Meta.Format }, "int"},
		{"37-whitespace-cr-tab.xml", func(m *syncml.Message) any { return item(m.Body.Commands[0], 0).Data.Value }, "line one\nline two\nline three\nline four\r\nline five\r"},
		{"37-whitespace-cr-tab.xml", func(m *syncml.Message) any { return m.Header.Source.LocName }, "\tname with tab\t"},
		{"37-whitespace-cr-tab.xml", func(m *syncml.Message) any { return *item(m.Body.Commands[0], 3).Data }, syncml.Data{Kind: syncml.DataCDATA, Value: "a\nb\nc&#xD;\r"}},
		{"51-enc-utf16le-bom.xml", func(m *syncml.Message) any { return item(m.Body.Commands[1], 0).Data.Value }, "Gerät 中文 😀"},
		{"52-enc-utf16be-bom.xml", func(m *syncml.Message) any { return m.Header.Source.LocName }, "Zoë"},
		{"53-enc-utf8-labelled-utf16.xml", func(m *syncml.Message) any { return item(m.Body.Commands[1], 0).Data.Value }, "Gerät-Ärger ≠ ascii"},
		{"54-enc-iso-8859-1.xml", func(m *syncml.Message) any { return item(m.Body.Commands[1], 0).Data.Value }, "Gerät café © ü"},
		{"36-unknown-body-elements.xml", func(m *syncml.Message) any { return m.Body.Commands[2].(*syncml.Unknown).Raw }, `<ext:Put xmlns:ext="urn:example:ext"  ext:mode = "fast" other='1'><!-- kept --><ext:Body>a &amp; b</ext:Body></ext:Put>`},
		{"38-empty-forms.xml", func(m *syncml.Message) any { return item(m.Body.Commands[1], 0).Data }, &syncml.Data{}},
	}
	for i, c := range checks {
		m := get(c.msg)
		if d := cmp.Diff(c.want, c.got(m)); d != "" {
			t.Errorf("check %d (%s): (-want +got)\n%s", i, c.msg, d)
		}
	}
}

func TestTreeDiffDetects(t *testing.T) {
	// the comparison must see what a lossy writer would lose
	base := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody><Replace><CmdID>1</CmdID><Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>a&amp;b</Data></Item><Item><Data><x:y xmlns:x="urn:x" a="1"/></Data></Item></Replace><Map a="1"/><Final/></SyncBody></SyncML>`
	same := []string{
		// declaration, white space, comments, order of different names, metinf placement
		`<?xml version="1.0"?><SyncML xmlns="SYNCML:SYNCML1.2"> <SyncHdr><MsgID>1</MsgID><SessionID></SessionID></SyncHdr><SyncBody><Replace><CmdID>1</CmdID><Item><Data>a&#38;<!-- c -->b</Data><Meta xmlns="syncml:metinf"><Format>chr</Format></Meta></Item><Item><Data xmlns:x="urn:x"><x:y a="1"/></Data></Item></Replace><!-- c --><Map a="1"/><Final/></SyncBody></SyncML>`,
		// a structural element in no namespace is in the root's
		strings.Replace(base, `<Replace>`, `<Replace xmlns="">`, 1),
	}
	for i, s := range same {
		if err := treeDiff([]byte(base), []byte(s)); err != nil {
			t.Errorf("same[%d]: %v", i, err)
		}
	}
	differ := map[string]string{
		"text":          strings.Replace(base, "a&amp;b", "ab", 1),
		"element":       strings.Replace(base, "<MsgID>1</MsgID>", "", 1),
		"namespace":     strings.Replace(base, `xmlns:x="urn:x"`, `xmlns:x="urn:z"`, 1),
		"attribute":     strings.Replace(base, `a="1"/></Data>`, `a="2"/></Data>`, 1),
		"unknown":       strings.Replace(base, `<Map a="1"/>`, `<Map a="1"></Map><Map/>`, 1),
		"command order": strings.Replace(base, `<Replace><CmdID>1</CmdID><Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>a&amp;b</Data></Item><Item><Data><x:y xmlns:x="urn:x" a="1"/></Data></Item></Replace><Map a="1"/>`, `<Map a="1"/><Replace><CmdID>1</CmdID><Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>a&amp;b</Data></Item><Item><Data><x:y xmlns:x="urn:x" a="1"/></Data></Item></Replace>`, 1),
		"item order":    strings.Replace(base, `<Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>a&amp;b</Data></Item><Item><Data><x:y xmlns:x="urn:x" a="1"/></Data></Item>`, `<Item><Data><x:y xmlns:x="urn:x" a="1"/></Data></Item><Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>a&amp;b</Data></Item>`, 1),
		"root ns":       strings.Replace(base, `SYNCML:SYNCML1.2`, `SYNCML:SYNCML1.1`, 1),
		"empty data":    strings.Replace(base, `<Data>a&amp;b</Data>`, ``, 1),
		"markup space":  strings.Replace(base, `<x:y xmlns:x="urn:x" a="1"/>`, ` <x:y xmlns:x="urn:x" a="1"/>`, 1),
		"header":        strings.Replace(base, `<SyncHdr><MsgID>1</MsgID></SyncHdr>`, ``, 1),
		"empty target":  strings.Replace(base, `<MsgID>1</MsgID>`, `<MsgID>1</MsgID><Target/>`, 1),
		"body CmdID":    strings.Replace(base, `<Map a="1"/>`, `<Map a="1"/><CmdID>1</CmdID>`, 1),
		"structural ns": strings.Replace(base, `<Replace>`, `<Replace xmlns="urn:z">`, 1),
	}
	for what, s := range differ {
		if s == base {
			t.Fatalf("%s: replacement did nothing", what)
		}
		if err := treeDiff([]byte(base), []byte(s)); err == nil {
			t.Errorf("%s: difference not detected", what)
		} else {
			t.Logf("%s: %v", what, err)
		}
	}
	if err := treeDiff([]byte(base), []byte(strings.Replace(base, "a&amp;b", "a<![CDATA[&]]>b", 1))); err == nil {
		t.Errorf("CDATA in a text Data not distinguished")
	}
	if err := treeDiff([]byte(`<SyncML><SyncHdr/><SyncBody/></SyncML>`), []byte(`<SyncML><SyncBody/></SyncML>`)); err == nil {
		t.Errorf("an empty SyncHdr not distinguished from none")
	}
}

// isAllDecls reports whether s is nothing but namespace declarations, each
// preceded by a space.
func isAllDecls(s string) bool {
	for s != "" {
		if !strings.HasPrefix(s, " xmlns") {
			return false
		}
		q := strings.IndexByte(s, '"')
		if q < 0 {
			return false
		}
		e := strings.IndexByte(s[q+1:], '"')
		if e < 0 {
			return false
		}
		s = s[q+e+2:]
	}
	return true
}
