package session

import (
	"context"
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
	c, m, _, obj := startObject(t, ClientConfig{
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			if r.Command.ElementName() == "Get" {
				return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./G"}, Data: syncml.Text("g")}}}
			}
			return Response{}
		}),
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			return []syncml.Command{&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./E"}, Data: syncml.Text("1")}}}}, nil
		}})
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
		s := newObjScript(m)
		chunks := s.answer(m, nil)
		if msg == 1 {
			s.adds()
		}
		if statusesOnly && gets < 3 {
			gets++
			s.get()
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, "", msg > 1 && (m.Body.Final || chunks == 0)))
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
