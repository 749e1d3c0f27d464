package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
)

// A device's nonce for the server's next credentials is kept in its
// state only up to ServerAuth.MaxNonceBytes (DefaultMaxNonceBytes when
// zero): a longer one leaves the nonce the server had, so that a device
// cannot grow its stored state with it.
func TestServerPeerNonceBound(t *testing.T) {
	chal := func(n []byte) string {
		return `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
			`<Chal><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type>` +
			`<NextNonce xmlns="syncml:metinf">` + base64.StdEncoding.EncodeToString(n) + `</NextNonce></Meta></Chal>` +
			`<Data>401</Data></Status>`
	}
	for _, tt := range []struct {
		max, size int
		kept      bool
	}{
		{0, 16, true},
		{0, DefaultMaxNonceBytes, true},
		{0, DefaultMaxNonceBytes + 1, false},
		{0, 1 << 20, false},
		{8, 8, true},
		{8, 9, false},
	} {
		s := NewSession(&Config{ServerAuth: &ServerAuth{Type: AuthMD5, MaxNonceBytes: tt.max, Secret: func(context.Context, Identity) (string, string, error) {
			return "srv", "srv-secret", nil
		}}})
		if err := s.Queue(get("./DevDetail/SwV")); err != nil {
			t.Fatal(err)
		}
		handle(t, s, devMsg("1", "1", alert1201))
		handle(t, s, devMsg("1", "2", chal([]byte{1, 2, 3, 4})))
		n := bytes.Repeat([]byte{7}, tt.size)
		handle(t, s, devMsg("1", "3", chal(n)))
		if got := bytes.Equal(s.st.PeerNonce, n); got != tt.kept {
			t.Errorf("MaxNonceBytes %d, a nonce of %d bytes: kept %v, want %v", tt.max, tt.size, got, tt.kept)
		}
		if !tt.kept && !bytes.Equal(s.st.PeerNonce, []byte{1, 2, 3, 4}) {
			t.Errorf("MaxNonceBytes %d, a nonce of %d bytes: the nonce before was not kept (%d bytes)", tt.max, tt.size, len(s.st.PeerNonce))
		}
	}
}
