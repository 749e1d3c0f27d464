package syncml_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestNilMessage: an entry point given a nil *Message returns an error
// that says so, and does not panic; a Decoder is still usable after.
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
		})
	}
	var m syncml.Message
	if err := d.Decode(&m); err != nil || !m.Body.Final {
		t.Errorf("Decode after Decode(nil): %v, %+v", err, m)
	}
}
