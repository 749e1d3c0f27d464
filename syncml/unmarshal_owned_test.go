package syncml_test

import (
	"bytes"
	"fmt"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// TestUnmarshalOwnedCorpus checks that UnmarshalOwned decodes every
// corpus message as Unmarshal does, errors included, and that the strings
// of a UTF-8 message share the memory handed over.
func TestUnmarshalOwnedCorpus(t *testing.T) {
	shared := 0
	for _, f := range syncmltest.Messages() {
		var want, got syncml.Message
		werr := syncml.Unmarshal(f.Data, &want)
		in := bytes.Clone(f.Data)
		gerr := syncml.UnmarshalOwned(in, &got, syncml.Limits{})
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%s: UnmarshalOwned error %v, Unmarshal %v", f.Name, gerr, werr)
			continue
		}
		if werr != nil {
			continue
		}
		if diff := cmp.Diff(&want, &got); diff != "" {
			t.Errorf("%s: UnmarshalOwned differs from Unmarshal (-want +got):\n%s", f.Name, diff)
		}
		if id := got.Header.MsgID; id != "" {
			p := uintptr(unsafe.Pointer(unsafe.StringData(id)))
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(in)))
			if p >= lo && p < lo+uintptr(len(in)) {
				shared++
			}
		}
	}
	if shared == 0 {
		t.Errorf("no message's MsgID shares the memory handed to UnmarshalOwned")
	}
}

// TestUnmarshalOwnedLimits checks that UnmarshalOwned applies the limits
// it is given.
func TestUnmarshalOwnedLimits(t *testing.T) {
	data := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>a</LocURI></Target><Source><LocURI>b</LocURI></Source></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`)
	var m syncml.Message
	if err := syncml.UnmarshalOwned(data, &m, syncml.Limits{MaxBytes: 100}); err == nil {
		t.Fatal("MaxBytes 100 accepted a longer message")
	}
	if err := syncml.UnmarshalOwned(data, &m, syncml.Limits{}); err != nil || m.Header.Source.LocURI != "b" {
		t.Fatalf("UnmarshalOwned = %v, Source %q", err, m.Header.Source.LocURI)
	}
}

// A server hands over the request body it read for this one call.
func ExampleUnmarshalOwned() {
	body := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target><Source><LocURI>DEV1</LocURI></Source></SyncHdr><SyncBody><Alert><CmdID>2</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
	var m syncml.Message
	if err := syncml.UnmarshalOwned(body, &m, syncml.Limits{}); err != nil {
		fmt.Println(err)
		return
	}
	// body is the message's now: it is not modified or reused while m is in use
	fmt.Println(m.Header.Source.LocURI, m.Body.Commands[0].(*syncml.Alert).Data.Value)
	// Output: DEV1 1201
}
