package provisioning

import (
	"errors"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// nested returns n characteristics one inside the other, inner in the
// innermost.
func nested(n int, inner ...Node) *Characteristic {
	c := &Characteristic{Type: "X", Nodes: inner}
	for range n - 1 {
		c = &Characteristic{Type: "X", Nodes: []Node{c}}
	}
	return c
}

// TestMarshalSelf: a hand-made Document with a characteristic or element
// that holds itself is refused with a *FieldError for ErrValue that
// names the place where the node stands inside itself, as Enrollment
// does (checkTree). Before, the writer recursed without end: a fatal
// stack overflow (here with the stack limited to 1 MiB).
func TestMarshalSelf(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	direct := &Characteristic{Type: "X"}
	direct.Nodes = []Node{&Parm{Name: "p"}, direct}
	viaElem := &Element{Name: "e"}
	viaElem.Nodes = []Node{&Element{Name: "f", Nodes: []Node{&Comment{"c"}, viaElem}}}
	elem := &Element{Name: "e"}
	elem.Nodes = []Node{&Text{"a"}, elem}
	deep := &Characteristic{Type: "X"}
	deep.Nodes = []Node{nested(5, deep)}
	tests := []struct {
		name string
		doc  *Document
		path string
	}{
		{"characteristic in itself", &Document{Nodes: []Node{&Characteristic{Type: "Y"}, direct}}, "/" + Root + "[1][1]"},
		{"element in its element", &Document{Nodes: []Node{&Characteristic{Type: "Y", Nodes: []Node{viaElem}}}}, "/" + Root + "[0][0][0][1]"},
		{"element in itself", &Document{Nodes: []Node{&Characteristic{Type: "Y", Nodes: []Node{elem}}}}, "/" + Root + "[0][0][1]"},
		{"six levels", &Document{Nodes: []Node{nested(3, deep)}}, "/" + Root + strings.Repeat("[0]", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, marshal := range []func() ([]byte, error){
				tt.doc.MarshalText,
				func() ([]byte, error) { return tt.doc.AppendText([]byte("prefix")) },
			} {
				b, err := marshal()
				var fe *FieldError
				if !errors.As(err, &fe) || !errors.Is(err, ErrValue) || fe.Path != tt.path {
					t.Fatalf("got %.100q, %v; want a *FieldError for ErrValue at %s", b, err, tt.path)
				}
				if !strings.Contains(err.Error(), "holds itself") {
					t.Errorf("message %q", err)
				}
			}
		})
	}
}

// TestMarshalDepth: the writer writes what Unmarshal reads back: nesting
// to DefaultMaxDepth elements (the root counted as 1), characteristics or
// elements, and refuses one level more with a *LimitError for MaxDepth
// whose Path names the node too deep. A Document 100,000 characteristics
// deep is refused the same way, with the stack limited to 1 MiB. Before,
// the writer wrote any depth (what Unmarshal refuses), 100,000 levels
// with a fatal stack overflow.
func TestMarshalDepth(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	elems := func(n int) *Element {
		e := &Element{Name: "e"}
		for range n - 1 {
			e = &Element{Name: "e", Nodes: []Node{&Text{"t"}, e}}
		}
		return e
	}
	r := func(s string, n int) string { return strings.Repeat(s, n) }
	for _, tt := range []struct {
		name string
		doc  func(more int) Node // deepest element at DefaultMaxDepth+more
		path string              // of the node too deep
	}{
		{"characteristics", func(more int) Node { return nested(DefaultMaxDepth - 1 + more) }, r("[0]", DefaultMaxDepth)},
		{"parm", func(more int) Node { return nested(DefaultMaxDepth-2+more, &Comment{"c"}, &Parm{Name: "p"}) }, r("[0]", DefaultMaxDepth-1) + "[1]"},
		{"elements", func(more int) Node { return nested(2, elems(DefaultMaxDepth-3+more)) }, r("[0]", 3) + r("[1]", DefaultMaxDepth-3)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(&Document{Nodes: []Node{tt.doc(0)}})
			if err != nil {
				t.Fatalf("depth %d: %v", DefaultMaxDepth, err)
			}
			var back Document
			if err := Unmarshal(out, &back); err != nil {
				t.Fatalf("depth %d read back: %v", DefaultMaxDepth, err)
			}
			b, err := Marshal(&Document{Nodes: []Node{tt.doc(1)}})
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != DefaultMaxDepth {
				t.Fatalf("depth %d: wrote %d bytes, %v; want a *LimitError for MaxDepth", DefaultMaxDepth+1, len(b), err)
			}
			if want := "/" + Root + tt.path; le.Path != want {
				t.Errorf("path %s, want %s", le.Path, want)
			}
		})
	}
	const n = 100_000
	b, err := Marshal(&Document{Nodes: []Node{nested(n)}})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Path != "/"+Root+strings.Repeat("[0]", DefaultMaxDepth) {
		t.Fatalf("depth %d: wrote %d bytes, %.200v; want a *LimitError for MaxDepth", n, len(b), err)
	}
}

