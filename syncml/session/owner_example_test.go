package session_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/windc-go/windc/syncml/session"
)

// An enrollment server binds the new device DEVICE-1 to alice, the DM
// user it provisioned, before the device's first session: bob's valid
// credentials are then refused for it, and alice's accepted. When the
// device is enrolled again for bob, it is bound to him instead.
func ExampleServer_SetOwner() {
	ctx := context.Background()
	users := &session.MemoryUsers{}
	users.Set("alice", "alice-pw")
	users.Set("bob", "bob-pw")
	srv := session.NewServer(session.ServerConfig{Session: session.Config{
		Authenticator: &session.CredAuthenticator{Type: session.AuthMD5, Users: users},
	}})
	ts := httptest.NewServer(srv) // loopback
	defer ts.Close()

	if err := srv.SetOwner(ctx, "DEVICE-1", "alice"); err != nil {
		fmt.Println(err)
		return
	}
	owner, _ := srv.Owner(ctx, "DEVICE-1")
	fmt.Printf("owner: %q\n", owner)

	run := func(user, sessionID string) {
		c, err := session.NewClient(session.ClientConfig{DeviceID: "DEVICE-1", LocName: user, ServerURI: ts.URL,
			Credentials: &session.ClientAuth{Username: user, Password: user + "-pw", Type: session.AuthMD5}})
		if err != nil {
			fmt.Println(err)
			return
		}
		_, err = c.Run(ctx, ts.Client(), ts.URL, sessionID)
		fmt.Printf("%s: accepted %v\n", user, err == nil)
	}
	run("bob", "1")
	run("alice", "2")

	// re-enrolled for bob
	if err := srv.SetOwner(ctx, "DEVICE-1", "bob"); err != nil {
		fmt.Println(err)
		return
	}
	run("alice", "3")
	run("bob", "4")
	// Output:
	// owner: "alice"
	// bob: accepted false
	// alice: accepted true
	// alice: accepted false
	// bob: accepted true
}
