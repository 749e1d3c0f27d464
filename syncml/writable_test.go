package syncml

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Whatever Unmarshal accepts, Marshal writes, and the canonical encoding
// is a fixpoint that decodes to the same value; what Marshal refuses,
// Unmarshal would refuse too.

// checkWritable checks the decode/encode rule for an accepted input and
// returns the canonical encoding.
func checkWritable(t *testing.T, in string) []byte {
	t.Helper()
	m, err := decodeBoth(t, []byte(in), Limits{})
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	c, err := Marshal(m)
	if err != nil {
		t.Fatalf("Marshal of an accepted message: %v", err)
	}
	m2, err := decodeBoth(t, c, Limits{})
	if err != nil {
		t.Fatalf("canonical encoding rejected: %v\n%s", err, c)
	}
	if d := cmp.Diff(m, m2); d != "" {
		t.Fatalf("Unmarshal(Marshal(m)) != m (-m +m2):\n%s", d)
	}
	c2, err := Marshal(m2)
	if err != nil {
		t.Fatalf("second Marshal: %v", err)
	}
	if !bytes.Equal(c, c2) {
		t.Fatalf("Marshal is not a fixpoint:\n first %q\nsecond %q", c, c2)
	}
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(m); err != nil || !bytes.Equal(buf.Bytes(), c) {
		t.Fatalf("Encoder: %v\n%q\nwant %q", err, buf.Bytes(), c)
	}
	return c
}

// TestAcceptedIsWritable: elements that are read as part of the model in
// one place are unknown elements in another, and are written back there.
func TestAcceptedIsWritable(t *testing.T) {
	tests := []struct {
		name string
		body string // SyncBody content
		want []Command
	}{
		{"Final in Atomic", `<Atomic><CmdID>1</CmdID><Final/></Atomic>`,
			[]Command{&Atomic{CmdID: "1", Commands: []Command{&Unknown{Name: "Final", Raw: "<Final/>"}}}}},
		{"Final in Sequence", `<Sequence><Final>x</Final></Sequence>`,
			[]Command{&Sequence{Commands: []Command{&Unknown{Name: "Final", Raw: "<Final>x</Final>"}}}}},
		{"CmdID in SyncBody", `<CmdID>1</CmdID>`, []Command{&Unknown{Name: "CmdID", Raw: "<CmdID>1</CmdID>"}}},
		{"NoResp in SyncBody", `<NoResp/>`, []Command{&Unknown{Name: "NoResp", Raw: "<NoResp/>"}}},
		{"Meta in SyncBody", `<Meta/>`, []Command{&Unknown{Name: "Meta", Raw: "<Meta/>"}}},
		{"prefixed Meta in SyncBody", `<m:Meta xmlns:m="syncml:metinf"><m:Type>x</m:Type></m:Meta>`,
			[]Command{&Unknown{Name: "m:Meta", Raw: `<m:Meta xmlns:m="syncml:metinf"><m:Type>x</m:Type></m:Meta>`}}},
		{"all four with commands", `<NoResp/><Atomic><Meta/><Final/><Sequence><NoResp/><Final/></Sequence></Atomic><Meta/><CmdID/><Final/>`,
			[]Command{
				&Unknown{Name: "NoResp", Raw: "<NoResp/>"},
				&Atomic{Meta: &Meta{}, Commands: []Command{
					&Unknown{Name: "Final", Raw: "<Final/>"},
					&Sequence{NoResp: true, Commands: []Command{&Unknown{Name: "Final", Raw: "<Final/>"}}},
				}},
				&Unknown{Name: "Meta", Raw: "<Meta/>"},
				&Unknown{Name: "CmdID", Raw: "<CmdID/>"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := body(tt.body)
			var m Message
			if err := Unmarshal([]byte(in), &m); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, m.Body.Commands); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			checkWritable(t, in)
		})
	}
}

