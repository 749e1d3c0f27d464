package syncml

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestMarshalRefusesWhatWouldNotComeBack covers values Marshal once wrote
// wrongly or crashed on: an Empty flag on a location with content (the
// flag would decode false), and an Atomic or Sequence that contains itself
// (the writer recursed until the stack overflowed).
func TestMarshalRefusesWhatWouldNotComeBack(t *testing.T) {
	atomic := &Atomic{CmdID: "1"}
	atomic.Commands = []Command{&Get{CmdID: "2"}, atomic}
	seq := &Sequence{CmdID: "1"}
	inner := &Atomic{CmdID: "2", Commands: []Command{seq}}
	seq.Commands = []Command{inner}
	cases := []struct {
		name string
		m    *Message
	}{
		{"EmptyTarget with content", &Message{Header: Header{EmptyTarget: true, Target: Location{LocURI: "x"}}}},
		{"EmptySource with content", &Message{Header: Header{EmptySource: true, Source: Location{LocName: "n"}}}},
		{"Atomic contains itself", &Message{Body: Body{Commands: []Command{atomic}}}},
		{"Sequence contains itself through an Atomic", &Message{Body: Body{Commands: []Command{seq}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if out, err := Marshal(c.m); !errors.Is(err, ErrStructure) {
				t.Fatalf("Marshal = %q, %v; want an error matching ErrStructure", out, err)
			}
			var buf bytes.Buffer
			if err := NewEncoder(&buf).Encode(c.m); !errors.Is(err, ErrStructure) {
				t.Fatalf("Encoder.Encode: %v; want an error matching ErrStructure", err)
			}
		})
	}
}

// TestMarshalErrorPrefixOnce: an error found in kept markup (an Unknown or
// an XML Data) names the package once.
func TestMarshalErrorPrefixOnce(t *testing.T) {
	for _, m := range []*Message{
		{Body: Body{Commands: []Command{&Unknown{Name: "p:Foo", Raw: "<p:Foo/>"}}}},
		{Body: Body{Commands: []Command{&Replace{CmdID: "1", Items: []Item{{Data: &Data{Kind: DataXML, Value: "<a><b></a>"}}}}}}},
	} {
		_, err := Marshal(m)
		if err == nil {
			t.Fatalf("Marshal accepted %+v", m)
		}
		if n := strings.Count(err.Error(), "syncml: "); n != 1 || !strings.HasPrefix(err.Error(), "syncml: ") {
			t.Errorf("error %q: want the prefix once, at the start", err)
		}
	}
}

// TestNewDecoderNilReader: a Decoder over a nil reader reports an error
// instead of panicking.
func TestNewDecoderNilReader(t *testing.T) {
	d := NewDecoder(nil)
	if _, err := d.Header(); err == nil {
		t.Fatal("Header over a nil reader: no error")
	}
	var m Message
	if err := NewDecoder(nil).Decode(&m); err == nil {
		t.Fatal("Decode over a nil reader: no error")
	}
}
