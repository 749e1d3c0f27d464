package session_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device that carries the Client's messages itself (another transport
// than Run's HTTP) says when one was never written: the queued commands in
// it go out again in the next session's package 1, and nothing of it
// comes back Abandoned.
func ExampleClient_NotSent() {
	ctx := context.Background()
	server := session.NewSession(nil) // the server, here in process
	offline := true
	// send carries a device message to the server and returns its reply;
	// errNoLink says nothing was written.
	errNoLink := errors.New("no link")
	send := func(raw []byte) ([]byte, error) {
		if offline {
			return nil, errNoLink
		}
		x, err := server.Handle(ctx, &session.Inbound{Raw: raw})
		if err != nil {
			return nil, err
		}
		return x.Raw, nil
	}

	c, _ := session.NewClient(session.ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/"})
	_ = c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Contoso/Setting"}, Data: syncml.Text("on")}}})

	// run runs one session over send.
	run := func(sessionID string) {
		m, err := c.Start(ctx, sessionID)
		if err != nil {
			fmt.Println(err)
			return
		}
		for {
			raw, err := syncml.Marshal(m)
			if err != nil {
				fmt.Println(err)
				return
			}
			reply, err := send(raw)
			if errors.Is(err, errNoLink) {
				fmt.Println("session", sessionID+":", err)
				_ = c.NotSent(m) // its Replace goes in the next package 1
				return
			}
			if err != nil {
				fmt.Println(err)
				return
			}
			x, err := c.HandleInbound(ctx, &session.Inbound{Raw: reply})
			if err != nil {
				fmt.Println(err)
				return
			}
			for _, o := range x.Outcomes {
				code, _ := o.Code()
				fmt.Println("session", o.SessionID+":", o.Command.ElementName(), syncml.Targets(o.Command), code, "abandoned:", o.Abandoned)
			}
			if x.Reply == nil || x.Done {
				return
			}
			m = x.Reply
		}
	}
	run("1")
	offline = false
	run("2")
	// Output:
	// session 1: no link
	// session 2: Alert [] 200 OK abandoned: false
	// session 2: Replace [./Vendor/Contoso/Setting] 200 OK abandoned: false
}
