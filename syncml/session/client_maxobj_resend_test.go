package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A message after package 1 that the server refuses (401) in a message
// announcing its MaxObjSize for the first time is sent again with the
// rest of the package held to that bound: an object of the package cut
// into chunks before the announcement, none of which went out, is not
// sent, in the message sent again or any after it; its Outcome comes with
// that message, holding the command as queued with a *LimitError of
// MaxObjSize; a call that fails leaves the object in the package, cut
// as it was. Before, the message sent again carried the object's first
// chunk.
func TestClientResendOverPeerMaxObj(t *testing.T) {
	ctx := context.Background()
	big := objReplace("./B", strings.Repeat("b", 3000))
	auth := &ClientAuth{Username: "u", Password: "p"}
	credErr := errors.New("no credential now")
	var fail bool // the next Cred fails
	cred := credFunc(func(ctx context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
		if fail {
			return nil, credErr
		}
		return auth.Cred(ctx, chal)
	})
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, MaxAuthRetries: 3,
		ServerMaxMsgSize: 1500, Credentials: cred})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(objReplace("./A", strings.Repeat("a", 600)), objReplace("./A2", strings.Repeat("a", 600)), objReplace("./A3", strings.Repeat("a", 600)),
		big, objReplace("./C", "c")); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	uris := func(m *syncml.Message) string {
		var out []string
		for _, x := range m.Body.Commands {
			if _, ok := x.(*syncml.Replace); ok {
				out = append(out, itemURI(x.ItemList()[0]))
			}
		}
		return strings.Join(out, " ")
	}
	if got := uris(m); got != "./A" {
		t.Fatalf("package 1's first message carried %q, want ./A alone (the test needs the rest for later)", got)
	}
	hdr := func(msgID, meta string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
			`<MsgID>` + msgID + `</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` + meta + `</SyncHdr><SyncBody>`
	}
	ok := hdr("1", `<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta>`) + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>212</Data></Status>` +
		`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert></SyncBody></SyncML>`
	cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(ok)})
	if err != nil {
		t.Fatal(err)
	}
	if m = cx.Reply; m == nil || uris(m) != "./A2" || m.Body.Final {
		t.Fatalf("the device's second message is not ./A2 alone, the package going on: %+v", m)
	}
	refusal := hdr("2", `<Meta><MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize></Meta>`) +
		`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
		`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
		`<Data>401</Data></Status><Final/></SyncBody></SyncML>`
	// a message sent again that fails leaves the rest of the package as
	// it was: ./B in chunks, in it
	fail = true
	if _, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)}); !errors.Is(err, credErr) {
		t.Fatalf("refusal with a failing Cred: %v, want %v", err, credErr)
	}
	fail = false
	var pieces int
	for _, x := range c.cont {
		if it := x.ItemList(); len(it) > 0 && itemURI(it[0]) == "./B" {
			pieces++
		}
	}
	if pieces < 2 || len(big.Items[0].Data.Value) >= 3000 || c.peerObj != 0 {
		t.Fatalf("after a failed call the rest of the package holds %d pieces of ./B (want it in chunks, as before), MaxObjSize %d", pieces, c.peerObj)
	}
	cx, err = c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)})
	if err != nil {
		t.Fatal(err)
	}
	if m = cx.Reply; m == nil || m.Header.Cred == nil || m.Header.MsgID != "3" {
		t.Fatalf("no message sent again with credentials: %+v", m)
	}
	if got := uris(m); got != "./A2 ./A3 ./C" {
		t.Errorf("the message sent again carried %q, want ./A2 ./A3 ./C", got)
	}
	found := limitedOutcomes(t, cx.Outcomes, 3000)
	if len(found) != 1 || found[0].Command != syncml.Command(big) || found[0].MsgID != "" {
		t.Fatalf("Outcomes with a LimitError %+v, want one for ./B, never sent", found)
	}
	if it := big.Items[0]; it.Data.Value != strings.Repeat("b", 3000) || it.MoreData || it.Meta.Size != "" {
		t.Errorf("./B's Item is not as queued: %d bytes, MoreData %v, Size %q", len(it.Data.Value), it.MoreData, it.Meta.Size)
	}
	for _, x := range c.cont {
		if it := x.ItemList(); len(it) > 0 && itemURI(it[0]) == "./B" {
			t.Errorf("the rest of the package still holds a piece of ./B")
		}
	}

	// the server takes it: the package ends without ./B, reported once
	done := hdr("3", "") + `<Status><CmdID>1</CmdID><MsgRef>3</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Final/></SyncBody></SyncML>`
	cx, err = c.HandleInbound(ctx, &Inbound{Raw: []byte(done)})
	if err != nil {
		t.Fatal(err)
	}
	if found := limitedOutcomes(t, cx.Outcomes, 3000); len(found) != 0 {
		t.Errorf("./B reported again: %+v", found)
	}
	if cx.Reply != nil && strings.Contains(uris(cx.Reply), "./B") {
		t.Errorf("the device sent ./B after the refusal: %q", uris(cx.Reply))
	}
}

// A message sent again after a refusal that announces a smaller
// MaxObjSize, whose build fails after the commands over the bound were
// left out (EachMessage fails), leaves the Client as it was: the refused
// message's commands and the rest of the package as they were, ./B cut
// into chunks, the server's MaxObjSize the one before. Handled again, the
// refusal gets the message held to the bound, ./D and ./B each reported
// once.
func TestClientResendHeldToMaxObjUndo(t *testing.T) {
	ctx := context.Background()
	big := objReplace("./B", strings.Repeat("b", 3000))
	whole := objReplace("./D", strings.Repeat("d", 500))
	eachErr := errors.New("no report now")
	var fail bool
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, ServerMaxMsgSize: 1500,
		Credentials: &ClientAuth{Username: "u", Password: "p"},
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if fail {
				return nil, eachErr
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(objReplace("./A", strings.Repeat("a", 600)), whole, big, objReplace("./C", "c")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	hdr := func(msgID, maxObj string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
			`<MsgID>` + msgID + `</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
			`<Meta><MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">` + maxObj + `</MaxObjSize></Meta></SyncHdr><SyncBody>`
	}
	ok := hdr("1", "5000") + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>212</Data></Status>` +
		`<Alert><CmdID>2</CmdID><Data>1222</Data></Alert></SyncBody></SyncML>`
	cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(ok)})
	if err != nil {
		t.Fatal(err)
	}
	pieces := func(cmds []syncml.Command, uri string) int {
		n := 0
		for _, x := range cmds {
			if it := x.ItemList(); len(it) > 0 && itemURI(it[0]) == uri {
				n++
			}
		}
		return n
	}
	if m := cx.Reply; m == nil || pieces(m.Body.Commands, "./D") != 1 || pieces(m.Body.Commands, "./B") != 1 {
		t.Fatalf("the device's second message does not carry ./D and ./B's first chunk: %+v", m)
	}
	refusal := hdr("2", "400") + `<Status><CmdID>1</CmdID><MsgRef>2</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
		`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
		`<Data>401</Data></Status><Final/></SyncBody></SyncML>`
	fail = true
	if _, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)}); !errors.Is(err, eachErr) {
		t.Fatalf("refusal with a failing EachMessage: %v, want %v", err, eachErr)
	}
	fail = false
	if c.peerObj != 5000 || pieces(c.lastSent, "./D") != 1 || pieces(c.lastSent, "./B") != 1 || pieces(c.cont, "./B") < 2 {
		t.Errorf("after a failed call: MaxObjSize %d, the refused message holds %d of ./D and %d of ./B, the rest %d of ./B; want 5000, 1, 1, 2 or more",
			c.peerObj, pieces(c.lastSent, "./D"), pieces(c.lastSent, "./B"), pieces(c.cont, "./B"))
	}
	if n := len(big.Items[0].Data.Value); n >= 3000 || big.Items[0].MoreData {
		t.Errorf("after a failed call ./B's command holds %d bytes, want its last chunk alone, as before", n)
	}
	if n := len(whole.Items[0].Data.Value); n != 500 {
		t.Errorf("after a failed call ./D holds %d bytes, want 500", n)
	}
	cx, err = c.HandleInbound(ctx, &Inbound{Raw: []byte(refusal)})
	if err != nil {
		t.Fatal(err)
	}
	if m := cx.Reply; m == nil || m.Header.Cred == nil || pieces(m.Body.Commands, "./D")+pieces(m.Body.Commands, "./B") != 0 || pieces(m.Body.Commands, "./C") != 1 {
		t.Fatalf("the message sent again does not carry ./C alone: %+v", m)
	}
	var limited []string
	for _, o := range cx.Outcomes {
		var le *LimitError
		if errors.As(o.Err, &le) && le.Limit == "MaxObjSize" && le.Max == 400 {
			limited = append(limited, itemURI(o.Command.ItemList()[0]))
		}
	}
	if got := strings.Join(limited, " "); got != "./D ./B" {
		t.Errorf("Outcomes with a LimitError for %q, want ./D ./B", got)
	}
	if it := big.Items[0]; it.Data.Value != strings.Repeat("b", 3000) || it.MoreData || it.Meta.Size != "" {
		t.Errorf("./B's Item is not as queued: %d bytes, MoreData %v, Size %q", len(it.Data.Value), it.MoreData, it.Meta.Size)
	}
	if pieces(c.cont, "./B") != 0 {
		t.Errorf("the rest of the package still holds a piece of ./B")
	}
}
