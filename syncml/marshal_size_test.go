package syncml

import (
	"bytes"
	"strings"
	"testing"
)

// TestMarshalSizes: whatever the size of the message before (Marshal
// writes a large one straight into a buffer sized after the last large
// one), Marshal gives AppendMessage's bytes, with no spare capacity
// beyond a quarter of the message, and none when it is handed the
// buffer it was written into.
func TestMarshalSizes(t *testing.T) {
	msg := func(n int) *Message {
		m := &Message{Header: Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: Location{LocURI: "t"}, Source: Location{LocURI: "s"}}}
		m.Body.Commands = []Command{&Replace{CmdID: "2", Items: []Item{{
			Target: &Location{LocURI: "./Vendor/MSFT/X"},
			Data:   &Data{Value: strings.Repeat("a&b<", n/4)},
		}}}}
		m.Body.Final = true
		return m
	}
	for _, n := range []int{100, 100 << 10, 70 << 10, 300 << 10, 300 << 10, 1 << 10, 80 << 10, 10} {
		m := msg(n)
		want, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d bytes of data: Marshal differs from AppendMessage", n)
		}
		if cap(got)-len(got) > len(got)/4 {
			t.Errorf("%d bytes of data: %d bytes returned with capacity %d", n, len(got), cap(got))
		}
	}
	// the same large message twice: the second is written into memory
	// that was not cleared first (makeNoZero), so no capacity may show
	// past the bytes written
	for i := 0; i < 2; i++ {
		m := msg(300 << 10)
		got, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := AppendMessage(nil, m)
		if !bytes.Equal(got, want) {
			t.Fatalf("pass %d: Marshal differs from AppendMessage", i)
		}
		if i == 1 && cap(got) != len(got) {
			t.Errorf("a large message written into a buffer sized for it: %d bytes, capacity %d", len(got), cap(got))
		}
	}
	for _, n := range []int{10, 200 << 10} { // by the pooled path, then by the large one
		if _, err := Marshal(msg(n)); err != nil {
			t.Fatal(err)
		}
		if _, err := Marshal(&Message{Body: Body{Commands: []Command{nil}}}); err == nil {
			t.Errorf("after %d bytes: a nil command marshalled", n)
		}
	}
}
