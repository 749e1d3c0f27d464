package fuzz

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

type dcCodec interface {
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}

// dcSeeds adds inline seeds and every snippet of the documentation that
// starts with root (read in place; skipped when absent).
func dcSeeds(f *testing.F, root string, inline ...string) {
	for _, s := range inline {
		f.Add([]byte(s))
	}
	dir := "../../shared/spec/ms-docs/client-management"
	re := regexp.MustCompile(`(?s)<` + root + `[ >].*?</` + root + `>`)
	for _, p := range []string{"declared-configuration-resource-access.md", "declared-configuration-extensibility.md", "mdm/declaredconfiguration-csp.md"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			continue
		}
		for _, m := range re.FindAll(b, -1) {
			f.Add(m)
		}
	}
}

// dcInline are seeds that reach the reader's well-formedness and namespace
// checks; each is put around or inside the root of every target.
var dcInline = []string{
	`<p:x xmlns:p="urn:p" p:a="1"/>`,
	`<p:x/>`,
	`<x xmlns:p=""/>`,
	`<x xmlns:p="urn:p" xmlns:q="urn:p" p:a="1" q:a="2"/>`,
	`<x a="1" a="2"/>`,
	`<x xml:lang="en" xmlns:xml="http://www.w3.org/XML/1998/namespace"/>`,
	`<x xmlns:xmlns="urn:x"/>`,
	`<x b="c"d="e"/>`,
	`<x a:="1"/>`,
	`<x>&#xD800;&#x1F600;&#13;</x>`,
	`<x a="t&#9;b` + "\t" + `c"/>`,
	`<x><![CDATA[a]]>b<!-- c -->d<?pi e?></x>`,
	`<x><!-- a -- b --></x>`,
	`<x><?xml version="1.0"?></x>`,
	`<x>]]></x>`,
}

// dcAllSeeds adds the inline seeds wrapped in root, then calls dcSeeds.
func dcAllSeeds(f *testing.F, root string, inline ...string) {
	for _, s := range dcInline {
		f.Add([]byte("<" + root + ">" + s + "</" + root + ">"))
	}
	dcSeeds(f, root, inline...)
}

// inSyncML checks that canonical bytes c, sent as XML markup in a Data of
// a minimal message, pass syncml.Marshal and syncml.Unmarshal unchanged.
func inSyncML(t *testing.T, c []byte) {
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "device"}, Source: syncml.Location{LocURI: "https://mdm.example"}},
		Body: syncml.Body{Commands: []syncml.Command{&syncml.Replace{CmdID: "2", Items: []syncml.Item{{
			Target: &syncml.Location{LocURI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document"},
			Data:   syncml.XML(string(c))}}}}, Final: true}}
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatalf("accepted document is refused by syncml.Marshal as XML Data: %v\n%q", err, c)
	}
	var back syncml.Message
	if err := syncml.Unmarshal(b, &back); err != nil {
		t.Fatalf("syncml.Unmarshal of a message carrying an accepted document: %v\n%q", err, b)
	}
	r, ok := back.Body.Commands[0].(*syncml.Replace)
	if !ok || len(r.Items) != 1 || r.Items[0].Data == nil || r.Items[0].Data.Value != string(c) {
		t.Fatalf("document changed in SyncML:\n%q\n%q", c, b)
	}
}

// dcExact checks, for an input the codec accepts, the exactness rules:
// the decoded value survives a second round (go-cmp, no field ignored),
// the canonical form is a fixpoint, the canonical form says what the
// input said (an etree comparison independent of the package's model), and
// it can be sent as markup in a SyncML Data. Errors are typed.
func dcExact(t *testing.T, in []byte, fresh func() dcCodec) {
	v1 := fresh()
	if err := v1.UnmarshalText(in); err != nil {
		if !strings.HasPrefix(err.Error(), "declaredconfig: ") {
			t.Fatalf("error without package prefix: %v", err)
		}
		var de *declaredconfig.DecodeError
		var le *declaredconfig.LimitError
		if !errors.As(err, &de) && !errors.As(err, &le) {
			t.Fatalf("untyped error: %v", err)
		}
		if de != nil && (de.Offset < 0 || de.Offset > int64(len(in)) || de.Line < 1 || de.Column < 1) {
			t.Fatalf("error position out of range: %+v (input %d bytes)", de, len(in))
		}
		return
	}
	c1, err := v1.MarshalText()
	if err != nil {
		t.Fatalf("accepted input does not encode: %v", err)
	}
	v2 := fresh()
	if err := v2.UnmarshalText(c1); err != nil {
		t.Fatalf("canonical form does not decode: %v\n%s", err, c1)
	}
	if d := diff(v1, v2); d != "" {
		t.Fatalf("value changed by a round trip:\n%s", d)
	}
	c2, err := v2.MarshalText()
	if err != nil || string(c1) != string(c2) {
		t.Fatalf("not a fixpoint (%v):\n%s\n%s", err, c1, c2)
	}
	if err := sameXML(string(in), string(c1)); err != nil && !olderEditionName(err) {
		t.Fatalf("content lost: %v\ninput:  %q\noutput: %q", err, in, c1)
	}
	inSyncML(t, c1)
}

