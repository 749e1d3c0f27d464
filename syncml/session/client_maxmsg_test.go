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
