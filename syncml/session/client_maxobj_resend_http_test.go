package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// scriptServer is a loopback httptest server that plays a DM server for
// Client.Run: it answers each device message with a Status for its
// SyncHdr and for each of its commands (213 for a chunk, 200 otherwise)
// and, while the device's package goes on, an Alert 1222. The answer to
// the device's message n (from 1) gets the SyncHdr Meta meta(n); when
// refuse(n) is true, the message is refused instead (401 with a basic
// challenge, no other Status). It records the Replace Items of each
// device message.
type scriptServer struct {
	ts     *httptest.Server
	meta   func(n int) string
	refuse func(n int) bool

	mu   sync.Mutex
	msgs [][]syncml.Item // the Replace Items of each device message
	errs []string
}

func newScriptServer(t *testing.T, meta func(int) string, refuse func(int) bool) *scriptServer {
	t.Helper()
	p := &scriptServer{meta: meta, refuse: refuse}
	p.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req syncml.Message
		if err := syncml.Unmarshal(body, &req); err != nil {
			p.mu.Lock()
			p.errs = append(p.errs, err.Error())
			p.mu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		var items []syncml.Item
		for _, x := range req.Body.Commands {
			if _, ok := x.(*syncml.Replace); ok {
				items = append(items, x.ItemList()...)
			}
		}
		p.msgs = append(p.msgs, items)
		n := len(p.msgs)
		p.mu.Unlock()
		ref := req.Header.MsgID
		var b bytes.Buffer
		fmt.Fprintf(&b, `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>%s</SessionID>`+
			`<MsgID>%d</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>%s</SyncHdr><SyncBody>`,
			req.Header.SessionID, n, p.meta(n))
		if p.refuse(n) {
			fmt.Fprintf(&b, `<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>`+
				`<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta></Chal>`+
				`<Data>401</Data></Status><Final/></SyncBody></SyncML>`, ref)
		} else {
			id := 1
			fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, id, ref)
			for _, x := range req.Body.Commands {
				if _, ok := x.(*syncml.Status); ok {
					continue
				}
				code := 200
				if isChunk(x) {
					code = 213
				}
				id++
				fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%d</Data></Status>`,
					id, ref, x.ID(), x.ElementName(), code)
			}
			if req.Body.Final {
				b.WriteString(`<Final/>`)
			} else {
				id++
				fmt.Fprintf(&b, `<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, id)
			}
			b.WriteString(`</SyncBody></SyncML>`)
		}
		w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(p.ts.Close)
	return p
}

// sent returns, for each device message, the LocURIs of its Replace
// Items, a chunk's with its Size when it has one ("./B(3000)").
func (p *scriptServer) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.msgs))
	for i, items := range p.msgs {
		var uris []string
		for _, it := range items {
			u := itemURI(it)
			if it.Meta != nil && it.Meta.Size != "" {
				u += "(" + it.Meta.Size + ")"
			}
			uris = append(uris, u)
		}
		out[i] = strings.Join(uris, " ")
	}
	return out
}

// A message in the middle of the session that the server refuses (401)
// in a message announcing a MaxObjSize smaller than the one it announced
// before is sent again held to the new bound, its own commands as the rest
// of the package: a command it carried whole (./D) with an Item over the
// bound, and an object whose first chunk it carried (./B, its Size over
// the bound), are not sent again, nor anything of them later; each gets
// an Outcome holding the command as queued with a *LimitError of
// MaxObjSize; the others (./C) go and are answered. Before, the message
// sent again carried ./D and ./B's first chunk as they were, and ./B's
// other chunks followed. When ./B's first chunk is all the refused
// message carried, that chunk is no object in flight: the server took
// none of it.
func TestClientResendHeldToRefusalMaxObj(t *testing.T) {
	for _, withD := range []bool{true, false} {
		t.Run(fmt.Sprint("whole command before: ", withD), func(t *testing.T) {
			testResendHeldToRefusalMaxObj(t, withD)
		})
	}
}