func FuzzDocument(f *testing.F) {
	dcAllSeeds(f, "DeclaredConfiguration",
		`<DeclaredConfiguration schema="1.0" context="Device" id="27FEA311-68B9-4320-9FC4-296F6FDFAFE2" checksum="1" osdefinedscenario="MSFTWifi"><CSP name="./Vendor/MSFT/WiFi"><URI path="a" type="chr">x</URI></CSP></DeclaredConfiguration>`,
		"\n <?xml version=\"1.0\"?><DeclaredConfiguration><ReflectedProperties><Property name=\"n\" type=\"chr\">v</Property></ReflectedProperties><DSC namespace=\"n\" className=\"c\"><Key name=\"k\">v</Key><Value name=\"v\"><b>x</b></Value></DSC><Other/></DeclaredConfiguration>")
	// 33 attributes in all, none over MaxAttrs on one element.
	f.Add([]byte(`<DeclaredConfiguration schema="1.0" context="Device" id="27FEA311-68B9-4320-9FC4-296F6FDFAFE2" checksum="1" osdefinedscenario="MSFTWifi">` +
		strings.Repeat(`<CSP name="./Vendor/MSFT/WiFi"><URI path="a" type="chr">x</URI></CSP>`, 9) + `<CSP name="./Vendor/MSFT/WiFi"/></DeclaredConfiguration>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Document) })
		checkTotalAttrs(t, in)
	})
}

// checkTotalAttrs: a document accepted under the default limits, with n
// attributes (namespace declarations included) on the elements etree
// reads, is refused under MaxTotalAttrs n-1 with an error matching
// ErrLimit that names MaxTotalAttrs: the count takes in at least those
// (kept markup and markup values add theirs).
func checkTotalAttrs(t *testing.T, in []byte) {
	var d declaredconfig.Document
	if declaredconfig.UnmarshalLimits(in, &d, declaredconfig.Limits{}) != nil {
		return
	}
	root, err := xmlRoot(string(in))
	if err != nil {
		return // etree cannot read it (see olderEditionName)
	}
	n := 0
	var count func(e *etree.Element)
	count = func(e *etree.Element) {
		n += len(e.Attr)
		for _, c := range e.ChildElements() {
			count(c)
		}
	}
	count(root)
	if n < 2 {
		return // MaxTotalAttrs 0 is the default
	}
	err = declaredconfig.UnmarshalLimits(in, &d, declaredconfig.Limits{MaxTotalAttrs: n - 1})
	if !errors.Is(err, declaredconfig.ErrLimit) || !strings.Contains(err.Error(), "MaxTotalAttrs") {
		t.Fatalf("a document of %d attributes under MaxTotalAttrs %d: %v, want a limit error naming MaxTotalAttrs", n, n-1, err)
	}
}

func FuzzDocumentInstanceBlob(f *testing.F) {
	dcAllSeeds(f, "InstanceBlob", `<InstanceBlob schema="1.0"><Instance><InstanceData variable="v">x</InstanceData></Instance></InstanceBlob>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.InstanceBlob) })
	})
}

