package session

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Once alice's basic or MD5 session on DEV1, accepted with 212, is over,
// a message with no credentials, DEV1's LocURI and that SessionID (not a
// session start) is not taken as alice's: it gets no command queued for
// DEV1 since (it was, until the device's next session: anyone knowing the
// device's ID and guessing its SessionID could claim it).
func TestAuthEndedSessionNeedsCredentials(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []AuthType{AuthBasic, AuthMD5} {
		users := &MemoryUsers{}
		users.Set("alice", "alice-pw")
		srv := NewServer(ServerConfig{Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}}})
		ts := httptest.NewServer(srv)
		c, _ := NewClient(ClientConfig{DeviceID: "DEV1", LocName: "alice", ServerURI: ts.URL,
			Credentials: &ClientAuth{Username: "alice", Password: "alice-pw", Type: typ},
			Handler:     HandlerFunc(func(context.Context, *Request) Response { return Response{} })})
		if _, err := c.Run(ctx, ts.Client(), ts.URL, "7"); err != nil {
			t.Fatal(err)
		}
		_ = srv.Queue(ctx, "DEV1", get("./Secret"))
		raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>7</SessionID><MsgID>9</MsgID><Target><LocURI>` + ts.URL + `</LocURI></Target><Source><LocURI>DEV1</LocURI><LocName>mallory</LocName></Source></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`)
		resp, err := ts.Client().Post(ts.URL, ContentType, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var m syncml.Message
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			_ = syncml.Unmarshal(buf.Bytes(), &m)
		}
		if got := sentGets(&m); slices.Contains(got, "./Secret") {
			t.Errorf("%s: a message without credentials got DEV1's queued Get: %q", typ, got)
		}
		ts.Close()
	}
}
