package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerPackageGoesOnWithout1222: OMA DM 1.2.1, 2.1.2: the receiver
// of a package spread over messages asks for the next one with Alert
// 1222, which it may leave out when it sends commands in answer to the
// last message (Results). A device that answers every command of the
// server's non-final message (Statuses and Results, no Alert 1222, no
// Final: it may not close its package before the server closes its own)
// gets the next message of the server's package. The server's "Next
// Message" response (Alert 1222 alone, asking for more of the device's
// package) is only for when the server has sent its Final; sent here, it
// kept a device that answers it with its Statuses alone in a loop of
// Alerts 1222, the server's package never going on.
func TestServerPackageGoesOnWithout1222(t *testing.T) {
	const n = 10
	s := NewSession(nil)
	var want []string
	for i := range n {
		uri := fmt.Sprintf("./Vendor/MSFT/Node%02d", i)
		want = append(want, uri)
		if err := s.Queue(get(uri)); err != nil {
			t.Fatal(err)
		}
	}
	msg := func(msgID, body string, final bool) []byte {
		f := ""
		if final {
			f = "<Final/>"
		}
		return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>` + msgID + `</MsgID>` +
			`<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>DEV1</LocURI></Source>` +
			`<Meta><MaxMsgSize xmlns="syncml:metinf">900</MaxMsgSize></Meta></SyncHdr><SyncBody>` + body + f + `</SyncBody></SyncML>`)
	}
	x := handle(t, s, msg("1", alert1201, true))
	var got []string
	for i := 2; ; i++ {
		if i > 3*n {
			t.Fatalf("no Final after %d messages; commands delivered: %v", i-1, got)
		}
		if len(x.Raw) > 900 {
			t.Errorf("server message %s: %d bytes over MaxMsgSize 900", x.Reply.Header.MsgID, len(x.Raw))
		}
		ref := x.Reply.Header.MsgID
		body := `<Status><CmdID>1</CmdID><MsgRef>` + ref + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
		id, cmds := 2, 0
		for _, c := range x.Reply.Body.Commands {
			if _, ok := c.(*syncml.Status); ok {
				continue
			}
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>200</Data></Status>`,
				id, ref, c.ID(), c.ElementName())
			id++
			if g, ok := c.(*syncml.Get); ok {
				cmds++
				got = append(got, g.Items[0].Target.LocURI)
				body += fmt.Sprintf(`<Results><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>v</Data></Item></Results>`,
					id, ref, c.ID(), g.Items[0].Target.LocURI)
				id++
			}
		}
		if x.Reply.Body.Final {
			if cmds == 0 {
				break
			}
			x = handle(t, s, msg(fmt.Sprint(i), body, true)) // the server closed its package: so does the device
			continue
		}
		if cmds == 0 {
			t.Fatalf("server message %s: no Final, no command of the package (%v): the package does not go on; delivered %v",
				ref, summary(x.Reply), got)
		}
		// Answers to a non-final message: no Final (OMA DM), no Alert
		// 1222 (left out, as OMA DM allows when Results go back).
		x = handle(t, s, msg(fmt.Sprint(i), body, false))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("commands delivered %v, want %v in queue order", got, want)
	}
}
