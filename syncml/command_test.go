package syncml

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCommandCommonParts reads the element name, CmdID, items and target
// URIs of every command type through the Command interface alone.
func TestCommandCommonParts(t *testing.T) {
	loc := func(s string) *Location { return &Location{LocURI: s} }
	items := []Item{{Target: loc("./a")}, {Source: loc("./s")}, {Target: loc("./b"), Data: Text("x")}}
	tests := []struct {
		cmd     Command
		name    string
		id      string
		items   []Item
		targets []string
	}{
		{&Add{CmdID: "1", Items: items}, "Add", "1", items, []string{"./a", "./b"}},
		{&Alert{CmdID: "2", Data: AlertClientEvent.Data(), Items: items[:1]}, "Alert", "2", items[:1], []string{"./a"}},
		{&Copy{CmdID: "3", Items: items}, "Copy", "3", items, []string{"./a", "./b"}},
		{&Delete{CmdID: "4", Items: items[2:]}, "Delete", "4", items[2:], []string{"./b"}},
		{&Exec{CmdID: "5", Items: items[:1]}, "Exec", "5", items[:1], []string{"./a"}},
		{&Get{CmdID: "6", Items: items}, "Get", "6", items, []string{"./a", "./b"}},
		{&Replace{CmdID: "7", Items: items}, "Replace", "7", items, []string{"./a", "./b"}},
		{&Results{CmdID: "8", Items: items[1:2]}, "Results", "8", items[1:2], nil},
		{&Status{CmdID: "9", Items: items[:1]}, "Status", "9", items[:1], []string{"./a"}},
		{&Atomic{CmdID: "10", Commands: []Command{&Get{Items: items}}}, "Atomic", "10", nil, nil},
		{&Sequence{CmdID: "11", Commands: []Command{&Get{Items: items}}}, "Sequence", "11", nil, nil},
		{&Unknown{Name: "x:Map", Raw: "<x:Map/>"}, "Map", "", nil, nil},
		{&Get{CmdID: "12"}, "Get", "12", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.id, func(t *testing.T) {
			c := tt.cmd
			if got := c.ElementName(); got != tt.name {
				t.Errorf("ElementName = %q, want %q", got, tt.name)
			}
			if got := c.ID(); got != tt.id {
				t.Errorf("ID = %q, want %q", got, tt.id)
			}
			if diff := cmp.Diff(tt.items, c.ItemList()); diff != "" {
				t.Errorf("ItemList (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.targets, Targets(c)); diff != "" {
				t.Errorf("Targets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCommandNested walks Atomic and Sequence through the interface.
func TestCommandNested(t *testing.T) {
	inner := []Command{&Get{}, &Replace{}}
	for _, c := range []Command{&Atomic{Commands: inner}, &Sequence{Commands: inner}} {
		if got := c.Nested(); len(got) != 2 || got[0] != inner[0] || got[1] != inner[1] {
			t.Errorf("%s.Nested() = %v, want its Commands", c.ElementName(), got)
		}
	}
	for _, c := range []Command{&Add{}, &Alert{}, &Copy{}, &Delete{}, &Exec{}, &Get{}, &Replace{}, &Results{}, &Status{}, &Unknown{}} {
		if got := c.Nested(); got != nil {
			t.Errorf("%s.Nested() = %v, want nil", c.ElementName(), got)
		}
	}
}

// TestCommandNilReceiver: the interface methods of a typed nil command
// answer zero values rather than panic.
func TestCommandNilReceiver(t *testing.T) {
	for _, c := range []Command{(*Add)(nil), (*Alert)(nil), (*Atomic)(nil), (*Copy)(nil), (*Delete)(nil),
		(*Exec)(nil), (*Get)(nil), (*Replace)(nil), (*Results)(nil), (*Sequence)(nil), (*Status)(nil), (*Unknown)(nil)} {
		if c.ID() != "" || c.ItemList() != nil || c.Nested() != nil || Targets(c) != nil {
			t.Errorf("%T: non-zero answers", c)
		}
	}
	// the typed readers of the code: an error, not a panic
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Code on a nil receiver panics: %v", r)
			}
		}()
		if _, err := (*Alert)(nil).Code(); err == nil {
			t.Error("(*Alert)(nil).Code(): no error")
		}
		if _, err := (*Status)(nil).Code(); err == nil {
			t.Error("(*Status)(nil).Code(): no error")
		}
	}()
}

// TestNumberCommandsSkips: an *Unknown and a typed nil command take no
// number, and nested commands are numbered through Nested.
func TestNumberCommandsSkips(t *testing.T) {
	get, rep := &Get{}, &Replace{CmdID: "2"}
	atomic := &Atomic{Commands: []Command{(*Add)(nil), get}}
	cmds := []Command{&Unknown{Name: "Map", Raw: "<Map/>"}, (*Delete)(nil), atomic, rep}
	if next := NumberCommands(cmds, 1); next != 4 {
		t.Errorf("next = %d, want 4", next)
	}
	if atomic.CmdID != "1" || get.CmdID != "3" || rep.CmdID != "2" {
		t.Errorf("CmdIDs: Atomic %q, Get %q, Replace %q; want 1, 3, 2", atomic.CmdID, get.CmdID, rep.CmdID)
	}
}
