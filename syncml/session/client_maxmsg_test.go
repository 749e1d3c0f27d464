package session

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientServerMaxMsgSizeTooSmall: a server announcing a MaxMsgSize
// that not even the device's reply (its SyncHdr and Statuses) fits in is
// the server's fault, as a device's is the device's on a Server: the
// Client's error says so (ErrProtocol as well as ErrLimit), as the
// Session's does (TestServerDeviceMaxMsgSizeTooSmall).
func TestClientServerMaxMsgSizeTooSmall(t *testing.T) {
	c := newTestClient(t, nil)
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	get := &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}}
	get.CmdID = "1"
	_, err := c.Handle(ctx, &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"},
			Meta: &syncml.Meta{MaxMsgSize: "100"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{get}},
	})
	if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrProtocol) {
		t.Errorf("Handle: %v, want an error matching ErrLimit and ErrProtocol", err)
	}
}

// TestClientServerCmdIDs: a server message whose commands' CmdIDs are
// missing, "0" or used twice cannot be answered unambiguously: the
// Client refuses it (ErrProtocol) without running any of its commands,
// and then handles the server's proper message.
func TestClientServerCmdIDs(t *testing.T) {
	for _, ids := range [][2]string{{"1", "1"}, {"0", "2"}, {"1", ""}, {"2", " 02 "}} {
		ran := 0
		c := newTestClient(t, HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
		ctx := context.Background()
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		msg := func(a, b string) *syncml.Message {
			get := func(id string) syncml.Command {
				return &syncml.Get{CmdID: id, Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}}
			}
			return &syncml.Message{
				Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
					Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}},
				Body: syncml.Body{Final: true, Commands: []syncml.Command{get(a), get(b)}},
			}
		}
		if _, err := c.Handle(ctx, msg(ids[0], ids[1])); !errors.Is(err, ErrProtocol) || ran != 0 {
			t.Errorf("CmdIDs %q: Handle: %v, %d commands run; want ErrProtocol and none", ids, err, ran)
		}
		if _, err := c.Handle(ctx, msg("1", "2")); err != nil || ran != 2 {
			t.Errorf("CmdIDs %q, then 1 and 2: Handle: %v, %d commands run; want 2", ids, err, ran)
		}
	}
}
