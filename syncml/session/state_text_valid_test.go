package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A state of format 8 whose text (kept apart from the SyncML, see
// state_text.go) is not XML text, bad UTF-8 or a character XML does not
// allow, does not load (ErrStoredState), as the same state in an earlier
// format does not: loaded, it failed every reply of the device with an
// encoding error, which ServerConfig.ReplaceUnreadableState does not
// replace (found by FuzzSessionState8's probes).
func TestStateTextNotXML(t *testing.T) {
	value := strings.Repeat("abcdefgh", 2000)
	for _, kind := range []syncml.DataKind{syncml.DataText, syncml.DataCDATA} {
		cmd := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: &syncml.Data{Kind: kind, Value: value}}}}
		_, _, states := deliverSaved(t, cmd, 4000, (*Session).MarshalBinary)
		eights := 0
		for i, b := range states {
			if b[0] != stateFormat {
				continue
			}
			eights++
			for _, bad := range []string{"\x00", "\xff", "\uFFFE", "\x1b"} {
				c := bytes.ReplaceAll(b, []byte("abcdefgh"), []byte(bad+"abcdefgh"[len(bad):]))
				err := NewSession(nil).UnmarshalBinary(c)
				if !errors.Is(err, ErrStoredState) {
					t.Errorf("kind %d, state %d, text with %q: %v, want ErrStoredState", kind, i, bad, err)
				}
			}
		}
		if eights < 3 {
			t.Fatalf("kind %d: %d states of format 8", kind, eights)
		}
	}
}

// With ServerConfig.ReplaceUnreadableState, the device of such a state
// starts a new session (it answered 500 to every message before).
func TestStateTextNotXMLReplaced(t *testing.T) {
	cmd := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(strings.Repeat("abcdefgh", 2000))}}}
	_, _, states := deliverSaved(t, cmd, 4000, (*Session).MarshalBinary)
	b := states[len(states)/2]
	if b[0] != stateFormat {
		t.Fatalf("state of format %d", b[0])
	}
	mem := NewMemoryStore()
	if _, err := mem.CompareAndSwap(context.Background(), "D", 0, bytes.ReplaceAll(b, []byte("abcdefgh"), []byte("\x00bcdefgh"))); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ServerConfig{Store: mem, ReplaceUnreadableState: true})
	msg := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>7</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(msg))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("new session: %d %s", rec.Code, rec.Body)
	}
}
