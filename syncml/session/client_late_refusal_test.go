package session

import (
	"context"
	"fmt"
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
	c, m, q, _ := startObject(t, ClientConfig{
		Handler: HandlerFunc(func(context.Context, *Request) Response { return Response{} })})
	var outs []Outcome
	var chunkRef string // CmdID of the chunk package 1 carried
	refused := false
	for msg := 1; ; msg++ {
		if msg == 20 {
			t.Fatal("the session does not end")
		}
		isB := func(x syncml.Command) bool {
			it := x.ItemList()
			return x.ElementName() == "Replace" && len(it) == 1 && it[0].Target != nil && it[0].Target.LocURI == "./B"
		}
		pieces := 0
		for _, x := range m.Body.Commands {
			if isAnswer(x) || !isB(x) {
				continue
			}
			pieces++
			if refused {
				t.Errorf("device message %s: a piece of the object the server refused", m.Header.MsgID)
			}
			if msg == 1 {
				chunkRef = x.ID()
			}
		}
		s := newObjScript(m)
		s.answer(m, func(x syncml.Command) bool { return msg == 1 && isB(x) }) // the chunk answered late
		if msg == 1 {
			if chunkRef == "" {
				t.Fatal("package 1 carries no chunk of the object")
			}
			s.adds()
		}
		if msg == 2 {
			if pieces != 0 {
				t.Fatal("the device's second message carries a piece of the object: the case is not tested")
			}
			s.status("1", chunkRef, "Replace", "413")
			refused = true
		}
		cx, err := c.HandleInbound(ctx, s.inbound(msg, "", msg > 1 && (m.Body.Final || pieces == 0)))
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
