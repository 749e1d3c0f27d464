package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerAbortStatusOnly: a device's Alert 1223 (session abort) is
// answered with Statuses only (issue 10; OMA DM: the session ends with
// that message). A Results coming in chunks when the device aborts is not
// answered with an Alert 1225 (end of data for an object cut): the object
// goes with the session.
func TestServerAbortStatusOnly(t *testing.T) {
	s := NewSession(nil)
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	handle(t, s, devMsg("4", "1", alert1201))
	x := handle(t, s, devMsg("4", "2",
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
			`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
			`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./DevDetail/SwV</LocURI></Source>`+
			`<Meta><Size xmlns="syncml:metinf">8</Size></Meta><Data>abcd</Data><MoreData/></Item></Results>`+
			`<Alert><CmdID>4</CmdID><Data>1223</Data></Alert>`))
	for _, c := range x.Reply.Body.Commands {
		if _, ok := c.(*syncml.Status); !ok {
			t.Errorf("abort answered with %s: %v", c.ElementName(), summary(x.Reply))
		}
	}
	if !x.Reply.Body.Final || !x.Done {
		t.Errorf("Final %v, Done %v: %v", x.Reply.Body.Final, x.Done, summary(x.Reply))
	}
}

// TestServerAbortWithinMaxMsgSize: the reply to an abort is the last
// message of the session, so its Statuses cannot go on in a next one;
// it still keeps to the device's MaxMsgSize (issue 10: messages fit the
// device's MaxMsgSize), with the SyncHdr's Status first and the abort's
// own Status, instead of failing (HTTP 500 from a Server).
func TestServerAbortWithinMaxMsgSize(t *testing.T) {
	const max = 900
	var body strings.Builder
	body.WriteString(alert1201)
	for i := 2; i < 14; i++ {
		fmt.Fprintf(&body, `<Alert><CmdID>%d</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>`, i)
	}
	body.WriteString(`<Alert><CmdID>14</CmdID><Data>1223</Data></Alert>`)
	raw := strings.Replace(string(devMsg("5", "1", body.String())), "</Source></SyncHdr>",
		fmt.Sprintf(`</Source><Meta><MaxMsgSize xmlns="syncml:metinf">%d</MaxMsgSize></Meta></SyncHdr>`, max), 1)
	x := handle(t, NewSession(nil), []byte(raw))
	if len(x.Raw) > max {
		t.Errorf("abort reply of %d bytes over MaxMsgSize %d", len(x.Raw), max)
	}
	got := summary(x.Reply)
	if len(got) < 2 || got[0] != "1:Status(1/0 SyncHdr 200)" || !strings.HasSuffix(got[len(got)-1], "Status(1/14 Alert 200)") {
		t.Errorf("abort reply %v: want the SyncHdr's Status first and the abort's last", got)
	}
	if !x.Reply.Body.Final || !x.Done {
		t.Errorf("Final %v, Done %v", x.Reply.Body.Final, x.Done)
	}
}
