package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"golang.org/x/net/html/charset"
)

// provSeeds adds inline seeds and the provisioning documents of the
// enrollment pages and MS-MDE2 (read in place; skipped when absent).
func provSeeds(f *testing.F) {
	for _, s := range []string{
		`<wap-provisioningdoc version="1.1"/>`,
		"\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><!--x--><wap-provisioningdoc><characteristic type=\"A\"><parm name=\"p\" value=\"a&#9;b\tc\" datatype=\"\"/><parm name=\"f\"/></characteristic></wap-provisioningdoc>\n",
		`<wap-provisioningdoc><x:e xmlns:x="u">t<![CDATA[<c>]]><characteristic/><!--c--></x:e><nocharacteristic type="Z"/></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="CertificateStore"><characteristic type="Root"><characteristic type="System"><characteristic type="A9993E364706816ABA3E25717850C26C9CD0D89D"><parm name="EncodedCertificate" value="YWJj"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc><characteristic type="APPLICATION"><parm name="APPID" value="w7"/><parm name="PROVIDER-ID" value="P"/><parm name="INITIALBACKOFFTIME" value="16000"/><characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="CLIENT"/><parm name="AAUTHTYPE" value="DIGEST"/><parm name="AAUTHDATA" value="bm9uY2U="/></characteristic></characteristic><characteristic type="DMClient"><characteristic type="Provider"><characteristic type="P"><characteristic type="Poll"><parm name="PollOnLogin" value="true"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`,
		`<wap-provisioningdoc a="1" a="2"/>`,
		`<wap-provisioningdoc xmlns:p="u" xmlns:q="u" p:a="1" q:a="2"><p:e xmlns:p=""/><e xmlns:xml="u"/></wap-provisioningdoc>`,
		`<wap-provisioningdoc><p:e xmlns:p="u"><p:f/></p:e><p:g/></wap-provisioningdoc>`,
		`<wap-provisioningdoc><parm name="x"><y/></parm></wap-provisioningdoc>`,
		`<!DOCTYPE x><wap-provisioningdoc/>`,
		`<wap-provisioningdoc>&nbsp;</wap-provisioningdoc>`,
		"<?xml version=\"1.0\" encoding=\"utf-16\"?><wap-provisioningdoc><parm name=\"a\" value=\"\xc3\xa9\"/></wap-provisioningdoc>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><wap-provisioningdoc><parm name=\"a\" value=\"\xe9\x80\"/></wap-provisioningdoc>",
		"\xff\xfe<\x00w\x00a\x00p\x00-\x00p\x00r\x00o\x00v\x00i\x00s\x00i\x00o\x00n\x00i\x00n\x00g\x00d\x00o\x00c\x00/\x00>\x00",
	} {
		f.Add([]byte(s))
	}
	re := regexp.MustCompile(`(?s)<wap-provisioningdoc.*?</wap-provisioningdoc>`)
	for _, p := range []string{
		"ms-docs/client-management/federated-authentication-device-enrollment.md",
		"ms-docs/client-management/certificate-authentication-device-enrollment.md",
		"ms-docs/client-management/on-premise-authentication-device-enrollment.md",
		"ms-docs/client-management/certificate-renewal-windows-mdm.md",
		"openspecs/ms-mde2/MS-MDE2.md",
	} {
		b, err := os.ReadFile(filepath.Join("../../shared/spec", p))
		if err != nil {
			continue
		}
		for _, m := range re.FindAll(b, -1) {
			f.Add(m)
		}
	}
}

// provPrefix checks that msg starts with the package name, once unless
// the input itself carries the word (in a name the message quotes), as
// bytes or in the UTF-8 text a UTF-16 or labelled input reads as.
func provPrefix(t *testing.T, in []byte, msg string) {
	t.Helper()
	const p = "provisioning: "
	carries := bytes.Contains(in, []byte("provisioning"))
	if s, err := provUTF8(string(in)); err == nil && strings.Contains(s, "provisioning") {
		carries = true
	}
	if !strings.HasPrefix(msg, p) || !carries && !errtest.PrefixOnce(msg, p) {
		t.Fatalf("message %q", msg)
	}
}

// provCheckErr checks that a refusal is the shared decode or limit error,
// with a position inside the input (or the UTF-8 text it was transcoded
// to, at most twice as long) and the package name once.
func provCheckErr(t *testing.T, in []byte, err error) {
	t.Helper()
	provPrefix(t, in, err.Error())
	size := 2 * int64(len(in))
	var de *provisioning.DecodeError
	var le *provisioning.LimitError
	switch {
	case errors.As(err, &le):
		if le.Offset < 0 || le.Offset > size {
			t.Fatalf("limit offset %d outside the input: %v", le.Offset, err)
		}
	case errors.As(err, &de):
		if de.Offset < 0 || de.Offset > size || de.Line < 1 || de.Column < 1 {
			t.Fatalf("position out of range: %v", err)
		}
		if !errors.Is(err, provisioning.ErrSyntax) && !errors.Is(err, provisioning.ErrStructure) {
			t.Fatalf("cause is neither ErrSyntax nor ErrStructure: %v", err)
		}
	default:
		t.Fatalf("%v (%T) is neither a DecodeError nor a LimitError", err, err)
	}
}

