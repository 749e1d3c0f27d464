package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// With AllowMsgIDReuse, a server that numbers every message 1 and every
// Get 900 is refused (a *MsgIDError, Open) when it brings commands while
// answers of the device to an earlier message 1 still wait to go: the
// Client knows the server's Gets by MsgID and CmdID, and would take the
// new Get for the earlier one. Nothing of the refused message runs.
//   - "last behind" is TestClientSplitGetsBound's case of that name
//     played by such a server: before, the message bringing the second
//     Get was taken, and the answers of the Gets were known as one Get's
//     (the review measured the last Get, none of whose Statuses went
//     before the MaxObjSize, keeping 200 for its first node whose Results
//     were left out, where the server gets 500 without reuse). Now that
//     message is refused, and the Client is as it was.
//   - "polite" is a server that, refused, asks for the device's next
//     messages (Alert 1222 alone, which is always taken) until its
//     package ends, then sends the Get again: taken, as nothing of the
//     earlier message waits; the notes of the Gets whose answers all went
//     were dropped. Every node of the four Gets gets its code and its
//     Results, as without reuse.
func TestClientMsgIDReuseOpen(t *testing.T) {
	t.Run("last behind", func(t *testing.T) {
		ctx := context.Background()
		c, m := reuseClient(t)
		s := newObjScript(m)
		reuseGet(s, 0)
		x, err := c.HandleInbound(ctx, s.inbound(1, "", true))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.cont) == 0 {
			t.Fatal("the answers of the first Get all went: the case is not tested")
		}
		in, out, cont := c.inMsgID, c.outMsgID, len(c.cont)
		s = newObjScript(x.Reply)
		s.read(x.Reply, map[string]string{})
		s.adds()
		reuseGet(s, 1)
		_, err = c.HandleInbound(ctx, s.inbound(1, "", true))
		var me *MsgIDError
		if !errors.As(err, &me) || !me.AnswersWaiting || me.MsgID != "1" || !errors.Is(err, ErrProtocol) {
			t.Fatalf("a second Get 900 of message 1 while the first one's answers wait: %v, want a *MsgIDError, AnswersWaiting", err)
		}
		if !strings.Contains(err.Error(), "still to go") {
			t.Errorf("error %q does not say why", err)
		}
		if c.inMsgID != in || c.outMsgID != out || len(c.cont) != cont {
			t.Errorf("the refused message changed the Client: MsgIDs %s %d, %d answers waiting; were %s %d, %d", c.inMsgID, c.outMsgID, len(c.cont), in, out, cont)
		}
	})
	t.Run("polite", func(t *testing.T) { testReusePolite(t, false) })
	t.Run("polite, last behind", func(t *testing.T) { testReusePolite(t, true) })
}

// testReusePolite is TestClientMsgIDReuseOpen's polite server. When
// behind, it sends two Gets, 30 Adds before the second, and a MaxObjSize
// of 1000 in the message after the one the second Get is taken in, when
// none of that Get's Statuses went: the Get fails (every item 500, none
// of its Results sent, each reported) as without reuse. Before the notes
// of Gets whose answers all went were dropped when a message is taken,
// the first Get's note (message 1, Get 900) stood for the second, which
// kept 200 for its first node while its Results were left out.
func testReusePolite(t *testing.T, behind bool) {
	ctx := context.Background()
	c, m := reuseClient(t)
	gets := 4
	if behind {
		gets = 2
	}
	codes, got := map[string]string{}, map[string]string{}
	var outs []Outcome
	sent, refused, objAt := 0, 0, 0
	for msg := 1; ; msg++ {
		if msg == 200 {
			t.Fatal("the session does not end")
		}
		s := newObjScript(m)
		for _, st := range s.read(m, got) {
			if _, dup := codes[st.TargetRef[0]]; dup {
				t.Errorf("two Statuses for %s", st.TargetRef[0])
			}
			codes[st.TargetRef[0]] = st.Data.Value
		}
		if msg == objAt {
			for i := range 12 {
				if _, ok := codes[splitURI(gets-1, i)]; ok {
					t.Fatal("a Status of the last Get went before the MaxObjSize: the case is not tested")
				}
			}
		}
		head, id := s.body.String(), s.id
		if sent < gets {
			if behind && sent == gets-1 {
				s.adds()
			}
			reuseGet(s, sent)
		}
		meta := ""
		if msg == objAt {
			meta = `<MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize>`
		}
		x, err := c.HandleInbound(ctx, s.inbound(1, meta, true))
		var me *MsgIDError
		if errors.As(err, &me) && me.AnswersWaiting {
			// the Get waits: ask for the device's next message
			refused++
			s = &objScript{id: id + 1}
			s.body.WriteString(head)
			fmt.Fprintf(&s.body, `<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, s.id)
			x, err = c.HandleInbound(ctx, s.inbound(1, meta, true))
		} else if err == nil && sent < gets {
			if sent++; behind && sent == gets {
				objAt = msg + 1
			}
		}
		if err != nil {
			t.Fatalf("server message %d: %v", msg, err)
		}
		outs = append(outs, x.Outcomes...)
		if x.Done {
			break
		}
		m = x.Reply
	}
	if sent != gets || refused == 0 {
		t.Fatalf("%d Gets taken, %d refused; want %d taken, some refused", sent, refused, gets)
	}
	wantCodes, wantGot, wantLimited := map[string]string{}, map[string]string{}, map[string]int{}
	for g := range gets {
		for i := range 12 {
			u := splitURI(g, i)
			switch {
			case behind && g == gets-1:
				wantCodes[u] = "500"
				if i%2 == 0 {
					wantLimited[u] = 3000 // the Get's error: N00's
				}
			case i%2 == 1:
				wantCodes[u] = "404"
			case i == 0:
				wantCodes[u], wantGot[u] = "200", strings.Repeat("a", 3000)
			default:
				wantCodes[u], wantGot[u] = "200", "v"
			}
		}
	}
	checkServerView(t, codes, got, outs, wantCodes, wantGot, wantLimited)
}

// reuseClient returns a Client with AllowMsgIDReuse answering Gets with
// splitGetHandler, and its package 1.
func reuseClient(t *testing.T) (*Client, *syncml.Message) {
	t.Helper()
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: splitGetHandler, AllowMsgIDReuse: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

// splitURI is the node i of the Get g of TestClientMsgIDReuseOpen.
func splitURI(g, i int) string {
	return fmt.Sprintf("./Vendor/MSFT/G%dN%02d/%s", g, i, strings.Repeat("n", 40))
}

// reuseGet adds the Get g, CmdID 900, of twelve nodes to s.
func reuseGet(s *objScript, g int) {
	s.body.WriteString(`<Get><CmdID>900</CmdID>`)
	for i := range 12 {
		fmt.Fprintf(&s.body, `<Item><Target><LocURI>%s</LocURI></Target></Item>`, splitURI(g, i))
	}
	s.body.WriteString(`</Get>`)
}
