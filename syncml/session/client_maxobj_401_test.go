package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Package 1 rebuilt after a refusal (401) whose message announced the
// server's MaxObjSize holds its queued commands to it: one with an Item
// over it is not sent (neither whole nor in chunks, in any message of the
// package), its Outcome comes with the rebuilt package, once (a second
// refusal does not report it again), holding the command as queued with
// a *LimitError of MaxObjSize; the others go. Before, the rebuilt
// package's first message was built without the check (the object's
// first chunk went out, the server having said it takes no object that
// large).
func TestClientPackage1RebuiltOverPeerMaxObj(t *testing.T) {
	ctx := context.Background()
	big := objReplace("./B", strings.Repeat("b", 3000))
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, MaxAuthRetries: 3,
		Credentials: &ClientAuth{Username: "u", Password: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(objReplace("./A", "a"), big, objReplace("./C", "c")); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	uris := func(m *syncml.Message) []string {
		var out []string
		for _, x := range m.Body.Commands {
			if _, ok := x.(*syncml.Replace); ok {
				out = append(out, itemURI(x.ItemList()[0]))
			}
		}
		return out
	}
	if got := strings.Join(uris(m), " "); !strings.Contains(got, "./B") {
		t.Fatalf("package 1 before the announcement carried %q, want ./B's first chunk among them", got)
	}
	refusal := func(msgID string, ref string) []byte {
		return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
			`<MsgID>` + msgID + `</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
			`<Meta><MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize></Meta></SyncHdr><SyncBody>` +
			`<Status><CmdID>1</CmdID><MsgRef>` + ref + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>` +
			`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>` +
			`<Data>401</Data></Status><Final/></SyncBody></SyncML>`)
	}
	var outs []Outcome
	for i := range 2 { // refused twice
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: refusal(fmt.Sprint(i+1), m.Header.MsgID)})
		if err != nil {
			t.Fatalf("refusal %d: %v", i+1, err)
		}
		m = cx.Reply
		if m == nil || m.Header.Cred == nil {
			t.Fatalf("refusal %d: no package 1 with credentials: %+v", i+1, m)
		}
		if got := strings.Join(uris(m), " "); got != "./A ./C" {
			t.Errorf("refusal %d: the rebuilt package 1 carried %q, want ./A ./C", i+1, got)
		}
		found := limitedOutcomes(t, cx.Outcomes, 3000)
		outs = append(outs, found...)
		if want := 1 - i; len(found) != want {
			t.Errorf("refusal %d: %d Outcomes with a LimitError, want %d", i+1, len(found), want)
		}
	}
	if len(outs) == 1 {
		if o := outs[0]; o.Command != syncml.Command(big) || o.MsgID != "" {
			t.Errorf("Outcome %+v, want the command queued, never sent", o)
		}
	}
	if it := big.Items[0]; it.Data.Value != strings.Repeat("b", 3000) || it.MoreData || (it.Meta != nil && it.Meta.Size != "") {
		t.Errorf("./B's Item is not as queued: %d bytes, MoreData %v", len(it.Data.Value), it.MoreData)
	}
	if len(c.cont) > 0 {
		t.Errorf("the rest of package 1 holds %d commands, want none", len(c.cont))
	}
}
