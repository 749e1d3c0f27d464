package session

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientRefusesOtherTarget: a server message addressed to another
// device (its SyncHdr Target LocURI is not the Client's DeviceID) is
// refused as one for another session is, with ErrProtocol, and the
// Handler does not run. Before the fix it was handled.
func TestClientRefusesOtherTarget(t *testing.T) {
	ctx := context.Background()
	ran := 0
	mux := NewMux()
	mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
	for _, target := range []string{"someone-else", "dev1", "DEV1 ", ""} {
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: mux})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2",
			SessionID: "1", MsgID: "1", Target: syncml.Location{LocURI: target}, Source: syncml.Location{LocURI: "https://srv/dm"}},
			Body: syncml.Body{Final: true, Commands: []syncml.Command{get("./DevDetail/SwV")}}}
		m.Body.Commands[0].(*syncml.Get).CmdID = "1"
		if _, err := c.Handle(ctx, m); !errors.Is(err, ErrProtocol) {
			t.Errorf("Target %q: %v; want ErrProtocol", target, err)
		}
		m.Header.Target.LocURI = "DEV1"
		if _, err := c.Handle(ctx, m); err != nil {
			t.Errorf("Target DEV1: %v", err)
		}
	}
	if ran != 4 {
		t.Errorf("the Handler ran %d times; want 4 (once per Target DEV1)", ran)
	}
}
