package declaredconfig

import (
	"github.com/windc-go/windc/internal/xmlscan"
	"math/rand"
	"strings"

	"github.com/leanovate/gopter"
)

// Generators for the property tests. They reach every field of every type,
// every XML-legal character class (ASCII, markup characters, TAB, LF, CR,
// leading and trailing spaces, BMP and non-BMP characters, the edges of the
// legal ranges), kept attributes (including modeled names with empty
// values), kept unknown elements and markup values.

var charPool = []string{
	"a", "Z", "0", " ", " ", "\t", "\n", "\r", "\r\n", "<", ">", "&", "\"", "'", "]]>", "@#v#",
	"é", "中", "\u00a0", "\ud7ff", "\ue000", "\ufffd", "\U0001F600", "\U0010FFFF", "&amp;", "/", "=",
}

func genString(r *rand.Rand) string {
	n := r.Intn(8)
	if r.Intn(5) == 0 {
		n = 0
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(charPool[r.Intn(len(charPool))])
	}
	return b.String()
}

// genField returns a non-empty string most of the time.
func genField(r *rand.Rand) string {
	if r.Intn(6) == 0 {
		return ""
	}
	s := genString(r)
	if s == "" {
		s = "v"
	}
	return s
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

var extraNames = []string{"version", "xml:lang", "xmlns:p", "data-1", "_v", "né"}

// genAttrs returns kept attributes: other names, and sometimes the name of
// an empty modeled field with an empty value.
func genAttrs(r *rand.Rand, modeled []string, fields ...*string) []Attr {
	var out []Attr
	perm := r.Perm(len(extraNames))
	for _, i := range perm[:r.Intn(3)] {
		a := Attr{Name: extraNames[i], Value: genString(r)}
		if strings.HasPrefix(a.Name, "xmlns:") && a.Value == "" {
			a.Value = "urn:v" // a prefix cannot be bound to the empty name
		}
		out = append(out, a)
	}
	for i, f := range fields {
		if *f == "" && r.Intn(3) == 0 {
			out = append(out, Attr{Name: modeled[i]})
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return nilIfEmpty(out)
}

func esc(s string) string { return string(xmlscan.AppendAttrValue(nil, s)) }

// genUnknown returns kept elements, none named like a known child.
func genUnknown(r *rand.Rand) []string {
	var out []string
	for i := r.Intn(3); i > 0; i-- {
		switch r.Intn(5) {
		case 0:
			out = append(out, `<Foo a="`+esc(genString(r))+`">`+esc(genString(r))+`</Foo>`)
		case 1:
			out = append(out, `<p:Bar xmlns:p="urn:x"/>`)
		case 2:
			out = append(out, `<Extra><Inner b="1">`+esc(genString(r))+`</Inner><!-- note --><Inner/></Extra>`)
		case 3:
			out = append(out, `<Empty></Empty>`)
		default:
			out = append(out, "<Spaced  c = 'x' >\n  <![CDATA[a<b]]>\n</Spaced >")
		}
	}
	return nilIfEmpty(out)
}

// genValue returns a leaf value: text, or (sometimes) markup.
func genValue(r *rand.Rand) (string, bool) {
	if r.Intn(6) == 0 {
		switch r.Intn(3) {
		case 0:
			return "<b>" + esc(genString(r)) + "</b>", true
		case 1:
			return esc(genString(r)) + "<i/>" + esc(genString(r)), true
		default:
			return "<custom a=\"1\"><x>&lt;</x></custom>", true
		}
	}
	return genString(r), false
}

func genSetting(r *rand.Rand) Setting {
	s := Setting{Path: genField(r), Type: genField(r)}
	s.Value, s.Markup = genValue(r)
	s.Attrs = genAttrs(r, settingAttrs, &s.Path, &s.Type)
	return s
}

func genParam(r *rand.Rand) Param {
	p := Param{Name: genField(r)}
	p.Value, p.Markup = genValue(r)
	p.Attrs = genAttrs(r, paramAttrs, &p.Name)
	return p
}

func genParams(r *rand.Rand) []Param {
	var out []Param
	for i := r.Intn(3); i > 0; i-- {
		out = append(out, genParam(r))
	}
	return nilIfEmpty(out)
}

func genDocument(r *rand.Rand) *Document {
	d := &Document{Schema: genField(r), Context: genField(r), ID: genField(r), Checksum: genField(r), Scenario: genField(r)}
	d.Attrs = genAttrs(r, docAttrs, &d.Schema, &d.Context, &d.ID, &d.Checksum, &d.Scenario)
	if r.Intn(3) == 0 {
		rp := &ReflectedProperties{Attrs: genAttrs(r, nil), Unknown: genUnknown(r)}
		for i := r.Intn(3); i > 0; i-- {
			p := Property{Name: genField(r), Type: genField(r)}
			p.Value, p.Markup = genValue(r)
			p.Attrs = genAttrs(r, propAttrs, &p.Name, &p.Type)
			rp.Properties = append(rp.Properties, p)
		}
		d.Reflected = rp
	}
	for i := r.Intn(3); i > 0; i-- {
		c := CSP{Name: genField(r)}
		c.Attrs = genAttrs(r, cspAttrs, &c.Name)
		for j := r.Intn(4); j > 0; j-- {
			c.Settings = append(c.Settings, genSetting(r))
		}
		c.Unknown = genUnknown(r)
		d.CSPs = append(d.CSPs, c)
	}
	for i := r.Intn(2); i > 0; i-- {
		c := DSC{Namespace: genField(r), ClassName: genField(r), Keys: genParams(r), Values: genParams(r), Unknown: genUnknown(r)}
		c.Attrs = genAttrs(r, dscAttrs, &c.Namespace, &c.ClassName)
		d.DSCs = append(d.DSCs, c)
	}
	d.Unknown = genUnknown(r)
	return d
}

func genResult(r *rand.Rand) *Result {
	x := &Result{Context: genField(r), Schema: genField(r), ID: genField(r), Scenario: genField(r),
		Checksum: genField(r), ResultChecksum: genField(r), ResultTimestamp: genField(r),
		Operation: genField(r), State: genField(r)}
	x.Attrs = genAttrs(r, resultAttrs, &x.Context, &x.Schema, &x.ID, &x.Scenario, &x.Checksum,
		&x.ResultChecksum, &x.ResultTimestamp, &x.Operation, &x.State)
	for i := r.Intn(3); i > 0; i-- {
		c := CSPResult{Name: genField(r), State: genField(r)}
		c.Attrs = genAttrs(r, cspResultAttrs, &c.Name, &c.State)
		for j := r.Intn(4); j > 0; j-- {
			s := SettingResult{Path: genField(r), Status: genField(r), State: genField(r), Type: genField(r)}
			s.Value, s.Markup = genValue(r)
			s.Attrs = genAttrs(r, uriResultAttrs, &s.Path, &s.Status, &s.State, &s.Type)
			c.Settings = append(c.Settings, s)
		}
		c.Unknown = genUnknown(r)
		x.CSPs = append(x.CSPs, c)
	}
	for i := r.Intn(2); i > 0; i-- {
		c := DSCResult{Namespace: genField(r), ClassName: genField(r), Status: genField(r), State: genField(r),
			Keys: genParams(r), Values: genParams(r), Unknown: genUnknown(r)}
		c.Attrs = genAttrs(r, dscResultAttrs, &c.Namespace, &c.ClassName, &c.Status, &c.State)
		x.DSCs = append(x.DSCs, c)
	}
	x.Unknown = genUnknown(r)
	return x
}

func genSummary(r *rand.Rand) *Summary {
	s := &Summary{Schema: genField(r)}
	s.Attrs = genAttrs(r, summaryAttrs, &s.Schema)
	for i := r.Intn(4); i > 0; i-- {
		e := SummaryEntry{Context: genField(r), ID: genField(r), Checksum: genField(r), ResultChecksum: genField(r), State: genField(r)}
		e.Attrs = genAttrs(r, entryAttrs, &e.Context, &e.ID, &e.Checksum, &e.ResultChecksum, &e.State)
		e.Unknown = genUnknown(r)
		s.Documents = append(s.Documents, e)
	}
	s.Unknown = genUnknown(r)
	return s
}

func genBlob(r *rand.Rand) *InstanceBlob {
	b := &InstanceBlob{Schema: genField(r)}
	b.Attrs = genAttrs(r, blobAttrs, &b.Schema)
	for i := r.Intn(3); i > 0; i-- {
		in := Instance{Attrs: genAttrs(r, nil), Unknown: genUnknown(r)}
		for j := r.Intn(4); j > 0; j-- {
			d := InstanceData{Variable: genField(r)}
			d.Value, d.Markup = genValue(r)
			d.Attrs = genAttrs(r, dataAttrs, &d.Variable)
			in.Data = append(in.Data, d)
		}
		b.Instances = append(b.Instances, in)
	}
	b.Unknown = genUnknown(r)
	return b
}

// gen adapts a generator function to gopter.
func gen[T any](f func(r *rand.Rand) T) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(f(p.Rng), gopter.NoShrinker)
	}
}