// TestUnknownNamesByPlace: Marshal refuses an Unknown only with a name the
// decoder would read as something else where it stands.
func TestUnknownNamesByPlace(t *testing.T) {
	u := func(name string) *Unknown { return &Unknown{Name: name, Raw: "<" + name + "/>"} }
	inBody := func(c Command) *Message { return &Message{Body: Body{Commands: []Command{c}}} }
	inAtomic := func(c Command) *Message { return inBody(&Atomic{Commands: []Command{c}}) }
	inSequence := func(c Command) *Message { return inBody(&Sequence{Commands: []Command{c}}) }
	tests := []struct {
		name string
		m    *Message
		ok   bool
	}{
		{"Final in body", inBody(u("Final")), false},
		// in another namespace, a command's name is an unknown element
		{"x:Final in body", inBody(&Unknown{Name: "x:Final", Raw: `<x:Final xmlns:x="urn:x"/>`}), true},
		{"x:Get in Atomic", inAtomic(&Unknown{Name: "x:Get", Raw: `<x:Get xmlns:x="urn:x"/>`}), true},
		{"Add in another default namespace", inBody(&Unknown{Name: "Add", Raw: `<Add xmlns="urn:x"/>`}), true},
		{"Add in no namespace", inBody(&Unknown{Name: "Add", Raw: `<Add xmlns=""/>`}), false},
		{"metinf Meta in Sequence", inSequence(&Unknown{Name: "m:Meta", Raw: `<m:Meta xmlns:m="syncml:metinf"/>`}), false},
		{"Final in Atomic", inAtomic(u("Final")), true},
		{"Final in Sequence", inSequence(u("Final")), true},
		{"CmdID in body", inBody(u("CmdID")), true},
		{"NoResp in body", inBody(u("NoResp")), true},
		{"Meta in body", inBody(u("Meta")), true},
		{"CmdID in Atomic", inAtomic(u("CmdID")), false},
		{"NoResp in Sequence", inSequence(u("NoResp")), false},
		{"Meta in Atomic", inAtomic(u("Meta")), false},
		{"Get in body", inBody(u("Get")), false},
		{"Status in Sequence", inSequence(u("Status")), false},
		{"Map in body", inBody(u("Map")), true},
		{"SyncBody in Atomic", inAtomic(u("SyncBody")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.m)
			if tt.ok != (err == nil) {
				t.Fatalf("Marshal = %q, %v; want success %v", out, err, tt.ok)
			}
			// what Marshal writes, Unmarshal reads back as the same value
			if err == nil {
				var m Message
				if err := Unmarshal(out, &m); err != nil {
					t.Fatalf("output rejected: %v\n%s", err, out)
				}
				if d := cmp.Diff(tt.m, &m); d != "" {
					t.Errorf("(-want +got)\n%s", d)
				}
			} else if !errors.Is(err, ErrStructure) {
				t.Errorf("error %v, want ErrStructure", err)
			}
		})
	}
}

