package fuzz

import (
	"encoding"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/declaredconfig"
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

// dcExact checks, for an input the codec accepts, the exactness rules:
// the decoded value survives a second round (go-cmp, no field ignored),
// the canonical form is a fixpoint, and the canonical form says what the
// input said (an etree comparison independent of the package's model).
func dcExact(t *testing.T, in []byte, fresh func() dcCodec) {
	v1 := fresh()
	if err := v1.UnmarshalText(in); err != nil {
		if !strings.HasPrefix(err.Error(), "declaredconfig: ") {
			t.Fatalf("error without package prefix: %v", err)
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
	if diff := cmp.Diff(v1, v2); diff != "" {
		t.Fatalf("value changed by a round trip:\n%s", diff)
	}
	c2, err := v2.MarshalText()
	if err != nil || string(c1) != string(c2) {
		t.Fatalf("not a fixpoint (%v):\n%s\n%s", err, c1, c2)
	}
	if err := sameXML(string(in), string(c1)); err != nil {
		t.Fatalf("content lost: %v\ninput:  %q\noutput: %q", err, in, c1)
	}
}

func FuzzDocument(f *testing.F) {
	dcSeeds(f, "DeclaredConfiguration",
		`<DeclaredConfiguration schema="1.0" context="Device" id="27FEA311-68B9-4320-9FC4-296F6FDFAFE2" checksum="1" osdefinedscenario="MSFTWifi"><CSP name="./Vendor/MSFT/WiFi"><URI path="a" type="chr">x</URI></CSP></DeclaredConfiguration>`,
		"\n <?xml version=\"1.0\"?><DeclaredConfiguration><ReflectedProperties><Property name=\"n\" type=\"chr\">v</Property></ReflectedProperties><DSC namespace=\"n\" className=\"c\"><Key name=\"k\">v</Key><Value name=\"v\"><b>x</b></Value></DSC><Other/></DeclaredConfiguration>")
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Document) })
	})
}

func FuzzDocumentInstanceBlob(f *testing.F) {
	dcSeeds(f, "InstanceBlob", `<InstanceBlob schema="1.0"><Instance><InstanceData variable="v">x</InstanceData></Instance></InstanceBlob>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.InstanceBlob) })
	})
}

func FuzzResult(f *testing.F) {
	dcSeeds(f, "DeclaredConfigurationResult",
		`<DeclaredConfigurationResult context="Device" schema="1.0" id="x" state="60"><CSP name="c" state="60"><URI path="p" status="200" state="60" type="int"/></CSP><DSC namespace="n" className="c" status="200" state="60"><Key name="k"/></DSC></DeclaredConfigurationResult>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Result) })
	})
}

func FuzzSummary(f *testing.F) {
	dcSeeds(f, "DeclaredConfigurations",
		`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="x" checksum="c" result_checksum="r" state="60"/></DeclaredConfigurations>`)
	f.Fuzz(func(t *testing.T, in []byte) {
		dcExact(t, in, func() dcCodec { return new(declaredconfig.Summary) })
	})
}

// sameXML compares two documents with etree, ignoring formatting: white
// space between elements, comments, processing instructions, attribute
// order, and the order of differently named siblings.
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
			s = append(s, x.FullKey()+"="+x.Value)
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
