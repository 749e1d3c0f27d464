package reconcile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// optional are the pointers of a state that may be nil.
var optional = map[reflect.Type]bool{
	reflect.TypeOf(new(bool)): true, reflect.TypeOf(&declaredconfig.InstanceBlob{}): true,
	reflect.TypeOf(&declaredconfig.Result{}): true, reflect.TypeOf(&declaredconfig.Summary{}): true,
	reflect.TypeOf(&declaredconfig.ReflectedProperties{}): true, reflect.TypeOf(&cmdRefusals{}): true,
}

// fill sets every exported field reachable from v, and those of the tail
// of a docState (found by reflection, so that a field added later, here
// or in declaredconfig's types, is covered), to a value of its own:
// strings and numbers counted from *n, flags true, pointers set (or left
// nil with nilPtrs), lists of two.
func fill(v reflect.Value, n *int, nilPtrs bool) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("f%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n%100 - 50))
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		v.SetUint(uint64(*n%200 + 1))
	case reflect.Pointer:
		if nilPtrs && optional[v.Type()] {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, nilPtrs)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n, nilPtrs)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n, nilPtrs)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, nilPtrs)
			}
		}
		if d, ok := v.Addr().Interface().(*docState); ok {
			d.docTail = &docTail{}
			fill(reflect.ValueOf(d.docTail).Elem(), n, nilPtrs)
		}
	default:
		panic("fill: " + v.Type().String())
	}
}

// refusable sets the refusals of st's documents, which fill sets to any
// number, to those a run writes (a loaded state is checked: see
// badRefusal): a status code a refusal has, refused at least once.
func refusable(st *deviceState) {
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for i, d := range list {
			d.RefusedCode, d.RefusedTries = 500+syncml.StatusCode(i), 1+i
			if d.CmdRefused != nil {
				for k := range d.CmdRefused {
					d.CmdRefused[k].Code, d.CmdRefused[k].Tries = 400+syncml.StatusCode(k), 1+k
				}
			}
		}
	}
}

// TestStateCodecEveryField stores and loads a state whose every field is
// set (and one whose optional parts are absent): what loads is what was
// stored, so that format 1 loses nothing.
func TestStateCodecEveryField(t *testing.T) {
	for _, nilPtrs := range []bool{false, true} {
		var st deviceState
		n := 0
		fill(reflect.ValueOf(&st).Elem(), &n, nilPtrs)
		refusable(&st)
		if st.Sum == nil {
			st.SumText = "" // kept with the summary only
		}
		b, err := encodeState(&st)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != stateFormat {
			t.Fatalf("format %d", b[0])
		}
		got, err := decodeState(b)
		if err != nil {
			t.Fatalf("nil pointers %v: %v", nilPtrs, err)
		}
		expand(t, got)
		if !reflect.DeepEqual(got, &st) {
			t.Errorf("nil pointers %v: loaded\n%+v\nstored\n%+v", nilPtrs, got, &st)
		}
	}
}

// expand reads in full the documents and results of st that a load kept
// as they were stored.
func expand(t *testing.T, st *deviceState) {
	t.Helper()
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d.stored != "" {
				x, err := d.read()
				if err != nil {
					t.Fatal(err)
				}
				*d = *x
			}
			if d.rest == "" {
				t.Errorf("document %s loaded in full", d.Doc.ID)
			}
			doc, err := d.full()
			if err != nil {
				t.Fatal(err)
			}
			d.Doc, d.rest = doc, ""
			if d.resultRaw != "" {
				if d.Result, err = decodeResult(d.resultRaw); err != nil {
					t.Fatal(err)
				}
				d.resultRaw = ""
			}
		}
	}
}

