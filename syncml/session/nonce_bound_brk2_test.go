package session

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

// TestBrk2ChallengeHugeNonce: a server's Chal whose NextNonce is 1 MiB
// (within MaxBytes) must not become the device's nonce: ClientAuth keeps
// it (the docs tell a device to persist it across restarts) and hashes
// it into every credential. A nonce is some bytes (the Server makes
// DefaultNonceSize); the device must refuse one past a bound with a
// typed error. ClientAuth.take (auth_flow.go:339) takes any NextNonce
// that decodes (decodeNonce, auth_nonce.go:37, has no bound).
func TestBrk2ChallengeHugeNonce(t *testing.T) {
	huge := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("n", 1<<20)))
	srv, _ := brk2Script(t, func(n int, ref string) []byte {
		return brk2Challenge(t, strconv.Itoa(n), ref, string(AuthMD5), huge)
	})
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	auth := &ClientAuth{Username: "u", Password: "p"}
	c := brk2Device(t, ClientConfig{MaxAuthRetries: 1, Credentials: auth})
	_, err := c.Run(context.Background(), hc, srv.URL, "1")
	if err == nil {
		t.Fatal("Run succeeded")
	}
	if len(auth.Nonce) > 4096 {
		t.Errorf("the device took a nonce of %d bytes from the server (Run: %.200v)", len(auth.Nonce), err)
	}
}
