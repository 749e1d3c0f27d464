package session

import (
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A message refused under a device's ID, from anyone, does not change the
// device's nonce: the 401 or 407 repeats the nonce the device holds, and
// the device's next session is accepted at once.
func TestRefusalKeepsNonce(t *testing.T) {
	type codes = []syncml.StatusCode
	for _, tt := range []struct {
		typ  AuthType
		next codes // the device's session after the intruder's messages
	}{
		{AuthMD5, codes{212, 200}},
		{AuthHMAC, codes{200, 200}},
	} {
		t.Run(authShort(tt.typ), func(t *testing.T) {
			p := newAuthPeers(t, tt.typ)
			ca := &ClientAuth{Username: "dev", Password: "secret"}
			c := authClient(t, p, ca)
			if err := p.run(t, c, "1"); err != nil {
				t.Fatal(err)
			}
			// the nonce the server sent last: the device's for its next
			// message (MD5: its next session's)
			held := ""
			p.mu.Lock()
			for _, n := range p.nonces {
				if n != "" {
					held = n
				}
			}
			p.mu.Unlock()
			p.take()
			if held == "" {
				t.Fatal("the server sent no nonce in the device's first session")
			}
			// The intruder: no credentials, a wrong password, a Cred or
			// header of the right password under another nonce.
			intrude := func(cred *syncml.Cred, hmac string) {
				m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "77", MsgID: "1", Cred: cred,
					Target: syncml.Location{LocURI: p.ts.URL}, Source: syncml.Location{LocURI: "DEV", LocName: "dev"}},
					Body: syncml.Body{Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}, Final: true}}
				number(m.Body.Commands, new(int))
				raw, err := syncml.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				postSyncML(t, p.ts.Client(), p.ts.URL, raw, hmac)
			}
			other := []byte("not-the-device-nonce")
			switch tt.typ {
			case AuthMD5:
				intrude(nil, "")
				intrude(md5Cred("dev", "wrong", ca.Nonce), "")
				intrude(md5Cred("dev", "secret", other), "")
			case AuthHMAC:
				intrude(nil, "")
				intrude(nil, newHMACHeader("dev", "wrong", ca.Nonce, []byte("x")).String())
				intrude(nil, newHMACHeader("dev", "secret", other, []byte("x")).String())
			}
			p.mu.Lock()
			got, nonces := p.codes, p.nonces
			p.mu.Unlock()
			if !slices.Equal(got, codes{407, 401, 401}) {
				t.Errorf("intruder: codes %v, want 407 401 401", got)
			}
			for i, n := range nonces {
				if n != held {
					t.Errorf("intruder's message %d: Chal NextNonce %q, want the device's %q", i+1, n, held)
				}
			}
			p.take()
			if err := p.run(t, c, "2"); err != nil {
				t.Fatal(err)
			}
			if got, _, _, _, refusals, delivered := p.take(); !slices.Equal(got, tt.next) || len(refusals) != 0 || delivered != 1 {
				t.Errorf("the device's next session: codes %v, refusals %v, %d delivered; want %v", got, refusals, delivered, tt.next)
			}
		})
	}
}
