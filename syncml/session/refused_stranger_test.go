package session

import (
	"bytes"
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// strangerMessage is a message with the device's Source, of session sid,
// without credentials: body after the SyncHdr.
func strangerMessage(sid, msgID, body string, cred *syncml.Cred) []byte {
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{
		VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sid, MsgID: msgID,
		Target: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"},
		Source: syncml.Location{LocURI: "DEV", LocName: "dev"}, Cred: cred,
	}}
	raw, err := syncml.Marshal(m)
	if err != nil {
		panic(err)
	}
	return bytes.Replace(raw, []byte("<SyncBody></SyncBody>"), []byte("<SyncBody>"+body+"</SyncBody>"), 1)
}

// Two messages without credentials, from someone who knows a device's ID
// and the SessionID of its open session (Windows numbers its sessions
// with small integers), refused as they are (407), must not change what
// the server sent in that session. They did: the first, in the session,
// marked the session's last message refused, and the second, a package 1
// of another session, was taken as the device starting over after a
// refusal, and refuse put every command sent and not yet answered back in
// the queue (a requeue since removed). The device, which had run them and
// answers them in its next message (at its session's token URL, or signed
// with HMAC), found its Statuses unmatched and got every command again:
// an Exec run twice, its first Outcome lost. Found against dmserver -auth
// basic -session-token and -auth hmac: the device's answer to its first
// session's Replace, Exec Enroll and Gets came back with all ten sent
// again.
func TestStrangerRefusalsKeepSent(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		typ   AuthType
		token bool
	}{{"basic-token", AuthBasic, true}, {"md5-token", AuthMD5, true}, {"hmac", AuthHMAC, false}} {
		t.Run(tc.name, func(t *testing.T) {
			users := &MemoryUsers{}
			users.Set("dev", "secret")
			var mu sync.Mutex
			var outcomes []Outcome
			srv := NewServer(ServerConfig{
				Session: Config{Authenticator: &CredAuthenticator{Type: tc.typ, Users: users}, SessionToken: tc.token},
				OnExchange: func(_ context.Context, x *Exchange) {
					mu.Lock()
					defer mu.Unlock()
					outcomes = append(outcomes, x.Outcomes...)
				},
			})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Test/Run"}}}}
			if err := srv.Queue(ctx, "DEV", exec); err != nil {
				t.Fatal(err)
			}
			var nonce []byte
			post := func(url string, raw []byte, sign bool) *syncml.Message {
				t.Helper()
				hmac := ""
				if sign && nonce != nil {
					hmac = newHMACHeader("dev", "secret", nonce, raw).String()
				}
				m, _ := postReply(t, ts.Client(), url, raw, hmac)
				return m
			}
			// the device: package 1, challenged once when it sends no
			// credentials (MD5, HMAC need the server's nonce), accepted
			const p1 = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>`
			var cred *syncml.Cred
			if tc.typ == AuthBasic {
				var err error
				if cred, err = basicCred("dev", "secret"); err != nil {
					t.Fatal(err)
				}
			}
			reply := post(ts.URL, strangerMessage("1", "1", p1, cred), false)
			if c := mustCode(t, reply.Body.Commands[0].(*syncml.Status)); c == syncml.StatusMissingCredentials {
				nonce = takeNonce(t, reply)
				if tc.typ == AuthMD5 {
					cred = md5Cred("dev", "secret", nonce)
				}
				reply = post(ts.URL, strangerMessage("1", "1", p1, cred), true)
			}
			if c := mustCode(t, reply.Body.Commands[0].(*syncml.Status)); !c.Success() {
				t.Fatalf("package 1: %d", c)
			}
			if tc.typ == AuthHMAC {
				nonce = takeNonce(t, reply)
			}
			execID := cmdIDOf(reply, "Exec")
			if execID == "" {
				t.Fatal("the accepted reply carries no Exec")
			}
			at := ts.URL
			if tc.token {
				at = reply.Header.RespURI
			}
			// the stranger: in the session, then a package 1 of another
			for _, m := range [][]byte{strangerMessage("1", "2", `<Final/>`, nil), strangerMessage("2", "1", p1, nil)} {
				r := post(ts.URL, m, false)
				if c := mustCode(t, r.Body.Commands[0].(*syncml.Status)); c.Success() {
					t.Fatalf("the stranger's message accepted: %d", c)
				}
			}
			// the device answers the Exec it ran (HMAC: again with the nonce
			// of a challenge, when the stranger's took its nonce)
			answer := strangerMessage("1", "2", `<Status><CmdID>1</CmdID><MsgRef>`+reply.Header.MsgID+`</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
				`<Status><CmdID>2</CmdID><MsgRef>`+reply.Header.MsgID+`</MsgRef><CmdRef>`+execID+`</CmdRef><Cmd>Exec</Cmd><Data>200</Data></Status><Final/>`, nil)
			mu.Lock()
			outcomes = nil
			mu.Unlock()
			r := post(at, answer, true)
			if c := mustCode(t, r.Body.Commands[0].(*syncml.Status)); c == syncml.StatusInvalidCredentials && tc.typ == AuthHMAC {
				nonce = takeNonce(t, r)
				r = post(at, answer, true)
			}
			if c := mustCode(t, r.Body.Commands[0].(*syncml.Status)); !c.Success() {
				t.Fatalf("the device's answer: %d", c)
			}
			for _, c := range r.Body.Commands {
				if _, ok := c.(*syncml.Exec); ok {
					t.Errorf("the Exec the device answered is sent again")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			answered := false
			for _, o := range outcomes {
				if _, ok := o.Command.(*syncml.Exec); ok && o.Status != nil {
					answered = true
				}
			}
			if !answered {
				t.Errorf("the device's Status for the Exec matched nothing (Outcomes %d)", len(outcomes))
			}
		})
	}
}

// mustCode returns the code of st.
func mustCode(t *testing.T, st *syncml.Status) syncml.StatusCode {
	t.Helper()
	c, err := st.Code()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// takeNonce returns the NextNonce of the Chal of m's SyncHdr Status.
func takeNonce(t *testing.T, m *syncml.Message) []byte {
	t.Helper()
	st := m.Body.Commands[0].(*syncml.Status)
	if st.Chal == nil || st.Chal.Meta == nil || st.Chal.Meta.NextNonce == "" {
		t.Fatal("no NextNonce")
	}
	n, err := decodeNonce(st.Chal.Meta.NextNonce)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
