package reconcile

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/declaredconfig"
)

// classCase is a state's documents and a summary, from small pools of
// DocIDs (in any letter case, some sharing a fingerprint) and contexts, so
// that scopes, hosts and DocIDs repeat.
type classCase struct {
	Docs    []docPick
	Removed []docPick
	Entries []entryPick
}

type docPick struct {
	User bool
	ID   int
	Host uint8
}

type entryPick struct {
	Context int
	ID      int
}

var (
	classIDs = []string{
		"9E3779B9-0000-4000-8000-000000000000", "9e3779b9-0000-4000-8000-000000000000",
		"9E3779B9-0000-4000-8000-00000000000A", "9E3779B9-1000-4000-8000-000000000000",
		"3C6EF372-0000-4000-8000-000000000000", "3c6ef372-0000-4000-8000-000000000000",
		"X", "x", "", "{3C6EF372-0000-4000-8000-000000000000}",
	}
	classContexts = []string{"Device", "device", "", "User", "user", "USER", " User\n", "Devices", "\tdevice"}
)

func genClassCase() gopter.Gen {
	doc := gen.Struct(reflect.TypeOf(docPick{}), map[string]gopter.Gen{
		"User": gen.Bool(), "ID": gen.IntRange(0, len(classIDs)-1), "Host": gen.UInt8Range(1, 3),
	})
	ent := gen.Struct(reflect.TypeOf(entryPick{}), map[string]gopter.Gen{
		"Context": gen.IntRange(0, len(classContexts)-1), "ID": gen.IntRange(0, len(classIDs)-1),
	})
	return gen.Struct(reflect.TypeOf(classCase{}), map[string]gopter.Gen{
		"Docs":    gen.SliceOf(doc),
		"Removed": gen.SliceOf(doc),
		"Entries": gen.SliceOf(ent),
	})
}

func (c classCase) run() *run {
	st := &deviceState{}
	mk := func(d docPick) *docState {
		s := declaredconfig.Device
		if d.User {
			s = declaredconfig.User
		}
		return &docState{Scope: s, Host: declaredconfig.Host(d.Host), Doc: &declaredconfig.Document{ID: classIDs[d.ID]}, docTail: &docTail{}}
	}
	for _, d := range c.Docs {
		st.Docs = append(st.Docs, mk(d))
	}
	for _, d := range c.Removed {
		st.Removed = append(st.Removed, mk(d))
	}
	sum := &declaredconfig.Summary{}
	for _, e := range c.Entries {
		sum.Documents = append(sum.Documents, declaredconfig.SummaryEntry{Context: classContexts[e.Context], ID: classIDs[e.ID]})
	}
	r := New(Config{})
	r.keepSummary("dev", "", sum)
	return &run{r: r, device: "dev", st: st, summary: sum}
}

// referenceClasses is what classes says, by its definition, one
// comparison at a time.
func referenceClasses(p *run) classes {
	docs := append(slices.Clone(p.st.Docs), p.st.Removed...)
	ents := p.summary.Documents
	var c classes
	same := func(s declaredconfig.Scope, id string, d *docState) bool {
		return d.Scope == s && declaredconfig.EqualDocID(d.docID(), id)
	}
	for i := range ents {
		s := ents[i].Scope()
		c.scope = append(c.scope, s)
		c.class = append(c.class, int32(slices.IndexFunc(docs, func(d *docState) bool { return same(s, ents[i].ID, d) })))
		c.first = append(c.first, !slices.ContainsFunc(ents[:i], func(e declaredconfig.SummaryEntry) bool {
			return e.Scope() == s && declaredconfig.EqualDocID(e.ID, ents[i].ID)
		}))
	}
	for _, d := range docs {
		c.docEntry = append(c.docEntry, int32(slices.IndexFunc(ents, func(e declaredconfig.SummaryEntry) bool {
			return same(e.Scope(), e.ID, d)
		})))
	}
	return c
}

func (c classes) String() string {
	return fmt.Sprintf("scope %v class %v first %v docEntry %v", c.scope, c.class, c.first, c.docEntry)
}

// TestPropertyClasses checks that the classes a run makes, pairwise and
// through a map, are those of their definition (the first document and
// the first entry of each scope and DocID), which scoped, strays and the
// fast path of documents rely on.
func TestPropertyClasses(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261204)
	params.MinSuccessfulTests = 1000
	params.MaxSize = 80 // beyond smallEntries: both ways
	t.Logf("seed %d", params.Seed())
	props := gopter.NewProperties(params)
	props.Property("classes are those of their definition", prop.ForAll(func(cc classCase) string {
		p := cc.run()
		want := referenceClasses(p)
		got := p.classes()
		if got.String() != want.String() {
			return "classes:\n got " + got.String() + "\nwant " + want.String()
		}
		// Kept with the summary for the same documents, and only for them.
		again := &run{r: p.r, device: p.device, st: p.st, summary: p.summary}
		if c := again.classes(); c != p.r.cache.entry("dev", true).sum.cls || c.String() != want.String() {
			return "classes kept: " + c.String()
		}
		if len(p.st.Docs) > 0 {
			fewer := &run{r: p.r, device: p.device, st: &deviceState{Docs: p.st.Docs[1:], Removed: p.st.Removed}, summary: p.summary}
			if c := fewer.classes(); c.String() != referenceClasses(fewer).String() {
				return "classes for other documents: " + c.String()
			}
		}
		// The other way of the two, on the same lists.
		docs := append(slices.Clone(p.st.Docs), p.st.Removed...)
		other := &classes{scope: slices.Clone(got.scope), class: make([]int32, len(got.class)),
			first: make([]bool, len(got.first)), docEntry: make([]int32, len(got.docEntry))}
		if len(docs)*len(p.summary.Documents) <= smallClasses && len(p.summary.Documents) <= smallEntries {
			other.large(p.summary.Documents, docs)
		} else {
			other.small(p.summary.Documents, docs)
		}
		if other.String() != want.String() {
			return "the other way:\n got " + other.String() + "\nwant " + want.String()
		}
		// strays and scoped read them so.
		for _, s := range []declaredconfig.Scope{declaredconfig.Device, declaredconfig.User} {
			sub := p.scoped(s)
			for _, d := range docs {
				if d.Scope != s {
					continue
				}
				if a, b := sub.Entry(d.docID()), p.summary.EntryIn(s, d.docID()); (a == nil) != (b == nil) || a != nil && (a.ID != b.ID || a.Context != b.Context) {
					return fmt.Sprintf("scoped(%v).Entry(%q) = %v, EntryIn = %v", s, d.docID(), a, b)
				}
			}
		}
		return ""
	}, genClassCase()))
	props.TestingRun(t)
}