// TestMarshalBytes: the writer writes no more than Unmarshal reads,
// DefaultMaxBytes, and refuses more with a *LimitError for MaxBytes. A
// hand-made Document of 20 characteristics each holding the next twice
// (2^20 places of the innermost parm) is refused without writing more
// than about DefaultMaxBytes; so is one 30 deep (2^30 places). Before,
// the 20 deep one was written whole (198 MB) without an error, and
// a parm of DefaultMaxBytes was written though Unmarshal refuses it.
func TestMarshalBytes(t *testing.T) {
	parm := func(k int) *Document {
		return &Document{Nodes: []Node{&Parm{Name: "a", Value: strings.Repeat("x", k)}}}
	}
	empty, err := Marshal(parm(0))
	if err != nil {
		t.Fatal(err)
	}
	k := DefaultMaxBytes - len(empty)
	out, err := Marshal(parm(k))
	if err != nil || len(out) != DefaultMaxBytes {
		t.Fatalf("%d bytes: %d, %v", DefaultMaxBytes, len(out), err)
	}
	var back Document
	if err := Unmarshal(out, &back); err != nil {
		t.Fatalf("%d bytes read back: %v", DefaultMaxBytes, err)
	}
	// the limit counts what AppendText appends
	if out, err := parm(k).AppendText(make([]byte, 7, 8)); err != nil || len(out) != DefaultMaxBytes+7 {
		t.Fatalf("AppendText of %d bytes: %d, %v", DefaultMaxBytes, len(out), err)
	}
	var le *LimitError
	if out, err := Marshal(parm(k + 1)); !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != DefaultMaxBytes || out != nil {
		t.Fatalf("%d bytes: %d, %v; want a *LimitError for MaxBytes", DefaultMaxBytes+1, len(out), err)
	}
	for _, depth := range []int{20, 30} {
		var c Node = &Parm{Name: "p", Value: "v"}
		for range depth {
			c = &Characteristic{Type: "X", Nodes: []Node{c, c}}
		}
		d := &Document{Nodes: []Node{c}}
		b, err := d.AppendText(nil)
		if !errors.As(err, &le) || le.Limit != "MaxBytes" {
			t.Fatalf("depth %d, shared: wrote %d bytes, %v; want a *LimitError for MaxBytes", depth, len(b), err)
		}
		if le.Offset <= DefaultMaxBytes || le.Offset > DefaultMaxBytes+1<<10 || !strings.HasPrefix(le.Path, "/"+Root+"[0]") {
			t.Errorf("depth %d, shared: %v", depth, err)
		}
		if b, err := d.MarshalText(); !errors.As(err, &le) || le.Limit != "MaxBytes" {
			t.Fatalf("depth %d, shared, MarshalText: wrote %d bytes, %v", depth, len(b), err)
		}
	}
}

