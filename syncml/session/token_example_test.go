package session_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A Server with SessionToken: the device, accepted with basic credentials
// (212), is told to post the rest of the session to a RespURI carrying the
// session's token. A message of the session posted to the plain URL
// without credentials, as anyone who knows the device's ID and guesses
// its SessionID could post, is challenged (407); the device's own, at the
// RespURI, is accepted (200).
func ExampleConfig_sessionToken() {
	ctx := context.Background()
	users := &session.MemoryUsers{}
	users.Set("dev", "secret")
	srv := session.NewServer(session.ServerConfig{Session: session.Config{
		Authenticator: &session.CredAuthenticator{Type: session.AuthBasic, Users: users},
		SessionToken:  true,
	}})
	// something to ask, so that the session goes on after the 212
	_ = srv.Queue(ctx, "DEVICE-1", session.NewGets("./DevDetail/SwV")...)
	device, _ := session.NewClient(session.ClientConfig{
		DeviceID: "DEVICE-1", ServerURI: "https://mdm.example/dm",
		Credentials: &session.ClientAuth{Username: "dev", Password: "secret", Type: session.AuthBasic},
	})
	post := func(to string, m *syncml.Message) *syncml.Message {
		raw, _ := syncml.Marshal(m)
		req := httptest.NewRequest(http.MethodPost, to, bytes.NewReader(raw))
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var reply syncml.Message
		_ = syncml.Unmarshal(rec.Body.Bytes(), &reply)
		code, _ := reply.Body.Commands[0].(*syncml.Status).Code()
		u, _ := url.Parse(reply.Header.RespURI)
		fmt.Printf("%d, RespURI with a token: %t\n", int(code), u.Query().Get(session.SessionTokenParam) != "")
		return &reply
	}
	m, _ := device.Start(ctx, "1")
	reply := post("https://mdm.example/dm", m)
	x, _ := device.Handle(ctx, reply)

	// someone else, without credentials, at the plain URL
	forged := *x.Reply
	forged.Header.MsgID = "9"
	post("https://mdm.example/dm", &forged)

	// the device, at the RespURI
	post(reply.Header.RespURI, x.Reply)
	// Output:
	// 212, RespURI with a token: true
	// 407, RespURI with a token: false
	// 200, RespURI with a token: true
}
