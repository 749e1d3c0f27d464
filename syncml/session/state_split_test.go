package session

import (
	"bytes"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// splitByCopies is stateWriter.split as it was written before its
// skeletons were made together: a copy of the Items and a withItems per
// command with a text pulled. The two must write the same bytes.
func splitByCopies(w *stateWriter, cmds []syncml.Command) error {
	skeleton := make([]syncml.Command, len(cmds))
	var texts []textAt
	for i, c := range cmds {
		skeleton[i] = c
		var items []syncml.Item
		for j, it := range c.ItemList() {
			if !pulledText(c, it) {
				continue
			}
			if items == nil {
				items = slices.Clone(c.ItemList())
			}
			items[j].Data = nil
			texts = append(texts, textAt{i, j})
		}
		if items != nil {
			skeleton[i] = withItems(c, items)
		}
	}
	if err := w.commands(skeleton); err != nil {
		return err
	}
	w.uint(uint64(len(texts)))
	for _, p := range texts {
		d := cmds[p.cmd].ItemList()[p.item].Data
		w.uint(uint64(p.cmd))
		w.uint(uint64(p.item))
		w.uint(uint64(d.Kind))
		w.string(d.Value)
	}
	return nil
}

// TestStateSplitSkeletons checks that stateWriter.split writes what a
// copy of each command would (splitByCopies), for lists of every command
// type whose texts are pulled, with Items pulled or not, mixed with
// commands without texts, and none at all; and that the commands given
// are left as they were.
func TestStateSplitSkeletons(t *testing.T) {
	loc := func(s string) *syncml.Location { return &syncml.Location{LocURI: s} }
	text := func(s string) syncml.Item { return syncml.Item{Target: loc("./a"), Data: syncml.Text(s)} }
	chunk := syncml.Item{Target: loc("./big"), Meta: &syncml.Meta{Size: "10"}, Data: syncml.Text("abc&<"), MoreData: true}
	cdata := syncml.Item{Source: loc("./s"), Data: &syncml.Data{Kind: syncml.DataCDATA, Value: "x]]y"}}
	xml := syncml.Item{Target: loc("./x"), Data: &syncml.Data{Kind: syncml.DataXML, Value: "<a/>"}}
	noData := syncml.Item{Target: loc("./n")}
	lists := map[string]func() []syncml.Command{
		"none": func() []syncml.Command { return nil },
		"no texts": func() []syncml.Command {
			return []syncml.Command{&syncml.Get{CmdID: "1", Items: []syncml.Item{noData}}, &syncml.Delete{CmdID: "2", Items: []syncml.Item{text("d")}}}
		},
		"every type": func() []syncml.Command {
			return []syncml.Command{
				&syncml.Add{CmdID: "1", Items: []syncml.Item{chunk}},
				&syncml.Replace{CmdID: "2", Items: []syncml.Item{text("r1"), noData, xml, text("r2")}},
				&syncml.Status{CmdID: "3", MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.Text("213")},
				&syncml.Copy{CmdID: "4", Items: []syncml.Item{cdata}},
				&syncml.Get{CmdID: "5", Items: []syncml.Item{text("g")}},
				&syncml.Exec{CmdID: "6", Items: []syncml.Item{chunk}},
				&syncml.Results{CmdID: "7", MsgRef: "1", CmdRef: "5", Items: []syncml.Item{text("one"), text("two")}},
				&syncml.Replace{Items: []syncml.Item{chunk}},
				&syncml.Replace{Items: []syncml.Item{xml}},
			}
		},
		"chunks": func() []syncml.Command {
			var cmds []syncml.Command
			for i := range 40 {
				cmds = append(cmds, &syncml.Replace{CmdID: itoa(i + 1), Items: []syncml.Item{chunk}},
					&syncml.Status{CmdID: "1", MsgRef: itoa(i + 2), CmdRef: itoa(i + 1), Cmd: "Replace", Data: syncml.Text("213")})
			}
			return cmds
		},
	}
	for name, list := range lists {
		cmds := list()
		before, err := syncml.AppendMessage(nil, &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, want := &stateWriter{}, &stateWriter{}
		if err := got.split(cmds); err != nil {
			t.Fatalf("%s: split: %v", name, err)
		}
		if err := splitByCopies(want, list()); err != nil {
			t.Fatalf("%s: by copies: %v", name, err)
		}
		if !bytes.Equal(got.b, want.b) {
			t.Errorf("%s: split wrote\n%q\nwant\n%q", name, got.b, want.b)
		}
		after, _ := syncml.AppendMessage(nil, &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
		if !bytes.Equal(before, after) {
			t.Errorf("%s: split changed the commands", name)
		}
	}
}