// TestMarshalCounts: the writer writes no more elements (the root
// included) and no more attributes on one element than Unmarshal reads,
// DefaultMaxElements and DefaultMaxAttrs, and refuses one more with a
// *LimitError for MaxElements or MaxAttrs that names the node. Before,
// both were written, and Unmarshal refused them.
func TestMarshalCounts(t *testing.T) {
	parms := func(n int) *Document {
		nodes := make([]Node, n)
		for i := range nodes {
			nodes[i] = &Parm{Name: "p", NoValue: true}
		}
		return &Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: nodes}}}
	}
	attrs := func(n int) []Attr {
		a := make([]Attr, n)
		for i := range a {
			a[i] = Attr{"a" + strconv.Itoa(i), ""}
		}
		return a
	}
	chr := func(n ...Node) *Document { return &Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: n}}} }
	for _, tt := range []struct {
		name  string
		doc   func(more int) *Document
		limit string
		path  string
	}{
		{"elements", func(more int) *Document { return parms(DefaultMaxElements - 2 + more) }, "MaxElements", "[0][" + strconv.Itoa(DefaultMaxElements-2) + "]"},
		{"root attributes", func(more int) *Document { return &Document{Version: "1.1", Attrs: attrs(DefaultMaxAttrs - 1 + more)} }, "MaxAttrs", ""},
		{"characteristic attributes", func(more int) *Document {
			return chr(&Characteristic{Type: "B", Attrs: attrs(DefaultMaxAttrs - 1 + more)})
		}, "MaxAttrs", "[0][0]"},
		{"parm attributes", func(more int) *Document {
			return chr(&Parm{Name: "p", Value: "v", Datatype: "string", Attrs: attrs(DefaultMaxAttrs - 3 + more)})
		}, "MaxAttrs", "[0][0]"},
		{"element attributes", func(more int) *Document {
			return chr(&Element{Name: "e", Nodes: []Node{&Element{Name: "f", Attrs: attrs(DefaultMaxAttrs + more)}}})
		}, "MaxAttrs", "[0][0][0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.doc(0))
			if err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			var back Document
			if err := Unmarshal(out, &back); err != nil {
				t.Fatalf("at the limit, read back: %v", err)
			}
			b, err := Marshal(tt.doc(1))
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit {
				var back Document
				t.Fatalf("one more: wrote %d bytes, %v (read back: %v); want a *LimitError for %s", len(b), err, Unmarshal(b, &back), tt.limit)
			}
			if want := "/" + Root + tt.path; le.Path != want {
				t.Errorf("path %s, want %s", le.Path, want)
			}
		})
	}
}

// TestMarshalLimits: MarshalLimits writes within the limits it is given
// instead of the defaults, and UnmarshalLimits with the same limits reads
// it back: a document beyond each default is refused by Marshal and
// written with the limit raised; a limit lowered refuses what the default
// allows. A MaxDepth above 65536 is taken as 65536 (the writer recurses
// once per level), so a document 100,000 elements deep is refused, not a
// fatal stack overflow. Before, there was no way past the defaults.
func TestMarshalLimits(t *testing.T) {
	attrs := make([]Attr, DefaultMaxAttrs+1)
	for i := range attrs {
		attrs[i] = Attr{"a" + strconv.Itoa(i), ""}
	}
	parms := make([]Node, DefaultMaxElements)
	for i := range parms {
		parms[i] = &Parm{Name: "p", NoValue: true}
	}
	for _, tt := range []struct {
		name  string
		doc   *Document
		limit string
		lim   Limits // raised: writes doc
	}{
		{"depth", &Document{Nodes: []Node{nested(DefaultMaxDepth)}}, "MaxDepth", Limits{MaxDepth: 2 * DefaultMaxDepth}},
		{"bytes", &Document{Nodes: []Node{&Parm{Name: "a", Value: strings.Repeat("x", DefaultMaxBytes)}}}, "MaxBytes", Limits{MaxBytes: 2 * DefaultMaxBytes}},
		{"elements", &Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: parms}}}, "MaxElements", Limits{MaxElements: 2 * DefaultMaxElements}},
		{"attributes", &Document{Nodes: []Node{&Characteristic{Type: "A", Attrs: attrs}}}, "MaxAttrs", Limits{MaxAttrs: 2 * DefaultMaxAttrs}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var le *LimitError
			if _, err := Marshal(tt.doc); !errors.As(err, &le) || le.Limit != tt.limit {
				t.Fatalf("Marshal: %v, want a *LimitError for %s", err, tt.limit)
			}
			if _, err := MarshalLimits(tt.doc, Limits{}); !errors.As(err, &le) || le.Limit != tt.limit {
				t.Fatalf("MarshalLimits with zero Limits: %v, want a *LimitError for %s", err, tt.limit)
			}
			out, err := MarshalLimits(tt.doc, tt.lim)
			if err != nil {
				t.Fatalf("MarshalLimits(%+v): %v", tt.lim, err)
			}
			var back Document
			if err := UnmarshalLimits(out, &back, tt.lim); err != nil {
				t.Fatalf("read back with %+v: %v", tt.lim, err)
			}
			if diff := diff(tt.doc, &back); diff != "" {
				t.Errorf("read back differs:\n%s", diff)
			}
		})
	}

	// lowered
	small := &Document{Nodes: []Node{nested(3, &Parm{Name: "p", Value: "v", Attrs: attrs[:2]})}}
	for _, tt := range []struct {
		lim   Limits
		limit string
	}{
		{Limits{MaxDepth: 3}, "MaxDepth"},
		{Limits{MaxBytes: 50}, "MaxBytes"},
		{Limits{MaxElements: 4}, "MaxElements"},
		{Limits{MaxAttrs: 3}, "MaxAttrs"},
	} {
		if _, err := Marshal(small); err != nil {
			t.Fatal(err)
		}
		var le *LimitError
		if b, err := MarshalLimits(small, tt.lim); !errors.As(err, &le) || le.Limit != tt.limit || b != nil {
			t.Errorf("MarshalLimits(%+v): %q, %v; want a *LimitError for %s", tt.lim, b, err, tt.limit)
		}
	}

	defer debug.SetMaxStack(debug.SetMaxStack(256 << 20))
	e := &Element{Name: "e"}
	for range 100_000 - 1 {
		e = &Element{Name: "e", Nodes: []Node{e}}
	}
	huge := Limits{MaxDepth: 1 << 30, MaxBytes: 1 << 30, MaxElements: 1 << 30}
	var le *LimitError
	if b, err := MarshalLimits(&Document{Nodes: []Node{&Characteristic{Type: "A", Nodes: []Node{e}}}}, huge); !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != 1<<16 {
		t.Fatalf("100,000 deep with MaxDepth 1<<30: wrote %d bytes, %.200v; want a *LimitError for MaxDepth 65536", len(b), err)
	}
}

