package provisioning

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// sameTree compares two provisioning documents as XML, independently of
// this package's model: it parses both with etree and reports the first
// difference in element names, attribute sets, comments or character data
// of elements other than characteristic, parm and the root (in those,
// white space is formatting and other text is refused by the reader).
// Attribute values are compared with TAB, LF and CR taken as spaces on
// both sides, because etree (through encoding/xml) does not apply XML's
// attribute-value normalization; comments with CR and CRLF taken as LF,
// for the same reason. The attribute order, the prolog and what stands
// outside the root are ignored.
func sameTree(a, b string) error {
	ra, err := etreeRoot(a)
	if err != nil {
		return fmt.Errorf("first: %v", err)
	}
	rb, err := etreeRoot(b)
	if err != nil {
		return fmt.Errorf("second: %v", err)
	}
	return sameElem("/"+ra.FullTag(), ra, rb, false)
}

func etreeRoot(s string) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromString(strings.TrimPrefix(s, "\uFEFF")); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("no root")
	}
	return doc.Root(), nil
}

func attrKey(e *etree.Element) string {
	var s []string
	for _, a := range e.Attr {
		v := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(a.Value)
		s = append(s, fmt.Sprintf("%s=%q", a.FullKey(), v))
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// item is a child as the comparison sees it.
type item struct {
	kind string // "elem", "comment" or "text"
	text string
	elem *etree.Element
}

func items(e *etree.Element, mixed bool) []item {
	var out []item
	for _, tok := range e.Child {
		switch t := tok.(type) {
		case *etree.Element:
			out = append(out, item{kind: "elem", elem: t})
		case *etree.Comment:
			c := strings.ReplaceAll(strings.ReplaceAll(t.Data, "\r\n", "\n"), "\r", "\n")
			out = append(out, item{kind: "comment", text: c})
		case *etree.CharData:
			if !mixed {
				continue
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

func sameElem(path string, a, b *etree.Element, mixed bool) error {
	if a.FullTag() != b.FullTag() {
		return fmt.Errorf("%s: element %s became %s", path, a.FullTag(), b.FullTag())
	}
	if ka, kb := attrKey(a), attrKey(b); ka != kb {
		return fmt.Errorf("%s: attributes %s became %s", path, ka, kb)
	}
	if !mixed && a.FullTag() != "characteristic" && a.FullTag() != "parm" && a.FullTag() != Root {
		mixed = true // an other element: all of its content counts
	}
	ia, ib := items(a, mixed), items(b, mixed)
	if len(ia) != len(ib) {
		return fmt.Errorf("%s: %d children became %d", path, len(ia), len(ib))
	}
	for i := range ia {
		x, y := ia[i], ib[i]
		if x.kind != y.kind {
			return fmt.Errorf("%s[%d]: %s became %s", path, i, x.kind, y.kind)
		}
		if x.kind == "elem" {
			if err := sameElem(fmt.Sprintf("%s/%s[%d]", path, x.elem.FullTag(), i), x.elem, y.elem, mixed); err != nil {
				return err
			}
		} else if x.text != y.text {
			return fmt.Errorf("%s[%d]: %s %q became %q", path, i, x.kind, x.text, y.text)
		}
	}
	return nil
}
