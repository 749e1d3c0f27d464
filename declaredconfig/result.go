package declaredconfig

// A Result is a DeclaredConfigurationResult element: what the device made
// of a document, read from a Host/{Host}/Results/{DocID}/Document node.
//
// String fields hold attributes as written (an empty field is absent); use
// ParseState and the Status methods for typed values. Children are written
// in the order CSP, DSC, then Unknown.
type Result struct {
	Context         string
	Schema          string
	ID              string
	Scenario        string // osdefinedscenario
	Checksum        string // the checksum of the document the result is for
	ResultChecksum  string // result_checksum: changes when the outcome changes
	ResultTimestamp string // result_timestamp, such as "2024-08-06T13:54:38Z"
	Operation       string // such as "Set"
	State           string // a State, in decimal
	Attrs           []Attr

	CSPs    []CSPResult
	DSCs    []DSCResult
	Unknown []string
}

// A CSPResult is a CSP element of a result.
type CSPResult struct {
	Name     string
	State    string
	Attrs    []Attr
	Settings []SettingResult
	Unknown  []string
}

// A SettingResult is a URI element of a result: the outcome for one
// setting. Inventory results may carry the node's value.
type SettingResult struct {
	Path   string
	Status string // a SyncML status code, such as "200"
	State  string // a State, in decimal
	Type   string
	Value  string
	Markup bool // Value is XML content written as is
	Attrs  []Attr
}

// A DSCResult is a DSC element of a result.
type DSCResult struct {
	Namespace string
	ClassName string
	Status    string
	State     string
	Attrs     []Attr
	Keys      []Param
	Values    []Param
	Unknown   []string
}

var (
	resultAttrs    = []string{"context", "schema", "id", "osdefinedscenario", "checksum", "result_checksum", "result_timestamp", "operation", "state"}
	cspResultAttrs = []string{"name", "state"}
	uriResultAttrs = []string{"path", "status", "state", "type"}
	dscResultAttrs = []string{"namespace", "className", "status", "state"}
)

// MarshalText implements encoding.TextMarshaler.
func (r *Result) MarshalText() ([]byte, error) { return r.AppendText(nil) }

// AppendText appends the canonical XML of the result to b.
func (r *Result) AppendText(b []byte) ([]byte, error) {
	w := writer{b: b}
	w.start("DeclaredConfigurationResult", r.Attrs, "context", r.Context, "schema", r.Schema,
		"id", r.ID, "osdefinedscenario", r.Scenario, "checksum", r.Checksum,
		"result_checksum", r.ResultChecksum, "result_timestamp", r.ResultTimestamp,
		"operation", r.Operation, "state", r.State)
	if len(r.CSPs) == 0 && len(r.DSCs) == 0 && len(r.Unknown) == 0 {
		w.close()
		return w.b, w.err
	}
	w.gt()
	for _, c := range r.CSPs {
		w.start("CSP", c.Attrs, "name", c.Name, "state", c.State)
		if len(c.Settings) == 0 && len(c.Unknown) == 0 {
			w.close()
			continue
		}
		w.gt()
		for _, s := range c.Settings {
			w.leaf("URI", s.Value, s.Markup, s.Attrs, "path", s.Path, "status", s.Status, "state", s.State, "type", s.Type)
		}
		w.unknown("CSP", c.Unknown, "URI")
		w.end("CSP")
	}
	for _, c := range r.DSCs {
		w.start("DSC", c.Attrs, "namespace", c.Namespace, "className", c.ClassName, "status", c.Status, "state", c.State)
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
	w.unknown("DeclaredConfigurationResult", r.Unknown, "CSP", "DSC")
	w.end("DeclaredConfigurationResult")
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// Document.UnmarshalText accepts around a DeclaredConfigurationResult.
func (r *Result) UnmarshalText(text []byte) error { return r.unmarshal(string(text), defaultLimits) }

func (r *Result) unmarshal(text string, lim Limits, scope ...nsBinding) error {
	t, err := parse(text, lim, scope...)
	if err != nil {
		return err
	}
	root := t.root
	if root.name != "DeclaredConfigurationResult" {
		return t.structure(root, "/"+root.name, "root element is <%s>, want <DeclaredConfigurationResult>", shownName(root.name))
	}
	if err := t.structural(root, "/DeclaredConfigurationResult"); err != nil {
		return err
	}
	var res Result
	res.Attrs = splitAttrs(root.attrs, resultAttrs, &res.Context, &res.Schema, &res.ID, &res.Scenario,
		&res.Checksum, &res.ResultChecksum, &res.ResultTimestamp, &res.Operation, &res.State)
	for _, c := range root.children {
		switch c.name {
		case "CSP":
			if err := t.structural(c, "/DeclaredConfigurationResult/CSP"); err != nil {
				return err
			}
			var csp CSPResult
			csp.Attrs = splitAttrs(c.attrs, cspResultAttrs, &csp.Name, &csp.State)
			csp.Settings = makeFor[SettingResult](c, "URI")
			for _, u := range c.children {
				if u.name != "URI" {
					csp.Unknown = append(csp.Unknown, u.raw)
					continue
				}
				var s SettingResult
				s.Attrs = splitAttrs(u.attrs, uriResultAttrs, &s.Path, &s.Status, &s.State, &s.Type)
				s.Value, s.Markup = leafValue(u)
				csp.Settings = append(csp.Settings, s)
			}
			res.CSPs = append(res.CSPs, csp)
		case "DSC":
			if err := t.structural(c, "/DeclaredConfigurationResult/DSC"); err != nil {
				return err
			}
			var dsc DSCResult
			dsc.Attrs = splitAttrs(c.attrs, dscResultAttrs, &dsc.Namespace, &dsc.ClassName, &dsc.Status, &dsc.State)
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
			res.DSCs = append(res.DSCs, dsc)
		default:
			res.Unknown = append(res.Unknown, c.raw)
		}
	}
	*r = res
	return nil
}