// TestRootNamespace: Marshal refuses a root namespace exactly when
// Unmarshal refuses the message it would write, and Unmarshal refuses a
// root element in a reserved namespace, which Marshal cannot write.
func TestRootNamespace(t *testing.T) {
	values := []string{"", NamespaceSyncML11, NamespaceSyncML12, "urn:x", "a\tb&<\"", " ",
		NamespaceXMLURI, namespaceXMLNSURI, "\x01"}
	for _, ns := range values {
		t.Run(fmt.Sprintf("%q", ns), func(t *testing.T) {
			m := &Message{XMLNS: ns}
			out, merr := Marshal(m)
			// the message Marshal would write, built by hand
			in := `<SyncML xmlns="` + strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;").Replace(ns) + `"><SyncHdr/><SyncBody/></SyncML>`
			var got Message
			uerr := Unmarshal([]byte(in), &got)
			if (merr == nil) != (uerr == nil) {
				t.Fatalf("Marshal error %v, Unmarshal error %v: they must agree", merr, uerr)
			}
			if merr != nil {
				if !sameCause(merr, uerr) {
					t.Errorf("Marshal error %v, Unmarshal error %v: not the same cause", merr, uerr)
				}
				return
			}
			checkWritable(t, string(out))
		})
	}
	for _, in := range []string{
		`<xml:SyncML><SyncHdr/><SyncBody/></xml:SyncML>`,
		`<x:SyncML xmlns:x="http://www.w3.org/XML/1998/namespace"><SyncHdr/><SyncBody/></x:SyncML>`,
	} {
		_, err := decodeBoth(t, []byte(in), Limits{})
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrStructure) && !errors.Is(err, ErrNamespace) {
			t.Errorf("%s: error %v, want a DecodeError with ErrStructure or ErrNamespace", in, err)
		}
	}
}

// nilCommands are typed nil pointers of every command type, and a nil
// interface.
var nilCommands = []Command{
	(*Add)(nil), (*Alert)(nil), (*Atomic)(nil), (*Copy)(nil), (*Delete)(nil), (*Exec)(nil),
	(*Get)(nil), (*Replace)(nil), (*Results)(nil), (*Sequence)(nil), (*Status)(nil), (*Unknown)(nil), nil,
}

// TestTypedNilCommand: a nil command anywhere is an error from every
// writer and from Validate, never a panic.
func TestTypedNilCommand(t *testing.T) {
	places := []struct {
		name string
		wrap func(Command) []Command
	}{
		{"body", func(c Command) []Command { return []Command{&Get{CmdID: "1"}, c} }},
		{"Atomic", func(c Command) []Command { return []Command{&Atomic{CmdID: "1", Commands: []Command{c}}} }},
		{"Sequence", func(c Command) []Command { return []Command{&Sequence{CmdID: "1", Commands: []Command{c}}} }},
		{"Sequence in Atomic", func(c Command) []Command {
			return []Command{&Atomic{CmdID: "1", Commands: []Command{&Sequence{CmdID: "2", Commands: []Command{&Add{CmdID: "3"}, c}}}}}
		}},
	}
	for _, p := range places {
		for _, c := range nilCommands {
			t.Run(fmt.Sprintf("%s/%T", p.name, c), func(t *testing.T) {
				m := &Message{Header: testHeader, Body: Body{Commands: p.wrap(c)}}
				check := func(what string, f func() error) {
					t.Helper()
					var err error
					func() {
						defer func() {
							if r := recover(); r != nil {
								err = fmt.Errorf("panic: %v", r)
								t.Errorf("%s panicked: %v", what, r)
							}
						}()
						err = f()
					}()
					if err == nil {
						t.Errorf("%s: no error", what)
					} else if !strings.HasPrefix(err.Error(), "syncml: ") {
						t.Errorf("%s: error %q without the package prefix", what, err)
					}
				}
				check("Marshal", func() error { _, err := Marshal(m); return err })
				check("AppendMessage", func() error {
					out, err := AppendMessage([]byte("keep"), m)
					if string(out) != "keep" {
						t.Errorf("AppendMessage changed dst: %q", out)
					}
					return err
				})
				check("MarshalIndent", func() error { _, err := MarshalIndent(m, "", "  "); return err })
				check("Encoder.Encode", func() error { return NewEncoder(new(bytes.Buffer)).Encode(m) })
				check("Encoder.EncodeCommand", func() error {
					e := NewEncoder(new(bytes.Buffer))
					if err := e.EncodeHeader("", &m.Header); err != nil {
						t.Fatal(err)
					}
					var err error
					for _, c := range m.Body.Commands {
						if err = e.EncodeCommand(c); err != nil {
							break
						}
					}
					// the encoder stays usable
					if err2 := e.EncodeEnd(false); err2 != nil {
						t.Errorf("EncodeEnd after the error: %v", err2)
					}
					return err
				})
				check("Validate", func() error {
					err := m.Validate()
					var ve *ValidationError
					if errors.As(err, &ve) && !strings.Contains(err.Error(), "nil-command") {
						t.Errorf("Validate: %v, want a nil-command violation", err)
					}
					return err
				})
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("NumberCommands panicked: %v", r)
						}
					}()
					NumberCommands(m.Body.Commands, 1)
				}()
			})
		}
	}
}
