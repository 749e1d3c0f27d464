package session

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// brk2Challenge is a server message refusing the device's message ref
// with 401 and a Chal of typ and nonce (nonce "" for none).
func brk2Challenge(t *testing.T, msgID, ref, typ, nonce string) []byte {
	t.Helper()
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{&syncml.Status{CmdID: "1", MsgRef: ref, CmdRef: "0", Cmd: "SyncHdr",
			Data: syncml.Text("401"), Chal: &syncml.Chal{Meta: &syncml.Meta{Type: typ, Format: "b64", NextNonce: nonce}}}}}}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestBrk2ChallengeForever: a server that refuses every message with a
// new challenge gets MaxAuthRetries messages again and no more; Run fails
// with ErrAuthGaveUp and the queued command goes out in the next session.
func TestBrk2ChallengeForever(t *testing.T) {
	srv, got := brk2Script(t, func(n int, ref string) []byte {
		return brk2Challenge(t, strconv.Itoa(n), ref, string(AuthMD5), base64.StdEncoding.EncodeToString([]byte("n"+strconv.Itoa(n))))
	})
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{MaxAuthRetries: 2, Credentials: &ClientAuth{Username: "u", Password: "p"}})
	_, err := c.Run(context.Background(), hc, srv.URL, "1")
	if !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("Run: %v; want ErrAuthGaveUp", err)
	}
	if n := len(*got); n != 3 {
		t.Errorf("%d messages posted, want 3 (package 1 and 2 retries)", n)
	}
	assertBrk2Accounted(t, c)
}
