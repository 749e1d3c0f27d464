package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// Two Gets of the server for one node, ./X, each answered with a Results
// of 3000 bytes, cut into chunks for the server's MaxMsgSize of 1500: the
// chunk in flight is told from the pieces of the other object by its
// place (the rest of an object goes right after the Statuses, nothing
// between its chunks), not only by its element and node (samePiece),
// which the two share. The server gets each Results whole, under its own
// Get, and nothing of the other Results between the chunks of one, in
// every order the Gets may come in:
//   - one message: both Gets in the server's first message;
//   - apart: the second Get comes while the first Results is in flight;
//   - refused: as apart, and the server refuses (413) the first chunk of
//     the first Results in the message that carries the second Get: the
//     first Results stops there, the second goes whole;
//   - bound: both Gets in one message, and the server's next announces a
//     MaxObjSize of 1000: the first Results, begun, goes on; the second,
//     none of which went, is not sent, its Get failing (500).
//
// samePiece itself would take a piece of the second Results for the
// first's: with the rest of the package put after the answers to the
// second Get (answersThenRest undone), "apart" fails on the server's
// check, the Client's own (nextPiece) passing it.
func TestClientTwoGetsOneNode(t *testing.T) {
	ctx := context.Background()
	data := map[string]string{"20": strings.Repeat("a", 3000), "30": strings.Repeat("b", 3000)}
	for _, tc := range []struct {
		name      string
		apart     bool // Get 30 in the server's second message, not its first
		refuse    bool // the first chunk of Get 20's Results is refused (413)
		bound     bool // the server's second message announces a MaxObjSize of 1000
		got       map[string]string
		getStatus map[string]string
	}{
		{name: "one message", got: data, getStatus: map[string]string{"20": "200", "30": "200"}},
		{name: "apart", apart: true, got: data, getStatus: map[string]string{"20": "200", "30": "200"}},
		{name: "refused", apart: true, refuse: true, got: map[string]string{"20": firstChunk(t, data["20"]), "30": data["30"]},
			getStatus: map[string]string{"20": "200", "30": "200"}},
		{name: "bound", bound: true, got: map[string]string{"20": data["20"]}, getStatus: map[string]string{"20": "200", "30": "500"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S",
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					if r.Command.ElementName() != "Get" {
						return Response{}
					}
					return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(data[r.Command.ID()])}}}
				})})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			got, status := map[string]string{}, map[string]string{}
			flight := "" // the Get whose Results has a chunk the server took (213), more to come
			get := func(s *objScript, id int) {
				fmt.Fprintf(&s.body, `<Get><CmdID>%d</CmdID><Item><Target><LocURI>./X</LocURI></Target></Item></Get>`, id)
				s.id = id
			}
			for msg := 1; ; msg++ {
				if msg == 40 {
					t.Fatal("the session does not end")
				}
				s := newObjScript(m)
				refused := false
				for _, x := range m.Body.Commands {
					if st, ok := x.(*syncml.Status); ok {
						if st.Cmd == "Get" {
							if _, dup := status[st.CmdRef]; dup {
								t.Errorf("two Statuses for Get %s", st.CmdRef)
							}
							status[st.CmdRef] = st.Data.Value
						}
						continue
					}
					it := x.ItemList()
					answer := "200"
					if len(it) > 0 && it[len(it)-1].MoreData {
						answer = "213"
					}
					if r, ok := x.(*syncml.Results); ok && flight != "" && r.CmdRef != flight {
						t.Errorf("server message %d: a Results of Get %s between the chunks of Get %s's", msg, r.CmdRef, flight)
					}
					flight = ""
					if r, ok := x.(*syncml.Results); ok {
						if tc.refuse && r.CmdRef == "20" && msg == 2 {
							answer, refused = "413", true // the object ends
						}
						if answer == "213" {
							flight = r.CmdRef
						}
						for _, i := range it {
							got[r.CmdRef] += i.Data.Value
						}
					}
					s.status(m.Header.MsgID, x.ID(), x.ElementName(), answer)
				}
				if tc.refuse && msg == 2 && !refused {
					t.Fatal("the device's first reply carried no chunk of Get 20's Results: the case is not tested")
				}
				meta := ""
				switch msg {
				case 1:
					get(s, 20)
					if !tc.apart {
						get(s, 30)
					}
				case 2:
					if tc.apart {
						get(s, 30)
					}
					if tc.bound {
						meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
					}
				}
				cx, err := c.HandleInbound(ctx, s.inbound(msg, meta, true))
				if err != nil {
					t.Fatalf("server message %d: %v", msg, err)
				}
				if cx.Done {
					break
				}
				m = cx.Reply
			}
			if d := cmp.Diff(tc.got, got); d != "" {
				t.Errorf("the Results as the server gets them, by Get (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.getStatus, status); d != "" {
				t.Errorf("the Statuses of the Gets (-want +got):\n%s", d)
			}
		})
	}
}

// firstChunk returns the data of the first chunk of a Results of data for
// ./X, cut for a message of 1500 bytes as the Client cuts it.
func firstChunk(t *testing.T, data string) string {
	t.Helper()
	r := &syncml.Results{MsgRef: "1", CmdRef: "20", Items: []syncml.Item{{Source: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(data)}}}
	h := &syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", Target: syncml.Location{LocURI: "S"}, Source: syncml.Location{LocURI: "D"}}
	out, _, cut, err := chunkCommands([]syncml.Command{r}, 1500, 0, h, nil)
	if err != nil || len(out) < 2 {
		t.Fatalf("chunkCommands: %d pieces, %v", len(out), err)
	}
	undoCuts(cut)
	return out[0].ItemList()[0].Data.Value
}
