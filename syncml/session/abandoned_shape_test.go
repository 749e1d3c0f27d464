package session_test

import (
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Groups that contain themselves, at any depth, and typed nil groups
// among the outcomes end AbandonedGets' walk: it returns the Gets that
// stand on their own and does not recurse for ever.
func TestAbandonedGetsHostileShapes(t *testing.T) {
	self := &syncml.Sequence{CmdID: "3"}
	self.Commands = []syncml.Command{sentGet("4", "./InSelf"), self}
	outer := &syncml.Atomic{CmdID: "5"}
	inner := &syncml.Sequence{CmdID: "6", Commands: []syncml.Command{outer}}
	outer.Commands = []syncml.Command{inner, (*syncml.Get)(nil), nil}
	got := session.AbandonedGets([]session.Outcome{
		{MsgID: "1", Command: sentGet("2", "./A"), Abandoned: true},
		{MsgID: "1", Command: self, Abandoned: true},
		{MsgID: "1", Command: self.Commands[0], Abandoned: true},
		{MsgID: "1", Command: outer, Abandoned: true},
		{MsgID: "1", Command: (*syncml.Sequence)(nil), Abandoned: true},
		{MsgID: "1", Command: (*syncml.Atomic)(nil), Abandoned: true},
	})
	var targets []string
	for _, c := range got {
		targets = append(targets, syncml.Targets(c)...)
	}
	if len(targets) != 1 || targets[0] != "./A" {
		t.Errorf("AbandonedGets = %q, want [./A]", targets)
	}
}

// The copy shares none of the Get's Meta parts (Anchor, Mem, EMI) nor its
// Data's Namespaces: changing the Get as sent leaves it as it was.
func TestAbandonedGetsDeepCopy(t *testing.T) {
	meta := func() *syncml.Meta {
		return &syncml.Meta{Type: "t", EMI: []string{"e"}, Anchor: &syncml.Anchor{Last: "l", Next: "n"},
			Mem: &syncml.Mem{FreeMem: "1", FreeID: "2"}}
	}
	data := func() *syncml.Data {
		return &syncml.Data{Kind: syncml.DataXML, Value: "<a:x/>", Namespaces: []syncml.Namespace{{Prefix: "a", URI: "urn:a"}}}
	}
	orig := &syncml.Get{CmdID: "2", Meta: meta(), Cred: &syncml.Cred{Meta: meta(), Data: data()},
		Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Meta: meta(), Data: data()}}}
	got := session.AbandonedGets([]session.Outcome{{MsgID: "1", Command: orig, Abandoned: true}})
	if len(got) != 1 {
		t.Fatalf("%d commands, want 1", len(got))
	}
	for _, m := range []*syncml.Meta{orig.Meta, orig.Cred.Meta, orig.Items[0].Meta} {
		m.EMI[0], m.Anchor.Next, m.Mem.FreeMem = "changed", "changed", "changed"
	}
	for _, d := range []*syncml.Data{orig.Cred.Data, orig.Items[0].Data} {
		d.Namespaces[0].URI = "changed"
	}
	g := got[0].(*syncml.Get)
	for i, m := range []*syncml.Meta{g.Meta, g.Cred.Meta, g.Items[0].Meta} {
		if m.EMI[0] != "e" || m.Anchor.Next != "n" || m.Mem.FreeMem != "1" {
			t.Errorf("Meta %d of the copy changed with the Get as sent: EMI %q, Anchor %+v, Mem %+v", i, m.EMI, *m.Anchor, *m.Mem)
		}
	}
	for i, d := range []*syncml.Data{g.Cred.Data, g.Items[0].Data} {
		if d.Namespaces[0].URI != "urn:a" {
			t.Errorf("Data %d of the copy changed with the Get as sent: Namespaces %+v", i, d.Namespaces)
		}
	}
}