func testResendHeldToRefusalMaxObj(t *testing.T, withD bool) {
	const mib = `<Meta><MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">%d</MaxObjSize></Meta>`
	p := newScriptServer(t, func(n int) string {
		if n == 2 {
			return fmt.Sprintf(mib, 400) // the refusal announces a smaller bound
		}
		return fmt.Sprintf(mib, 5000)
	}, func(n int) bool { return n == 2 })
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, ServerMaxMsgSize: 1500,
		Credentials: &ClientAuth{Username: "u", Password: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	big := objReplace("./B", strings.Repeat("b", 3000))
	whole := objReplace("./D", strings.Repeat("d", 500))
	queue := []syncml.Command{objReplace("./A", strings.Repeat("a", 600)), whole, big, objReplace("./C", "c")}
	refused, wantLimited := "./D ./B(3000)", "./D ./B"
	if !withD {
		queue = slices.Delete(queue, 1, 2)
		refused, wantLimited = "./B(3000)", "./B"
	}
	if err := c.Queue(queue...); err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, "1")
	if err != nil {
		t.Fatal(err)
	}
	sent := p.sent()
	if len(sent) < 3 || sent[0] != "./A" || sent[1] != refused {
		t.Fatalf("device messages %q, want ./A, then %s (the test needs them in the refused message)", sent, refused)
	}
	for i, s := range sent[2:] {
		if strings.Contains(s, "./B") || strings.Contains(s, "./D") {
			t.Errorf("device message %d, after the refusal announcing MaxObjSize 400, carried %q", i+3, s)
		}
	}
	if got := sent[2]; got != "./C" {
		t.Errorf("the message sent again carried %q, want ./C", got)
	}
	var limited []string
	for _, o := range outs {
		if _, ok := o.Command.(*syncml.Replace); !ok || o.Err == nil {
			continue
		}
		uri := itemURI(o.Command.ItemList()[0])
		limited = append(limited, uri)
		var le *LimitError
		n := len(o.Command.ItemList()[0].Data.Value)
		if !errors.As(o.Err, &le) || le.Limit != "MaxObjSize" || le.Max != 400 || le.Count != int64(n) || o.MsgID != "" {
			t.Errorf("%s: Outcome MsgID %q, error %v; want no MsgID, a LimitError of MaxObjSize 400 for %d bytes", uri, o.MsgID, o.Err, n)
		}
	}
	if got := strings.Join(limited, " "); got != wantLimited {
		t.Errorf("Outcomes with an error for %q, want %s", got, wantLimited)
	}
	for _, x := range []*syncml.Replace{big, whole} {
		it := x.Items[0]
		if n := len(it.Data.Value); n != 3000 && n != 500 || it.MoreData || it.Meta.Size != "" {
			t.Errorf("%s: Item not as queued: %d bytes, MoreData %v, Size %q", itemURI(it), n, it.MoreData, it.Meta.Size)
		}
	}
	var answered []string
	for _, o := range outs {
		if _, ok := o.Command.(*syncml.Replace); ok && o.Status != nil {
			answered = append(answered, itemURI(o.Command.ItemList()[0]))
		}
	}
	if got := strings.Join(answered, " "); got != "./A ./C" {
		t.Errorf("Outcomes with a Status for %q, want ./A ./C", got)
	}
}

// An object begun in a message the server took (./B: its first chunk,
// with its Size, answered 213) goes on in the message sent again after a
// refusal (401) that announces a MaxObjSize smaller than the object: the
// server saw its Size and took that chunk, and refuses the object in a
// Status of its own when it will not take it. All of ./B goes, no Outcome
// says it was not sent, and its Outcome holds it as queued.
func TestClientResendObjectBegunGoesOn(t *testing.T) {
	p := newScriptServer(t, func(n int) string {
		switch n {
		case 1:
			return `<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta>`
		case 3:
			return `<Meta><MaxObjSize xmlns="syncml:metinf">400</MaxObjSize></Meta>`
		}
		return ""
	}, func(n int) bool { return n == 3 })
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, ServerMaxMsgSize: 1500,
		Credentials: &ClientAuth{Username: "u", Password: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	big := objReplace("./B", strings.Repeat("b", 3000))
	if err := c.Queue(objReplace("./A", strings.Repeat("a", 600)), big); err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, "1")
	if err != nil {
		t.Fatal(err)
	}
	sent := p.sent()
	if len(sent) < 5 || sent[0] != "./A" || sent[1] != "./B(3000)" || sent[2] != "./B" {
		t.Fatalf("device messages %q, want ./A, ./B's first chunk, its second (refused), and more", sent)
	}
	if sent[3] != "./B" {
		t.Errorf("the message sent again carried %q, want ./B's second chunk", sent[3])
	}
	var got []byte // ./B's data, but for the refused message's
	for i, m := range p.msgs {
		for _, it := range m {
			if i != 2 && itemURI(it) == "./B" {
				got = append(got, it.Data.Value...)
			}
		}
	}
	if string(got) != strings.Repeat("b", 3000) {
		t.Errorf("the messages the server took carried %d bytes of ./B, want its 3000", len(got))
	}
	var done bool
	for _, o := range outs {
		if o.Command != syncml.Command(big) {
			continue
		}
		if o.Err != nil || o.Status == nil {
			t.Errorf("./B's Outcome: Status %v, error %v; want its Status, no error", o.Status, o.Err)
		}
		done = true
	}
	if !done {
		t.Errorf("no Outcome for ./B")
	}
	if it := big.Items[0]; it.Data.Value != strings.Repeat("b", 3000) || it.MoreData {
		t.Errorf("./B's Outcome holds %d bytes, MoreData %v; want it as queued", len(it.Data.Value), it.MoreData)
	}
}
