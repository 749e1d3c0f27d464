package syncml_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

func TestValidateCmdIDs(t *testing.T) {
	get := func(id string) syncml.Command {
		return &syncml.Get{CmdID: id, Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}}}}
	}
	for _, tc := range []struct {
		name string
		cmds []syncml.Command
		want syncml.Violation // zero: none
	}{
		{"fine", []syncml.Command{get("1"), get("2"), &syncml.Atomic{CmdID: "3", Commands: []syncml.Command{get("4")}}}, syncml.Violation{}},
		{"missing", []syncml.Command{get("1"), get("")}, syncml.Violation{Path: "SyncBody/Get[2]", Rule: "cmdid-missing"}},
		// white space around a CmdID is not part of it: one of white
		// space alone is missing, as a Status cannot name it
		{"white space only", []syncml.Command{get("1"), get(" \t")}, syncml.Violation{Path: "SyncBody/Get[2]", CmdID: " \t", Rule: "cmdid-missing"}},
		{"zero", []syncml.Command{get("0")}, syncml.Violation{Path: "SyncBody/Get[1]", CmdID: "0", Rule: "cmdid-zero"}},
		{"zeros", []syncml.Command{get(" 00 ")}, syncml.Violation{Path: "SyncBody/Get[1]", CmdID: " 00 ", Rule: "cmdid-zero"}},
		{"twice", []syncml.Command{get("1"), get("2"), get("1")}, syncml.Violation{Path: "SyncBody/Get[3]", CmdID: "1", Rule: "cmdid-unique"}},
		{"twice written otherwise", []syncml.Command{get("7"), get(" 007")}, syncml.Violation{Path: "SyncBody/Get[2]", CmdID: " 007", Rule: "cmdid-unique"}},
		{"nested twice", []syncml.Command{get("1"), &syncml.Sequence{CmdID: "2", Commands: []syncml.Command{
			&syncml.Atomic{CmdID: "3", Commands: []syncml.Command{get("4"), get("2")}}}}},
			syncml.Violation{Path: "SyncBody/Sequence[2]/Atomic[1]/Get[2]", CmdID: "2", Rule: "cmdid-unique"}},
		// document order: the nested Get comes before the body's second Get
		{"nested first", []syncml.Command{&syncml.Atomic{CmdID: "1", Commands: []syncml.Command{get("9")}}, get("9")},
			syncml.Violation{Path: "SyncBody/Get[2]", CmdID: "9", Rule: "cmdid-unique"}},
		{"unknown and nil skipped", []syncml.Command{&syncml.Unknown{Name: "Map", Raw: "<Map/>"}, nil, get("1")}, syncml.Violation{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &syncml.Message{Body: syncml.Body{Commands: tc.cmds}}
			err := m.ValidateCmdIDs()
			if tc.want == (syncml.Violation{}) {
				if err != nil {
					t.Fatalf("ValidateCmdIDs: %v, want nil", err)
				}
				return
			}
			var ve *syncml.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, syncml.ErrInvalid) || len(ve.Violations) != 1 {
				t.Fatalf("ValidateCmdIDs: %v, want a *ValidationError of one violation matching ErrInvalid", err)
			}
			if got := ve.Violations[0]; got != tc.want {
				t.Errorf("violation %+v, want %+v", got, tc.want)
			}
			// Validate reports it too, as its first CmdID violation
			var all *syncml.ValidationError
			if !errors.As(m.Validate(), &all) {
				t.Fatalf("Validate: no violation, want %+v", tc.want)
			}
			for _, v := range all.Violations {
				if strings.HasPrefix(v.Rule, "cmdid-") {
					if v.Path != tc.want.Path || v.CmdID != tc.want.CmdID || v.Rule != tc.want.Rule {
						t.Errorf("Validate's first CmdID violation %+v, want %+v", v, tc.want)
					}
					break
				}
			}
		})
	}
}