// TestStateCodecDamaged loads every prefix of a stored state, the state
// with a byte more, and an unknown format: each is an error matching
// ErrStoredState (never a panic), but the state without its summary and
// the state without its tombstone (Left), which are optional.
func TestStateCodecDamaged(t *testing.T) {
	var st deviceState
	n := 0
	fill(reflect.ValueOf(&st).Elem(), &n, false)
	refusable(&st)
	if st.Left == "" {
		t.Fatal("no tombstone filled")
	}
	full, err := encodeState(&st)
	if err != nil {
		t.Fatal(err)
	}
	noSum := st
	noSum.Sum, noSum.SumText, noSum.Left = nil, "", ""
	short, err := encodeState(&noSum)
	if err != nil {
		t.Fatal(err)
	}
	noLeft := st
	noLeft.Left = ""
	kept, err := encodeState(&noLeft)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(full); i++ {
		_, err := decodeState(full[:i])
		if i == len(short)-1 || i == len(kept) {
			if err != nil {
				t.Errorf("the state without its summary or tombstone (%d bytes): %v", i, err)
			}
			continue
		}
		if !errors.Is(err, ErrStoredState) {
			t.Fatalf("%d of %d bytes: %v", i, len(full), err)
		}
	}
	for _, bad := range [][]byte{append(full[:len(full):len(full)], 0), {2}, {3}, {'x'}, {'{'}} {
		if _, err := decodeState(bad); !errors.Is(err, ErrStoredState) {
			t.Errorf("%.10q: %v", bad, err)
		}
	}
}

// TestStateCodecDamagedBody stores a document whose body (read only when
// needed) does not read: the state loads, but Desired, which needs the
// body, fails with ErrStoredState, and the status still reads.
func TestStateCodecDamagedBody(t *testing.T) {
	ctx := context.Background()
	st := &deviceState{Docs: []*docState{{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Doc: &declaredconfig.Document{ID: "x", Checksum: "A"}, docTail: &docTail{Base: "A", rest: strings.Repeat("\xff", restMinBytes)}}}}
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	store := session.NewMemoryStore()
	if _, err := store.CompareAndSwap(ctx, "dev", 0, b); err != nil {
		t.Fatal(err)
	}
	r := New(Config{Store: store})
	if _, err := r.Status(ctx, "dev"); err != nil {
		t.Fatalf("status: %v", err)
	}
	if _, err := r.Desired(ctx, "dev"); !errors.Is(err, ErrStoredState) {
		t.Fatalf("Desired of a damaged body: %v, not ErrStoredState", err)
	}
}

// TestCacheKeepsRecent serves devices through a cache of four: a device
// served again stays (a moves to the front), the one served least
// recently (b) goes.
func TestCacheKeepsRecent(t *testing.T) {
	r := New(Config{MaxCachedDevices: 4})
	st := map[string]*deviceState{}
	serve := func(d string) {
		if r.cached(d, 1) == nil {
			st[d] = &deviceState{LastMsg: d}
			r.remember(d, 1, st[d], 100, true)
		}
	}
	for _, d := range []string{"a", "b", "c", "a", "d", "e"} {
		serve(d)
	}
	for d, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true, "e": true} {
		e := r.cache.entry(d, true) // looked at without serving it
		if ok := e != nil; ok != want || ok && e.state.st != st[d] {
			t.Errorf("%s cached: %v, want %v", d, ok, want)
		}
	}
	if n := len(r.cache.byDevice); n > 4 {
		t.Errorf("%d states kept of at most 4", n)
	}
}

// TestCacheBytesCounted serves devices through a cache bounded in bytes:
// what it counts is the sum of what it counts of each entry, within the
// bound, the devices served least recently let go first; a device that
// takes more than the bound alone is not kept.
func TestCacheBytesCounted(t *testing.T) {
	const bound = 4000
	r := New(Config{MaxCachedBytes: bound})
	for i := range 20 {
		d := string(rune('a' + i))
		r.remember(d, 1, &deviceState{LastMsg: d}, 500+i, true)
		sum := 0
		for _, e := range r.cache.byDevice {
			sum += e.bytes
			if e.bytes < 500 {
				t.Errorf("%s counted %d bytes, less than its state as stored", e.device, e.bytes)
			}
		}
		if sum != r.cache.bytes || sum > bound {
			t.Errorf("after %d: %d bytes counted, entries %d, bound %d", i, r.cache.bytes, sum, bound)
		}
		if r.cache.entry(d, true) == nil {
			t.Errorf("%s, the last served, is not kept", d)
		}
		if i > 0 && r.cache.entry(string(rune('a'+i-1)), true) == nil {
			t.Errorf("the one before %s is not kept", d)
		}
	}
	if r.cache.entry("a", true) != nil {
		t.Errorf("a, served first, is kept")
	}
	r.remember("big", 1, &deviceState{}, bound, true)
	if r.cache.entry("big", true) != nil || r.cache.bytes > bound {
		t.Errorf("a device of %d bytes alone is kept (%d counted)", bound, r.cache.bytes)
	}
}

