package syncml_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestNilMessage: an entry point given a nil *Message returns an error
// that says so and matches ErrNilMessage (and no decode or validation
// error), and does not panic; a Decoder is still usable after.
func TestNilMessage(t *testing.T) {
	in := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`)
	var d *syncml.Decoder
	calls := map[string]func() error{
		"Unmarshal":       func() error { return syncml.Unmarshal(in, nil) },
		"UnmarshalLimits": func() error { return syncml.UnmarshalLimits(in, nil, syncml.Limits{}) },
		"UnmarshalOwned":  func() error { return syncml.UnmarshalOwned(in, nil, syncml.Limits{}) },
		"Marshal":         func() error { _, err := syncml.Marshal(nil); return err },
		"MarshalIndent":   func() error { _, err := syncml.MarshalIndent(nil, "", " "); return err },
		"AppendMessage":   func() error { _, err := syncml.AppendMessage(nil, nil); return err },
		"Encode":          func() error { return syncml.NewEncoder(&bytes.Buffer{}).Encode(nil) },
		"Validate":        func() error { return (*syncml.Message)(nil).Validate() },
		"ValidateCmdIDs":  func() error { return (*syncml.Message)(nil).ValidateCmdIDs() },
		"Decode": func() error {
			d = syncml.NewDecoder(bytes.NewReader(in))
			return d.Decode(nil)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				err = call()
			}()
			if err == nil || !strings.HasPrefix(err.Error(), "syncml: "+name+" ") || !strings.Contains(err.Error(), "nil *Message") {
				t.Errorf("error %v, want one of %s about the nil *Message", err, name)
			}
			var de *syncml.DecodeError
			var ve *syncml.ValidationError
			if !errors.Is(err, syncml.ErrNilMessage) || errors.As(err, &de) || errors.As(err, &ve) || errors.Is(err, syncml.ErrInvalid) {
				t.Errorf("error %v, want one matching ErrNilMessage alone", err)
			}
		})
	}
	var m syncml.Message
	if err := d.Decode(&m); err != nil || !m.Body.Final {
		t.Errorf("Decode after Decode(nil): %v, %+v", err, m)
	}
}
