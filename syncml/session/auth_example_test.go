package session_test

import (
	"context"
	"fmt"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device without credentials is challenged (407), resends package 1 with
// an MD5 credential for the nonce of the challenge and is accepted for the
// session (212) with the nonce for its next session.
func ExampleServerAuth() {
	creds := &session.MemoryCredentials{}
	creds.Set("Bruce2", "OhBehave")
	server := &session.ServerAuth{Type: session.AuthMD5, Credentials: creds}
	client := &session.ClientAuth{Username: "Bruce2", Password: "OhBehave"}

	var issued []byte // the nonce the server keeps for this device
	for {
		cred, _ := client.Cred()
		d, err := server.Check(context.Background(), session.AuthAttempt{Cred: cred, Username: "Bruce2", Nonce: issued})
		if err != nil {
			fmt.Println(err)
			return
		}
		issued = d.NextNonce
		fmt.Println("server:", int(d.Code), d.Outcome, d.Chal.Meta.Type)
		st := &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Chal: d.Chal, Data: d.Code.Data()}
		action, _ := client.OnStatus(st)
		fmt.Println("client:", action)
		if action != session.ClientResend {
			break
		}
	}
	// Output:
	// server: 407 missing syncml:auth-md5
	// client: resend
	// server: 212 accepted syncml:auth-md5
	// client: authenticated
}

// The MD5 credential of the OMA DM protocol's worked example.
func ExampleMD5Cred() {
	c := session.MD5Cred("Bruce2", "OhBehave", []byte("Nonce"))
	fmt.Println(c.Meta.Type, c.Meta.Format, c.Data.Value)
	// Output: syncml:auth-md5 b64 Zz6EivR3yeaaENcRN6lpAQ==
}

// The x-syncml-hmac header of a message body, and its check.
func ExampleNewHMACHeader() {
	creds := &session.MemoryCredentials{}
	creds.Set("Bruce2", "OhBehave")
	body := []byte("<SyncML/>")
	h := session.NewHMACHeader("Bruce2", "OhBehave", []byte("Nonce"), body)
	fmt.Println(session.HMACHeaderName+":", h)
	p, err := session.ParseHMACHeader(h.String())
	fmt.Println(err, session.VerifyHMAC(context.Background(), p, []byte("Nonce"), body, creds))
	// Output:
	// x-syncml-hmac: algorithm=MD5, username="Bruce2", mac=urdCeS3JUmjFgi8SX3webw==
	// <nil> <nil>
}
