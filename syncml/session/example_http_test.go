package session_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A Server over HTTP and a device's Client, with MD5 credentials: the
// server queues a Get and a Replace for the device before it calls, and
// reads what came back in OnExchange.
func ExampleServer() {
	ctx := context.Background()

	// The server.
	users := &session.MemoryUsers{}
	users.Set("dev1", "secret")
	srv := session.NewServer(session.ServerConfig{
		Session: session.Config{
			Authenticator: &session.CredAuthenticator{Type: session.AuthMD5, Users: users},
		},
		OnExchange: func(_ context.Context, x *session.Exchange) {
			for _, o := range x.Outcomes {
				code, _ := o.Code()
				fmt.Println("server:", o.Command.ElementName(), code)
				for _, r := range o.Results {
					fmt.Println("server: read", r.Items[0].Source.LocURI, r.Items[0].Data.Value)
				}
			}
		},
	})
	ts := httptest.NewServer(srv) // in production: http.Handle("/ManagementServer/MDM.svc", srv) over TLS
	defer ts.Close()
	// Commands are queued under the device's ID, the SyncHdr Source
	// LocURI it sends (ClientConfig.DeviceID).
	if err := srv.Queue(ctx, "dev1", session.NewGets("./DevDetail/SwV")...); err != nil {
		fmt.Println("queue:", err)
		return
	}
	if err := srv.Queue(ctx, "dev1", &syncml.Replace{Items: []syncml.Item{{
		Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/Example"}, Data: syncml.Text("1")}}}); err != nil {
		fmt.Println("queue:", err)
		return
	}

	// The device.
	mux := session.NewMux()
	mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		uri := r.Command.(*syncml.Get).Items[0].Target.LocURI
		return session.Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text("10.0.26100")}}}
	}))
	mux.Handle("Replace", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		it := r.Command.(*syncml.Replace).Items[0]
		fmt.Println("device: set", it.Target.LocURI, it.Data.Value)
		return session.Response{}
	}))
	c, err := session.NewClient(session.ClientConfig{
		DeviceID: "dev1", ServerURI: ts.URL, Handler: mux,
		Credentials: &session.ClientAuth{Username: "dev1", Password: "secret", Type: session.AuthMD5},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// ts.Client() trusts the test server; a device's own http.Client
	// needs a Timeout (or ctx a deadline). A new SessionID each session.
	if _, err := c.Run(ctx, ts.Client(), ts.URL, "1"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// device: set ./Vendor/MSFT/Policy/Config/Example 1
	// server: Get 200 OK
	// server: read ./DevDetail/SwV 10.0.26100
	// server: Replace 200 OK
}
