package session

import (
	"context"
	"errors"
	"strconv"
	"testing"
)

// TestBrk2BadChallengeWedgesClient: a challenge the device cannot
// follow (a type it does not know, a NextNonce that is not Base64) fails
// that session with a typed error, and must end there: the next session,
// with a server that challenges nothing, must run and carry the queued
// command. The Client keeps the bad Chal (client.go:927, c.chal =
// s.Chal, before anything checks it) and every later package 1 asks
// Credentials.Cred for it again (client.go:467), which fails the same
// way: no Start succeeds again, and the queue is only reachable through
// a new Client, which loses it.
func TestBrk2BadChallengeWedgesClient(t *testing.T) {
	for _, tc := range []struct {
		name, typ, nonce string
		want             error
	}{
		{"unknown type", "syncml:auth-x509", "", ErrUnsupportedAuth},
		{"nonce not Base64", string(AuthMD5), "!!not base64!!", ErrMalformedCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := brk2Script(t, func(n int, ref string) []byte {
				return brk2Challenge(t, strconv.Itoa(n), ref, tc.typ, tc.nonce)
			})
			defer srv.Close()
			hc := srv.Client()
			brk2NoLeak(t, hc)
			c := brk2Device(t, ClientConfig{Credentials: &ClientAuth{Username: "u", Password: "p"}})
			_, err := c.Run(context.Background(), hc, srv.URL, "1")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Run: %v; want %v", err, tc.want)
			}
			assertBrk2Accounted(t, c)
		})
	}
}
