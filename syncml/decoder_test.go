package syncml

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// TestMaxBytesOnTheWire: MaxBytes counts the bytes that came over the wire
// (byte-order mark included, before transcoding), the same for
// UnmarshalLimits and a Decoder: a message of L bytes is accepted at
// MaxBytes L and refused at L-1, whatever its size after transcoding.
func TestMaxBytesOnTheWire(t *testing.T) {
	msg := body(`<Alert><CmdID>1</CmdID><Data>` + strings.Repeat("data é ", 12000) + `</Data></Alert>`)
	latin := strings.ReplaceAll(msg, "é", "\xe9")
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf-8", []byte(msg)},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, msg...)},
		{"utf-16le", utf16le(msg)}, // twice its UTF-8 size, nearly
		{"utf-16be", utf16be(msg)},
		{"iso-8859-1", declared("ISO-8859-1", latin)}, // smaller than its UTF-8
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := int64(len(tt.in))
			for _, lim := range []int64{size, size - 1} {
				limits := Limits{MaxBytes: lim}
				var whole Message
				werr := UnmarshalLimits(tt.in, &whole, limits)
				for _, one := range []bool{false, true} {
					var r io.Reader = bytes.NewReader(tt.in)
					if one {
						r = iotest.OneByteReader(r)
					}
					d := NewDecoder(r)
					d.SetLimits(limits)
					var stream Message
					serr := d.Decode(&stream)
					for name, err := range map[string]error{"UnmarshalLimits": werr, "Decoder": serr} {
						var le *LimitError
						switch {
						case lim == size && err != nil:
							t.Errorf("MaxBytes %d (the size), one byte %v: %s: %v", lim, one, name, err)
						case lim < size && (!errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != lim):
							t.Errorf("MaxBytes %d (size-1), one byte %v: %s: %v, want a MaxBytes LimitError", lim, one, name, err)
						}
					}
					if werr == nil && serr == nil {
						if diff := cmp.Diff(&whole, &stream); diff != "" {
							t.Errorf("Decode differs from Unmarshal (-Unmarshal +Decode):\n%s", diff)
						}
					}
				}
			}
		})
	}
}

// TestDecoderDecode: Decode reads the whole message, may follow Header but
// not Next, then reports io.EOF; on error it leaves m alone and the error
// is sticky.
func TestDecoderDecode(t *testing.T) {
	in := `<?xml version="1.0"?>` + body(`<Get><CmdID>1</CmdID></Get><Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID></Add></Atomic><Final/>`)
	var want Message
	if err := Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Body.Commands) != 2 || !want.Body.Final || want.XMLNS != "SYNCML:SYNCML1.2" || want.Header != testHeader {
		t.Fatalf("Unmarshal gave %+v", want)
	}

	// Decode alone, then io.EOF
	d := NewDecoder(strings.NewReader(in))
	var m Message
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, &m); diff != "" {
		t.Errorf("Decode differs from Unmarshal (-Unmarshal +Decode):\n%s", diff)
	}
	if err := d.Decode(&m); err != io.EOF {
		t.Errorf("second Decode: %v, want io.EOF", err)
	}
	if c, err := d.Next(); c != nil || err != io.EOF {
		t.Errorf("Next after Decode: %v, %v; want io.EOF", c, err)
	}

	// after Header
	d = NewDecoder(strings.NewReader(in))
	if _, err := d.Header(); err != nil {
		t.Fatal(err)
	}
	m = Message{}
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, &m); diff != "" {
		t.Errorf("Decode after Header differs from Unmarshal (-Unmarshal +Decode):\n%s", diff)
	}

	// after Next: out of order; after Next reached io.EOF: io.EOF
	d = NewDecoder(strings.NewReader(in))
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	m = Message{}
	if err := d.Decode(&m); !errors.Is(err, ErrState) {
		t.Errorf("Decode after Next: %v, want ErrState", err)
	}
	for {
		if _, err := d.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Decode(&m); err != io.EOF {
		t.Errorf("Decode after the last Next: %v, want io.EOF", err)
	}
	if diff := cmp.Diff(&Message{}, &m); diff != "" {
		t.Errorf("m changed:\n%s", diff)
	}

	// an empty body
	d = NewDecoder(strings.NewReader(`<SyncML><SyncHdr/><SyncBody/></SyncML>`))
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Message{}, &m); diff != "" {
		t.Errorf("empty message (-want +got):\n%s", diff)
	}

	// an error leaves m alone and is sticky
	bad := body(`<Get><CmdID>1</CmdID></Get><Replace><Bogus/></Replace>`)
	d = NewDecoder(strings.NewReader(bad))
	m = want
	err := d.Decode(&m)
	if !errors.Is(err, ErrStructure) {
		t.Fatalf("Decode: %v, want ErrStructure", err)
	}
	if diff := cmp.Diff(&want, &m); diff != "" {
		t.Errorf("m changed on error:\n%s", diff)
	}
	if err2 := d.Decode(&m); err2 != err {
		t.Errorf("second Decode: %v, want the same error", err2)
	}
	if _, err2 := d.Next(); err2 != err {
		t.Errorf("Next after Decode error: %v, want the same error", err2)
	}
}

// TestDecoderHeaderCopy: the header Header returns is the caller's to
// change (as when building a reply from it): neither a later Header nor
// Decode returns the change, down to Meta and Cred.
func TestDecoderHeaderCopy(t *testing.T) {
	in := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>srv</LocURI></Target><Source><LocURI>dev</LocURI></Source>` +
		`<Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>abc</Data></Cred>` +
		`<Meta><MaxMsgSize xmlns="syncml:metinf">100</MaxMsgSize><EMI xmlns="syncml:metinf">e</EMI><Mem xmlns="syncml:metinf"><FreeMem>1</FreeMem></Mem><Anchor xmlns="syncml:metinf"><Next>n</Next></Anchor></Meta>` +
		`</SyncHdr><SyncBody><Final/></SyncBody></SyncML>`
	var want Message
	if err := Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(strings.NewReader(in))
	for range 2 {
		h, err := d.Header()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want.Header, h); diff != "" {
			t.Fatalf("Header (-want +got)\n%s", diff)
		}
		h.Target, h.Source = h.Source, h.Target
		h.Meta.MaxMsgSize, h.Meta.EMI[0], h.Meta.Mem.FreeMem, h.Meta.Anchor.Next = "5", "x", "9", "m"
		h.Cred.Meta.Type, h.Cred.Data.Value = "syncml:auth-basic", "zzz"
	}
	var got Message
	if err := d.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, &got); diff != "" {
		t.Errorf("Decode after the header was changed (-Unmarshal +Decode)\n%s", diff)
	}
}
