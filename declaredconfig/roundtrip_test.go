package declaredconfig

import (
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// propSeed is fixed so that failures reproduce; it is logged by each test.
const propSeed = 20240912

// deepDiff returns "" when x and y are equal as cmp sees them, and
// cmp.Diff's report otherwise. reflect.DeepEqual decides first, in linear
// time: cmp compares each slice element twice, so it alone costs 2^n on
// a value nested n deep. cmp.Diff runs only on a DeepEqual mismatch and
// still has the last word. The fuzz targets compare the same way.
func deepDiff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

func properties(t *testing.T) *gopter.Properties {
	t.Logf("gopter seed %d", propSeed)
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = 1000
	return gopter.NewProperties(p)
}

// roundTrip checks, for a generated value x: decode(encode(x)) == x with no
// field ignored; encode is a fixpoint; and the value survives being read
// back with a leading white space, BOM and XML declaration.
func roundTrip[T textCodec](t *testing.T, x T, fresh func() T) bool {
	t.Helper()
	b, err := x.MarshalText()
	if err != nil {
		t.Logf("encode: %v\n%#v", err, x)
		return false
	}
	y := fresh()
	if err := y.UnmarshalText(b); err != nil {
		t.Logf("decode: %v\n%s", err, b)
		return false
	}
	if diff := deepDiff(x, y); diff != "" {
		t.Logf("decode(encode(x)) != x (-x +got):\n%s\n%s", diff, b)
		return false
	}
	c, err := y.MarshalText()
	if err != nil || string(c) != string(b) {
		t.Logf("encode is not a fixpoint: %v\n%s\n%s", err, b, c)
		return false
	}
	z := fresh()
	noisy := "\uFEFF\n  <?xml version=\"1.0\" encoding=\"utf-16\"?>\n<!-- c -->" + string(b) + "\n\t"
	if err := z.UnmarshalText([]byte(noisy)); err != nil {
		t.Logf("decode with prolog: %v", err)
		return false
	}
	if diff := deepDiff(x, z); diff != "" {
		t.Logf("decode with prolog differs:\n%s", diff)
		return false
	}
	return true
}

func TestPropertyDocument(t *testing.T) {
	props := properties(t)
	props.Property("Document round trip", prop.ForAll(func(d *Document) bool {
		return roundTrip(t, d, func() *Document { return new(Document) })
	}, gen(genDocument)))
	props.TestingRun(t)
}

func TestPropertyResult(t *testing.T) {
	props := properties(t)
	props.Property("Result round trip", prop.ForAll(func(x *Result) bool {
		return roundTrip(t, x, func() *Result { return new(Result) })
	}, gen(genResult)))
	props.TestingRun(t)
}

func TestPropertySummary(t *testing.T) {
	props := properties(t)
	props.Property("Summary round trip", prop.ForAll(func(x *Summary) bool {
		return roundTrip(t, x, func() *Summary { return new(Summary) })
	}, gen(genSummary)))
	props.TestingRun(t)
}

func TestPropertyInstanceBlob(t *testing.T) {
	props := properties(t)
	props.Property("InstanceBlob round trip", prop.ForAll(func(x *InstanceBlob) bool {
		return roundTrip(t, x, func() *InstanceBlob { return new(InstanceBlob) })
	}, gen(genBlob)))
	props.TestingRun(t)
}

// TestPropertyThroughSyncML carries generated documents in a SyncML Replace
// as escaped text, CDATA and markup, through syncml.Marshal and
// syncml.Unmarshal, and reads them back from the Data.
func TestPropertyThroughSyncML(t *testing.T) {
	props := properties(t)
	kinds := []syncml.DataKind{syncml.DataText, syncml.DataCDATA, syncml.DataXML}
	props.Property("Document in SyncML Data", prop.ForAll(func(d *Document, k int) bool {
		data, err := payload(d, kinds[k])
		if err != nil {
			t.Logf("payload: %v", err)
			return false
		}
		m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1"},
			Body: syncml.Body{Commands: []syncml.Command{&syncml.Replace{CmdID: "2", Items: []syncml.Item{{
				Target: &syncml.Location{LocURI: DocumentURI(Device, Complete, NewDocID()).String()}, Data: data}}}}, Final: true}}
		b, err := syncml.Marshal(m)
		if err != nil {
			t.Logf("syncml.Marshal: %v", err)
			return false
		}
		var back syncml.Message
		if err := syncml.Unmarshal(b, &back); err != nil {
			t.Logf("syncml.Unmarshal: %v\n%s", err, b)
			return false
		}
		got := new(Document)
		if err := got.UnmarshalText([]byte(back.Body.Commands[0].(*syncml.Replace).Items[0].Data.Value)); err != nil {
			t.Logf("decode from %v Data: %v\n%s", kinds[k], err, b)
			return false
		}
		if diff := deepDiff(d, got); diff != "" {
			t.Logf("document changed in %v Data:\n%s", kinds[k], diff)
			return false
		}
		return true
	}, gen(genDocument), gen(func(r *rand.Rand) int { return r.Intn(3) })))
	props.TestingRun(t)
}

// TestGeneratorsReachEveryField fails if a generator never sets some
// field, so the round-trip properties cannot silently skip one.
func TestGeneratorsReachEveryField(t *testing.T) {
	r := rand.New(rand.NewSource(propSeed))
	for _, g := range []struct {
		name string
		gen  func() any
	}{
		{"Document", func() any { return genDocument(r) }},
		{"Result", func() any { return genResult(r) }},
		{"Summary", func() any { return genSummary(r) }},
		{"InstanceBlob", func() any { return genBlob(r) }},
	} {
		all, hit := map[string]bool{}, map[string]bool{}
		for i := 0; i < 2000; i++ {
			v := reflect.ValueOf(g.gen())
			fieldPaths(v.Type(), g.name, all, map[reflect.Type]bool{})
			markSet(v, g.name, hit)
		}
		var missing []string
		for p := range all {
			if !hit[p] {
				missing = append(missing, p)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s generator never sets: %s", g.name, strings.Join(missing, ", "))
		}
	}
}

func fieldPaths(t reflect.Type, path string, out map[string]bool, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		fieldPaths(t.Elem(), path, out, seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			p := path + "." + f.Name
			out[p] = true
			fieldPaths(f.Type, p, out, seen)
		}
	}
}

func markSet(v reflect.Value, path string, hit map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			markSet(v.Elem(), path, hit)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			markSet(v.Index(i), path, hit)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			p := path + "." + v.Type().Field(i).Name
			if !v.Field(i).IsZero() {
				hit[p] = true
			}
			markSet(v.Field(i), p, hit)
		}
	}
}
