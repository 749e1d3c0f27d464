package session

import "testing"

// TestClientLocNameFromUsername: a Client whose Credentials are a
// ClientAuth and whose LocName is empty sends the ClientAuth's Username
// as its LocName, the user a server checks MD5 and HMAC credentials
// under; a LocName given is kept. Before, such a Client was refused on
// every try (auth-md5: user "": invalid credentials) and its session
// failed.
func TestClientLocNameFromUsername(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			p := newAuthPeers(t, typ)
			c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: p.ts.URL, Handler: deviceMux(),
				Credentials: &ClientAuth{Username: "dev", Password: "secret", Type: typ}})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.run(t, c, "1"); err != nil {
				t.Fatalf("session: %v", err)
			}
			if _, _, _, ids, _, delivered := p.take(); delivered != 1 || len(ids) == 0 || ids[len(ids)-1].User != "dev" {
				t.Errorf("%d delivered, identities %v; want the Get delivered to user dev", delivered, ids)
			}
		})
	}
	c, err := NewClient(ClientConfig{DeviceID: "DEV", LocName: "other", ServerURI: "https://127.0.0.1/x",
		Credentials: &ClientAuth{Username: "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.LocName != "other" {
		t.Errorf("LocName %q, want the one given, %q", c.cfg.LocName, "other")
	}
}