// TestStateOf checks that stateOf reads a state as
// declaredconfig.ParseState does (0 when it does not read).
func TestStateOf(t *testing.T) {
	for _, s := range []string{"", "0", "1", "2", "60", "61", "007", "999", "1000", " 60", "60 ", "6a", "-1", "+1", "٣",
		"4294967295", "4294967296", "\t1\n"} {
		want, err := declaredconfig.ParseState(s)
		if err != nil {
			want = 0
		}
		if got := stateOf(s); got != want {
			t.Errorf("stateOf(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestStateName checks that stateName names a state as
// declaredconfig.State.String does, within its table and beyond.
func TestStateName(t *testing.T) {
	for _, s := range []declaredconfig.State{0, 1, 10, 59, 60, 61, 63, 70, 82, 83, 99, 100, 101, 255, 1 << 31} {
		if got, want := stateName(s), s.String(); got != want {
			t.Errorf("stateName(%d) = %q, want %q", uint32(s), got, want)
		}
	}
}

// TestDocStateEqual checks that docState.equal tells apart two documents
// that differ in any one field of the head or the tail (found by
// reflection, so that a field added later is covered), as == does of
// both.
func TestDocStateEqual(t *testing.T) {
	yes := true
	x := docState{Scope: declaredconfig.User, Host: declaredconfig.Complete, Doc: &declaredconfig.Document{ID: "A"},
		Redeclared: 1, Last: lastSeen{Condition: InSync, Reason: "R"},
		docTail: &docTail{LastCS: "C", Base: "B", Vars: &declaredconfig.InstanceBlob{}, VarsSent: "V", Acked: "A",
			AbandonSet: &yes, Result: &declaredconfig.Result{},
			Await: [nKinds]string{"", "a"}, Tried: [nKinds]string{"t"}}}
	// dup copies d with a tail of its own, as clone does.
	dup := func(d docState) docState {
		tail := *d.docTail
		d.docTail = &tail
		return d
	}
	// same is == of the heads and of the tails.
	same := func(a, b docState) bool {
		ta, tb := *a.docTail, *b.docTail
		a.docTail, b.docTail = nil, nil
		return a == b && ta == tb
	}
	if y := dup(x); !x.equal(&y) || !same(x, y) {
		t.Fatal("a copy is not equal")
	}
	var walk func(path string, v reflect.Value, set func(func(reflect.Value)))
	n := 0
	walk = func(path string, v reflect.Value, set func(func(reflect.Value))) {
		if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(declaredconfig.Document{}) {
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if f.Anonymous && f.Type == reflect.TypeOf(&docTail{}) {
					walk(path, v.Field(i).Elem(), func(change func(reflect.Value)) {
						set(func(w reflect.Value) { change(w.Field(i).Elem()) })
					})
					continue
				}
				if !f.IsExported() {
					continue
				}
				walk(path+"."+f.Name, v.Field(i), func(change func(reflect.Value)) {
					set(func(w reflect.Value) { change(w.Field(i)) })
				})
			}
			return
		}
		if v.Kind() == reflect.Array {
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i), func(change func(reflect.Value)) {
					set(func(w reflect.Value) { change(w.Index(i)) })
				})
			}
			return
		}
		n++
		set(func(w reflect.Value) {
			switch w.Kind() {
			case reflect.String:
				w.SetString(w.String() + "x")
			case reflect.Bool:
				w.SetBool(!w.Bool())
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				w.SetInt(w.Int() + 1)
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				w.SetUint(w.Uint() + 1)
			case reflect.Pointer:
				w.Set(reflect.New(w.Type().Elem())) // another pointer, maybe to the same value
			default:
				t.Errorf("%s: kind %v not handled by the test", path, w.Kind())
			}
		})
	}
	walk("docState", reflect.ValueOf(x), func(change func(reflect.Value)) {
		y := dup(x)
		change(reflect.ValueOf(&y).Elem())
		if same(x, y) {
			t.Fatalf("the test changed nothing")
		}
		if x.equal(&y) || y.equal(&x) {
			t.Errorf("equal does not tell apart documents that differ in one field: %+v", y)
		}
	})
	if n < 30 {
		t.Errorf("%d fields walked", n)
	}
	// Equal strings held elsewhere (a run sets a field to an equal string
	// it made) are equal: the memory of the two differs, the fields do not.
	x.rest = "R"
	y := dup(x)
	for _, p := range []*string{&y.Base, &y.VarsSent, &y.Acked, &y.Await[1], &y.Tried[0], &y.LastCS, &y.Last.Reason} {
		*p = strings.Clone(*p)
	}
	y.rest = strings.Clone("S")
	if !x.equal(&y) || !y.equal(&x) {
		t.Errorf("equal tells apart documents whose strings are equal and held elsewhere: %+v", y)
	}
}
