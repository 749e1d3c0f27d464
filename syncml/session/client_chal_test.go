package session

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// chalStatus is a server's SyncHdr Status of code for the device's
// message 1, with a Chal of typ and nonce (Base64 text as given).
func chalStatus(code, typ, nonce string) *syncml.Status {
	return &syncml.Status{MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text(code),
		Chal: &syncml.Chal{Meta: &syncml.Meta{Type: typ, Format: "b64", NextNonce: nonce}}}
}

// TestClientChallengeRefusedNotKept: a 401 whose Chal the Credentials
// refuse (their Cred fails on it) fails Handle, and the Client does not
// keep that Chal: the next Start asks Cred with the challenge it had
// before (none), not the refused one, on which it would fail for ever.
func TestClientChallengeRefusedNotKept(t *testing.T) {
	var got []*syncml.Chal
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		Credentials: credFunc(func(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
			got = append(got, chal)
			if chal != nil && chal.Meta.Type == "x-unknown" {
				return nil, errors.New("x-unknown: no such credential")
			}
			return nil, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Handle(ctx, srvMsg("1", "1", "", true, chalStatus("401", "x-unknown", ""))); err == nil {
		t.Fatal("Handle: no error from the Credentials")
	}
	got = nil
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatalf("the next Start: %v", err)
	}
	if len(got) != 1 || got[0] != nil {
		t.Errorf("the next Start's Cred got %d challenges (%v), want one, nil", len(got), got)
	}
}

// TestClientAuthChallengeCheckedOn200: a ClientAuth's challenge is
// checked as it arrives, with a SyncHdr 200 too (no Cred is asked in the
// session): one it cannot follow fails Handle with its typed error and is
// not kept, so the next Start succeeds, with the ClientAuth as it was.
func TestClientAuthChallengeCheckedOn200(t *testing.T) {
	for _, tc := range []struct {
		name, typ, nonce string
		want             error
	}{
		{"unknown type", "syncml:auth-x509", "", ErrUnsupportedAuth},
		{"nonce not Base64", string(AuthMD5), "!!", ErrMalformedCredentials},
		{"nonce too long", string(AuthMD5), base64.StdEncoding.EncodeToString(make([]byte, DefaultMaxNonceBytes+1)), ErrLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := &ClientAuth{Username: "u", Password: "p", Type: AuthBasic, Nonce: []byte("old")}
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Credentials: auth})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.Start(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Handle(ctx, srvMsg("1", "1", "", true, chalStatus("200", tc.typ, tc.nonce))); !errors.Is(err, tc.want) {
				t.Fatalf("Handle: %v, want %v", err, tc.want)
			}
			m, err := c.Start(ctx, "2")
			if err != nil {
				t.Fatalf("the next Start: %v", err)
			}
			if m.Header.Cred == nil || auth.Type != AuthBasic || string(auth.Nonce) != "old" {
				t.Errorf("the next package 1: Cred %v; ClientAuth %s %q, want basic and \"old\"", m.Header.Cred, auth.Type, auth.Nonce)
			}
		})
	}
}

// TestClientAuthNonceBound: a NextNonce past MaxNonceBytes, decoded, is
// refused with a *LimitError, and the ClientAuth keeps its type and
// nonce; one within it is taken.
func TestClientAuthNonceBound(t *testing.T) {
	ctx := context.Background()
	chal := func(n int) *syncml.Chal {
		return chalStatus("401", string(AuthMD5), base64.StdEncoding.EncodeToString([]byte(strings.Repeat("n", n)))).Chal
	}
	for _, tc := range []struct {
		max, n int
		ok     bool
	}{
		{0, DefaultMaxNonceBytes, true},
		{0, DefaultMaxNonceBytes + 1, false},
		{8, 8, true},
		{8, 9, false},
	} {
		auth := &ClientAuth{Username: "u", Password: "p", Type: AuthBasic, Nonce: []byte("old"), MaxNonceBytes: tc.max}
		_, err := auth.Cred(ctx, chal(tc.n))
		if tc.ok {
			if err != nil || auth.Type != AuthMD5 || len(auth.Nonce) != tc.n {
				t.Errorf("max %d, nonce of %d: %v, %s with %d bytes; want it taken", tc.max, tc.n, err, auth.Type, len(auth.Nonce))
			}
			continue
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "MaxNonceBytes" || !errors.Is(err, ErrLimit) {
			t.Errorf("max %d, nonce of %d: %v; want a *LimitError of MaxNonceBytes", tc.max, tc.n, err)
		}
		if auth.Type != AuthBasic || string(auth.Nonce) != "old" {
			t.Errorf("max %d, nonce of %d: the ClientAuth has %s %q, want it as it was", tc.max, tc.n, auth.Type, auth.Nonce)
		}
	}
}