// provShape returns the depth, the element count and the most attributes
// of one element below the root of a Document.
func provShape(nodes []provisioning.Node, depth int) (maxDepth, elems, attrs int) {
	maxDepth = depth
	for _, n := range nodes {
		var kids []provisioning.Node
		var a int
		switch n := n.(type) {
		case *provisioning.Characteristic:
			kids, a = n.Nodes, 1+len(n.Attrs)
		case *provisioning.Element:
			kids, a = n.Nodes, len(n.Attrs)
		case *provisioning.Parm:
			a = 1 + len(n.Attrs)
			if !n.NoValue {
				a++
			}
			if n.Datatype != "" {
				a++
			}
		default:
			continue
		}
		d, e, ka := provShape(kids, depth+1)
		maxDepth = max(maxDepth, d)
		elems += e + 1
		attrs = max(attrs, a, ka)
	}
	return maxDepth, elems, attrs
}

// FuzzProvisioningDocument: no input panics; a refusal is a DecodeError or
// LimitError in range; an accepted input meets the exactness rules: the
// canonical text c = Marshal(Unmarshal(in)) reads back to the same value,
// is a fixed point, and says the same as the input by an independent
// etree comparison; under small limits the result is within them.
func FuzzProvisioningDocument(f *testing.F) {
	provSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var d provisioning.Document
		err := provisioning.Unmarshal(in, &d)
		lim := provisioning.Limits{MaxBytes: int64(len(in)/2 + 1), MaxDepth: 3, MaxElements: 5, MaxAttrs: 2}
		var small provisioning.Document
		if serr := provisioning.UnmarshalLimits(in, &small, lim); serr == nil {
			depth, elems, attrs := provShape(small.Nodes, 1)
			if small.Version != "" {
				attrs = max(attrs, 1+len(small.Attrs))
			} else {
				attrs = max(attrs, len(small.Attrs))
			}
			if depth > 3 || elems+1 > 5 || attrs > 2 || err != nil {
				t.Fatalf("accepted under small limits: depth %d, %d elements, %d attributes, default error %v", depth, elems+1, attrs, err)
			}
		} else {
			provCheckErr(t, in, serr)
		}
		if err != nil {
			provCheckErr(t, in, err)
			return
		}
		c, err := provisioning.Marshal(&d)
		if err != nil {
			t.Fatalf("Marshal of an accepted input: %v", err)
		}
		var back provisioning.Document
		if err := back.UnmarshalText(c); err != nil {
			t.Fatalf("canonical text refused: %v\n%s", err, c)
		}
		if !reflect.DeepEqual(&d, &back) {
			t.Fatalf("value changed:\n%s", cmp.Diff(&d, &back))
		}
		c2, err := back.MarshalText()
		if err != nil || string(c2) != string(c) {
			t.Fatalf("not a fixed point: %v\n%s\n%s", err, c, c2)
		}
		if err := provSameTree(string(in), string(c)); err != nil {
			t.Fatalf("%v\ninput: %q\ncanonical: %s", err, in, c)
		}
	})
}

// FuzzProvisioningEnrollment: the typed view of any accepted document
// reads without panic; when Build accepts what it read, the built document
// reads back to a view that Build writes identically.
func FuzzProvisioningEnrollment(f *testing.F) {
	provSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var d provisioning.Document
		if provisioning.Unmarshal(in, &d) != nil {
			return
		}
		e, err := d.Enrollment()
		if err != nil {
			var fe *provisioning.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%v (%T) is not a FieldError", err, err)
			}
			provPrefix(t, in, err.Error())
			return
		}
		built, err := provisioning.Build(e)
		if err != nil {
			return // the view reads leniently and Build writes strictly
		}
		text, err := built.MarshalText()
		if err != nil {
			t.Fatalf("Marshal of a built document: %v", err)
		}
		var back provisioning.Document
		if err := back.UnmarshalText(text); err != nil {
			t.Fatalf("built document refused: %v", err)
		}
		e2, err := back.Enrollment()
		if err != nil {
			t.Fatalf("Enrollment of a built document: %v\n%s", err, text)
		}
		again, err := provisioning.Build(e2)
		if err != nil {
			t.Fatalf("Build of what a built document says: %v", err)
		}
		if !reflect.DeepEqual(built, again) {
			t.Fatalf("Build(Enrollment(Build(e))) != Build(e):\n%s", cmp.Diff(built, again))
		}
	})
}

