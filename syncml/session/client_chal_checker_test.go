package session

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// errChalRefused is the refusal of checkedCreds.
var errChalRefused = errors.New("challenge refused")

// checkedCreds are custom Credentials that send no Cred, note the
// challenge each Cred is given, and refuse, in CheckChallenge, a
// challenge of type refuse.
type checkedCreds struct {
	refuse string
	seen   []*syncml.Chal
}

func (cc *checkedCreds) Cred(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
	cc.seen = append(cc.seen, chal)
	return nil, nil
}

func (*checkedCreds) Sign(context.Context, *syncml.Chal, []byte, http.Header) error { return nil }

func (cc *checkedCreds) CheckChallenge(chal *syncml.Chal) error {
	if chal != nil && chal.Meta != nil && chal.Meta.Type == cc.refuse {
		return errChalRefused
	}
	return nil
}

// TestClientCustomChallengeChecker: custom Credentials that implement
// ChallengeChecker refuse a challenge as it arrives, with a 200 that
// needs no Cred: Handle fails with their error and the challenge is not
// kept (the next package 1's Cred is asked with none). One they pass,
// in a session given up on authentication, is kept: the next package 1
// answers it.
func TestClientCustomChallengeChecker(t *testing.T) {
	ctx := context.Background()
	creds := &checkedCreds{refuse: "x-bad"}
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		Credentials: creds, MaxAuthRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Handle(ctx, srvMsg("1", "1", "", true, chalStatus("200", "x-bad", ""))); !errors.Is(err, errChalRefused) {
		t.Fatalf("a challenge the Credentials refuse: Handle %v, want %v", err, errChalRefused)
	}
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if last := creds.seen[len(creds.seen)-1]; last != nil {
		t.Errorf("the refused challenge was kept: package 1's Cred was asked with %+v, want nil", last.Meta)
	}

	// A session given up on authentication keeps the server's last
	// challenge, which the Credentials passed.
	x, err := c.Handle(ctx, srvMsg("2", "1", "", true, chalStatus("401", string(AuthMD5), "bjE=")))
	if err != nil || x.Reply == nil {
		t.Fatalf("first refusal: %v, want package 1 again", err)
	}
	st := chalStatus("401", string(AuthMD5), "bjI=")
	st.MsgRef = x.Reply.Header.MsgID
	if _, err := c.Handle(ctx, srvMsg("2", "2", "", true, st)); !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("second refusal: %v, want ErrAuthGaveUp", err)
	}
	if _, err := c.Start(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	if last := creds.seen[len(creds.seen)-1]; last == nil || last.Meta.NextNonce != "bjI=" {
		t.Errorf("after the session given up, package 1's Cred was asked with %v, want the last challenge (bjI=)", last)
	}
}
