package session

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClientGaveUpKeepsChallengeRV2 holds Handle to its doc ("A Handle
// that fails changes nothing of the Client but the server's challenge,
// which it keeps", client.go:806): a session given up on authentication
// (the refusal past MaxAuthRetries) comes with the server's new nonce,
// and the next session's package 1 must answer that challenge. Since the
// clientMark keeps chal (client_undo.go:62/81), the failed Handle puts
// the older challenge back: package 1 goes with the nonce the server
// already replaced, and a server that rotates its nonce on each
// challenge (as OMA DM lets it) refuses it again, each session. Either
// the doc (Handle) or the Credentials doc ("kept only by a Handle that
// succeeds") is wrong; a fix must make them one, and keep a well-formed
// challenge of a given-up session (it is the server's latest word).
func TestClientGaveUpKeepsChallengeRV2(t *testing.T) {
	ctx := context.Background()
	auth := &ClientAuth{Username: "u", Password: "p", Type: AuthMD5, Nonce: []byte("n0")}
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		Credentials: auth, MaxAuthRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	n1 := base64.StdEncoding.EncodeToString([]byte("n1"))
	x, err := c.Handle(ctx, srvMsg("1", "1", "", true, chalStatus("401", string(AuthMD5), n1)))
	if err != nil || x.Reply == nil {
		t.Fatalf("first refusal: %v (reply %v), want package 1 again", err, x)
	}
	n2 := base64.StdEncoding.EncodeToString([]byte("n2"))
	st := chalStatus("401", string(AuthMD5), n2)
	st.MsgRef = x.Reply.Header.MsgID
	if _, err := c.Handle(ctx, srvMsg("1", "2", "", true, st)); !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("second refusal: %v, want ErrAuthGaveUp", err)
	}
	m, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	want := md5Cred("u", "p", []byte("n2"))
	if diff := cmp.Diff(want, m.Header.Cred); diff != "" {
		t.Errorf("the next package 1's Cred is not for the server's last nonce n2 (-want +got):\n%s", diff)
	}
}
