package declaredconfig

import "github.com/windc-go/windc/internal/xmlscan"

// A Document is a WinDC document: the DeclaredConfiguration element sent as
// the value of a Host/{Host}/Documents/{DocID}/Document node.
//
// String fields hold attributes as written; an empty field is an absent
// attribute. Children are written in the order ReflectedProperties, CSP,
// DSC, then Unknown; within each kind the order is kept.
type Document struct {
	Schema   string // schema version, "1.0"
	Context  string // "Device" or "User" (any case), the target of the settings
	ID       string // the DocID, a GUID
	Checksum string // the server's version of the document
	Scenario string // osdefinedscenario, such as ScenarioVPN
	Attrs    []Attr // other attributes of DeclaredConfiguration

	Reflected *ReflectedProperties // bulk template properties, if any
	CSPs      []CSP                // CSP settings
	DSCs      []DSC                // MI provider (DSC) settings
	// Unknown holds child elements the model does not know, each as
	// markup written back unchanged.
	Unknown []string
}

// A CSP is a CSP element: the settings of one configuration service
// provider.
type CSP struct {
	Name     string // the CSP's OMA-URI, such as "./Vendor/MSFT/VPNv2"
	Attrs    []Attr
	Settings []Setting
	Unknown  []string
}

// A Setting is a URI element: one node under the CSP and its value.
type Setting struct {
	Path  string // node path below the CSP, such as "Profile/AlwaysOn"
	Type  string // data type: chr, int, bool, b64, xml…
	Value string // the desired value
	// Markup reports that Value is XML content (it holds elements) written
	// as is, rather than text written with escapes.
	Markup bool
	Attrs  []Attr
}

// A DSC is a DSC element: the Key and Value parameters of one MI provider
// class.
type DSC struct {
	Namespace string // the WMI namespace, such as "root/Microsoft/Windows/DesiredStateConfiguration"
	ClassName string // the provider class
	Attrs     []Attr
	Keys      []Param // Key elements: the parameters that identify the instance
	Values    []Param // Value elements: the optional parameters
	Unknown   []string
}

// A Param is a Key or Value element of a DSC element.
type Param struct {
	Name   string
	Value  string
	Markup bool // Value is XML content written as is
	Attrs  []Attr
}

// ReflectedProperties is the ReflectedProperties element of a bulk
// template document.
type ReflectedProperties struct {
	Attrs      []Attr
	Properties []Property
	Unknown    []string
}

// A Property is one Property element of ReflectedProperties.
type Property struct {
	Name   string
	Type   string
	Value  string
	Markup bool // Value is XML content written as is
	Attrs  []Attr
}

var (
	docAttrs     = []string{"schema", "context", "id", "checksum", "osdefinedscenario"}
	cspAttrs     = []string{"name"}
	settingAttrs = []string{"path", "type"}
	dscAttrs     = []string{"namespace", "className"}
	paramAttrs   = []string{"name"}
	propAttrs    = []string{"name", "type"}
)

// MarshalText implements encoding.TextMarshaler: it returns the canonical
// XML of the document.
func (d *Document) MarshalText() ([]byte, error) {
	return d.AppendText(nil)
}