// provSameTree compares two documents with etree, independently of the
// package's model: element names, attribute sets, comments inside the
// root, and character data inside elements other than characteristic,
// parm and the root (white space there is formatting). TAB, LF and CR in
// attribute values and CR in comments are compared as XML normalizes them,
// which etree does not.
func provSameTree(a, b string) error {
	ra, err := provRoot(a)
	if err != nil {
		return fmt.Errorf("input: %v", err)
	}
	rb, err := provRoot(b)
	if err != nil {
		return fmt.Errorf("canonical: %v", err)
	}
	return provSameElem("/"+ra.FullTag(), ra, rb, false)
}

// provUTF8 makes the input UTF-8 for etree, independently of the
// package: UTF-16 through golang.org/x/net/html/charset, a declared
// ISO-8859-1 byte by byte (WHATWG, and so charset, reads that label as
// windows-1252, which XML does not), any other declared encoding through
// charset.
func provUTF8(s string) (string, error) {
	b := []byte(s)
	var label string
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{'<', 0}):
		label = "utf-16le"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0, '<'}):
		label = "utf-16be"
	}
	if label != "" {
		enc, _ := charset.Lookup(label)
		out, err := enc.NewDecoder().Bytes(b)
		return strings.TrimPrefix(string(out), "\uFEFF"), err
	}
	if m := provLabelRE.FindSubmatch(b); m != nil {
		switch key := strings.ToLower(strings.TrimSpace(string(m[1]))); key {
		case "iso-8859-1", "iso_8859-1", "latin1", "l1", "iso-ir-100", "cp819", "ibm819", "csisolatin1", "iso8859-1", "iso88591":
			var r []rune
			for _, c := range b {
				r = append(r, rune(c))
			}
			return string(r), nil
		default:
			// any other encoding the package reads: through charset (a
			// declared UTF-16 on bytes that are not is UTF-8, as there)
			if enc, name := charset.Lookup(key); enc != nil && name != "utf-8" && name != "utf-16le" && name != "utf-16be" {
				out, err := enc.NewDecoder().Bytes(b)
				return string(out), err
			}
		}
	}
	return strings.TrimPrefix(s, "\uFEFF"), nil
}

var provLabelRE = regexp.MustCompile(`^<\?xml[^?]*encoding\s*=\s*["']([^"']*)["']`)

func provRoot(s string) (*etree.Element, error) {
	s, err := provUTF8(s)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, errors.New("no root")
	}
	return doc.Root(), nil
}

func provSameElem(path string, a, b *etree.Element, mixed bool) error {
	if a.FullTag() != b.FullTag() {
		return fmt.Errorf("%s: element %s became %s", path, a.FullTag(), b.FullTag())
	}
	attrs := func(e *etree.Element) string {
		var s []string
		for _, x := range e.Attr {
			s = append(s, x.FullKey()+"="+strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(x.Value))
		}
		sort.Strings(s)
		return strings.Join(s, "\x00")
	}
	if x, y := attrs(a), attrs(b); x != y {
		return fmt.Errorf("%s: attributes %q became %q", path, x, y)
	}
	if tag := a.FullTag(); tag != "characteristic" && tag != "parm" && tag != provisioning.Root {
		mixed = true
	}
	type item struct {
		kind, text string
		e          *etree.Element
	}
	list := func(e *etree.Element) []item {
		var out []item
		for _, tok := range e.Child {
			switch t := tok.(type) {
			case *etree.Element:
				out = append(out, item{kind: "element", e: t})
			case *etree.Comment:
				out = append(out, item{kind: "comment", text: strings.ReplaceAll(strings.ReplaceAll(t.Data, "\r\n", "\n"), "\r", "\n")})
			case *etree.CharData:
				if !mixed || t.Data == "" {
					continue // an empty CDATA section is no text
				}
				if n := len(out); n > 0 && out[n-1].kind == "text" {
					out[n-1].text += t.Data
				} else {
					out = append(out, item{kind: "text", text: t.Data})
				}
			}
		}
		return out
	}
	la, lb := list(a), list(b)
	if len(la) != len(lb) {
		return fmt.Errorf("%s: %d children became %d", path, len(la), len(lb))
	}
	for i := range la {
		if la[i].kind != lb[i].kind || la[i].text != lb[i].text {
			return fmt.Errorf("%s[%d]: %s %q became %s %q", path, i, la[i].kind, la[i].text, lb[i].kind, lb[i].text)
		}
		if la[i].kind == "element" {
			if err := provSameElem(fmt.Sprintf("%s/%s[%d]", path, la[i].e.FullTag(), i), la[i].e, lb[i].e, mixed); err != nil {
				return err
			}
		}
	}
	return nil
}