// TestUnmarshalMaxDepthCapped: UnmarshalLimits takes a MaxDepth above
// 65536 as 65536, as MarshalLimits does, so that a document read with
// some limits is written with the same ones. Before, the reader took
// MaxDepth 1<<30 as given: it read a document 65,537 elements deep that
// MarshalLimits with those limits then refused.
func TestUnmarshalMaxDepthCapped(t *testing.T) {
	huge := Limits{MaxDepth: 1 << 30, MaxBytes: 1 << 30, MaxElements: 1 << 30}
	// depth elements, the root counted as 1; Elements are written without
	// indentation, so the output grows with the depth, not its square.
	nest := func(depth int) []byte {
		return []byte(`<wap-provisioningdoc><characteristic type="A">` + strings.Repeat("<e>", depth-2) +
			strings.Repeat("</e>", depth-2) + `</characteristic></wap-provisioningdoc>`)
	}
	var d Document
	if err := UnmarshalLimits(nest(1<<16), &d, huge); err != nil {
		t.Fatalf("65536 deep with MaxDepth 1<<30: %.200v", err)
	}
	if _, err := MarshalLimits(&d, huge); err != nil {
		t.Fatalf("65536 deep written back with MaxDepth 1<<30: %.200v", err)
	}
	var le *LimitError
	err := UnmarshalLimits(nest(1<<16+1), &d, huge)
	if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != 1<<16 {
		t.Fatalf("65537 deep with MaxDepth 1<<30: %.200v; want a *LimitError for MaxDepth 65536", err)
	}
}

// TestMarshalMaxAttrsFixed: MaxAttrs counts the attributes of an
// element's fields (version, type, name, value, datatype) as the reader
// counts them, also when the element has no others: under a MaxAttrs
// below three, MarshalLimits refuses what UnmarshalLimits with the same
// limits would refuse. Before, the count was made only for an element
// with other attributes: a parm with a name, value and datatype was
// written under MaxAttrs 1 or 2, and its reading refused.
func TestMarshalMaxAttrsFixed(t *testing.T) {
	for _, tt := range []struct {
		name  string
		doc   *Document
		attrs int // of the element with the most
	}{
		{"root version", &Document{Version: "1.1"}, 1},
		{"characteristic type", &Document{Nodes: []Node{&Characteristic{Type: "A"}}}, 1},
		{"parm name", &Document{Nodes: []Node{&Parm{Name: "p", NoValue: true}}}, 1},
		{"parm name value", &Document{Nodes: []Node{&Parm{Name: "p", Value: "v"}}}, 2},
		{"parm name value datatype", &Document{Nodes: []Node{&Parm{Name: "p", Value: "v", Datatype: "string"}}}, 3},
	} {
		for max := 1; max <= 3; max++ {
			lim := Limits{MaxAttrs: max}
			out, err := MarshalLimits(tt.doc, lim)
			var le *LimitError
			if tt.attrs > max {
				if !errors.As(err, &le) || le.Limit != "MaxAttrs" || le.Max != int64(max) {
					t.Errorf("%s, MaxAttrs %d: wrote %q, %v; want a *LimitError for MaxAttrs", tt.name, max, out, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s, MaxAttrs %d: %v", tt.name, max, err)
				continue
			}
			var back Document
			if err := UnmarshalLimits(out, &back, lim); err != nil {
				t.Errorf("%s, MaxAttrs %d: read back: %v", tt.name, max, err)
			}
		}
	}
}
