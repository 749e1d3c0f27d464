package session

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// atomicGetCases are Atomics holding a Get, which is not legal there (OMA
// DM 1.2.1, 4.1.6.3; oma-dm-protocol-support.md: Windows answers the Get
// 500 and the Atomic 507): the Get fails before the handler sees it, with
// no Results, the commands before it are rolled back (216) and the ones
// after it not executed (215). body is the Atomic as CmdID 2 of message
// 1, want the Statuses that answer it (MsgRef/CmdRef Cmd code).
var atomicGetCases = []struct {
	name, body string
	want       []string
}{
	{"Replace Get Replace",
		`<Atomic><CmdID>2</CmdID>` +
			`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>new</Data></Item></Replace>` +
			`<Get><CmdID>4</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>` +
			`<Replace><CmdID>5</CmdID><Item><Target><LocURI>./b</LocURI></Target><Data>new</Data></Item></Replace></Atomic>`,
		[]string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Get 500)", "Status(1/5 Replace 215)"}},
	{"Replace Sequence of a Get",
		`<Atomic><CmdID>2</CmdID>` +
			`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>new</Data></Item></Replace>` +
			`<Sequence><CmdID>4</CmdID><Get><CmdID>5</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get></Sequence></Atomic>`,
		[]string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Sequence 216)", "Status(1/5 Get 500)"}},
	{"Sequence of a Get",
		`<Atomic><CmdID>2</CmdID><Sequence><CmdID>3</CmdID>` +
			`<Get><CmdID>4</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get></Sequence></Atomic>`,
		[]string{"Status(1/2 Atomic 507)", "Status(1/3 Sequence 216)", "Status(1/4 Get 500)"}},
}

// nodeHandler keeps nodes in a map: a Replace sets one (with an Undo in
// an Atomic), a Get answers it with Results. It records every command it
// sees by element name.
type nodeHandler struct {
	nodes map[string]string
	seen  []string
}

func (h *nodeHandler) ServeCommand(_ context.Context, r *Request) Response {
	h.seen = append(h.seen, r.Command.ElementName())
	it := r.Command.ItemList()[0]
	uri := it.Target.LocURI
	switch r.Command.(type) {
	case *syncml.Replace:
		old, had := h.nodes[uri]
		h.nodes[uri] = it.Data.Value
		return Response{Undo: func(context.Context) error {
			if had {
				h.nodes[uri] = old
			} else {
				delete(h.nodes, uri)
			}
			return nil
		}}
	case *syncml.Get:
		return Response{Results: []syncml.Item{{Source: it.Target, Data: syncml.Text(h.nodes[uri])}}}
	}
	return Response{}
}

// checkAtomicGet checks a reply to one of atomicGetCases: its Statuses
// after the header's (and Alert 1201's, skip of them), no Results, the
// handler never given the Get, and ./a as it was.
func checkAtomicGet(t *testing.T, reply *syncml.Message, skip int, h *nodeHandler, want []string) {
	t.Helper()
	var got []string
	for _, s := range summary(reply)[skip:] {
		_, s, _ = strings.Cut(s, ":") // the reply's own CmdID is not tested
		got = append(got, s)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("reply (-want +got):\n%s", d)
	}
	if slices.Contains(h.seen, "Get") {
		t.Errorf("the handler saw the Get: %v", h.seen)
	}
	if v := h.nodes["./a"]; v != "old" {
		t.Errorf("./a is %q after the failed Atomic, want it rolled back to %q", v, "old")
	}
}

// TestServerAtomicGet: a device's Atomic holding a Get, at any depth,
// fails as an Atomic inside an Atomic does. The responder served the Get
// (Results, Get 200, Atomic 200).
func TestServerAtomicGet(t *testing.T) {
	for _, tc := range atomicGetCases {
		t.Run(tc.name, func(t *testing.T) {
			h := &nodeHandler{nodes: map[string]string{"./a": "old"}}
			x := handle(t, NewSession(&Config{Handler: h}), devMsg("1", "1", alert1201+tc.body))
			checkAtomicGet(t, x.Reply, 2, h, tc.want)
		})
	}
}

// TestClientAtomicGet: the same, a server's Atomic to the device (the
// Client shares the responder).
func TestClientAtomicGet(t *testing.T) {
	for _, tc := range atomicGetCases {
		t.Run(tc.name, func(t *testing.T) {
			h := &nodeHandler{nodes: map[string]string{"./a": "old"}}
			c := newTestClient(t, h)
			ctx := context.Background()
			if _, err := c.Start(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
				`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>DEV1</LocURI></Target>` +
				`<Source><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Source></SyncHdr><SyncBody>` +
				`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
				tc.body + `<Final/></SyncBody></SyncML>`
			var m syncml.Message
			if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatal(err)
			}
			x, err := c.Handle(ctx, &m)
			if err != nil {
				t.Fatal(err)
			}
			checkAtomicGet(t, x.Reply, 1, h, tc.want)
		})
	}
}
