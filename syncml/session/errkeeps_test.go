package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// sizedMsg is a device message announcing MaxMsgSize max (none when 0),
// with Final when final is set.
func sizedMsg(sessionID, msgID string, max int, body string, final bool) []byte {
	meta, f := "", ""
	if max > 0 {
		meta = fmt.Sprintf(`<Meta><MaxMsgSize xmlns="syncml:metinf">%d</MaxMsgSize></Meta>`, max)
	}
	if final {
		f = "<Final/>"
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sessionID + `</SessionID><MsgID>` + msgID + `</MsgID>` +
		`<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>DEV1</LocURI></Source>` + meta + `</SyncHdr><SyncBody>` + body + f + `</SyncBody></SyncML>`)
}

// sentGets lists the LocURIs of the Gets of a reply.
func sentGets(m *syncml.Message) []string {
	var out []string
	for _, c := range m.Body.Commands {
		if g, ok := c.(*syncml.Get); ok {
			out = append(out, g.Items[0].Target.LocURI)
		}
	}
	return out
}

// TestServerFailedReplyKeepsQueue: a device whose MaxMsgSize not even the
// reply's Statuses fit in gets an error matching ErrLimit (HTTP 500), and
// the commands queued for it stay queued: when it starts over with a
// MaxMsgSize they fit in, they go out, in order. Handle took them off the
// queue before packing and dropped them with the error: the device never
// got them, and no Outcome said so (a device announcing MaxMsgSize 200
// emptied its queue).
func TestServerFailedReplyKeepsQueue(t *testing.T) {
	s := NewSession(nil)
	if err := s.Queue(get("./A"), get("./B")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", 200, alert1201, true)})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("MaxMsgSize 200: %v, want an error matching ErrLimit", err)
	}
	x := handle(t, s, sizedMsg("2", "1", 5000, alert1201, true))
	if got := strings.Join(sentGets(x.Reply), " "); got != "./A ./B" {
		t.Errorf("after the failed reply, the next session sends %q, want \"./A ./B\" (%v)", got, summary(x.Reply))
	}
}

// TestServerFailedContinuationKeepsPackage: a device that lowers its
// MaxMsgSize below what the Statuses need while the server's package is
// spread over messages gets an error, and the rest of the package is kept:
// a restart sends it, in order, after the commands sent and unanswered.
func TestServerFailedContinuationKeepsPackage(t *testing.T) {
	s := NewSession(nil)
	var want []string
	for i := range 12 {
		u := fmt.Sprintf("./Vendor/MSFT/Policy/Config/Node%02d", i)
		want = append(want, u)
		if err := s.Queue(get(u)); err != nil {
			t.Fatal(err)
		}
	}
	x := handle(t, s, sizedMsg("1", "1", 900, alert1201, true))
	if x.Reply.Body.Final {
		t.Fatalf("one message carries the package: %v", summary(x.Reply))
	}
	first := sentGets(x.Reply)
	// the device answers and asks for more with a MaxMsgSize now too small
	body := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert>`
	if _, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "2", 200, body, false)}); !errors.Is(err, ErrLimit) {
		t.Fatalf("MaxMsgSize 200: %v, want an error matching ErrLimit", err)
	}
	x = handle(t, s, sizedMsg("2", "1", 50000, alert1201, true))
	got := append(first, sentGets(x.Reply)...)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sent %v then, after the restart, %v; want %v, each once, in order", first, sentGets(x.Reply), want)
	}
}
