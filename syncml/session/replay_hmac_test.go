package session

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Under HMAC a message proves who sent it by its x-syncml-hmac header
// alone: its body holds no secret (no Cred), and a device's package 1 is
// easily written again by anyone who knows its ID (Alert 1201, a
// SessionID of small integers, the DevInfo Windows sends). A replay of a
// message (same SessionID, MsgID and bytes) is answered with the kept
// reply before the Authenticator is asked, so the replay must be of the
// message as authenticated: its bytes and its header. It was of the bytes
// alone: the body posted again without any header got the reply, with
// the commands queued for the device (here a Get of ./Secret). A device's
// own retry, with its header, still gets the reply; the body without the
// header, or with another one, is authenticated (and refused).
func TestHMACReplayNeedsHeader(t *testing.T) {
	ctx := context.Background()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	srv := NewServer(ServerConfig{Session: Config{Authenticator: &CredAuthenticator{Type: AuthHMAC, Users: users}}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.Queue(ctx, "DEV", get("./Secret")); err != nil {
		t.Fatal(err)
	}
	post := func(raw []byte, hdr string) (*syncml.Message, []byte) {
		t.Helper()
		return postReply(t, ts.Client(), ts.URL, raw, hdr)
	}
	p1 := strangerMessage("1", "1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>`, nil)
	challenge, _ := post(p1, "")
	nonce := takeNonce(t, challenge)
	signed := newHMACHeader("dev", "secret", nonce, p1).String()
	reply, raw := post(p1, signed)
	if c := mustCode(t, reply.Body.Commands[0].(*syncml.Status)); c != syncml.StatusOK || !bytes.Contains(raw, []byte("./Secret")) {
		t.Fatalf("package 1 signed: %d, reply %s", c, raw)
	}
	// the device's retry after a lost reply: the same reply
	if _, again := post(p1, signed); !bytes.Equal(again, raw) {
		t.Errorf("the device's retry, signed as before:\n%s\nwant the kept reply\n%s", again, raw)
	}
	// the same bytes without the header, or with another's
	other := newHMACHeader("dev", "wrong", nonce, p1).String()
	for _, hdr := range []string{"", other} {
		m, b := post(p1, hdr)
		if bytes.Equal(b, raw) || bytes.Contains(b, []byte("./Secret")) {
			t.Errorf("the device's package 1 with header %q got the kept reply (the queued Get)", hdr)
			continue
		}
		if c := mustCode(t, m.Body.Commands[0].(*syncml.Status)); c.Success() {
			t.Errorf("the device's package 1 with header %q: %d", hdr, c)
		}
	}
}
