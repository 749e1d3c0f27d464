package session

import (
	"bytes"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A device the server never sent a nonce has nothing to compute MD5 or
// HMAC credentials with: its first session is challenged once (407 or
// 401 with a new nonce, kept), then accepted. A stranger's messages under
// the device's ID (no credentials, a wrong password, the right password
// under a nonce of its own) must not cost the device more, whether they
// come before its first session or between its challenge and its answer
// to it: its first session is challenged once, as a lone device's is, and
// its second is accepted at once. Before the device has a nonce, the
// stranger's refusal makes one (the device's own challenge then repeats
// it); from the device's challenge on, refusals repeat the nonce the
// device holds. With refusals that replace the nonce (the behaviour
// before 4a9ef46), the stranger between challenge and answer made the
// device's answer stale: 407, 401, then 212.
func TestStrangerBeforeFirstNonce(t *testing.T) {
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		// preset "": the device sends no credentials until challenged;
		// preset typ: it sends them at once, with the empty nonce
		for _, preset := range []AuthType{"", typ} {
			t.Run(authShort(typ)+"/preset-"+authShort(preset), func(t *testing.T) {
				lone1, lone2 := strangerSessions(t, typ, preset, "")
				if len(lone1) == 0 || lone1[0].Success() || slices.ContainsFunc(lone1[1:], refused) {
					t.Fatalf("a lone device's first session: codes %v, want the one challenge, then acceptance", lone1)
				}
				for _, when := range []string{"before", "between"} {
					got1, got2 := strangerSessions(t, typ, preset, when)
					if !slices.Equal(got1, lone1) {
						t.Errorf("stranger %s: the device's first session: codes %v; a lone device's: %v", when, got1, lone1)
					}
					if !slices.Equal(got2, lone2) || len(got2) == 0 || !got2[0].Success() {
						t.Errorf("stranger %s: the device's second session: codes %v; a lone device's: %v, accepted at once", when, got2, lone2)
					}
				}
			})
		}
	}
}

// strangerSessions runs a device's first two sessions on a new server
// and returns the codes of the server's SyncHdr Statuses in each. A
// stranger sends its three messages under the
// device's ID, in the SessionID of the device's first session (Windows
// numbers its sessions with small integers), when says: "" never,
// "before" the first session, "between" the device's first challenge and
// its answer.
func strangerSessions(t *testing.T, typ, preset AuthType, when string) (first, second []syncml.StatusCode) {
	t.Helper()
	p := newAuthPeers(t, typ)
	intrude := func(cred *syncml.Cred, hmac string) {
		m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1", Cred: cred,
			Target: syncml.Location{LocURI: p.ts.URL}, Source: syncml.Location{LocURI: "DEV", LocName: "dev"}},
			Body: syncml.Body{Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}, Final: true}}
		number(m.Body.Commands, new(int))
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Error(err)
			return
		}
		// straight to the server: p records the device's exchanges only
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", p.ts.URL, bytes.NewReader(raw))
		req.Header.Set("Content-Type", ContentType)
		if hmac != "" {
			req.Header.Set(HMACHeaderName, hmac)
		}
		p.srv.ServeHTTP(rec, req)
		var reply syncml.Message
		if err := syncml.Unmarshal(rec.Body.Bytes(), &reply); err != nil || len(reply.Body.Commands) == 0 {
			t.Errorf("the stranger's message: reply %q", rec.Body.String())
			return
		}
		if code := mustCode(t, reply.Body.Commands[0].(*syncml.Status)); code.Success() {
			t.Errorf("the stranger's message accepted: %d", code)
		}
	}
	stranger := func() {
		other := []byte("a-nonce-of-the-stranger")
		intrude(nil, "")
		if typ == AuthMD5 {
			intrude(md5Cred("dev", "wrong", nil), "")
			intrude(md5Cred("dev", "secret", other), "")
		} else {
			intrude(nil, newHMACHeader("dev", "wrong", nil, []byte("x")).String())
			intrude(nil, newHMACHeader("dev", "secret", other, []byte("x")).String())
		}
	}
	switch when {
	case "before":
		stranger()
	case "between":
		var once sync.Once
		p.mu.Lock()
		p.refused = func() { once.Do(stranger) }
		p.mu.Unlock()
	}
	c := authClient(t, p, &ClientAuth{Username: "dev", Password: "secret", Type: preset})
	if err := p.run(t, c, "1"); err != nil {
		t.Fatalf("stranger %q: first session: %v", when, err)
	}
	first, _, _, _, _, _ = p.take()
	if err := p.run(t, c, "2"); err != nil {
		t.Fatalf("stranger %q: second session: %v", when, err)
	}
	second, _, _, _, _, _ = p.take()
	return first, second
}

func refused(c syncml.StatusCode) bool { return !c.Success() }
