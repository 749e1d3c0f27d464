package declaredconfig

// An InstanceBlob is the value of a bulk template's BulkVariables/Value
// node: the instance data that fills the template's @#variable#
// placeholders, one Instance per instance of the dynamic nodes.
type InstanceBlob struct {
	Schema    string // "1.0"
	Attrs     []Attr
	Instances []Instance
	Unknown   []string
}

// An Instance is one Instance element: a value for every variable.
type Instance struct {
	Attrs   []Attr
	Data    []InstanceData
	Unknown []string
}

// InstanceData is one InstanceData element: the value of one variable.
type InstanceData struct {
	Variable string // the variable name, without the @# and # around it
	Value    string
	Markup   bool // Value is XML content written as is
	Attrs    []Attr
}

var (
	blobAttrs = []string{"schema"}
	dataAttrs = []string{"variable"}
)

// MarshalText implements encoding.TextMarshaler.
func (ib *InstanceBlob) MarshalText() ([]byte, error) { return ib.AppendText(nil) }

// AppendText appends the canonical XML of the blob to b.
func (ib *InstanceBlob) AppendText(b []byte) ([]byte, error) {
	w := writer{b: b}
	w.start("InstanceBlob", ib.Attrs, "schema", ib.Schema)
	if len(ib.Instances) == 0 && len(ib.Unknown) == 0 {
		w.close()
		return w.b, w.err
	}
	w.gt()
	for _, in := range ib.Instances {
		w.start("Instance", in.Attrs)
		if len(in.Data) == 0 && len(in.Unknown) == 0 {
			w.close()
			continue
		}
		w.gt()
		for _, d := range in.Data {
			w.leaf("InstanceData", d.Value, d.Markup, d.Attrs, "variable", d.Variable)
		}
		w.unknown("Instance", in.Unknown, "InstanceData")
		w.end("Instance")
	}
	w.unknown("InstanceBlob", ib.Unknown, "Instance")
	w.end("InstanceBlob")
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// Document.UnmarshalText accepts around an InstanceBlob element.
func (ib *InstanceBlob) UnmarshalText(text []byte) error {
	return ib.unmarshal(string(text), defaultLimits)
}

func (ib *InstanceBlob) unmarshal(text string, lim Limits, scope ...nsBinding) error {
	t, err := parse(text, lim, scope...)
	if err != nil {
		return err
	}
	root := t.root
	if root.name != "InstanceBlob" {
		return t.structure(root, "/"+root.name, "root element is <%s>, want <InstanceBlob>", shownName(root.name))
	}
	if err := t.structural(root, "/InstanceBlob"); err != nil {
		return err
	}
	var blob InstanceBlob
	blob.Attrs = splitAttrs(root.attrs, blobAttrs, &blob.Schema)
	for _, c := range root.children {
		if c.name != "Instance" {
			blob.Unknown = append(blob.Unknown, c.raw)
			continue
		}
		if err := t.structural(c, "/InstanceBlob/Instance"); err != nil {
			return err
		}
		in := Instance{Attrs: c.attrs, Data: makeFor[InstanceData](c, "InstanceData")}
		for _, k := range c.children {
			if k.name != "InstanceData" {
				in.Unknown = append(in.Unknown, k.raw)
				continue
			}
			var d InstanceData
			d.Attrs = splitAttrs(k.attrs, dataAttrs, &d.Variable)
			d.Value, d.Markup = leafValue(k)
			in.Data = append(in.Data, d)
		}
		blob.Instances = append(blob.Instances, in)
	}
	*ib = blob
	return nil
}
