package syncml

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHeaderKept: a SyncHdr is written whenever the input had one, empty
// or not, with an empty Target or Source kept; a message without one is
// accepted and written without one.
func TestHeaderKept(t *testing.T) {
	const bodyEnd = `<SyncBody></SyncBody></SyncML>`
	tests := []struct {
		name string
		in   string
		want Message
		out  string // canonical encoding
	}{
		{"empty SyncHdr", `<SyncML><SyncHdr/><SyncBody/></SyncML>`,
			Message{}, `<SyncML><SyncHdr></SyncHdr>` + bodyEnd},
		{"empty SyncHdr with space and comment", "<SyncML>\n<SyncHdr>\n <!-- c --> </SyncHdr>\n<SyncBody/></SyncML>",
			Message{}, `<SyncML><SyncHdr></SyncHdr>` + bodyEnd},
		{"no SyncHdr", `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>`,
			Message{XMLNS: NamespaceSyncML12, NoHeader: true, Body: Body{Final: true}},
			`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>`},
		{"empty Target", `<SyncML><SyncHdr><Target/></SyncHdr><SyncBody/></SyncML>`,
			Message{Header: Header{EmptyTarget: true}}, `<SyncML><SyncHdr><Target></Target></SyncHdr>` + bodyEnd},
		{"empty Source and Target with empty leaves", `<SyncML><SyncHdr><Source></Source><Target><LocURI/><LocName></LocName></Target></SyncHdr><SyncBody/></SyncML>`,
			Message{Header: Header{EmptyTarget: true, EmptySource: true}},
			`<SyncML><SyncHdr><Target></Target><Source></Source></SyncHdr>` + bodyEnd},
		{"empty Source beside a full Target", `<SyncML><SyncHdr><MsgID>1</MsgID><Target><LocURI>./x</LocURI></Target><Source/></SyncHdr><SyncBody/></SyncML>`,
			Message{Header: Header{MsgID: "1", Target: Location{LocURI: "./x"}, EmptySource: true}},
			`<SyncML><SyncHdr><MsgID>1</MsgID><Target><LocURI>./x</LocURI></Target><Source></Source></SyncHdr>` + bodyEnd},
		{"LocName only", `<SyncML><SyncHdr><Target><LocName>n</LocName></Target></SyncHdr><SyncBody/></SyncML>`,
			Message{Header: Header{Target: Location{LocName: "n"}}},
			`<SyncML><SyncHdr><Target><LocName>n</LocName></Target></SyncHdr>` + bodyEnd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeBoth(t, []byte(tt.in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&tt.want, m); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if got := checkWritable(t, tt.in); string(got) != tt.out {
				t.Errorf("Marshal:\n got %q\nwant %q", got, tt.out)
			}
			d := NewDecoder(strings.NewReader(tt.in))
			if _, err := d.Header(); err != nil {
				t.Fatal(err)
			}
			if d.NoHeader() != tt.want.NoHeader {
				t.Errorf("Decoder.NoHeader() = %v, want %v", d.NoHeader(), tt.want.NoHeader)
			}
		})
	}
}

// TestZeroMessage: what the zero Message and an empty header write.
func TestZeroMessage(t *testing.T) {
	const want = `<SyncML><SyncHdr></SyncHdr><SyncBody></SyncBody></SyncML>`
	out, err := Marshal(&Message{})
	if err != nil || string(out) != want {
		t.Fatalf("Marshal(&Message{}) = %q, %v; want %q", out, err, want)
	}
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	if err := e.EncodeHeader("", &Header{}); err != nil {
		t.Fatal(err)
	}
	if err := e.EncodeEnd(false); err != nil || buf.String() != want {
		t.Fatalf("Encoder with an empty header = %q, %v; want %q", buf.String(), err, want)
	}
	// EncodeHeader(nil) writes no header, as Marshal does for NoHeader
	const none = `<SyncML><SyncBody></SyncBody></SyncML>`
	buf.Reset()
	e = NewEncoder(&buf)
	if err := e.EncodeHeader("", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.EncodeEnd(false); err != nil || buf.String() != none {
		t.Fatalf("Encoder with a nil header = %q, %v; want %q", buf.String(), err, none)
	}
	if out, err := Marshal(&Message{NoHeader: true}); err != nil || string(out) != none {
		t.Fatalf("Marshal(NoHeader) = %q, %v; want %q", out, err, none)
	}
	if out, err := MarshalIndent(&Message{NoHeader: true}, "", " "); err != nil || string(out) != "<SyncML>\n <SyncBody>\n </SyncBody>\n</SyncML>" {
		t.Fatalf("MarshalIndent(NoHeader) = %q, %v", out, err)
	}
}

// TestNoHeaderWithHeader: a header set together with NoHeader is refused,
// not dropped.
func TestNoHeaderWithHeader(t *testing.T) {
	for _, h := range []Header{{MsgID: "1"}, {EmptyTarget: true}, {Meta: &Meta{}}, {NoResp: true}} {
		m := &Message{NoHeader: true, Header: h}
		if out, err := Marshal(m); err == nil || !errors.Is(err, ErrStructure) {
			t.Errorf("Marshal(%+v) = %q, %v; want an ErrStructure error", h, out, err)
		}
		if err := NewEncoder(new(bytes.Buffer)).Encode(m); err == nil {
			t.Errorf("Encode(%+v) succeeded", h)
		}
	}
}

// TestValidateNoHeader: Validate reports a missing SyncHdr.
func TestValidateNoHeader(t *testing.T) {
	m := &Message{NoHeader: true, Body: Body{Commands: []Command{&Get{CmdID: "1", Items: []Item{{Target: &Location{LocURI: "./x"}}}}}}}
	var ve *ValidationError
	if err := m.Validate(); !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Rule != "header-required" ||
		!strings.Contains(ve.Violations[0].Detail, "no SyncHdr") {
		t.Fatalf("Validate = %v, want one header-required violation for the missing SyncHdr", err)
	}
}
