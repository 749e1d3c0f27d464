package session

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestBrk2UnansweredCommandsAccounted: a server that ends the session
// (Final, no command) without a Status for the device's queued Replace
// breaks the protocol (every command is answered unless NoResp). Run
// returns nil and no Outcome for the Replace: it comes Abandoned only in
// the Exchange of the next session's first answered message, so a device
// that restarts before (a Client keeps nothing on disk) or whose next
// session fails loses it without a word, and Run's caller cannot tell the
// session ended with commands unanswered. The Replace must get its
// Outcome (Abandoned) in this Run's, or Run must fail with an error
// matching ErrProtocol.
func TestBrk2UnansweredCommandsAccounted(t *testing.T) {
	srv, got := brk2Script(t, func(n int, ref string) []byte {
		return brk2Reply(t, "1", strconv.Itoa(n), ref, true)
	})
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	out, err := c.Run(context.Background(), hc, srv.URL, "1")
	if errors.Is(err, ErrProtocol) {
		return
	}
	for _, o := range out {
		if r, ok := o.Command.(*syncml.Replace); ok && r.Items[0].Target.LocURI == "./Vendor/Q" {
			if !o.Abandoned || o.Status != nil {
				t.Errorf("the Replace's Outcome %+v; want Abandoned", o)
			}
			return
		}
	}
	t.Errorf("Run: %v, %d Outcomes after %d posts: none for the Replace the server left unanswered", err, len(out), len(*got))
}
