package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A Client's object in flight is kept whole in the stream of its
// messages when a message of Statuses alone goes out between two of its
// chunks (the server sent more commands than the Statuses of one message
// hold): after the object's first chunk, nothing of the device's but
// Statuses and Alerts 1222 comes before its next chunk, neither what
// EachMessage gives (a command of its own, new to the server) nor the
// Results answering a Get the server sent meanwhile (new Items). OMA DM,
// large objects: no new command or Item goes between the chunks of an
// object, or the server takes the object as cut (Alert 1225). Before,
// the Client knew the object in flight from the last message only:
// after a message of Statuses alone, EachMessage's command and the
// Results went in front of the next chunk.
func TestClientInFlightOrderAfterStatuses(t *testing.T) {
	ctx := context.Background()
	obj := strings.Repeat("b", 4000)
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", ServerMaxMsgSize: 1500,
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			if r.Command.ElementName() == "Get" {
				return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./G"}, Data: syncml.Text("g")}}}
			}
			return Response{}
		}),
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			return []syncml.Command{&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./E"}, Data: syncml.Text("1")}}}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(objReplace("./B", obj)); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder // the object as the server gets it
	open := false           // a chunk of the object went, its end did not
	behind := false         // a message of Statuses alone went with the object open
	gets := 0
	for msg := 1; ; msg++ {
		if msg == 40 {
			t.Fatal("the session does not end")
		}
		// The device's message, as the server reads it.
		carried := false
		for _, x := range m.Body.Commands {
			if _, ok := x.(*syncml.Status); ok {
				continue
			}
			if a, ok := x.(*syncml.Alert); ok {
				if code, _ := a.Code(); code == syncml.AlertNextMessage {
					continue
				}
			}
			it := x.ItemList()
			piece := x.ElementName() == "Replace" && len(it) == 1 && it[0].Target != nil && it[0].Target.LocURI == "./B"
			if open && !piece {
				t.Errorf("device message %s: %s (%s) between two chunks of the object", m.Header.MsgID, x.ElementName(), uriOf(x))
			}
			if piece {
				got.WriteString(it[0].Data.Value)
				open = it[0].MoreData
				carried = true
			}
		}
		statusesOnly := open && !carried
		if statusesOnly {
			behind = true
		}
		// The server answers each command (213 for a chunk); its first
		// message sends Adds whose Statuses do not fit in one device
		// message, and the message after one of Statuses alone a Get.
		body := fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, m.Header.MsgID)
		id := 1
		chunks := 0
		for _, x := range m.Body.Commands {
			if isAnswer(x) {
				continue
			}
			id++
			code := "200"
			if it := x.ItemList(); len(it) == 1 && it[0].MoreData {
				code = "213"
				chunks++
			}
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%s</Data></Status>`,
				id, m.Header.MsgID, x.ID(), x.ElementName(), code)
		}
		if msg == 1 {
			for i := range 30 {
				id++
				body += fmt.Sprintf(`<Add><CmdID>%d</CmdID><Item><Target><LocURI>./Vendor/MSFT/Node%02d/%s</LocURI></Target><Data>v</Data></Item></Add>`, id, i, strings.Repeat("n", 40))
			}
		}
		if statusesOnly && gets < 3 {
			id++
			gets++
			body += fmt.Sprintf(`<Get><CmdID>%d</CmdID><Item><Target><LocURI>./G</LocURI></Target></Item></Get>`, id)
		}
		if msg > 1 && (m.Body.Final || chunks == 0) {
			body += `<Final/>`
		}
		raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
			fmt.Sprintf(`<MsgID>%d</MsgID>`, msg) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
			`<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta></SyncHdr><SyncBody>` + body + `</SyncBody></SyncML>`
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(raw)})
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	if !behind || gets == 0 {
		t.Fatal("no device message of Statuses alone went with the object open: the case is not tested")
	}
	if got.String() != obj {
		t.Errorf("the server got %d bytes of the object, want %d", got.Len(), len(obj))
	}
}

// uriOf returns the LocURI of x's first Item (Target, else Source).
func uriOf(x syncml.Command) string {
	it := x.ItemList()
	switch {
	case len(it) == 0:
		return ""
	case it[0].Target != nil:
		return it[0].Target.LocURI
	case it[0].Source != nil:
		return it[0].Source.LocURI
	}
	return ""
}
