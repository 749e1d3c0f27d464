package session

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestSessionDeviceMaxMsgSizeTooSmallPaths: the device's own MaxMsgSize
// that no reply fits in is its fault (ErrProtocol as well as ErrLimit)
// however the reply is reached: on a continuation (the device answers and
// asks for the rest of a package with Alert 1222, its bound now too
// small), and when the server's own Config.MaxMsgSize is the same number
// (the device's bound alone leaves no reply either). The server's own
// bound under the device's stays ErrLimit alone.
func TestSessionDeviceMaxMsgSizeTooSmallPaths(t *testing.T) {
	queued := func(t *testing.T, cfg *Config) *Session {
		s := NewSession(cfg)
		for i := range 12 {
			if err := s.Queue(get(fmt.Sprintf("./Vendor/MSFT/Policy/Config/Node%02d", i))); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	t.Run("continuation", func(t *testing.T) {
		s := queued(t, nil)
		x := handle(t, s, sizedMsg("1", "1", 900, alert1201, true))
		if x.Reply.Body.Final {
			t.Fatalf("one message carries the package: %v", summary(x.Reply))
		}
		body := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
			`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert>`
		_, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "2", 200, body, false)})
		if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrProtocol) {
			t.Errorf("1222 with MaxMsgSize 200: %v, want an error matching ErrLimit and ErrProtocol", err)
		}
	})
	for _, tc := range []struct {
		name         string
		own, peer    int
		wantProtocol bool
	}{
		{"same bound", 200, 200, true},
		{"server's under the device's", 200, 201, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := queued(t, &Config{MaxMsgSize: tc.own})
			_, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", tc.peer, alert1201, true)})
			if !errors.Is(err, ErrLimit) || errors.Is(err, ErrProtocol) != tc.wantProtocol {
				t.Errorf("own %d, device's %d: %v, want ErrLimit, ErrProtocol %v", tc.own, tc.peer, err, tc.wantProtocol)
			}
		})
	}
}
