package fuzz

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// appendEverywhere appends one Item to the Items of every command of cmds
// (nested ones too) and one command to every Atomic and Sequence, as a
// caller adding to a decoded message would; with clip, each slice is
// clipped first, so that the append copies it.
func appendEverywhere(cmds []syncml.Command, clip bool) {
	extra := syncml.Item{Target: &syncml.Location{LocURI: "./appended"}, Data: syncml.Text("appended")}
	for _, c := range cmds {
		v := reflect.ValueOf(c).Elem()
		if f := v.FieldByName("Items"); f.IsValid() {
			items := f.Interface().([]syncml.Item)
			if clip {
				items = slices.Clip(items)
			}
			f.Set(reflect.ValueOf(append(items, extra, extra)))
		}
		if f := v.FieldByName("Commands"); f.IsValid() {
			sub := f.Interface().([]syncml.Command)
			appendEverywhere(sub, clip)
			if clip {
				sub = slices.Clip(sub)
			}
			f.Set(reflect.ValueOf(append(sub, &syncml.Get{CmdID: "99"})))
		}
	}
}

// FuzzSyncMLEncodePaths: whatever Unmarshal accepts is written alike by
// Marshal, the Encoder, AppendMessage and MarshalIndent (see
// syncmltest.EncodePaths), also once a caller has appended to every slice of the
// decoded value (whose slab-backed arrays must not be shared with another
// value), and the values of one message do not change when another is
// decoded.
func FuzzSyncMLEncodePaths(f *testing.F) {
	addSyncMLSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		var m syncml.Message
		if err := syncml.Unmarshal(in, &m); err != nil {
			return
		}
		want, err := syncml.Marshal(&m)
		if err != nil {
			t.Fatalf("Marshal of an accepted message: %v", err)
		}
		if msg := syncmltest.EncodePaths(&m, want); msg != "" {
			t.Fatal(msg)
		}

		// a second decode, whose slices are clipped before appending:
		// the appends copy them, so it shows what the first should hold
		var m2 syncml.Message
		if err := syncml.Unmarshal(in, &m2); err != nil {
			t.Fatalf("second Unmarshal: %v", err)
		}
		if again, err := syncml.Marshal(&m); err != nil || !bytes.Equal(again, want) {
			t.Fatalf("a message changed when another was decoded:\nbefore %q\n after %q (%v)", want, again, err)
		}
		appendEverywhere(m.Body.Commands, false)
		m.Body.Commands = append(m.Body.Commands, &syncml.Get{CmdID: "98"})
		appendEverywhere(m2.Body.Commands, true)
		m2.Body.Commands = append(slices.Clip(m2.Body.Commands), &syncml.Get{CmdID: "98"})
		if d := diff(&m2, &m); d != "" {
			t.Fatalf("appending to a decoded message's slices changed other values (-clipped +in place):\n%s", d)
		}
		want2, err := syncml.Marshal(&m)
		if err != nil {
			t.Fatalf("Marshal after appending: %v", err)
		}
		if msg := syncmltest.EncodePaths(&m, want2); msg != "" {
			t.Fatal("after appending: " + msg)
		}
	})
}
