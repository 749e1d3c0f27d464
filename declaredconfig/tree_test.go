package declaredconfig

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/windc-go/windc/internal/xmlscan"
)

// sameTree compares two XML texts independently of this package's model:
// it parses both with etree and reports the first difference in element
// names, attribute sets, character data or children. Formatting is
// ignored: white-space-only text in an element that has child elements,
// comments, processing instructions, attribute order, and the relative
// order of siblings with different names (the canonical form groups
// children by kind). Siblings of the same name must keep their order.
func sameTree(a, b string) error {
	ea, err := etreeRoot(a)
	if err != nil {
		return fmt.Errorf("first: %v", err)
	}
	eb, err := etreeRoot(b)
	if err != nil {
		return fmt.Errorf("second: %v", err)
	}
	return sameElem("/"+ea.FullTag(), ea, eb)
}

func etreeRoot(s string) (*etree.Element, error) {
	s = strings.TrimLeft(strings.TrimPrefix(s, "\uFEFF"), " \t\r\n")
	if strings.HasPrefix(s, "<?xml") {
		if i := strings.Index(s, "?>"); i >= 0 {
			s = s[i+2:]
		}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("no root")
	}
	return doc.Root(), nil
}

// elementOnly lists the elements the documents define as holding only
// elements: white space in them is formatting.
var elementOnly = map[string]bool{
	"DeclaredConfiguration": true, "DeclaredConfigurationResult": true, "DeclaredConfigurations": true,
	"CSP": true, "DSC": true, "ReflectedProperties": true, "InstanceBlob": true, "Instance": true,
}

func sameElem(path string, a, b *etree.Element) error {
	if a.FullTag() != b.FullTag() {
		return fmt.Errorf("%s: element <%s> became <%s>", path, a.FullTag(), b.FullTag())
	}
	if aa, ab := attrSet(a), attrSet(b); aa != ab {
		return fmt.Errorf("%s: attributes %s became %s", path, aa, ab)
	}
	ca, cb := a.ChildElements(), b.ChildElements()
	ta, tb := charData(a), charData(b)
	if len(ca) > 0 || len(cb) > 0 || elementOnly[a.FullTag()] {
		if ta != tb && !(xmlscan.IsAllSpace(ta) && xmlscan.IsAllSpace(tb)) {
			return fmt.Errorf("%s: text %q became %q", path, ta, tb)
		}
	} else if ta != tb {
		return fmt.Errorf("%s: text %q became %q", path, ta, tb)
	}
	ga, gb := groupByName(ca), groupByName(cb)
	if len(ga) != len(gb) {
		return fmt.Errorf("%s: child kinds %v became %v", path, keys(ga), keys(gb))
	}
	for name, la := range ga {
		lb := gb[name]
		if len(la) != len(lb) {
			return fmt.Errorf("%s: %d <%s> children became %d", path, len(la), name, len(lb))
		}
		for i := range la {
			if err := sameElem(fmt.Sprintf("%s/%s[%d]", path, name, i+1), la[i], lb[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func attrSet(e *etree.Element) string {
	var s []string
	for _, a := range e.Attr {
		s = append(s, fmt.Sprintf("%s=%q", a.FullKey(), a.Value))
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// charData concatenates the element's own character data (text and CDATA).
func charData(e *etree.Element) string {
	var b strings.Builder
	for _, t := range e.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

func groupByName(es []*etree.Element) map[string][]*etree.Element {
	m := map[string][]*etree.Element{}
	for _, e := range es {
		m[e.FullTag()] = append(m[e.FullTag()], e)
	}
	return m
}

func keys(m map[string][]*etree.Element) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}
