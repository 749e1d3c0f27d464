package fuzz

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// encodePaths checks, for a message m that Marshal wrote as want, that
// every other way of writing it agrees: an Encoder command by command and
// whole, AppendMessage onto a prefix, an indenting Encoder and
// MarshalIndent (the same bytes, decoding to the same value), and
// MarshalIndent without prefix or indent, whose line breaks taken out give
// the compact bytes when the message itself holds none (the compact
// writer's fused tags are the indented writer's tags one after another).
// It returns "" or what differs.
func encodePaths(m *syncml.Message, want []byte) string {
	var buf bytes.Buffer
	e := syncml.NewEncoder(&buf)
	h := &m.Header
	if m.NoHeader {
		h = nil
	}
	if err := e.EncodeHeader(m.XMLNS, h); err != nil {
		return fmt.Sprintf("EncodeHeader: %v", err)
	}
	for _, c := range m.Body.Commands {
		if err := e.EncodeCommand(c); err != nil {
			return fmt.Sprintf("EncodeCommand: %v", err)
		}
	}
	if err := e.EncodeEnd(m.Body.Final); err != nil {
		return fmt.Sprintf("EncodeEnd: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		return fmt.Sprintf("Encoder differs from Marshal:\nencoder %q\nmarshal %q", buf.Bytes(), want)
	}
	buf.Reset()
	if err := syncml.NewEncoder(&buf).Encode(m); err != nil {
		return fmt.Sprintf("Encode: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		return fmt.Sprintf("Encode differs from Marshal:\nencode  %q\nmarshal %q", buf.Bytes(), want)
	}
	if b, err := syncml.AppendMessage([]byte("<!-- -->"), m); err != nil || string(b) != "<!-- -->"+string(want) {
		return fmt.Sprintf("AppendMessage onto a prefix: %q, %v", b, err)
	}
	for _, l := range [][2]string{{"", ""}, {"", "  "}, {"\t", " "}} {
		ind, err := syncml.MarshalIndent(m, l[0], l[1])
		if err != nil {
			return fmt.Sprintf("MarshalIndent(%q, %q): %v", l[0], l[1], err)
		}
		var got syncml.Message
		if err := syncml.Unmarshal(ind, &got); err != nil {
			return fmt.Sprintf("MarshalIndent(%q, %q) output rejected: %v\n%q", l[0], l[1], err, ind)
		}
		if d := diff(m, &got); d != "" {
			return fmt.Sprintf("MarshalIndent(%q, %q) decodes differently (-m +got):\n%s", l[0], l[1], d)
		}
		if l == [2]string{} && !bytes.ContainsRune(want, '\n') {
			if flat := bytes.ReplaceAll(ind, []byte("\n"), nil); !bytes.Equal(flat, want) {
				return fmt.Sprintf("MarshalIndent(\"\", \"\") without its line breaks differs from Marshal:\nindent  %q\nmarshal %q", flat, want)
			}
		}
		buf.Reset()
		e := syncml.NewEncoder(&buf)
		e.SetIndent(l[0], l[1])
		if err := e.Encode(m); err != nil {
			return fmt.Sprintf("indenting Encode: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), ind) {
			return fmt.Sprintf("indenting Encoder differs from MarshalIndent:\nencoder %q\n indent %q", buf.Bytes(), ind)
		}
	}
	return ""
}

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
// encodePaths), also once a caller has appended to every slice of the
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
		if msg := encodePaths(&m, want); msg != "" {
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
		if msg := encodePaths(&m, want2); msg != "" {
			t.Fatal("after appending: " + msg)
		}
	})
}