func FuzzResult(f *testing.F) {
	dcAllSeeds(f, "DeclaredConfigurationResult",
		`<DeclaredConfigurationResult context="Device" schema="1.0" id="x" state="60"><CSP name="c" state="60"><URI path="p" status="200" state="60" type="int"/></CSP><DSC namespace="n" className="c" status="200" state="60"><Key name="k"/></DSC></DeclaredConfigurationResult>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Result) })
	})
}

func FuzzSummary(f *testing.F) {
	dcAllSeeds(f, "DeclaredConfigurations",
		`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="x" checksum="c" result_checksum="r" state="60"/></DeclaredConfigurations>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Summary) })
	})
}

// sameXML compares two documents with etree, ignoring formatting: white
// space between elements, comments, processing instructions, attribute
// order, and the order of differently named siblings.
// olderEditionName reports whether sameXML failed because etree (through
// encoding/xml) cannot read the input: encoding/xml checks names against
// the older XML 1.0 (fourth edition) character classes, while the codec
// reads the fifth edition's, which allow more characters (U+079D, say).
// The comparison cannot be made then; the round-trip checks still hold.
func olderEditionName(err error) bool {
	return strings.HasPrefix(err.Error(), "input: ") && strings.Contains(err.Error(), "invalid XML name")
}

func sameXML(a, b string) error {
	ra, err := xmlRoot(a)
	if err != nil {
		return fmt.Errorf("input: %v", err)
	}
	rb, err := xmlRoot(b)
	if err != nil {
		return fmt.Errorf("output: %v", err)
	}
	return sameEl("/"+ra.FullTag(), ra, rb)
}

func xmlRoot(s string) (*etree.Element, error) {
	s = strings.TrimLeft(strings.TrimPrefix(s, "\uFEFF"), " \t\r\n")
	if strings.HasPrefix(s, "<?xml") {
		if i := strings.Index(s, "?>"); i >= 0 {
			s = s[i+2:]
		}
	}
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		return nil, err
	}
	if d.Root() == nil {
		return nil, fmt.Errorf("no root")
	}
	return d.Root(), nil
}

// elementOnly lists the elements the documents define as holding only
// elements: white space in them is formatting.
var elementOnly = map[string]bool{
	"DeclaredConfiguration": true, "DeclaredConfigurationResult": true, "DeclaredConfigurations": true,
	"CSP": true, "DSC": true, "ReflectedProperties": true, "InstanceBlob": true, "Instance": true,
}

func sameEl(path string, a, b *etree.Element) error {
	if a.FullTag() != b.FullTag() {
		return fmt.Errorf("%s: <%s> became <%s>", path, a.FullTag(), b.FullTag())
	}
	attrs := func(e *etree.Element) string {
		var s []string
		for _, x := range e.Attr {
			// attribute-value normalisation: etree keeps a literal TAB
			// or LF, which XML (and the reader) turn into a space
			s = append(s, x.FullKey()+"="+strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(x.Value))
		}
		sort.Strings(s)
		return strings.Join(s, "\x00")
	}
	if attrs(a) != attrs(b) {
		return fmt.Errorf("%s: attributes %q became %q", path, attrs(a), attrs(b))
	}
	text := func(e *etree.Element) string {
		var s strings.Builder
		for _, t := range e.Child {
			if cd, ok := t.(*etree.CharData); ok {
				s.WriteString(cd.Data)
			}
		}
		return s.String()
	}
	ca, cb := a.ChildElements(), b.ChildElements()
	ta, tb := text(a), text(b)
	blank := func(s string) bool { return strings.Trim(s, " \t\r\n") == "" }
	formatting := len(ca) > 0 || len(cb) > 0 || elementOnly[a.FullTag()]
	if ta != tb && !(formatting && blank(ta) && blank(tb)) {
		return fmt.Errorf("%s: text %q became %q", path, ta, tb)
	}
	group := func(es []*etree.Element) map[string][]*etree.Element {
		m := map[string][]*etree.Element{}
		for _, e := range es {
			m[e.FullTag()] = append(m[e.FullTag()], e)
		}
		return m
	}
	ga, gb := group(ca), group(cb)
	if len(ga) != len(gb) {
		return fmt.Errorf("%s: %d kinds of children became %d", path, len(ga), len(gb))
	}
	for name, la := range ga {
		lb := gb[name]
		if len(la) != len(lb) {
			return fmt.Errorf("%s: %d <%s> became %d", path, len(la), name, len(lb))
		}
		for i := range la {
			if err := sameEl(fmt.Sprintf("%s/%s[%d]", path, name, i+1), la[i], lb[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
