package session_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device that sends no credentials is challenged (407 with an MD5 Chal
// and a nonce), sends package 1 again with an MD5 credential for that
// nonce, and is accepted for the session (212).
func ExampleCredAuthenticator() {
	ctx := context.Background()
	users := &session.MemoryUsers{}
	users.Set("Bruce2", "OhBehave")
	server := session.NewSession(&session.Config{
		Authenticator: &session.CredAuthenticator{Type: session.AuthMD5, Users: users},
	})
	client, _ := session.NewClient(session.ClientConfig{
		DeviceID: "DEVICE-1", LocName: "Bruce2", ServerURI: "https://mdm.example/",
		Credentials: &session.ClientAuth{Username: "Bruce2", Password: "OhBehave"},
	})
	m, _ := client.Start(ctx, "1")
	for range 3 {
		x, err := server.Handle(ctx, &session.Inbound{Message: m})
		if err != nil {
			fmt.Println(err)
			return
		}
		st := x.Reply.Body.Commands[0].(*syncml.Status)
		code, _ := st.Code()
		fmt.Printf("server: %d %s user %q\n", int(code), st.Chal.Meta.Type, x.Identity.User)
		if code.Success() {
			return
		}
		cx, err := client.Handle(ctx, x.Reply)
		if err != nil {
			fmt.Println("client:", err)
			return
		}
		m = cx.Reply
	}
	// Output:
	// server: 407 syncml:auth-md5 user ""
	// server: 212 syncml:auth-md5 user "Bruce2"
}

// A ClientAuth under HMAC signs each message body with the nonce of the
// server's last challenge, in the x-syncml-hmac header.
func ExampleClientAuth_Sign() {
	c := &session.ClientAuth{Username: "Bruce2", Password: "OhBehave"}
	chal := &syncml.Chal{Meta: &syncml.Meta{Type: string(session.AuthHMAC), Format: "b64", NextNonce: "Tm9uY2U="}}
	h := http.Header{}
	if err := c.Sign(context.Background(), chal, []byte("<SyncML/>"), h); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(session.HMACHeaderName+":", h.Get(session.HMACHeaderName))
	// Output:
	// x-syncml-hmac: algorithm=MD5, username="Bruce2", mac=urdCeS3JUmjFgi8SX3webw==
}
