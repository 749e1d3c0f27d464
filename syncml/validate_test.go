package syncml

import (
	"errors"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func validHeader() Header {
	return Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: Location{LocURI: "urn:uuid:device"}, Source: Location{LocURI: "https://mdm.example/"}}
}

func target(uri string) []Item { return []Item{{Target: &Location{LocURI: uri}}} }

func rules(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Rule)
	}
	sort.Strings(out)
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		hdr  func(*Header)
		cmds []Command
		want []string
	}{
		{"valid", nil, []Command{
			&Get{CmdID: "2", Items: target("./DevDetail/SwV")},
			&Exec{CmdID: "3", Items: target("./Vendor/MSFT/DMClient/Provider/X/LinkedEnrollment/Enroll")},
			&Atomic{CmdID: "4", Commands: []Command{&Replace{CmdID: "5", Items: target("./Vendor/MSFT/A")}}},
			&Status{CmdID: "6", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: Text("200")},
			&Alert{CmdID: "7", Data: Text("1226"), Items: []Item{{Meta: &Meta{Type: "com.microsoft:mdm.unenrollment.userrequest"}, Data: Text("1")}}},
		}, nil},
		{"header", func(h *Header) { h.MsgID = "0"; h.VerProto = "DM/1.1"; h.SessionID = "" }, nil,
			[]string{"header-msgid", "header-required", "header-version"}},
		{"cmdid", nil, []Command{
			&Get{Items: target("./a")},
			&Get{CmdID: "0", Items: target("./a")},
			&Get{CmdID: "5", Items: target("./a")},
			&Sequence{CmdID: "6", Commands: []Command{&Get{CmdID: "5", Items: target("./a")}}},
		}, []string{"cmdid-missing", "cmdid-unique", "cmdid-zero"}},
		{"exec items", nil, []Command{
			&Exec{CmdID: "2"},
			&Exec{CmdID: "3", Items: append(target("./a"), target("./b")...)},
			&Replace{CmdID: "4"},
		}, []string{"items", "items", "items"}},
		{"locuri", nil, []Command{
			&Replace{CmdID: "2", Items: append(target("/Vendor/x"), Item{Source: &Location{LocURI: "./DevInfo/Man"}}, Item{Data: Text("x")})},
			&Get{CmdID: "3", Items: []Item{{Source: &Location{LocURI: "./a"}}}},
			&Copy{CmdID: "4", Items: target("./a")},
			&Add{CmdID: "5", Items: []Item{{Source: &Location{LocURI: "./a//b"}}}},
		}, []string{"locuri", "locuri", "locuri", "locuri", "locuri"}},
		{"atomic", nil, []Command{&Atomic{CmdID: "2", Commands: []Command{
			&Get{CmdID: "3", Items: target("./a")},
			&Atomic{CmdID: "4", Commands: []Command{&Add{CmdID: "5", Items: target("./b")}}},
			&Add{CmdID: "6", Items: target("./Vendor/MSFT/X")},
			&Replace{CmdID: "7", Items: target("./Device/Vendor/MSFT/X")},
		}}}, []string{"atomic-add-replace", "atomic-content", "atomic-content"}},
		{"atomic through sequence", nil, []Command{&Atomic{CmdID: "2", Commands: []Command{
			&Sequence{CmdID: "3", Commands: []Command{
				&Get{CmdID: "4", Items: target("./a")},
				&Atomic{CmdID: "5", Commands: []Command{&Add{CmdID: "6", Items: target("./b")}}},
				&Exec{CmdID: "7", Items: target("./c")},
			}},
		}}, &Sequence{CmdID: "8", Commands: []Command{
			&Get{CmdID: "9", Items: target("./d")},
			&Atomic{CmdID: "10", Commands: []Command{&Add{CmdID: "11", Items: target("./e")}}},
		}}}, []string{"atomic-content", "atomic-content"}},
		{"sequence", nil, []Command{&Sequence{CmdID: "2", Commands: []Command{&Status{CmdID: "3", MsgRef: "1", CmdRef: "1", Cmd: "Get", Data: Text("200")}}}},
			[]string{"sequence-content"}},
		{"alerts", nil, []Command{
			&Alert{CmdID: "2", Data: Text("x")},
			&Alert{CmdID: "3", Data: Text("1224"), Items: []Item{{Data: Text("user")}}},
			&Alert{CmdID: "4", Data: Text("1226")},
		}, []string{"alert-code", "alert-type", "alert-type"}},
		{"status results", nil, []Command{
			&Status{CmdID: "2", CmdRef: "1", Data: Text("20x")},
			&Results{CmdID: "3"},
		}, []string{"results-fields", "status-fields", "status-fields"}},
		{"unknown", nil, []Command{&Unknown{Name: "Map", Raw: "<Map/>"}}, []string{"unknown-command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Message{XMLNS: NamespaceSyncML12, Header: validHeader(), Body: Body{Commands: tt.cmds, Final: true}}
			if tt.hdr != nil {
				tt.hdr(&m.Header)
			}
			err := m.Validate()
			if diff := cmp.Diff(tt.want, rules(err)); diff != "" {
				t.Errorf("rules (-want +got):\n%s\nerr: %v", diff, err)
			}
			if (err == nil) != (tt.want == nil) || err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestNumberCommands(t *testing.T) {
	cmds := []Command{
		&Get{Items: target("./a")},
		&Atomic{Commands: []Command{&Replace{CmdID: "9"}, &Add{}}},
		&Unknown{Name: "Map", Raw: "<Map/>"},
		&Sequence{Commands: []Command{&Exec{}}},
	}
	next := NumberCommands(cmds, 2)
	var ids []string
	var walk func([]Command)
	walk = func(cs []Command) {
		for _, c := range cs {
			ids = append(ids, c.ID())
			switch c := c.(type) {
			case *Atomic:
				walk(c.Commands)
			case *Sequence:
				walk(c.Commands)
			}
		}
	}
	walk(cmds)
	if want := []string{"2", "3", "9", "4", "", "5", "6"}; !cmp.Equal(ids, want) || next != 7 {
		t.Errorf("ids %q next %d, want %q 7", ids, next, want)
	}
}

func TestValidateCmdIDForms(t *testing.T) {
	m := &Message{Header: validHeader(), Body: Body{Commands: []Command{
		&Get{CmdID: "1", Items: target("./a")},
		&Get{CmdID: " 01", Items: target("./a")},
		&Get{CmdID: "00", Items: target("./a")},
		&Atomic{CmdID: "7", Commands: []Command{
			&Sequence{CmdID: "8", Commands: []Command{&Add{CmdID: "9", Items: target("./X")}}},
			&Replace{CmdID: "10", Items: target("./X")},
		}},
	}}}
	if diff := cmp.Diff([]string{"atomic-add-replace", "cmdid-unique", "cmdid-zero"}, rules(m.Validate())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// numbering skips the numbers in use
	cmds := []Command{&Get{CmdID: "1"}, &Get{}, &Get{CmdID: "2"}, &Get{}}
	NumberCommands(cmds, 1)
	if got := []string{cmds[1].ID(), cmds[3].ID()}; !cmp.Equal(got, []string{"3", "4"}) {
		t.Errorf("NumberCommands gave %q", got)
	}
	for _, in := range []string{"./a/\u0085", "./a/%FF", "./a/%C2%85"} {
		if _, err := ParseLocURI(in); !errors.Is(err, ErrLocURI) {
			t.Errorf("ParseLocURI(%q) = %v", in, err)
		}
	}
}

// TestValidationErrorPrefixOnce: a violation that comes from another
// syncml error (a LocURI that does not parse) does not repeat the
// package prefix inside the ValidationError's message.
func TestValidationErrorPrefixOnce(t *testing.T) {
	m := &Message{Body: Body{Commands: []Command{&Get{CmdID: "1", Items: []Item{{Target: &Location{LocURI: "./a//b"}}}}}}}
	err := m.Validate()
	if err == nil {
		t.Fatal("Validate accepts an empty LocURI segment")
	}
	if n := strings.Count(err.Error(), "syncml: "); n != 1 {
		t.Errorf("prefix %d times in %q", n, err)
	}
}

// TestCommandCycle: an Atomic or Sequence that contains itself, directly
// or through another, is a "cycle" violation for Validate, and
// NumberCommands numbers each command once; neither recurses without end.
func TestCommandCycle(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20)) // fail fast, not after 1 GB of stack
	a := &Atomic{Commands: []Command{&Add{Items: target("./a")}}}
	s := &Sequence{Commands: []Command{a}}
	a.Commands = append(a.Commands, s)
	self := &Sequence{}
	self.Commands = []Command{self}
	cmds := []Command{a, self}
	if next := NumberCommands(cmds, 1); next != 5 || a.CmdID != "1" || s.CmdID != "3" || self.CmdID != "4" {
		t.Errorf("NumberCommands: next %d, IDs %q %q %q; want 5, 1 3 4", next, a.CmdID, s.CmdID, self.CmdID)
	}
	err := (&Message{Body: Body{Commands: cmds}}).Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate: %v", err)
	}
	var cycles int
	for _, v := range ve.Violations {
		if v.Rule == "cycle" {
			cycles++
		}
	}
	if cycles != 2 {
		t.Errorf("%d cycle violations, want 2: %v", cycles, err)
	}
}