// AppendText appends the canonical XML of the document to b.
func (d *Document) AppendText(b []byte) ([]byte, error) {
	w := writer{b: b}
	w.start("DeclaredConfiguration", d.Attrs, "schema", d.Schema, "context", d.Context,
		"id", d.ID, "checksum", d.Checksum, "osdefinedscenario", d.Scenario)
	if d.Reflected == nil && len(d.CSPs) == 0 && len(d.DSCs) == 0 && len(d.Unknown) == 0 {
		w.close()
		return w.b, w.err
	}
	w.gt()
	if r := d.Reflected; r != nil {
		w.start("ReflectedProperties", r.Attrs)
		if len(r.Properties) == 0 && len(r.Unknown) == 0 {
			w.close()
		} else {
			w.gt()
			for _, p := range r.Properties {
				w.leaf("Property", p.Value, p.Markup, p.Attrs, "name", p.Name, "type", p.Type)
			}
			w.unknown("ReflectedProperties", r.Unknown, "Property")
			w.end("ReflectedProperties")
		}
	}
	for _, c := range d.CSPs {
		w.start("CSP", c.Attrs, "name", c.Name)
		if len(c.Settings) == 0 && len(c.Unknown) == 0 {
			w.close()
			continue
		}
		w.gt()
		for _, s := range c.Settings {
			w.leaf("URI", s.Value, s.Markup, s.Attrs, "path", s.Path, "type", s.Type)
		}
		w.unknown("CSP", c.Unknown, "URI")
		w.end("CSP")
	}
	for _, c := range d.DSCs {
		w.start("DSC", c.Attrs, "namespace", c.Namespace, "className", c.ClassName)
		if len(c.Keys) == 0 && len(c.Values) == 0 && len(c.Unknown) == 0 {
			w.close()
			continue
		}
		w.gt()
		for _, p := range c.Keys {
			w.leaf("Key", p.Value, p.Markup, p.Attrs, "name", p.Name)
		}
		for _, p := range c.Values {
			w.leaf("Value", p.Value, p.Markup, p.Attrs, "name", p.Name)
		}
		w.unknown("DSC", c.Unknown, "Key", "Value")
		w.end("DSC")
	}
	w.unknown("DeclaredConfiguration", d.Unknown, "ReflectedProperties", "CSP", "DSC")
	w.end("DeclaredConfiguration")
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts a
// DeclaredConfiguration element with leading white space, a byte order mark,
// an XML declaration (whose encoding is ignored: the text is taken as
// characters already decoded), comments and processing instructions.
// White space between elements, comments and processing instructions are
// not kept; everything else is.
func (d *Document) UnmarshalText(text []byte) error { return d.unmarshal(string(text), defaultLimits) }

func (d *Document) unmarshal(text string, lim Limits, scope ...nsBinding) error {
	t, err := parse(text, lim, scope...)
	if err != nil {
		return err
	}
	return d.fromTree(t)
}

// fromTree reads the document from its tree.
func (d *Document) fromTree(t *tree) error {
	root := t.root
	if ns, in := elementNamespace(root); in && xmlscan.LocalName(root.name) == "DeclaredConfiguration" {
		// with a prefix or a default namespace alike: the name the CSP
		// reads is DeclaredConfiguration in no namespace
		what := "a namespace"
		if ns != "" {
			what = "the namespace " + shown(ns)
		}
		return t.structure(root, "/"+root.name, "root element <%s> is in %s, want <DeclaredConfiguration> in no namespace", shownName(root.name), what)
	}
	if root.name != "DeclaredConfiguration" {
		return t.structure(root, "/"+root.name, "root element is <%s>, want <DeclaredConfiguration>", shownName(root.name))
	}
	if err := t.structural(root, "/DeclaredConfiguration"); err != nil {
		return err
	}
	var doc Document
	doc.Attrs = splitAttrs(root.attrs, docAttrs, &doc.Schema, &doc.Context, &doc.ID, &doc.Checksum, &doc.Scenario)
	for _, c := range root.children {
		switch c.name {
		case "ReflectedProperties":
			if doc.Reflected != nil {
				return t.structure(c, "/DeclaredConfiguration/ReflectedProperties", "more than one <ReflectedProperties>")
			}
			r, err := readReflected(t, c)
			if err != nil {
				return err
			}
			doc.Reflected = r
		case "CSP":
			if err := t.structural(c, "/DeclaredConfiguration/CSP"); err != nil {
				return err
			}
			csp := CSP{}
			csp.Attrs = splitAttrs(c.attrs, cspAttrs, &csp.Name)
			csp.Settings = makeFor[Setting](c, "URI")
			for _, u := range c.children {
				if u.name != "URI" {
					csp.Unknown = append(csp.Unknown, u.raw)
					continue
				}
				var s Setting
				s.Attrs = splitAttrs(u.attrs, settingAttrs, &s.Path, &s.Type)
				s.Value, s.Markup = leafValue(u)
				csp.Settings = append(csp.Settings, s)
			}
			doc.CSPs = append(doc.CSPs, csp)
		case "DSC":
			if err := t.structural(c, "/DeclaredConfiguration/DSC"); err != nil {
				return err
			}
			dsc := DSC{}
			dsc.Attrs = splitAttrs(c.attrs, dscAttrs, &dsc.Namespace, &dsc.ClassName)
			for _, k := range c.children {
				switch k.name {
				case "Key":
					dsc.Keys = append(dsc.Keys, readParam(k))
				case "Value":
					dsc.Values = append(dsc.Values, readParam(k))
				default:
					dsc.Unknown = append(dsc.Unknown, k.raw)
				}
			}
			doc.DSCs = append(doc.DSCs, dsc)
		default:
			doc.Unknown = append(doc.Unknown, c.raw)
		}
	}
	*d = doc
	return nil
}

func readParam(n *node) Param {
	var p Param
	p.Attrs = splitAttrs(n.attrs, paramAttrs, &p.Name)
	p.Value, p.Markup = leafValue(n)
	return p
}

func readReflected(t *tree, n *node) (*ReflectedProperties, error) {
	if err := t.structural(n, "/DeclaredConfiguration/ReflectedProperties"); err != nil {
		return nil, err
	}
	r := &ReflectedProperties{Attrs: n.attrs, Properties: makeFor[Property](n, "Property")}
	for _, c := range n.children {
		if c.name != "Property" {
			r.Unknown = append(r.Unknown, c.raw)
			continue
		}
		var p Property
		p.Attrs = splitAttrs(c.attrs, propAttrs, &p.Name, &p.Type)
		p.Value, p.Markup = leafValue(c)
		r.Properties = append(r.Properties, p)
	}
	return r, nil
}

// elementNamespace returns the namespace that n, the root element of a
// text, is in, as far as n itself says: the one its prefix is bound to
// ("" when declared around it), or the default namespace n declares; in
// is false for an element in no namespace. A document is read alone
// (ReadMessage gives it the prefixes declared around its Data, never a
// default namespace), so the root of one in no namespace is unprefixed
// and declares no default namespace but the empty one.
func elementNamespace(n *node) (ns string, in bool) {
	prefix := xmlscan.PrefixOf(n.name)
	if prefix == "" {
		ns = defaultNamespace(n.attrs)
		return ns, ns != ""
	}
	for _, a := range n.attrs {
		if a.Name == "xmlns:"+prefix {
			return a.Value, true
		}
	}
	return "", true
}

// defaultNamespace returns the default namespace attrs declare, "" for
// none or the empty one.
func defaultNamespace(attrs []Attr) string {
	for _, a := range attrs {
		if a.Name == "xmlns" {
			return a.Value
		}
	}
	return ""
}