// More than ValidateCmdIDs keeps in its short list: the set goes on in a
// map and still finds the one used twice.
func TestValidateCmdIDsMany(t *testing.T) {
	var cmds []syncml.Command
	for i := range 100 {
		cmds = append(cmds, &syncml.Get{CmdID: strings.Repeat("1", i+1)})
	}
	m := &syncml.Message{Body: syncml.Body{Commands: cmds}}
	if err := m.ValidateCmdIDs(); err != nil {
		t.Fatalf("100 distinct CmdIDs: %v", err)
	}
	m.Body.Commands = append(m.Body.Commands, &syncml.Get{CmdID: strings.Repeat("1", 50)})
	var ve *syncml.ValidationError
	if err := m.ValidateCmdIDs(); !errors.As(err, &ve) || ve.Violations[0].Path != "SyncBody/Get[101]" || ve.Violations[0].Rule != "cmdid-unique" {
		t.Fatalf("the 101st reusing the 50th's: %v", err)
	}
}

// A tree that holds itself ends at the command met again, and a deep one
// is walked without recursion.
func TestValidateCmdIDsShapes(t *testing.T) {
	a := &syncml.Atomic{CmdID: "1"}
	a.Commands = []syncml.Command{a}
	var ve *syncml.ValidationError
	if err := (&syncml.Message{Body: syncml.Body{Commands: []syncml.Command{a}}}).ValidateCmdIDs(); !errors.As(err, &ve) ||
		ve.Violations[0].Path != "SyncBody/Atomic[1]/Atomic[1]" || ve.Violations[0].Rule != "cmdid-unique" {
		t.Fatalf("an Atomic holding itself: %v", err)
	}
	var c syncml.Command = &syncml.Get{CmdID: "0"}
	const depth = 100000
	for i := range depth {
		c = &syncml.Sequence{CmdID: string(rune('a'+i%26)) + strings.Repeat("x", i/26), Commands: []syncml.Command{c}}
	}
	err := (&syncml.Message{Body: syncml.Body{Commands: []syncml.Command{c}}}).ValidateCmdIDs()
	if !errors.As(err, &ve) || ve.Violations[0].Rule != "cmdid-zero" || strings.Count(ve.Violations[0].Path, "/") != depth+1 {
		t.Fatalf("a Get under %d Sequences: %.200v", depth, err)
	}
}

// A message that passes costs no allocation.
func TestValidateCmdIDsAllocs(t *testing.T) {
	var m syncml.Message
	if err := syncml.Unmarshal(syncmltest.WindowsCheckIn("DEV", "1"), &m); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := m.ValidateCmdIDs(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// ValidateCmdIDs agrees with Validate: on generated messages whose
// CmdIDs are changed at random (removed, "0", one of another command),
// it returns nil exactly when Validate lists no cmdid violation, else
// the first of them.
func TestValidateCmdIDsAgreesWithValidate(t *testing.T) {
	props := gopter.NewProperties(propParams(t))
	props.Property("ValidateCmdIDs = Validate's first cmdid violation", prop.ForAll(
		func(m *syncml.Message, edits []int) string {
			var all []syncml.Command
			var walk func([]syncml.Command)
			walk = func(cs []syncml.Command) {
				for _, c := range cs {
					if _, ok := c.(*syncml.Unknown); ok || c == nil {
						continue
					}
					all = append(all, c)
					walk(c.Nested())
				}
			}
			walk(m.Body.Commands)
			for _, e := range edits {
				if len(all) == 0 {
					break
				}
				c := all[e%len(all)]
				var id string
				switch (e / len(all)) % 4 {
				case 0:
					id = ""
				case 1:
					id = "0"
				default:
					id = all[(e/7)%len(all)].ID()
				}
				f := reflect.ValueOf(c).Elem().FieldByName("CmdID")
				if !f.IsValid() {
					continue
				}
				f.SetString(id)
			}
			return syncmltest.CmdIDsAgree(m)
		},
		syncmltest.GenMessage(),
		gen.SliceOfN(3, gen.IntRange(0, 1000)),
	))
	props.TestingRun(t)
}
