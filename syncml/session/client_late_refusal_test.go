package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A Client whose object in flight the server refuses late (the 413 for
// its chunk comes after a device message of Statuses alone, the server's
// first message having left the chunk unanswered) sends none of the
// object's remaining pieces, and reports the command, whole, with the
// 413. Before, dropRefused looked for the object's rest only when the
// last message ended with its chunk: after a message of Statuses alone
// the rest stayed in the package and went out, pieces of an object the
// server had refused, and the Outcome held the refused chunk, not the
// command queued.
func TestClientLateRefusalAfterStatuses(t *testing.T) {
	ctx := context.Background()
	obj := strings.Repeat("b", 4000)
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", ServerMaxMsgSize: 1500,
		Handler: HandlerFunc(func(context.Context, *Request) Response { return Response{} })})
	if err != nil {
		t.Fatal(err)
	}
	q := objReplace("./B", obj)
	if err := c.Queue(q); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var outs []Outcome
	var chunkRef string // CmdID of the chunk package 1 carried
	refused := false
	for msg := 1; ; msg++ {
		if msg == 20 {
			t.Fatal("the session does not end")
		}
		body := fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, m.Header.MsgID)
		id := 1
		pieces := 0
		for _, x := range m.Body.Commands {
			if isAnswer(x) {
				continue
			}
			if it := x.ItemList(); x.ElementName() == "Replace" && len(it) == 1 && it[0].Target != nil && it[0].Target.LocURI == "./B" {
				pieces++
				if refused {
					t.Errorf("device message %s: a piece of the object the server refused", m.Header.MsgID)
				}
				if msg == 1 {
					chunkRef = x.ID()
					continue // answered late
				}
			}
			id++
			code := "200"
			if it := x.ItemList(); len(it) == 1 && it[0].MoreData {
				code = "213"
			}
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%s</Data></Status>`,
				id, m.Header.MsgID, x.ID(), x.ElementName(), code)
		}
		if msg == 1 {
			if chunkRef == "" {
				t.Fatal("package 1 carries no chunk of the object")
			}
			for i := range 30 {
				id++
				body += fmt.Sprintf(`<Add><CmdID>%d</CmdID><Item><Target><LocURI>./Vendor/MSFT/Node%02d/%s</LocURI></Target><Data>v</Data></Item></Add>`, id, i, strings.Repeat("n", 40))
			}
		}
		if msg == 2 {
			if pieces != 0 {
				t.Fatal("the device's second message carries a piece of the object: the case is not tested")
			}
			id++
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Cmd>Replace</Cmd><Data>413</Data></Status>`, id, chunkRef)
			refused = true
		}
		if msg > 1 && (m.Body.Final || pieces == 0) {
			body += `<Final/>`
		}
		raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
			fmt.Sprintf(`<MsgID>%d</MsgID>`, msg) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
			`<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta></SyncHdr><SyncBody>` + body + `</SyncBody></SyncML>`
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(raw)})
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, cx.Outcomes...)
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	var got []string
	for _, o := range outs {
		if o.Command.ElementName() == "Replace" {
			it := o.Command.ItemList()
			got = append(got, fmt.Sprintf("%s %d bytes", codeOf(o), len(it[0].Data.Value)))
			if o.Command != syncml.Command(q) {
				t.Errorf("Outcome of the object holds %p, not the command queued", o.Command)
			}
		}
	}
	if want := []string{"413 4000 bytes"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Outcomes of the object: %v, want %v", got, want)
	}
}
