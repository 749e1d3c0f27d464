package syncml

import (
	"fmt"

	"github.com/beevik/etree"
)

// DataKind says how a Data element carries its value.
type DataKind uint8

// The kinds of Data.
const (
	// DataText is character data, written with escapes where needed.
	DataText DataKind = iota
	// DataCDATA is character data written as CDATA sections.
	DataCDATA
	// DataXML is element content: Value holds the markup as received and
	// is written back unchanged.
	DataXML
)

// String returns "text", "cdata" or "xml".
func (k DataKind) String() string {
	switch k {
	case DataText:
		return "text"
	case DataCDATA:
		return "cdata"
	case DataXML:
		return "xml"
	}
	return fmt.Sprintf("DataKind(%d)", uint8(k))
}

// Data is a Data element.
//
// For DataText and DataCDATA, Value is the decoded characters. For DataXML,
// Value is the content of the element as markup, exactly as received, and
// must hold at least one element; [Data.Element] parses it.
type Data struct {
	Kind  DataKind
	Value string
	// OriginalError is the msft:originalerror attribute Windows adds to a
	// failed Status's Data (an HRESULT such as "0x86000002"); "" if absent.
	// The decoder refuses the attribute with an empty value, which this
	// field could not tell from an absent one.
	OriginalError string
	// Namespaces are the declarations from enclosing elements that an XML
	// Value relies on; the writer declares them on the Data element. They
	// are empty for text and CDATA. The decoder reads a Data element in
	// the message's namespace or in none (the same, as for every element
	// of the model), or in the default namespace its element content is
	// in: another default namespace declared on Data must be that of its
	// content, and is kept here (and written back on Data, unprefixed).
	Namespaces []Namespace
}

// A Namespace is one namespace declaration: Prefix "" is the default
// namespace.
type Namespace struct {
	Prefix string
	URI    string
}

// Text returns a Data holding s as escaped text.
func Text(s string) *Data { return &Data{Kind: DataText, Value: s} }

// CDATA returns a Data holding s as CDATA.
func CDATA(s string) *Data { return &Data{Kind: DataCDATA, Value: s} }

// XML returns a Data holding markup as element content. Marshal rejects
// markup that is not well-formed element content.
func XML(markup string) *Data { return &Data{Kind: DataXML, Value: markup} }

// Element parses an XML Data's markup and returns its first element. The
// element's parent is a wrapper element that carries the Data's namespace
// declarations, so NamespaceURI resolves prefixes declared outside the
// markup. It fails for text and CDATA. It reads the markup within the
// default Limits, as Unmarshal does: for a Data decoded under raised
// Limits, call ElementLimits with them.
func (d *Data) Element() (*etree.Element, error) {
	return d.ElementLimits(Limits{})
}

// ElementLimits is Element for markup read within the limits l (zero or
// negative fields meaning their defaults), so that a Data decoded with
// UnmarshalLimits or Decoder.SetLimits under l can be read as well. A
// limit exceeded is a *LimitError naming it.
func (d *Data) ElementLimits(l Limits) (*etree.Element, error) {
	if d == nil || d.Kind != DataXML {
		return nil, errorf("Data is not XML markup")
	}
	if _, err := checkMarkup(d.Value, d.Namespaces, "", l); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	wrapped := "<d" + nsDecls(d.Namespaces) + ">" + d.Value + "</d>"
	if err := doc.ReadFromString(wrapped); err != nil {
		return nil, errorf("Data markup: %w", err)
	}
	root := doc.Root()
	if root == nil || len(root.ChildElements()) == 0 {
		return nil, errorf("Data markup holds no element")
	}
	// the element stays a child of a wrapper that carries the Data's
	// namespace declarations, so that NamespaceURI resolves them
	return root.ChildElements()[0], nil
}

func nsDecls(ns []Namespace) string {
	var b []byte
	for _, n := range ns {
		b = appendNSDecl(b, n)
	}
	return string(b)
}