// TestStateCodecDamagedResult stores a result (format 3 keeps it as
// stored, read only when asked for) that does not read: the state loads
// and reconciles, and DocStatus.Result says ErrStoredState.
func TestStateCodecDamagedResult(t *testing.T) {
	ctx := context.Background()
	st := &deviceState{Docs: []*docState{{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Doc: &declaredconfig.Document{ID: "x", Checksum: "A"}, docTail: &docTail{Base: "A", ResultsRC: "R"},
		resultRaw: strings.Repeat("\xff", resultMinBytes)}}}
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	store := session.NewMemoryStore()
	if _, err := store.CompareAndSwap(ctx, "dev", 0, b); err != nil {
		t.Fatal(err)
	}
	r := New(Config{Store: store})
	ds, err := r.Status(ctx, "dev")
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	d := ds.Doc("x")
	if res, err := d.Result(); res != nil || !errors.Is(err, ErrStoredState) {
		t.Errorf("Result of a damaged result: %v, %v; want ErrStoredState", res, err)
	}
	if s := d.Settings(); s != nil {
		t.Errorf("settings of a damaged result: %v", s)
	}
	// A result that does not end where its length says.
	good, err := encodeState(&deviceState{Docs: []*docState{{Doc: &declaredconfig.Document{ID: "x"},
		docTail: &docTail{Result: &declaredconfig.Result{ID: "x", CSPs: []declaredconfig.CSPResult{{Name: "c"}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := decodeState(good)
	if err != nil {
		t.Fatal(err)
	}
	raw := loaded.Docs[0].resultRaw
	if _, err := decodeResult(raw); err != nil {
		t.Fatal(err)
	}
	for i := range len(raw) {
		if _, err := decodeResult(raw[:i]); !errors.Is(err, ErrStoredState) {
			t.Errorf("%d of %d bytes: %v", i, len(raw), err)
		}
	}
	if _, err := decodeResult(raw + "x"); !errors.Is(err, ErrStoredState) {
		t.Errorf("a byte more: %v", err)
	}
}

// TestStateCodecClasses saves the classes of a summary's entries with the
// state they were made for (documents desired and removed, a DocID under
// two hosts, entries listing them, twice, and strays): a load reads them
// as made, a run on the loaded state uses them, a state whose documents
// changed since saves none, and classes out of range are ErrStoredState.
func TestStateCodecClasses(t *testing.T) {
	doc := func(s declaredconfig.Scope, h declaredconfig.Host, id string) *docState {
		return &docState{Scope: s, Host: h, Doc: &declaredconfig.Document{ID: id, Checksum: "A"}, docTail: &docTail{Base: "A"}}
	}
	entry := func(ctx, id string) declaredconfig.SummaryEntry {
		return declaredconfig.SummaryEntry{Context: ctx, ID: id, Checksum: "A", ResultChecksum: "R", State: "60"}
	}
	st := &deviceState{
		Docs: []*docState{doc(declaredconfig.Device, declaredconfig.Complete, "a"), doc(declaredconfig.User, declaredconfig.Complete, "a"),
			doc(declaredconfig.Device, declaredconfig.Inventory, "A"), doc(declaredconfig.Device, declaredconfig.Complete, "b")},
		Removed: []*docState{doc(declaredconfig.Device, declaredconfig.Complete, "gone")},
		SumText: "text",
		Sum: &declaredconfig.Summary{Schema: "1.0", Documents: []declaredconfig.SummaryEntry{
			entry("Device", "A"), entry("User", "a"), entry("Device", "stray"), entry("device", "a"),
			entry("Device", "GONE"), entry("Device", "stray"), entry("user", "x")}},
	}
	r := New(Config{})
	p := &run{r: r, device: "d", st: st, summary: st.Sum}
	made := p.classes()
	if st.cls == nil || !reflect.DeepEqual(*st.cls, *made) {
		t.Fatalf("the state keeps %+v, made %+v", st.cls, made)
	}
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.cls == nil || !reflect.DeepEqual(*got.cls, *st.cls) {
		t.Fatalf("loaded classes %+v, saved %+v", got.cls, st.cls)
	}
	p2 := &run{r: New(Config{}), device: "d", st: got, summary: got.Sum}
	if c := p2.classes(); c != got.cls {
		t.Errorf("a run on the loaded state made the classes again")
	}
	// The documents changed after the classes were made: none are saved.
	changed := *st
	changed.Docs = append(slices.Clip(st.Docs), doc(declaredconfig.Device, declaredconfig.Complete, "c"))
	b2, err := encodeState(&changed)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeState(b2); err != nil || got.cls != nil {
		t.Errorf("classes saved for other documents: %v, %v", got.cls, err)
	}
	// The last bytes are the entries of the documents (plus one), each
	// at most the number of entries; before them the classes.
	for _, bad := range []struct {
		at int
		v  byte
	}{{len(b) - 1, byte(len(st.Sum.Documents) + 1)}, {len(b) - 6, byte(2*(len(st.Docs)+len(st.Removed)+1) + 1)}} {
		c := slices.Clone(b)
		c[bad.at] = bad.v
		if _, err := decodeState(c); !errors.Is(err, ErrStoredState) {
			t.Errorf("byte %d set to %d: %v, not ErrStoredState", bad.at, bad.v, err)
		}
	}
}

// TestStateCodecReferences stores a steady state, whose documents repeat
// their checksum and result_checksum in several fields and whose summary
// entries repeat them too: each repeat is written as a reference (the
// state is shorter than its strings) and loads as stored; a reference to
// a string not before it is ErrStoredState.
func TestStateCodecReferences(t *testing.T) {
	d := &docState{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Doc: &declaredconfig.Document{ID: "id-1", Checksum: "A0"},
		docTail: &docTail{Base: "A0", Acked: "A0", InSyncRC: "RC-A0", ResultsRC: "RC-A0", GetDone: "A0/RC-A0",
			LastCS: "A0", LastRC: "RC-A0", LastEvent: "AppliedAA0/"},
		Last: lastSeen{Condition: InSync, Reason: "r", Reported: true, State: 60, DevCS: "A0", DevRC: "RC-A0"}}
	other := &docState{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Doc: &declaredconfig.Document{ID: "id-2", Checksum: "B0"},
		Last: lastSeen{DevCS: "B1", DevRC: "RC-B1"}, docTail: &docTail{}}
	sum := &declaredconfig.Summary{Documents: []declaredconfig.SummaryEntry{
		{Context: "Device", ID: "id-1", Checksum: "A0", ResultChecksum: "RC-A0", State: "60"},
		{Context: "Device", ID: "ID-2", Checksum: "B1", ResultChecksum: "RC-B1", State: "60"}, // another case: no reference
	}}
	st := &deviceState{Docs: []*docState{d, other}, SumText: "t", Sum: sum}
	(&run{r: New(Config{}), device: "d", st: st, summary: sum}).classes()
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\x05RC-A0"); n != 1 {
		t.Errorf("RC-A0 written %d times, not once", n)
	}
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	expand(t, got)
	got.cls, got.clsSum, got.clsSig = nil, nil, nil
	st.cls, st.clsSum, st.clsSig = nil, nil, nil
	st.Docs[0].Doc.Checksum, st.Docs[1].Doc.Checksum = "A0", "B0"
	if !reflect.DeepEqual(got, st) {
		t.Errorf("loaded\n%+v\nstored\n%+v", got, st)
	}
	// The first reference: Last.DevCS (string 5), to the checksum (1),
	// first in the tail after the rest of the document (eight bytes for a
	// document of an ID and a checksum); the head ends with DevRC. Made
	// to point at the ID, it loads so; at itself or after, it is an
	// error.
	i := strings.Index(string(b), "\x05RC-A0") + 6 + 1 + 9
	if b[i] != 1 {
		t.Fatalf("byte %d is %d, not the reference to the checksum", i, b[i])
	}
	c := slices.Clone(b)
	c[i] = 0
	if got, err := decodeState(c); err != nil || got.Docs[0].Last.DevCS != "id-1" {
		t.Fatalf("Last.DevCS made a reference to the ID: %v", err)
	}
	for _, k := range []byte{5, 6, 200} {
		c := slices.Clone(b)
		c[i] = k
		if _, err := decodeState(c); !errors.Is(err, ErrStoredState) {
			t.Errorf("reference to string %d: %v", k, err)
		}
	}
}

// TestStateJSONLast checks that the state stored as JSON (before format
// 1) reads the fields of a document's tail that JSON writes in "last" as
// format 1 reads them: the same state in both (testdata).
func TestStateJSONLast(t *testing.T) {
	var sts [2]*deviceState
	for i, name := range []string{"state.golden", "state-v1.golden"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if sts[i], err = decodeState(raw); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	js, v1 := sts[0], sts[1]
	if len(js.Docs) != 2 || len(v1.Docs) != len(js.Docs) {
		t.Fatalf("%d and %d documents", len(js.Docs), len(v1.Docs))
	}
	for i, d := range js.Docs {
		got := [3]string{d.LastCS, d.LastRC, d.LastEvent}
		want := [3]string{v1.Docs[i].LastCS, v1.Docs[i].LastRC, v1.Docs[i].LastEvent}
		if got != want || want[0] == "" || want[1] == "" || want[2] == "" {
			t.Errorf("document %d: JSON reads %q, format 1 %q", i, got, want)
		}
		if d.Last != v1.Docs[i].Last {
			t.Errorf("document %d: JSON reads %+v, format 1 %+v", i, d.Last, v1.Docs[i].Last)
		}
	}
}

// TestStateCodecIdentityClasses saves identity classes (entry i names
// document i, the first of its class) of entries of both scopes, and of
// as many Device entries as share their lists, more, and more than a
// small set holds: a load reads them as made, and a run uses them.
func TestStateCodecIdentityClasses(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		user bool
	}{{"user", 3, true}, {"small", 16, false}, {"shared", 20, false}, {"many", sharedClasses + 1, false}} {
		t.Run(c.name, func(t *testing.T) {
			st := &deviceState{SumText: "text", Sum: &declaredconfig.Summary{Schema: "1.0"}}
			for i := range c.n {
				s, ctx := declaredconfig.Device, "Device"
				if c.user && i == 1 {
					s, ctx = declaredconfig.User, "User"
				}
				id := fmt.Sprintf("id-%d", i)
				st.Docs = append(st.Docs, &docState{Scope: s, Host: declaredconfig.Complete,
					Doc: &declaredconfig.Document{ID: id, Checksum: "A"}, docTail: &docTail{Base: "A"}})
				st.Sum.Documents = append(st.Sum.Documents,
					declaredconfig.SummaryEntry{Context: ctx, ID: id, Checksum: "A", ResultChecksum: "R", State: "60"})
			}
			made := (&run{r: New(Config{}), device: "d", st: st, summary: st.Sum}).classes()
			if !made.identity() {
				t.Fatalf("classes %+v are not the identity", made)
			}
			b, err := encodeState(st)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeState(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.cls == nil || !reflect.DeepEqual(*got.cls, *made) {
				t.Fatalf("loaded classes %+v, made %+v", got.cls, made)
			}
			if p := (&run{r: New(Config{}), device: "d", st: got, summary: got.Sum}); p.classes() != got.cls {
				t.Errorf("a run on the loaded state made the classes again")
			}
		})
	}
}
